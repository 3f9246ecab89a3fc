/**
 * A streamed answer to an HTTP trigger (a function URL in RESPONSE_STREAM mode). A function that
 * wrote with `awslambda.HttpResponseStream.from` sent `application/vnd.awslambda.http-integration-response`:
 * a JSON prelude `{statusCode, headers, cookies}`, eight NUL bytes, then the body; any other stream is
 * the body of a 200 with the stream's content type. The body passes on as the function writes it.
 * https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html
 */
import type { HttpResponse, ResponseHeaders } from "../lib/http-server.js";
import type { InvokeOutcome, StreamedInvocation } from "../invoke/environment.js";
import { firstBytes, relay } from "../lib/relay.js";
import { isToken } from "../lib/http-message.js";

export const HTTP_INTEGRATION_RESPONSE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);
/** A prelude is a status, headers and cookies: one this large is not one. */
const MAX_PRELUDE = 64 * 1024;

export interface StreamedHead {
  statusCode: number;
  headers: ResponseHeaders;
}

/** A prelude's JSON as the response's status and headers (cookies as Set-Cookie lines); undefined when it is not one. */
export function preludeHead(json: Buffer): StreamedHead | undefined {
  let p: unknown;
  try {
    p = JSON.parse(json.toString("utf8") || "{}");
  } catch {
    return undefined;
  }
  if (typeof p !== "object" || p === null || Array.isArray(p)) return undefined;
  const { statusCode, headers, cookies } = p as Record<string, unknown>;
  const status = statusCode === undefined ? 200 : Number(statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const out: ResponseHeaders = {};
  if (typeof headers === "object" && headers !== null) {
    for (const [k, v] of Object.entries(headers)) {
      // A header the response could not carry makes the prelude no prelude.
      if (!isToken(k) || /[\r\n\0]/.test(String(v))) return undefined;
      out[k] = String(v);
    }
  }
  if (Array.isArray(cookies) && cookies.length) {
    if (cookies.some((c) => /[\r\n\0]/.test(String(c)))) return undefined;
    out["Set-Cookie"] = cookies.map(String);
  }
  return { statusCode: status, headers: out };
}

/** The outcome a failed stream is answered by. */
export type StreamFailure = Partial<Pick<InvokeOutcome, "functionError" | "payload">>;

/**
 * Answer `res` from `stream`; `overrides` (CORS) win over the function's headers. A function that
 * fails before its head is answered by `failed` (a 502, a 504 past its timeout); after it, the
 * response is cut so the client cannot take a part for the whole. A client that goes before the
 * head closes the function's stream.
 */
export async function sendStreamedHttp(res: HttpResponse, stream: StreamedInvocation, overrides: ResponseHeaders, failed: (end: StreamFailure) => void): Promise<void> {
  let left = false;
  res.once("close", () => {
    left = true;
    stream.abandon();
  });
  let head: StreamedHead | undefined = { statusCode: 200, headers: { "Content-Type": stream.contentType } };
  let first: Buffer;
  if (stream.contentType === HTTP_INTEGRATION_RESPONSE) {
    const read = await firstBytes(stream.body, (bytes) => bytes.includes(DELIMITER) || bytes.length > MAX_PRELUDE);
    const at = read.bytes.indexOf(DELIMITER);
    head = at < 0 ? undefined : preludeHead(read.bytes.subarray(0, at));
    first = read.bytes.subarray(at + DELIMITER.length);
  } else {
    // The head waits for the first bytes: a function that fails before writing any is answered as a failure.
    const read = await firstBytes(stream.body, () => true);
    first = read.bytes;
    if (read.ended && first.length === 0) {
      const end = await stream.done;
      if (end.functionError) return failed(end);
    }
  }
  if (left) return;
  if (!head) {
    stream.abandon();
    stream.body.resume();
    const end = await stream.done;
    return failed(end.functionError ? end : {});
  }
  const out = res.stream(head.statusCode, { ...head.headers, ...overrides });
  if (first.length) out.write(first);
  if (!(await relay(stream, out))) return;
  const done = await stream.done;
  if (done.functionError) out.destroy();
  else out.end();
}
