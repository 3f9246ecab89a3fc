/** Create fixture functions through the SDK, the way a user's deploy script would. */
import {
  CreateFunctionCommand,
  InvokeCommand,
  type CreateFunctionCommandInput,
  type Runtime,
  type InvokeCommandOutput,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import type { FlintProcess } from "./flint.js";
import { ROLE, uniqueName } from "./flint.js";
import { PATIENCE_MS } from "./processes.js";

export const RUNTIME_OF = { nodejs: "nodejs20.x", python: "python3.12", provided: "provided.al2023" } as const;

/**
 * Lambda's longest Timeout, in seconds: what createFunction gives a function unless the test sets
 * one (only tests about timeouts do). However slow the host (and a 128 MB function gets a
 * fourteenth of a core), a function is not cut short in a test about something else.
 */
export const MAX_TIMEOUT_S = 900;

/** For the SDK's waiters (a function Active, Updated, a version published): they give up after PATIENCE_MS. */
export const WAITER = { maxWaitTime: PATIENCE_MS / 1000, minDelay: 0.1, maxDelay: 0.5 } as const;

export async function createFunction(
  flint: FlintProcess,
  zip: Buffer,
  handler: string,
  opts: Partial<CreateFunctionCommandInput> & { runtime?: string } = {},
): Promise<string> {
  const name = opts.FunctionName ?? uniqueName(handler.replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 40));
  const { runtime, ...rest } = opts;
  await flint.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: (runtime ?? "nodejs20.x") as Runtime,
      Handler: handler,
      Role: ROLE,
      Code: { ZipFile: zip },
      Timeout: MAX_TIMEOUT_S,
      ...rest,
    }),
  );
  await waitUntilFunctionActiveV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
  return name;
}

export interface Invoked {
  status?: number;
  functionError?: string;
  payload: any;
  raw: string;
  log?: string;
  executedVersion?: string;
  out: InvokeCommandOutput;
}

export async function invoke(flint: FlintProcess, name: string, event: unknown = {}, opts: { tail?: boolean; qualifier?: string; clientContext?: string } = {}): Promise<Invoked> {
  const out = await flint.lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(event)),
      LogType: opts.tail ? "Tail" : undefined,
      Qualifier: opts.qualifier,
      ClientContext: opts.clientContext,
    }),
  );
  const raw = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
  let payload: unknown = raw;
  try {
    payload = JSON.parse(raw);
  } catch {
    // not JSON
  }
  return {
    status: out.StatusCode,
    functionError: out.FunctionError,
    payload,
    raw,
    log: out.LogResult ? Buffer.from(out.LogResult, "base64").toString("utf8") : undefined,
    executedVersion: out.ExecutedVersion,
    out,
  };
}

/** A function's environments by state (summed over its versions; states with none left out), from /_flint/metrics. */
export async function environmentsOf(flint: FlintProcess, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^flint_environments\{function="([^"]+)",version="[^"]+",state="([^"]+)"\} (\d+)$/gm)) {
    if (m[1] === name && m[3] !== "0") out[m[2]!] = (out[m[2]!] ?? 0) + Number(m[3]);
  }
  return out;
}
