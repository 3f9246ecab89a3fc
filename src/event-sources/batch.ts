/**
 * What every pull source shares once a batch is formed: invoking the function synchronously with
 * it, and reading the answer as AWS reads it, including a partial batch response
 * (`ReportBatchItemFailures`): `{"batchItemFailures":[{"itemIdentifier":"<id>"}]}`.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 */
import type { ExecuteOutcome } from "../async/queue.js";

export type BatchResult =
  /** Every record succeeded (or the mapping does not read partial responses and the call succeeded). */
  | { kind: "ok"; response?: Record<string, unknown> }
  /** Only these ids (SQS message ids, stream sequence numbers) failed; the rest succeeded. */
  | { kind: "partial"; failed: string[]; response: Record<string, unknown> }
  /** The whole batch failed: a function error, or a partial response AWS counts as a complete failure. */
  | { kind: "failed"; statusCode: number; executedVersion?: string; functionError: string | null }
  /** No concurrency to run it now: try again later, losing nothing. */
  | { kind: "throttled"; reason: string }
  /** The function (or the qualifier) is gone. */
  | { kind: "gone"; message: string };

/** What a batch result counts as (InvokedEventCount, FailedInvokeEventCount): a throttle or a missing function ran nothing. */
export function batchEvents(result: BatchResult, size: number): { invoked: number; failed: number } {
  switch (result.kind) {
    case "ok":
      return { invoked: size, failed: 0 };
    case "partial":
      return { invoked: size, failed: result.failed.length };
    case "failed":
      return { invoked: size, failed: size };
    default:
      return { invoked: 0, failed: 0 };
  }
}

/**
 * The outcome of one invocation as a batch result. `reportFailures`: the mapping has
 * `FunctionResponseTypes: ["ReportBatchItemFailures"]`; `ids`: the batch's item identifiers.
 * Success is an empty or null response, `{}`, `[]`, `""`, or a null or empty `batchItemFailures`;
 * invalid JSON, another key, or an item identifier that is empty, not a string or not in the batch
 * fails the whole batch.
 */
export function batchResult(outcome: ExecuteOutcome, reportFailures: boolean, ids: ReadonlySet<string>, requireState = false): BatchResult {
  if (outcome.kind === "throttled") return { kind: "throttled", reason: outcome.reason };
  if (outcome.kind === "gone") return { kind: "gone", message: outcome.message };
  const failed = (functionError: string | null): BatchResult => ({ kind: "failed", statusCode: 200, executedVersion: outcome.executedVersion, functionError });
  if (outcome.functionError) return failed(outcome.functionError);
  if (!reportFailures && !requireState) return { kind: "ok" };
  let response: unknown;
  const text = outcome.payload.toString("utf8").trim();
  if (text === "") response = null;
  else {
    try {
      response = JSON.parse(text);
    } catch {
      return failed(null);
    }
  }
  if (response === null || response === "" || (Array.isArray(response) && response.length === 0)) return requireState ? failed(null) : { kind: "ok" };
  if (typeof response !== "object" || Array.isArray(response)) return failed(null);
  const body = response as Record<string, unknown>;
  if (requireState && !("state" in body)) return failed(null);
  if (!reportFailures) return { kind: "ok", response: body };
  const list = body.batchItemFailures;
  if (!("batchItemFailures" in body)) return Object.keys(body).length === 0 || requireState ? { kind: "ok", response: body } : failed(null);
  if (list === null || (Array.isArray(list) && list.length === 0)) return { kind: "ok", response: body };
  if (!Array.isArray(list)) return failed(null);
  const out: string[] = [];
  for (const item of list) {
    const id = typeof item === "object" && item !== null ? (item as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "" || !ids.has(id)) return failed(null);
    out.push(id);
  }
  return { kind: "partial", failed: out, response: body };
}

/** AWS's LastProcessingResult texts. */
export const RESULT = {
  none: "No records processed",
  ok: "OK",
  functionFailed: "PROBLEM: Function call failed",
  throttled: "PROBLEM: Function call throttled",
  functionGone: "PROBLEM: Function not found",
  permission: (detail: string) => `PROBLEM: Insufficient permissions: ${detail}`,
  sourceGone: (detail: string) => `PROBLEM: ${detail}`,
} as const;
