/**
 * What an invocation's end looks like to its caller, whatever ended it: the runtime's error body
 * in AWS's shape, a process exit as AWS describes it, the payload-size error; and the trace header
 * each invocation is given.
 */
import { MAX_RESPONSE_BYTES } from "../runtime-api/runtime-api.js";
import type { ExitInfo } from "../sandbox/driver.js";

export const RESPONSE_TOO_LARGE = Buffer.from(
  JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "Function.ResponseSizeTooLarge" }),
);

/**
 * An X-Ray trace header: Root=1-<epoch seconds hex>-<96-bit id>;Parent=<64-bit id>;Sampled=0. The
 * ids come from the request id (a version-7 UUID; past its first 32 bits: low time bits, a counter
 * and 62 random bits): no second call for randomness per invoke.
 */
export function traceId(requestId: string): string {
  const r = requestId.replace(/-/g, "");
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${r.slice(8, 32)};Parent=${r.slice(16, 32)};Sampled=0`;
}

export function errorPayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

export function describeExit(exit: ExitInfo): { errorType: string; message: string } {
  if (exit.oom) return { errorType: "Runtime.OutOfMemory", message: "Runtime exited with error: signal: killed" };
  if (exit.signal) return { errorType: "Runtime.ExitError", message: `Runtime exited with error: signal: ${exit.signal === "SIGKILL" ? "killed" : exit.signal}` };
  if (exit.code === 0) return { errorType: "Runtime.ExitError", message: "Runtime exited without providing a reason" };
  return { errorType: "Runtime.ExitError", message: `Runtime exited with error: exit status ${exit.code}` };
}

/** A runtime's error body as the caller sees it: its JSON as posted, or AWS's shape around raw text. */
export function normaliseErrorBody(body: Buffer, errorType: string): Buffer {
  if (body.length) {
    try {
      const parsed = JSON.parse(body.toString("utf8"));
      if (parsed && typeof parsed === "object") return body;
    } catch {
      // not JSON: wrap it below
    }
  }
  return errorPayload(errorType, body.toString("utf8"));
}
