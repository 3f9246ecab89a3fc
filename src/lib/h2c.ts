/**
 * HTTP/2 cleartext with prior knowledge (RFC 9113 §3.3) on an `HttpServer`'s listener, next to
 * HTTP/1.1 on the same port: the AWS SDK for JavaScript v3 talks HTTP/2 to some services (Kinesis's
 * `NodeHttp2Handler`), and on an `http://` endpoint it starts with the client preface straight away.
 *
 * A new connection's first bytes decide: the preface hands the socket to Node's `http2` server,
 * anything else to the HTTP/1.1 `Connection`, which never sees this module again. Each HTTP/2
 * request stream is the same `Exchange` an HTTP/1.1 request is, so the listener's handler cannot
 * tell them apart. Limits follow the HTTP/1.1 side: a 16 KB header list (`SETTINGS_MAX_HEADER_LIST_SIZE`,
 * enforced by Node), the same number of header lines, the same body limits and body timeout, and a
 * session idle only between requests for the keep-alive time. Go's server allows 250 concurrent
 * streams; so does this one (a client queues the rest).
 */
import http2 from "node:http2";
import type net from "node:net";
import { isToken } from "./http-message.js";
import { type BodyResult, ClientGone, type ExchangeHandler, type HttpResponse, type HttpServerOptions, type ResponseHeaders } from "./http-server.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const MAX_CONCURRENT_STREAMS = 250;
/** Connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2); Node refuses a response carrying one. */
const CONNECTION_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
/** Statuses whose responses carry no content, and no `Content-Length` (RFC 9110 §8.6). */
const NO_CONTENT = new Set([204, 304]);
const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR } = http2.constants;

type Limits = Required<HttpServerOptions>;

export class H2c {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(
    private readonly handler: ExchangeHandler,
    private readonly limits: Limits,
  ) {
    this.server = http2.createServer({
      settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: limits.maxHeadBytes, enablePush: false },
      // Pseudo-headers count as pairs too.
      maxHeaderListPairs: limits.maxHeaders + 4,
    });
    this.server.on("session", (session) => this.track(session));
  }

  /**
   * Route a new connection by its first bytes: the preface (however it is split) makes it an
   * HTTP/2 session; anything else goes to `http1` with the bytes read so far.
   */
  accept(socket: net.Socket, http1: (read: Buffer) => void): void {
    let read: Buffer | undefined;
    let timer: NodeJS.Timeout | undefined;
    const decided = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("timeout", onIdle);
      socket.setTimeout(0);
      clearTimeout(timer);
    };
    const onError = () => socket.destroy();
    // A connection that never says a word is closed after the keep-alive time, as an idle HTTP/1.1 one is.
    const onIdle = () => socket.destroy();
    if (this.limits.keepAliveMs > 0) socket.setTimeout(this.limits.keepAliveMs, onIdle);
    const onClose = () => clearTimeout(timer);
    const onData = (d: Buffer) => {
      read = read ? Buffer.concat([read, d]) : d;
      const n = Math.min(read.length, PREFACE.length);
      if (read.compare(PREFACE, 0, n, 0, n) !== 0) {
        decided();
        return http1(read);
      }
      if (read.length < PREFACE.length) {
        // A preface split across segments: the rest must come as a head would.
        if (this.limits.headTimeoutMs > 0) timer ??= setTimeout(() => socket.destroy(), this.limits.headTimeoutMs);
        return;
      }
      decided();
      // Node's session reads what the socket holds before its own reads; paused, the socket does
      // not hand those bytes to 'data' listeners (there are none left) first.
      socket.pause();
      socket.unshift(read);
      // As HTTP/1.1's connections: small answers leave at once (Node's session does not set this).
      socket.setNoDelay(true);
      this.server.emit("connection", socket);
    };
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
  }

  /** Drop every session. */
  close(): void {
    for (const session of this.sessions) session.destroy();
  }

  private track(session: http2.ServerHttp2Session): void {
    this.sessions.add(session);
    const remoteAddress = session.socket.remoteAddress;
    let open = 0;
    // A session broken by its client (bad frames, a reset socket) ends there; the server goes on.
    session.on("error", () => session.destroy());
    session.on("close", () => this.sessions.delete(session));
    if (this.limits.keepAliveMs > 0) {
      session.setTimeout(this.limits.keepAliveMs);
      // Only an idle session times out; a request being answered (a long poll, a long invoke) does not.
      session.on("timeout", () => {
        if (open === 0) session.close();
      });
    }
    session.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      open++;
      stream.on("close", () => open--);
      this.exchange(stream, headers, remoteAddress);
    });
  }

  /** One request stream as an `Exchange`. */
  private exchange(stream: http2.ServerHttp2Stream, raw: http2.IncomingHttpHeaders, remoteAddress: string | undefined): void {
    // A stream reset by its client is only its close; the exchange sees that as `ClientGone`.
    stream.on("error", () => {});
    const method = raw[":method"];
    const url = raw[":path"];
    if (!method || !url) {
      // CONNECT, the one request without a path, is nothing Flint serves.
      stream.respond({ ":status": 400 }, { endStream: true });
      return;
    }
    // No prototype, and repeated `host`s and `authorization`s keep the first, as on HTTP/1.1 (http-message.ts).
    const headers: Record<string, string> = Object.create(null);
    // Counted as SETTINGS_MAX_HEADER_LIST_SIZE is (RFC 9113 §6.5.2): Node enforces that setting only
    // once the client has acknowledged it, so its first requests could bring up to 64 KB.
    let listSize = 0;
    const rawHeaders: string[] = [];
    for (const name in raw) {
      const v = raw[name]!;
      listSize += name.length + (typeof v === "string" ? v.length : v.join("").length) + 32;
      if (name.startsWith(":")) continue;
      for (const one of typeof v === "string" ? [v] : v) rawHeaders.push(name, one);
      headers[name] = typeof v === "string" ? v : name === "host" || name === "authorization" ? v[0]! : v.join(", ");
    }
    if (listSize > this.limits.maxHeadBytes) {
      stream.respond({ ":status": 431 }, { endStream: true });
      return;
    }
    // SigV4 signs `host`; an HTTP/2 client may carry it only as `:authority`.
    if (headers.host === undefined && raw[":authority"] !== undefined) {
      headers.host = raw[":authority"];
      rawHeaders.push("host", headers.host);
    }

    /** The request's body has been read to its end (or it had none): the stream need not be cut after the answer. */
    let bodyEnded = stream.endAfterHeaders;
    let reading = false;
    let answered = false;
    let closeAfter = false;
    const response: HttpResponse = {
      get headersSent() {
        return answered || stream.closed;
      },
      send: (status, hdrs, payload) => {
        if (answered) return;
        if (stream.closed) {
          answered = true;
          return;
        }
        // A header refused throws before anything is sent (as on HTTP/1.1): the handler may still answer.
        respond(stream, method, status, hdrs, payload);
        answered = true;
        // A body still arriving that nobody reads (refused, too large) is cut once the answer has gone (RST_STREAM NO_ERROR, RFC 9113 §8.1).
        if (!bodyEnded && (closeAfter || !reading)) stream.close(NGHTTP2_NO_ERROR);
      },
      sendWhenNext: (status, hdrs, payload) => response.send(status, hdrs, payload),
      stream: (status, hdrs) => {
        if (answered) throw new Error("the response was already sent");
        // A header refused throws before anything is sent, as on HTTP/1.1.
        const out = responseHeaders(status, hdrs);
        answered = true;
        if (!stream.closed) stream.respond(out);
        // The request stream's writable side is the response body, with HTTP/2's flow control as its backpressure.
        return stream;
      },
      closeAfterResponse: () => {
        closeAfter = true;
      },
      destroy: () => stream.close(NGHTTP2_INTERNAL_ERROR),
      once: (_event, listener) => {
        if (stream.closed) listener();
        else stream.once("close", listener);
      },
    };
    const body = (limit: number): Promise<BodyResult> => {
      if (bodyEnded) return Promise.resolve({ ok: true, body: Buffer.alloc(0) });
      if (stream.closed) return Promise.reject(new ClientGone("the client reset the stream before its body was read"));
      if (reading) return Promise.reject(new Error("the body was already read"));
      reading = true;
      const declared = Number(headers["content-length"] ?? 0);
      // Declared larger than we would drain: answered without reading (the stream is cut after the answer).
      if (declared > limit + this.limits.drainBytes) {
        reading = false;
        return Promise.resolve({ ok: false, size: declared });
      }
      if (headers.expect === "100-continue") stream.additionalHeaders({ ":status": 100 });
      return this.readBody(stream, limit, response, () => {
        bodyEnded = true;
      }).finally(() => {
        reading = false;
      });
    };
    try {
      this.handler({ head: { method, url, headers, rawHeaders }, hasBody: !bodyEnded && headers["content-length"] !== "0", body, response, remoteAddress });
    } catch (err) {
      // As on HTTP/1.1: a handler that throws loses its request, not the server.
      console.error("flint: request handler failed:", err);
      stream.close(NGHTTP2_INTERNAL_ERROR);
    }
  }

  /**
   * The stream's body within `limit`; a larger one is read and dropped up to `drainBytes` past the
   * limit (then resolved too large at once), as on HTTP/1.1. A body that stalls past the body
   * timeout gets 408 if still unanswered.
   */
  private readBody(stream: http2.ServerHttp2Stream, limit: number, response: HttpResponse, ended: () => void): Promise<BodyResult> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = () => {
        stream.off("data", onData);
        stream.off("end", onEnd);
        stream.off("close", onClose);
        if (this.limits.bodyTimeoutMs > 0) stream.setTimeout(0);
      };
      const onData = (d: Buffer) => {
        if (size + d.length <= limit) chunks.push(d);
        size += d.length;
        if (size > limit + this.limits.drainBytes) {
          settle();
          stream.pause();
          resolve({ ok: false, size });
        }
      };
      const onEnd = () => {
        settle();
        ended();
        if (size > limit) resolve({ ok: false, size });
        else resolve({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      };
      const onClose = () => {
        settle();
        reject(new ClientGone("the client reset the stream before sending the whole body"));
      };
      stream.on("data", onData);
      stream.on("end", onEnd);
      stream.on("close", onClose);
      if (this.limits.bodyTimeoutMs > 0) {
        stream.setTimeout(this.limits.bodyTimeoutMs, () => {
          settle();
          reject(new ClientGone(`no byte of the body arrived for ${this.limits.bodyTimeoutMs} ms`));
          response.closeAfterResponse();
          if (!response.headersSent) response.send(408, {});
          else stream.close(NGHTTP2_NO_ERROR);
        });
      }
    });
  }
}

/** Status, headers and body as one response; the headers HTTP/2 forbids are left out. */
function respond(stream: http2.ServerHttp2Stream, method: string, status: number, headers: ResponseHeaders, payload: Buffer | string | undefined): void {
  const data = payload === undefined ? undefined : typeof payload === "string" ? Buffer.from(payload) : payload;
  const out = responseHeaders(status, headers);
  if (NO_CONTENT.has(status)) return stream.respond(out, { endStream: true });
  out["content-length"] = data ? data.length : 0;
  if (!data || data.length === 0 || method === "HEAD") return stream.respond(out, { endStream: true });
  stream.respond(out);
  stream.end(data);
}

/** A response's headers as HTTP/2 has them: lower-cased, without those it forbids or a length. */
function responseHeaders(status: number, headers: ResponseHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ":status": status };
  for (const k in headers) {
    const name = k.toLowerCase();
    const value = headers[k]!;
    const values = typeof value === "object" ? value.map(String) : [String(value)];
    // As HTTP/1.1's (http-server.ts): Node would send a line break, which HTTP/2 forbids in a value.
    if (!isToken(k) || values.some((v) => /[\r\n\0]/.test(v))) throw new TypeError(`Invalid character in header ${JSON.stringify(k)}`);
    if (!CONNECTION_HEADERS.has(name) && name !== "content-length") out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}
