/**
 * The data plane entry: resolve what to run, check the request, lease an environment, run, release.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { randomUUID } from "node:crypto";
import { awsError } from "../errors.js";
import { SandboxStartError } from "../sandbox/errors.js";
import { functionArn, type Account } from "../services/lambda/arns.js";
import type { LambdaService } from "../services/lambda/service.js";
import { Violations, badContent } from "../services/lambda/validation.js";
import type { ConcurrencyGate } from "./concurrency.js";
import type { EnvironmentPool } from "./pool.js";

/** 6 MiB: the synchronous request payload limit. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_CLIENT_CONTEXT = 3583;

export const InvocationType = { RequestResponse: "RequestResponse", Event: "Event", DryRun: "DryRun" } as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];

export interface InvokeCommand {
  functionName: string;
  qualifier?: string;
  invocationType?: string;
  logType?: string;
  /** Base64 JSON, as sent in X-Amz-Client-Context. */
  clientContext?: string;
  payload: Buffer;
}

export interface InvokeResult {
  statusCode: 200 | 202 | 204;
  requestId: string;
  payload?: Buffer;
  functionError?: "Unhandled";
  logResult?: string;
  executedVersion?: string;
}

export class Invoker {
  constructor(
    private readonly account: Account,
    private readonly lambda: LambdaService,
    private readonly pool: EnvironmentPool,
    private readonly gate: ConcurrencyGate,
  ) {}

  async invoke(cmd: InvokeCommand): Promise<InvokeResult> {
    const invocationType = cmd.invocationType ?? InvocationType.RequestResponse;
    const badType = !(invocationType in InvocationType);
    const badLog = cmd.logType !== undefined && cmd.logType !== "None" && cmd.logType !== "Tail";
    if (badType || badLog) {
      const v = new Violations();
      if (badType) v.add(`Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
      if (badLog) v.add(`Value '${cmd.logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
      v.throwIfAny();
    }
    const { record, version, qualifier } = this.lambda.resolveForInvoke(cmd.functionName, cmd.qualifier);
    const requestId = randomUUID();
    if (invocationType === InvocationType.DryRun) return { statusCode: 204, requestId };
    if (invocationType === InvocationType.Event) {
      throw awsError("InvalidParameterValueException", "Flint does not accept Event invocations yet: invoke with RequestResponse.");
    }
    const clientContext = decodeClientContext(cmd.clientContext);
    const payload = cmd.payload.length === 0 ? Buffer.from("{}") : cmd.payload;
    checkJson(payload);

    const invokedFunctionArn = functionArn(this.account, version.functionName, qualifier);
    const releaseSlot = this.gate.acquire(record);
    try {
      let lease;
      try {
        lease = await this.pool.acquire(version);
      } catch (err) {
        if (!(err instanceof SandboxStartError)) throw err;
        return {
          statusCode: 200,
          requestId,
          functionError: "Unhandled",
          executedVersion: version.version,
          payload: Buffer.from(JSON.stringify({ errorType: err.errorType, errorMessage: `RequestId: ${requestId} Error: ${err.message}` })),
        };
      }
      try {
        const out = await lease.env.invoke({ requestId, payload, invokedFunctionArn, clientContext, tail: cmd.logType === "Tail" });
        return { statusCode: 200, requestId, executedVersion: version.version, ...out };
      } finally {
        await lease.release();
      }
    } finally {
      releaseSlot();
    }
  }
}

function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString("utf8"));
  } catch (err) {
    badContent(`Could not parse payload into json: ${(err as Error).message}`);
  }
}

function decodeClientContext(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length > MAX_CLIENT_CONTEXT) {
    throw awsError("InvalidParameterValueException", `Client context must be at most ${MAX_CLIENT_CONTEXT} bytes (base64-encoded JSON).`);
  }
  const text = Buffer.from(raw, "base64").toString("utf8");
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object") throw new Error("not an object");
  } catch {
    throw awsError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
  return text;
}
