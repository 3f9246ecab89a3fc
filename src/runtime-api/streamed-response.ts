/**
 * A runtime's streamed answer (`Lambda-Runtime-Function-Response-Mode: streaming`): the body's bytes
 * pass on as they arrive, with backpressure back to the runtime; the chunked trailers
 * `Lambda-Runtime-Function-Error-Type` and `-Error-Body` (base64 of the error JSON) say how it ended.
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
 */
import { Transform, type Readable } from "node:stream";
import type { Reply, RuntimeRequest } from "./http1.js";

/** 200 MB: a streamed response's limit (AWS's, since 2025; 20 MB before). */
export const MAX_STREAMED_BYTES = 200 * 1024 * 1024;

export type StreamEnd = { ok: true } | { ok: false; errorType: string; errorBody: Buffer };

export interface StreamedResponse {
  /** The function's bytes, as it writes them. */
  body: Readable;
  contentType: string;
  /** How the stream ended: whole, or with the function's error (from its trailers, or the size limit); never, if the runtime's connection broke. */
  ended: Promise<StreamEnd>;
  /**
   * Nobody reads the stream any more (the caller went, the invocation timed out): the runtime's
   * request is answered now, so a runtime that reads it learns its stream closed, and whatever it
   * still sends is dropped.
   */
  abandon(): void;
}

const ACCEPTED = Buffer.from('{"status":"OK"}\n');
const JSON_TYPE = { "Content-Type": "application/json" };

const errorJson = (errorType: string, errorMessage: string) => Buffer.from(JSON.stringify({ errorMessage, errorType }));

export function streamedResponse(req: RuntimeRequest & { stream: Readable & { trailers: Record<string, string> } }, reply: Reply): StreamedResponse {
  const source = req.stream;
  let size = 0;
  let settle!: (end: StreamEnd) => void;
  const ended = new Promise<StreamEnd>((resolve) => (settle = resolve));
  let answered = false;
  const answer = (status: number, body: Buffer) => {
    if (answered) return;
    answered = true;
    reply.sendWhenNext(status, JSON_TYPE, body);
  };
  /** Stop passing bytes on: the rest of the runtime's body is read and dropped. */
  const stop = () => {
    source.unpipe(body);
    source.resume();
    body.end();
  };
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size <= MAX_STREAMED_BYTES) return done(null, chunk);
      const message = `Response payload size exceeded maximum allowed payload size (${MAX_STREAMED_BYTES} bytes).`;
      settle({ ok: false, errorType: "Function.ResponseSizeTooLarge", errorBody: errorJson("Function.ResponseSizeTooLarge", message) });
      answer(413, errorJson("RequestEntityTooLarge", `Exceeded maximum allowed payload size (${MAX_STREAMED_BYTES} bytes).`));
      done();
      stop();
    },
  });
  source.pipe(body);
  source.on("end", () => {
    const errorType = source.trailers["lambda-runtime-function-error-type"];
    if (errorType) {
      const encoded = source.trailers["lambda-runtime-function-error-body"];
      settle({ ok: false, errorType, errorBody: encoded ? Buffer.from(encoded, "base64") : errorJson(errorType, "") });
    } else settle({ ok: true });
    answer(202, ACCEPTED);
  });
  source.on("error", () => {
    // The runtime's connection broke mid-body: what arrived is all there is. How the invocation
    // ended is the environment's to say (the runtime's exit, or the timeout), as for a whole body
    // whose read failed: `ended` does not settle.
    body.end();
  });
  return {
    body,
    contentType: req.headers["content-type"] ?? "application/octet-stream",
    ended,
    abandon: () => {
      answer(410, errorJson("Runtime.ResponseStreamClosed", "The invocation's response stream was closed by its caller."));
      stop();
    },
  };
}
