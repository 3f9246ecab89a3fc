/**
 * The data plane entry: resolve what to run, check the request, lease an environment, run, release.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { AwsError, awsError } from "../errors.js";
import type { Metrics } from "../observability/metrics.js";
import { SandboxStartError } from "../sandbox/errors.js";
import { functionArn, type Account } from "../services/lambda/arns.js";
import type { ExecuteOutcome } from "../async/queue.js";
import type { InvokeTarget, LambdaService } from "../services/lambda/service.js";
import { Violations, badContent } from "../services/lambda/validation.js";
import type { ConcurrencyGate } from "./concurrency.js";
import type { EnvironmentPool } from "./pool.js";
import { MAX_RESPONSE_BYTES } from "../runtime-api/runtime-api.js";
import { newRequestId } from "../lib/request-id.js";
import type { InvokeOutcome, StreamedInvocation } from "./environment.js";
import { RESPONSE_TOO_LARGE } from "./outcomes.js";

/** 6 MiB: the synchronous request payload limit. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** 1 MiB: the asynchronous (Event) payload limit since October 2025. */
export const MAX_EVENT_PAYLOAD = 1024 * 1024;
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

/** A synchronous invocation whose answer may be a stream (InvokeWithResponseStream, streaming URLs). */
export interface StreamingInvokeResult extends InvokeResult {
  /** Set when the function streamed its answer; `payload` is then empty until `stream.done`. */
  stream?: StreamedInvocation;
}

/** The asynchronous queue, as the invoker hands events to it. */
export interface EventSink {
  accept(functionName: string, qualifier: string | undefined, requestId: string, payload: Buffer): Promise<void>;
}

export class Invoker {
  /** Set once the asynchronous queue exists (it runs its events through `execute`). */
  events?: EventSink;

  constructor(
    private readonly account: Account,
    private readonly lambda: LambdaService,
    private readonly pool: EnvironmentPool,
    private readonly gate: ConcurrencyGate,
    private readonly metrics: Metrics,
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
    const target = this.lambda.resolveForInvoke(cmd.functionName, cmd.qualifier);
    const requestId = newRequestId();
    if (invocationType === InvocationType.DryRun) return { statusCode: 204, requestId };
    const payload = cmd.payload.length === 0 ? Buffer.from("{}") : cmd.payload;
    if (invocationType === InvocationType.Event) {
      if (payload.length > MAX_EVENT_PAYLOAD) {
        throw awsError("RequestEntityTooLargeException", `${payload.length} byte payload is too large for the Event invocation type (limit ${MAX_EVENT_PAYLOAD} bytes)`);
      }
      checkJson(payload);
      if (!this.events) throw new Error("asynchronous invocation is not wired");
      await this.events.accept(target.record.name, target.qualifier, requestId, payload);
      return { statusCode: 202, requestId };
    }
    const clientContext = decodeClientContext(cmd.clientContext);
    checkJson(payload);
    let out = await this.run(target, requestId, payload, clientContext, cmd.logType === "Tail");
    // A function that streams, invoked to be answered whole: its stream is collected within the synchronous limit.
    if (out.stream) out = await collect(out.stream);
    return { statusCode: 200, requestId, executedVersion: target.version.version, payload: out.payload, functionError: out.functionError, logResult: out.logResult };
  }

  /**
   * InvokeWithResponseStream: a RequestResponse (or DryRun) invocation whose answer is passed on as
   * the function writes it, when it streams. https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
   */
  async invokeStreaming(cmd: InvokeCommand): Promise<StreamingInvokeResult> {
    if (cmd.invocationType !== undefined && cmd.invocationType !== InvocationType.RequestResponse && cmd.invocationType !== InvocationType.DryRun) {
      const v = new Violations();
      v.add(`Value '${cmd.invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]`);
      v.throwIfAny();
    }
    if (cmd.logType !== undefined && cmd.logType !== "None" && cmd.logType !== "Tail") {
      const v = new Violations();
      v.add(`Value '${cmd.logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
      v.throwIfAny();
    }
    const target = this.lambda.resolveForInvoke(cmd.functionName, cmd.qualifier);
    const requestId = newRequestId();
    if (cmd.invocationType === InvocationType.DryRun) return { statusCode: 204, requestId };
    const payload = cmd.payload.length === 0 ? Buffer.from("{}") : cmd.payload;
    const clientContext = decodeClientContext(cmd.clientContext);
    checkJson(payload);
    const out = await this.run(target, requestId, payload, clientContext, cmd.logType === "Tail");
    return { statusCode: 200, requestId, executedVersion: target.version.version, payload: out.payload, functionError: out.functionError, logResult: out.logResult, stream: out.stream };
  }

  /** What an HTTP trigger invokes: the function (through its alias) as an Invoke would resolve it now. */
  resolve(functionName: string, qualifier: string | undefined): InvokeTarget {
    return this.lambda.resolveForInvoke(functionName, qualifier);
  }

  /**
   * A synchronous invocation of a resolved target with a payload the caller built as JSON (an HTTP
   * trigger's event): nothing to validate or parse again. Throttles throw TooManyRequestsException.
   * `streamed`: a function that streams is passed on as it writes (a RESPONSE_STREAM URL); otherwise
   * its stream is collected within the synchronous limit, as Invoke does.
   */
  async invokeResolved(target: InvokeTarget, requestId: string, payload: Buffer, streamed = false): Promise<StreamingInvokeResult> {
    let out = await this.run(target, requestId, payload, undefined, false);
    if (out.stream && !streamed) out = await collect(out.stream);
    return { statusCode: 200, requestId, executedVersion: target.version.version, payload: out.payload, functionError: out.functionError, ...(out.stream ? { stream: out.stream } : {}) };
  }

  /** Run an accepted asynchronous event once, resolving its qualifier now (aliases may have moved). */
  async execute(functionName: string, qualifier: string | undefined, requestId: string, payload: Buffer): Promise<ExecuteOutcome> {
    let target: InvokeTarget;
    try {
      target = this.lambda.resolveForInvoke(functionName, qualifier);
    } catch (err) {
      if (err instanceof AwsError && err.code === "ResourceNotFoundException") return { kind: "gone", message: err.message };
      if (err instanceof AwsError && err.code === "ResourceConflictException") {
        // Not Active yet (being created or updated): wait like a throttle.
        return { kind: "throttled", reason: "FunctionNotActive", disabled: false, functionArn: functionArn(this.account, functionName, qualifier) };
      }
      throw err;
    }
    const { record, version } = target;
    const qualifiedArn = functionArn(this.account, version.functionName, version.version);
    try {
      let out = await this.run(target, requestId, payload, undefined, false);
      if (out.stream) out = await collect(out.stream);
      return {
        kind: "completed",
        executedVersion: version.version,
        functionArn: qualifiedArn,
        payload: out.payload,
        ...(out.functionError ? { functionError: out.functionError } : {}),
        ...(version.deadLetterTargetArn ? { deadLetterTargetArn: version.deadLetterTargetArn } : {}),
      };
    } catch (err) {
      if (!(err instanceof AwsError && err.code === "TooManyRequestsException")) throw err;
      return {
        kind: "throttled",
        reason: String(err.extra.Reason ?? "Throttled"),
        disabled: record.reservedConcurrency === 0,
        functionArn: qualifiedArn,
        ...(version.deadLetterTargetArn ? { deadLetterTargetArn: version.deadLetterTargetArn } : {}),
      };
    }
  }

  /** One execution: a concurrency slot, an environment, the invocation, metrics. */
  private async run(target: InvokeTarget, requestId: string, payload: Buffer, clientContext: string | undefined, tail: boolean): Promise<Omit<InvokeOutcome, "durationMs">> {
    const { record, version, qualifier } = target;
    const invokedFunctionArn = functionArn(this.account, version.functionName, qualifier);
    const metrics = this.metrics.forInvocation({
      functionName: version.functionName,
      qualifier,
      version: version.version,
      reserved: record.reservedConcurrency !== undefined,
      provisioned: (qualifier !== undefined && record.provisioned[qualifier]?.requested) || 0,
    });
    let releaseSlot;
    let lease;
    try {
      // The in-memory gate answers at once; only a store-leased gate may have to ask the store.
      const slot = this.gate.acquire(record);
      releaseSlot = slot instanceof Promise ? await slot : slot;
      lease = await this.pool.acquire(version);
    } catch (err) {
      releaseSlot?.();
      if (err instanceof AwsError && err.code === "TooManyRequestsException") {
        metrics.throttled(String(err.extra?.Reason ?? ""));
      }
      if (!(err instanceof SandboxStartError)) throw err;
      return {
        functionError: "Unhandled" as const,
        payload: Buffer.from(JSON.stringify({ errorType: err.errorType, errorMessage: `RequestId: ${requestId} Error: ${err.message}` })),
        logResult: undefined,
      };
    }
    const ended = metrics.started({ provisioned: lease.env.initType === "provisioned-concurrency" });
    // The environment and the slot are held until the invocation ends: for a streamed answer, its stream's end.
    const finished = async (out: InvokeOutcome | undefined) => {
      ended(out ? { durationMs: out.durationMs, error: out.functionError !== undefined, initDurationMs: out.initDurationMs } : { durationMs: 0, error: true });
      try {
        await lease.release();
      } finally {
        releaseSlot();
      }
    };
    let out;
    try {
      out = await lease.env.invoke({ requestId, payload, invokedFunctionArn, clientContext, tail });
    } catch (err) {
      await finished(undefined);
      throw err;
    }
    const stream = out.stream;
    if (!stream) {
      await finished(out);
      return out;
    }
    const done = stream.done.then(
      async (end) => {
        await finished(end);
        return end;
      },
      async (err: unknown) => {
        await finished(undefined);
        throw err;
      },
    );
    return { ...out, stream: { ...stream, done } };
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


/**
 * A streamed answer read whole, for a caller that wants it whole (Invoke): within the synchronous
 * response limit, past which the stream is abandoned and the invocation fails as AWS's does.
 */
async function collect(stream: StreamedInvocation): Promise<Omit<InvokeOutcome, "durationMs">> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      stream.abandon();
      await stream.done;
      return { payload: RESPONSE_TOO_LARGE, functionError: "Unhandled" };
    }
    chunks.push(chunk);
  }
  const end = await stream.done;
  return end.functionError ? end : { ...end, payload: Buffer.concat(chunks, size) };
}
