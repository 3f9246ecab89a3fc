/**
 * A small HTTP/1.1 server on raw sockets, for the public listener (`api/server.ts`) and each
 * environment's Runtime API (`runtime-api/http1.ts`).
 *
 * Node's `http` server builds an `IncomingMessage` and a `ServerResponse` stream per request; every
 * request here is a small message answered with one buffer. This server parses the request head,
 * hands it over at once (so a request can be refused before its body is read), reads the body only
 * when asked and within the limit asked for, and writes each response in one write. Flint's CPU
 * per accepted Event invoke went from ~254 to ~234 µs with it (8 clients, alternating runs).
 *
 * It speaks what AWS clients send: keep-alive and HTTP/1.0, pipelining (answered in order),
 * `Content-Length` and chunked bodies, `Expect: 100-continue`. Malformed or ambiguous requests
 * (bad request line or header, several different `Content-Length`s, `Transfer-Encoding` other than
 * chunked, or both) get 400 and the connection is closed; heads over 16 KB or of more than 200 header lines get 431. A
 * head must arrive within 60 s, a body that is read must not stall for 20 s (408), and a connection
 * idles at most 65 s between requests (all configurable; the Runtime API has none of these: a frozen
 * runtime may sit in the middle of anything).
 *
 * An answer that closes the connection before the request was read to its end (a refusal on the
 * head, a 431) is followed by a drain: what the client still sends is read and dropped, within
 * bounds, before the connection goes. A client that writes its whole body before it reads (Python's
 * `http.client`) would otherwise block on a full TCP window and never see the answer, and closing
 * on unread bytes makes the kernel send a reset that can discard the answer at the client. This is
 * nginx's lingering close.
 *
 * With the `h2c` option, a connection that opens with the HTTP/2 client preface is served as HTTP/2
 * instead (`h2c.ts`), with the same `Exchange`s.
 */
import net from "node:net";
import { STATUS_CODES } from "node:http";
import type { Writable } from "node:stream";
import { type BodyState, consumeBody, type Framing, isToken, parseHead } from "./http-message.js";
import { H2c } from "./h2c.js";
import { addTrailer, type BodyStream, bodyStreamOf, responseBody } from "./http-streams.js";

export type { BodyStream };

/** A response's headers; a list is sent as that many header lines (`Set-Cookie`). */
export type ResponseHeaders = Record<string, string | number | readonly string[]>;

/** A request's head; header names lower-cased, repeated headers joined with ", ". */
export interface RequestHead {
  method: string;
  /** Request target as sent (path and query, still percent-encoded). */
  url: string;
  headers: Record<string, string>;
  /** The header lines as sent: name, value, name, value… (original case, repeats kept; HTTP/2's are lower-case). */
  rawHeaders: readonly string[];
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; size: number };

export interface HttpResponse {
  /** Whether a response has been sent (or the connection is gone). */
  readonly headersSent: boolean;
  /** Status, headers and body in one write; `Content-Length` is added. A second call does nothing. */
  send(status: number, headers: ResponseHeaders, body?: Buffer | string): void;
  /**
   * Like `send`, but when the client has already pipelined its next request the bytes are held and
   * leave with the next response on this connection: one write instead of two (a runtime that
   * pipelines `GET /next` behind `POST /response` proves it does not wait for the 202).
   */
  sendWhenNext(status: number, headers: ResponseHeaders, body?: Buffer | string): void;
  /** Close the connection after the response (for a request refused before its body was read: the body is then drained, within bounds, so the client still reads the answer). */
  closeAfterResponse(): void;
  /**
   * Status and headers now, and the body as it is written to the stream returned (chunked; an
   * HTTP/1.0 client reads to the connection's close). Writes wait for the client (backpressure);
   * `end()` completes the response; destroying the stream before its end cuts the connection, so
   * the client sees a truncated body. The stream is destroyed with `ClientGone` if the client goes
   * (its 'error' is never unhandled: whoever writes sees `destroyed`, or listens).
   */
  stream(status: number, headers: ResponseHeaders): Writable;
  /** Drop the connection without an answer. */
  destroy(): void;
  /** The client went away before the response was sent. */
  once(event: "close", listener: () => void): void;
}

export interface Exchange {
  head: RequestHead;
  /** Whether the request has a body at all (`body()` then resolves at once with an empty one). */
  hasBody: boolean;
  /**
   * The whole body, if it fits in `limit` bytes. A larger one is read and dropped (up to 64 MB past
   * the limit, then the connection is closed), so the client can still read the error. Rejects with
   * `ClientGone` when no body is left to answer for.
   */
  body(limit: number): Promise<BodyResult>;
  /**
   * The body as it arrives, with backpressure (the connection stops reading while the stream is
   * full), its chunked trailers once it has ended. No limit: the reader counts. HTTP/1.1 only (the
   * Runtime API's streamed answers).
   */
  bodyStream?(): BodyStream;
  response: HttpResponse;
  /** The client's address (`aws:SourceIp`). */
  remoteAddress: string | undefined;
}

export type ExchangeHandler = (exchange: Exchange) => void;


/**
 * A body read ended without a body: the client went away, broke the framing, or stalled past the body
 * timeout (the server then answered 408 itself). Nobody is left for the handler to answer.
 */
export class ClientGone extends Error {}

export interface HttpServerOptions {
  /** Time a request head may take to arrive (Node's `headersTimeout`); 0: no limit. Default 60 s. */
  headTimeoutMs?: number;
  /** Time a connection may idle between requests (Node's `keepAliveTimeout`); 0: no limit. Default 65 s. */
  keepAliveMs?: number;
  /**
   * Time a body being read or drained may go without a byte; 0: no limit. Default 20 s, S3's
   * (`RequestTimeout`) and Apache's (`mod_reqtimeout`) for a stalled body; Node bounds only the whole
   * request (`requestTimeout`, 300 s). A body still unanswered gets 408; the connection is closed.
   */
  bodyTimeoutMs?: number;
  /**
   * After an answer that closes the connection, time what the client still sends may be drained
   * before the connection is dropped; 0: no limit (nor the 2 s grace after a body drained to its
   * end). Default 30 s, nginx's `lingering_time`.
   */
  drainTimeoutMs?: number;
  /** Bytes drained past a body's limit, or after an answer that closes the connection. Default 64 MB. */
  drainBytes?: number;
  /** Largest request head (Node's `maxHeaderSize`). Default 16 KB. */
  maxHeadBytes?: number;
  /** Most header lines in a head; more get 431. Default 200 (an SDK sends about a dozen). */
  maxHeaders?: number;
  /**
   * Also take HTTP/2 cleartext with prior knowledge on the same listener (`h2c.ts`), as the AWS SDK
   * for JavaScript v3 speaks it to an `http://` endpoint for some services. Default false: the
   * Runtime API is HTTP/1.1 only, as AWS's is.
   */
  h2c?: boolean;
}

/** A body drained to its end after a closing answer: the client has this long to close first (nginx's `lingering_timeout` is 5 s). */
const DRAIN_GRACE_MS = 2000;
/** Pipelined bytes held while a request is answered before the socket is paused. */
const MAX_BUFFERED = 1024 * 1024;
/** Response bodies up to this size leave in one buffer with their head; larger ones are not copied. */
const LARGE_BODY = 64 * 1024;
const CRLFCRLF = Buffer.from("\r\n\r\n");
/** Headers the server writes itself (as HTTP/2 forbids them to handlers, h2c.ts): any given are dropped. */
const FRAMING = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);
/** Bytes of a new read joined to a small unconsumed piece of a streamed body (see Connection.receive). */
const JOIN = 64;
const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n");

let dateSecond = 0;
let dateText = "";
/** The `Date` header, formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

interface Reader {
  limit: number;
  chunks: Buffer[];
  /**
   * A large body of declared length within the limit is copied here as it arrives: its socket
   * chunks are garbage at once, and there is no second copy of the whole body at the end.
   */
  into?: Buffer;
  size: number;
  resolve: (r: BodyResult) => void;
  reject: (err: Error) => void;
  /** The body goes here as it arrives (`Exchange.bodyStream`) instead of being kept. */
  sink?: BodyStream;
}

interface Current {
  /** What is left of the body to consume; undefined once it has been. */
  body: BodyState | undefined;
  /** The handler asked for the body and is waiting for it. */
  reader: Reader | undefined;
  /** The response went without the body being read: it is consumed and dropped. */
  draining: boolean;
  /** A response was sent (or the connection is gone). */
  answered: boolean;
  expectContinue: boolean;
  keepAlive: boolean;
  isHead: boolean;
  http11: boolean;
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  /** The request being answered; further pipelined requests wait in `buf`. */
  private current: Current | undefined;
  private closeListeners: (() => void)[] = [];
  private closed = false;
  private headTimer: NodeJS.Timeout | undefined;
  /**
   * Runs while a body read or drain waits for bytes: created once, refreshed, and a fire after the
   * body ended is ignored, so a body that arrives with its head arms nothing.
   */
  private bodyTimer: NodeJS.Timeout | undefined;
  /** We closed our side; a client that never closes its own is dropped at the next timeout. */
  private ending = false;
  /** Bytes read and dropped since we closed our side, and the timer that bounds that drain. */
  private drained = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  /** Response bytes held back to leave with the next response (see HttpResponse.sendWhenNext). */
  private held: Buffer | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly handler: ExchangeHandler,
    private readonly limits: Required<HttpServerOptions>,
  ) {
    socket.setNoDelay(true);
    if (limits.keepAliveMs > 0) {
      socket.setTimeout(limits.keepAliveMs, () => {
        // Only an idle connection times out; a request being answered (a long poll, a long invoke) does not.
        if (!this.current || this.ending) socket.destroy();
      });
    }
    socket.on("data", (d: Buffer) => this.receive(d));
    socket.on("close", () => {
      this.closed = true;
      clearTimeout(this.headTimer);
      clearTimeout(this.bodyTimer);
      clearTimeout(this.drainTimer);
      const reader = this.current?.reader;
      if (reader) {
        this.current!.reader = undefined;
        reader.reject(new ClientGone("the client closed the connection before sending the whole body"));
      }
      for (const fn of this.closeListeners.splice(0)) fn();
    });
    socket.on("error", () => socket.destroy());
  }

  /** Bytes from the client (the first ones may have been read before this connection existed). */
  receive(d: Buffer): void {
    if (this.buf.length > 0 && this.buf.length < JOIN && d.length > 2 * JOIN && this.current?.reader?.sink) {
      // A streamed body's read that ends inside a chunk's framing (its size line, its CRLF): that
      // piece completes within the next bytes, so only those are joined to it, not the whole read.
      this.buf = Buffer.concat([this.buf, d.subarray(0, JOIN)]);
      this.pump();
      d = d.subarray(JOIN);
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    this.pump();
  }

  /** Answer a request that cannot be parsed, and close; what follows it is drained by bytes. */
  private fail(status: number): void {
    this.current = { body: undefined, reader: undefined, draining: false, answered: true, expectContinue: false, keepAlive: false, isHead: false, http11: true };
    clearTimeout(this.headTimer);
    this.socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    this.close();
  }

  /** Close our side after the answer, and drain what the client still sends (see the module comment). */
  private close(): void {
    this.ending = true;
    this.socket.end();
    this.socket.resume();
    this.pump();
  }

  /**
   * `n` more bytes were dropped after our side closed: within the drain's bounds, or the connection
   * goes. The time bound starts with the first dropped byte, so an answer that closes the connection
   * with nothing left to drain (HTTP/1.0, a large response read slowly) is never cut short.
   */
  private drop(n: number): void {
    if (n === 0) return;
    this.drained += n;
    if (this.drained > this.limits.drainBytes) this.socket.destroy();
    else if (!this.drainTimer && this.limits.drainTimeoutMs > 0) this.drainTimer = setTimeout(() => this.socket.destroy(), this.limits.drainTimeoutMs);
  }

  private pump(): void {
    if (this.closed) return;
    const current = this.current;
    if (current) {
      if (current.reader || current.draining) this.readBody();
      else if (this.ending) {
        this.drop(this.buf.length);
        this.buf = Buffer.alloc(0);
      } else if (this.buf.length > MAX_BUFFERED) this.socket.pause();
      return;
    }
    if (this.buf.length === 0) return;
    const end = this.buf.indexOf(CRLFCRLF);
    if (end < 0) {
      if (this.buf.length > this.limits.maxHeadBytes) return this.fail(431);
      if (this.limits.headTimeoutMs > 0) this.headTimer ??= setTimeout(() => this.fail(408), this.limits.headTimeoutMs);
      return;
    }
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
    if (end > this.limits.maxHeadBytes) return this.fail(431);
    const text = this.buf.toString("latin1", 0, end);
    this.buf = this.buf.subarray(end + 4);
    this.start(text);
  }

  /** Parse a head and hand the exchange over. */
  private start(text: string): void {
    const parsed = parseHead(text, this.limits.maxHeaders);
    if ("status" in parsed) return this.fail(parsed.status);
    const { method, url, headers, rawHeaders, body, expectContinue, keepAlive, http11 } = parsed;
    const current: Current = { body, reader: undefined, draining: false, answered: false, expectContinue, keepAlive, isHead: method === "HEAD", http11 };
    this.current = current;
    const head: RequestHead = { method, url, headers, rawHeaders };
    const response: HttpResponse = {
      get headersSent() {
        return current.answered;
      },
      send: (status, hdrs, payload) => this.respond(current, status, hdrs, payload, false),
      sendWhenNext: (status, hdrs, payload) => this.respond(current, status, hdrs, payload, true),
      stream: (status, hdrs) => this.streamResponse(current, status, hdrs),
      closeAfterResponse: () => {
        current.keepAlive = false;
      },
      destroy: () => this.socket.destroy(),
      once: (_event, listener) => {
        if (this.closed) listener();
        else this.closeListeners.push(listener);
      },
    };
    try {
      this.handler({
        head,
        hasBody: body !== undefined,
        response,
        body: (limit) => this.startBody(current, limit),
        bodyStream: () => this.startBodyStream(current),
        remoteAddress: this.socket.remoteAddress,
      });
    } catch (err) {
      // A handler is expected to answer even its own failures; one that throws loses the connection, not the server.
      console.error("flint: request handler failed:", err);
      this.socket.destroy();
    }
  }

  private startBody(current: Current, limit: number): Promise<BodyResult> {
    if (!current.body) return Promise.resolve({ ok: true, body: Buffer.alloc(0) });
    // Asked after the client left (it waited its turn for the body budget): nothing will arrive.
    if (this.closed) return Promise.reject(new ClientGone("the client closed the connection before its body was read"));
    if (current.reader || this.current !== current) return Promise.reject(new Error("the body was already read"));
    return new Promise((resolve, reject) => {
      const declared = current.body!.kind === "length" ? current.body!.remaining : 0;
      current.reader = { limit, chunks: [], size: 0, resolve, reject, ...(declared > LARGE_BODY && declared <= limit ? { into: Buffer.allocUnsafe(declared) } : {}) };
      if (current.body!.kind === "length" && current.body!.remaining > limit + this.limits.drainBytes) {
        // Declared larger than we would drain: answer without reading, and close.
        current.reader = undefined;
        current.keepAlive = false;
        return resolve({ ok: false, size: current.body!.remaining });
      }
      if (current.expectContinue) this.socket.write(CONTINUE);
      this.socket.resume();
      this.readBody();
    });
  }

  /** The body as a stream (see Exchange.bodyStream). */
  private startBodyStream(current: Current): BodyStream {
    const sink = bodyStreamOf(() => {
      if (this.current === current && current.reader?.sink === sink) this.socket.resume();
    });
    if (!current.body) {
      sink.push(null);
      return sink;
    }
    if (this.closed || current.reader || this.current !== current) {
      sink.destroy(this.closed ? new ClientGone("the client closed the connection before its body was read") : new Error("the body was already read"));
      return sink;
    }
    current.reader = { limit: Infinity, chunks: [], size: 0, sink, resolve: () => sink.push(null), reject: (err) => sink.destroy(err) };
    if (current.expectContinue) this.socket.write(CONTINUE);
    this.socket.resume();
    this.readBody();
    return sink;
  }

  /** Body bytes that arrived: kept for the reader that asked (within its limit), else dropped. */
  private keep(reader: Reader | undefined, chunk: Buffer): void {
    if (!reader) return;
    if (reader.sink) {
      // A full stream stops the connection's reading until its reader asks for more; one nobody reads any more drops what comes.
      if (!reader.sink.destroyed && !reader.sink.push(chunk)) this.socket.pause();
    } else if (reader.into) chunk.copy(reader.into, reader.size);
    else if (reader.size + chunk.length <= reader.limit) reader.chunks.push(chunk);
    reader.size += chunk.length;
  }

  /** Consume body bytes: for the reader that asked, or dropped when the response went without it. */
  private readBody(): void {
    const current = this.current!;
    const reader = current.reader;
    const before = this.buf.length;
    const framing = this.consume(current.body!, reader);
    if (!reader && this.ending) this.drop(before - this.buf.length);
    if (framing === "broken") return this.broken(reader);
    if (reader && reader.size > reader.limit + this.limits.drainBytes) {
      current.reader = undefined;
      current.keepAlive = false;
      reader.resolve({ ok: false, size: reader.size });
      return;
    }
    if (framing === "more") return this.awaitBody();
    current.body = undefined;
    if (reader) {
      current.reader = undefined;
      if (reader.size > reader.limit) reader.resolve({ ok: false, size: reader.size });
      else reader.resolve({ ok: true, body: reader.into ?? (reader.chunks.length === 1 ? reader.chunks[0]! : Buffer.concat(reader.chunks, reader.size)) });
    }
    if (this.ending) {
      // Drained to its end: nothing more is due. Whatever still comes is dropped by bytes.
      current.draining = false;
      clearTimeout(this.drainTimer);
      if (this.limits.drainTimeoutMs > 0) this.drainTimer = setTimeout(() => this.socket.destroySoon(), DRAIN_GRACE_MS);
    } else if (current.draining || (reader?.sink && current.answered)) {
      // The response already went and this body was only being dropped, or streamed to the end: next request.
      this.next();
    }
  }

  /** Take what `buf` holds of the body, by its framing. */
  private consume(b: BodyState, reader: Reader | undefined): Framing {
    const trailer = reader?.sink && ((line: string) => addTrailer(reader.sink!.trailers, line));
    const { rest, framing } = consumeBody(b, this.buf, this.limits.maxHeadBytes, (chunk) => this.keep(reader, chunk), trailer || undefined);
    this.buf = rest;
    return framing;
  }

  /**
   * A chunked body that breaks the framing: nothing more on this connection can be trusted. A reader's
   * read fails and the connection is dropped; a body only drained after a closing answer is drained by bytes.
   */
  private broken(reader: Reader | undefined): void {
    const current = this.current!;
    if (reader) {
      current.reader = undefined;
      reader.reject(new ClientGone("malformed chunked body"));
    } else if (this.ending) {
      current.body = undefined;
      current.draining = false;
      return this.pump();
    }
    this.socket.destroy();
  }

  /** A body read or drain waits for more bytes: they must come within the body timeout. */
  private awaitBody(): void {
    const ms = this.limits.bodyTimeoutMs;
    if (ms <= 0) return;
    if (this.bodyTimer) this.bodyTimer.refresh();
    else this.bodyTimer = setTimeout(() => this.bodyStalled(), ms);
  }

  /** No body byte within the body timeout: 408 if the request is still unanswered, and the connection goes. */
  private bodyStalled(): void {
    const current = this.current;
    if (this.closed || !current?.body || !(current.reader || current.draining)) return;
    const reader = current.reader;
    if (reader) {
      current.reader = undefined;
      reader.reject(new ClientGone(`no byte of the body arrived for ${this.limits.bodyTimeoutMs} ms`));
    }
    if (!current.answered) {
      current.keepAlive = false;
      this.respond(current, 408, {}, undefined, false);
    }
    this.socket.destroySoon();
  }

  /** Status, headers and body in one write (see HttpResponse); a second call does nothing. */
  private respond(current: Current, status: number, headers: ResponseHeaders, payload: Buffer | string | undefined, hold: boolean): void {
    if (current.answered) return;
    if (this.closed || this.current !== current) {
      current.answered = true;
      return;
    }
    const data = payload === undefined ? undefined : typeof payload === "string" ? Buffer.from(payload) : payload;
    const headBytes = this.head(current, status, headers, `Content-Length: ${data ? data.length : 0}\r\n`);
    const parts = this.held ? [this.held, headBytes] : [headBytes];
    this.held = undefined;
    if (data && !current.isHead) parts.push(data);
    if (hold && current.keepAlive && !current.body && this.buf.length > 0) {
      this.held = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    } else if (parts.length === 1) this.socket.write(parts[0]!);
    else if (!data || data.length <= LARGE_BODY) this.socket.write(Buffer.concat(parts));
    else {
      // Large payloads (up to 6 MB) are not copied: one writev.
      this.socket.cork();
      for (const part of parts) this.socket.write(part);
      this.socket.uncork();
    }
    this.afterResponse(current);
  }

  /**
   * A response's head, with `framing` (its Content-Length or Transfer-Encoding line), and what
   * answering now means for a body not yet read (throws, sending nothing, on a header that would
   * forge the response).
   */
  private head(current: Current, status: number, headers: ResponseHeaders, framing: string): Buffer {
    let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n`;
    for (const k in headers) {
      // The server frames the response: a function's result cannot set its length, encoding or connection.
      if (FRAMING.has(k.toLowerCase())) continue;
      const value = headers[k]!;
      for (const one of typeof value === "object" ? value : [value]) {
        const v = String(one);
        // As Node's writeHead: a line break in a header would let its text forge the rest of the response.
        if (!isToken(k) || /[\r\n]/.test(v)) throw new TypeError(`Invalid character in header ${JSON.stringify(k)}`);
        text += `${k}: ${v}\r\n`;
      }
    }
    current.answered = true;
    // A body streamed to its reader goes on arriving after the answer; the next request waits for its end.
    if (current.body && !current.reader?.sink) {
      // A body nobody read is dropped: before the next request, or after the answer when the
      // connection closes because the body is large, chunked or still being read.
      if (current.reader || current.body.kind === "chunked" || current.body.remaining > MAX_BUFFERED) current.keepAlive = false;
      if (!current.reader) current.draining = true;
    }
    text += `${framing}Date: ${httpDate()}\r\n`;
    if (!current.keepAlive) text += "Connection: close\r\n\r\n";
    else if (this.limits.keepAliveMs > 0) text += `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.limits.keepAliveMs / 1000)}\r\n\r\n`;
    else text += "Connection: keep-alive\r\n\r\n";
    return Buffer.from(text, "latin1");
  }

  /** The response is complete: close, drain the unread body, or wait for a streamed body's end, or take the next request. */
  private afterResponse(current: Current): void {
    if (!current.keepAlive) return this.close();
    if (current.body && current.reader?.sink) return;
    if (current.draining) {
      this.socket.resume();
      this.readBody();
    } else this.next();
  }

  /** A response whose body is written as it comes (see HttpResponse.stream). */
  private streamResponse(current: Current, status: number, headers: ResponseHeaders): Writable {
    if (current.answered) throw new Error("the response was already sent");
    const chunked = current.http11 && !current.isHead;
    // HTTP/1.0 has no chunks: its body ends with the connection.
    if (!current.http11) current.keepAlive = false;
    const head = this.head(current, status, headers, chunked ? "Transfer-Encoding: chunked\r\n" : "");
    const gone = this.closed || this.current !== current;
    if (!gone) {
      // Bytes held for the next response (sendWhenNext) leave first.
      this.socket.write(this.held ? Buffer.concat([this.held, head]) : head);
      this.held = undefined;
    }
    const out = responseBody(this.socket, { chunked, discard: current.isHead, ended: () => this.afterResponse(current) });
    if (gone) out.destroy(new ClientGone("the client closed the connection before the response"));
    else this.closeListeners.push(() => out.destroy(new ClientGone("the client closed the connection during the response")));
    return out;
  }


  private next(): void {
    this.current = undefined;
    this.closeListeners = [];
    this.socket.resume();
    // A pipelined request goes next.
    if (this.buf.length) queueMicrotask(() => this.pump());
  }
}

/** One `ExchangeHandler` behind any number of listeners (a TCP port and a unix socket, say). */
export class HttpServer {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly limits: Required<HttpServerOptions>;
  private readonly h2c: H2c | undefined;

  constructor(
    private readonly handler: ExchangeHandler,
    options: HttpServerOptions = {},
  ) {
    this.limits = {
      headTimeoutMs: options.headTimeoutMs ?? 60_000,
      keepAliveMs: options.keepAliveMs ?? 65_000,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 20_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
      drainBytes: options.drainBytes ?? 64 * 1024 * 1024,
      maxHeadBytes: options.maxHeadBytes ?? 16 * 1024,
      maxHeaders: options.maxHeaders ?? 200,
      h2c: options.h2c ?? false,
    };
    this.h2c = this.limits.h2c ? new H2c(handler, this.limits) : undefined;
  }

  /** `authorize`, when given, decides from the raw socket whether a connection may speak at all. */
  listen(target: { host: string; port: number } | { path: string }, authorize?: (socket: net.Socket) => boolean): Promise<net.AddressInfo | string> {
    const server = net.createServer((socket) => {
      if (authorize && !authorize(socket)) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      if (!this.h2c) new Connection(socket, this.handler, this.limits);
      else this.h2c.accept(socket, (read) => new Connection(socket, this.handler, this.limits).receive(read));
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      const done = () => {
        server.off("error", reject);
        resolve(server.address()!);
      };
      if ("path" in target) server.listen(target.path, done);
      else server.listen(target.port, target.host, done);
    });
  }

  /** Stop listening and drop every connection. */
  close(): Promise<void> {
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.h2c?.close();
    for (const s of this.sockets) s.destroy();
    return closed.then(() => undefined);
  }
}

