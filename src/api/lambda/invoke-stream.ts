/**
 * InvokeWithResponseStream's answer: HTTP 200 at once, then an event stream of `PayloadChunk`s as the
 * function writes, and `InvokeComplete` with the function's error (if it failed, mid-stream or
 * before) and the log tail. A function that does not stream answers in one chunk.
 * https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { event, eventParts } from "../../lib/event-stream.js";
import type { StreamingInvokeResult } from "../../invoke/invoker.js";
import { relay } from "../../lib/relay.js";
import { functionErrorOf } from "../../lib/function-error.js";

const chunk = (bytes: Buffer) => eventParts("PayloadChunk", "application/octet-stream", bytes);

/** ErrorCode and ErrorDetails from a function error's payload (`{errorType, errorMessage}`, or text). */
function errorFields(payload: Buffer | undefined): { ErrorCode: string; ErrorDetails: string } {
  const error = functionErrorOf(payload);
  return { ErrorCode: String(error?.errorType ?? "Unhandled"), ErrorDetails: error ? String(error.errorMessage ?? "") : (payload?.toString("utf8") ?? "") };
}

export async function sendStreamed(res: HttpResponse, out: StreamingInvokeResult): Promise<void> {
  const headers: Record<string, string> = { "x-amzn-RequestId": out.requestId };
  if (out.statusCode === 204) return res.send(204, headers);
  if (out.executedVersion) headers["X-Amz-Executed-Version"] = out.executedVersion;
  headers["Content-Type"] = out.stream?.contentType ?? "application/json";
  const body = res.stream(200, headers);
  let end = out;
  if (out.stream) {
    if (!(await relay(out.stream, body, chunk))) return;
    end = { ...out, ...(await out.stream.done) };
  } else if (!out.functionError && out.payload?.length) body.write(Buffer.concat(chunk(out.payload)));
  const complete = {
    ...(end.functionError ? errorFields(end.payload) : {}),
    ...(end.logResult !== undefined ? { LogResult: end.logResult } : {}),
  };
  body.end(event("InvokeComplete", "application/json", Buffer.from(JSON.stringify(complete))));
}
