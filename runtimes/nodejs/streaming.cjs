// Response streaming for handlers wrapped in `awslambda.streamifyResponse`: the handler writes to a
// Writable and each write leaves as one HTTP chunk of the Runtime API's streamed answer
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming).
// bootstrap.cjs loads this only for such handlers: node:stream is outside Node's startup snapshot,
// and every other function's cold start must not pay for it.
"use strict";
const { Writable } = require("node:stream");

const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
const CRLF = Buffer.from("\r\n", "latin1");

class InvalidStreamingOperation extends Error {}
InvalidStreamingOperation.prototype.name = "Runtime.InvalidStreamingOperation";

/** AWS's error trailers: the type, and the error JSON {errorType, errorMessage, trace} in base64. */
function errorTrailers(shape) {
  const type = String(shape.errorType).replace(/[\x00-\x1f\x7f]/g, " "); // it goes into a header line
  return `${ERROR_TYPE}: ${type}\r\n${ERROR_BODY}: ${Buffer.from(JSON.stringify(shape)).toString("base64")}\r\n`;
}

/**
 * One streamed POST /invocation/<id>/response on the Runtime API connection, written as it goes:
 * the request head leaves with the first chunk (as AWS's client, an http.ClientRequest, sends it),
 * then a chunk per write, then the last chunk with the error trailers if any. The server answers
 * once it has read the body; an answer before that means it stopped reading (the caller went
 * away, the invocation ended): `onEarlyReply` says so.
 */
class StreamedAnswer {
  constructor(client, head, onEarlyReply) {
    this.client = client;
    this.head = head;
    this.onEarlyReply = onEarlyReply;
    this.started = false;
    this.ended = false;
    this.reply = undefined;
  }

  /** Sends `chunks` (Buffers), each an HTTP chunk; `done` once the kernel has them. */
  write(chunks, contentType, done) {
    const out = this.begin(contentType);
    for (const c of chunks) if (c.length) out.push(Buffer.from(`${c.length.toString(16)}\r\n`, "latin1"), c, CRLF);
    if (out.length === 0) return void done();
    this.client.send(out, done);
  }

  /** Sends the last chunk, with `trailers` (header lines, each ending in CRLF) or none. */
  end(contentType, trailers, done) {
    const out = this.begin(contentType);
    out.push(Buffer.from(`0\r\n${trailers}\r\n`, "latin1"));
    this.ended = true;
    this.client.send(out, done);
  }

  begin(contentType) {
    if (this.started) return [];
    this.started = true;
    this.reply = this.client.expectReply();
    const early = (r) => {
      if (!this.ended) this.onEarlyReply(r);
    };
    this.reply.then(early, early);
    return [Buffer.from(this.head(contentType), "latin1")];
  }
}

/**
 * The handler's `responseStream`: a Node.js Writable, as on AWS, with `setContentType` (before the
 * first write) and the `_onBeforeFirstWrite` hook `HttpResponseStream.from` uses. The write callback
 * fires when the bytes reach the kernel, so `highWaterMark` bounds what a fast handler queues here.
 */
class ResponseStream extends Writable {
  constructor(answer, highWaterMark) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this._answer = answer;
    this._contentType = DEFAULT_CONTENT_TYPE;
    this._started = false;
    this._onBeforeFirstWrite = undefined;
    this._trailers = ""; // set when the invocation fails, before the stream ends
    this._abandoned = false; // the Runtime API stopped reading: end the body without an error of ours
    // AWS's stream is an http.ClientRequest its runtime listens on: an error ends the invocation, it
    // does not crash the runtime for want of a listener.
    this.on("error", () => {});
  }

  setContentType(contentType) {
    if (this._started) throw new InvalidStreamingOperation("Cannot set content-type, too late.");
    this._contentType = contentType;
  }

  write(chunk, encoding, callback) {
    this._start();
    return super.write(asChunk(chunk), encoding, callback);
  }

  end(chunk, encoding, callback) {
    this._start();
    if (typeof chunk === "function" || chunk === undefined || chunk === null) return super.end(chunk, encoding, callback);
    return super.end(asChunk(chunk), encoding, callback);
  }

  _start() {
    if (this._started) return;
    this._started = true;
    if (typeof this._onBeforeFirstWrite === "function") this._onBeforeFirstWrite((c) => super.write(asChunk(c)));
  }

  _write(chunk, _encoding, callback) {
    this._answer.write([chunk], this._contentType, callback);
  }

  _writev(entries, callback) {
    this._answer.write(
      entries.map((e) => e.chunk),
      this._contentType,
      callback,
    );
  }

  _final(callback) {
    this._answer.end(this._contentType, this._trailers, callback);
  }

  _destroy(err, callback) {
    // Ends the HTTP body wherever it stopped, so the connection stays usable for the next /next.
    if (!this._answer.ended) {
      let trailers = "";
      if (err && !this._abandoned) {
        const shape = runtime.errorShape(err);
        runtime.logInvokeError(shape, err); // the handler destroyed its stream with an error: its invocation failed
        trailers = errorTrailers(shape);
      }
      this._answer.end(this._contentType, trailers, () => {});
    }
    callback(err);
  }

  /**
   * Ends the answer at once with `shape`'s error trailers (an uncaught exception: the runtime exits
   * next). What the stream still holds is dropped, so a caller that stopped reading cannot keep the
   * runtime from reporting; what already went to the Runtime API stays before the trailers.
   */
  _failNow(shape) {
    return new Promise((resolve) => {
      if (this._answer.ended) return resolve();
      this._answer.end(this._contentType, errorTrailers(shape), () => resolve());
    });
  }

  /** Ends the answer with `shape`'s error trailers after what was written; resolves once sent. */
  _fail(shape) {
    return new Promise((resolve) => {
      if (this._answer.ended || this.destroyed) return resolve();
      this._trailers = errorTrailers(shape);
      this._start();
      if (this.writableEnded) this.once("close", resolve);
      else super.end(() => resolve());
    });
  }
}

let runtime; // bootstrap.cjs's errorShape and logInvokeError, set by streamer()

/** As AWS's ResponseStream.write: anything but a string or bytes is written as its JSON. */
function asChunk(chunk) {
  if (typeof chunk === "string" || chunk instanceof Uint8Array || chunk === null || chunk === undefined) return chunk;
  return JSON.stringify(chunk);
}

/**
 * The streaming counterpart of bootstrap.cjs's runOne: calls `handler(event, responseStream, context)`
 * (the stream's `highWaterMark` as streamifyResponse's options set it) and resolves, once the
 * handler's promise has settled and the stream has closed, to a function giving the Runtime API's
 * answer to the streamed POST (the next /next may leave before it arrives).
 * As AWS's Runtime.handleOnceStreaming: a handler that throws, rejects or returns no promise ends the
 * stream with error trailers; a value it returns is ignored with a warning.
 */
function streamer({ client, host, base, highWaterMark, makeContext, errorShape, logInvokeError, setInFlight }) {
  runtime = { errorShape, logInvokeError };
  return function runStreaming(handler, requestId, headers, event) {
    const head = (contentType) =>
      `POST ${base}/invocation/${requestId}/response HTTP/1.1\r\nHost: ${host}\r\n` +
      `Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n` +
      `Content-Type: ${contentType}\r\nTrailer: ${ERROR_TYPE}, ${ERROR_BODY}\r\n\r\n`;
    const answer = new StreamedAnswer(client, head, (reply) => {
      stream._abandoned = true;
      const why = reply instanceof Error ? reply.message : `${reply.status} ${reply.body}`;
      stream.destroy(new Error(`The response stream was closed by the Runtime API: ${why}`));
    });
    const stream = new ResponseStream(answer, highWaterMark);
    const fail = (err) => {
      const shape = errorShape(err);
      logInvokeError(shape, err);
      return stream._fail(shape);
    };
    setInFlight({ requestId, stream: { fail: (err) => stream._failNow(errorShape(err)) } });
    return new Promise((resolve) => {
      const done = () => {
        if (!stream.closed) return void stream.once("close", done);
        resolve(() => answer.reply);
      };
      let returned;
      try {
        returned = handler(event, stream, makeContext(headers));
      } catch (err) {
        return void fail(err).then(done);
      }
      if (!returned || typeof returned.then !== "function") return void fail("Streaming does not support non-async handlers.").then(done);
      returned.then(
        (result) => {
          if (result !== undefined) console.warn("Streaming handlers ignore return values.");
          done();
        },
        (err) => fail(err ?? new Error("Promise rejected with a falsy reason")).then(done),
      );
    });
  };
}

module.exports = { streamer };
