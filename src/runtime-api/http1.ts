/**
 * A small HTTP/1.1 server for the Runtime API, on a raw socket.
 *
 * The Runtime API is four fixed routes spoken by one client per listener, and it sits on the warm
 * invoke path twice per invocation; Node's general-purpose HTTP server costs several times more per
 * request than parsing these messages directly. This parser handles what runtimes send:
 * keep-alive, pipelining (answered in order), Content-Length and chunked bodies, `Expect:
 * 100-continue` (curl sends it for larger bodies), and bounded headers and bodies.
 */
import net from "node:net";

export interface RuntimeRequest {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** undefined when the body exceeded the limit (it was read and discarded). */
  body: Buffer | undefined;
  bodySize: number;
}

export interface Reply {
  /** Send a response; the next pipelined request is handled after it. Calling twice is a no-op. */
  send(status: number, headers: Record<string, string | number>, body?: Buffer | string): void;
  /**
   * Like `send`, but when the client has already pipelined its next request the bytes are held and
   * leave with the next response on this connection: one write instead of two. A runtime that
   * pipelines GET /next behind POST /response proves it does not wait for the 202.
   */
  sendWhenNext(status: number, headers: Record<string, string | number>, body?: Buffer | string): void;
  /** Abort the connection without answering. */
  destroy(): void;
  /** The client went away before an answer was sent. */
  onClose(fn: () => void): void;
}

export type RuntimeHandler = (req: RuntimeRequest, reply: Reply) => void;

const MAX_HEADER_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from("\r\n\r\n");
const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n");
const REASONS: Record<number, string> = { 200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 413: "Payload Too Large", 431: "Request Header Fields Too Large", 500: "Internal Server Error" };

type Body =
  | { kind: "length"; remaining: number }
  | { kind: "chunked"; state: "size" | "data" | "crlf" | "trailer"; remaining: number };

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private head: { method: string; path: string; headers: Record<string, string> } | undefined;
  private body: Body | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  /** A request is being answered; further pipelined requests wait in `buf`. */
  private busy = false;
  private closeListeners: (() => void)[] = [];
  private closed = false;
  /** Response bytes held back to leave with the next response (see Reply.sendWhenNext). */
  private held: Buffer | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly handler: RuntimeHandler,
    private readonly maxBody: number,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.pump();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const fn of this.closeListeners.splice(0)) fn();
    });
    socket.on("error", () => socket.destroy());
  }

  private fail(status: number): void {
    this.socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    this.buf = Buffer.alloc(0);
    this.busy = true;
  }

  private pump(): void {
    while (!this.busy && this.buf.length) {
      if (!this.head) {
        const end = this.buf.indexOf(CRLFCRLF);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) this.fail(431);
          return;
        }
        if (!this.parseHead(this.buf.subarray(0, end).toString("latin1"))) return this.fail(400);
        this.buf = this.buf.subarray(end + 4);
        if (this.head!.headers.expect?.toLowerCase() === "100-continue" && this.body) this.socket.write(CONTINUE);
      }
      if (this.body && !this.readBody()) return;
      this.dispatch();
    }
  }

  private parseHead(text: string): boolean {
    const lines = text.split("\r\n");
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
    if (!m) return false;
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) return false;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.head = { method: m[1]!, path: m[2]!, headers };
    this.chunks = [];
    this.size = 0;
    if (headers["transfer-encoding"]?.toLowerCase().includes("chunked")) this.body = { kind: "chunked", state: "size", remaining: 0 };
    else {
      const length = Number(headers["content-length"] ?? "0");
      if (!Number.isSafeInteger(length) || length < 0) return false;
      this.body = length > 0 ? { kind: "length", remaining: length } : undefined;
    }
    return true;
  }

  private take(n: number): void {
    const piece = this.buf.subarray(0, n);
    this.size += n;
    if (this.size <= this.maxBody) this.chunks.push(piece);
    this.buf = this.buf.subarray(n);
  }

  /** Consume body bytes from `buf`; true once the body is complete. */
  private readBody(): boolean {
    const b = this.body!;
    if (b.kind === "length") {
      const n = Math.min(b.remaining, this.buf.length);
      this.take(n);
      b.remaining -= n;
      return b.remaining === 0;
    }
    for (;;) {
      if (b.state === "size" || b.state === "crlf" || b.state === "trailer") {
        const eol = this.buf.indexOf("\r\n");
        if (eol < 0) return false;
        const line = this.buf.subarray(0, eol).toString("latin1");
        this.buf = this.buf.subarray(eol + 2);
        if (b.state === "crlf") b.state = "size";
        else if (b.state === "trailer") {
          if (line === "") return true;
        } else {
          const n = parseInt(line, 16);
          if (!Number.isFinite(n) || n < 0) {
            this.fail(400);
            return false;
          }
          if (n === 0) b.state = "trailer";
          else Object.assign(b, { state: "data", remaining: n });
        }
        continue;
      }
      const n = Math.min(b.remaining, this.buf.length);
      if (n === 0) return false;
      this.take(n);
      b.remaining -= n;
      if (b.remaining === 0) b.state = "crlf";
    }
  }

  private dispatch(): void {
    const head = this.head!;
    const tooLarge = this.size > this.maxBody;
    const body = tooLarge ? undefined : this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const req: RuntimeRequest = { method: head.method, path: head.path, headers: head.headers, body, bodySize: this.size };
    this.head = undefined;
    this.body = undefined;
    this.chunks = [];
    this.busy = true;
    let answered = false;
    const close = (head.headers.connection ?? "").toLowerCase() === "close";
    const respond = (status: number, headers: Record<string, string | number>, payload: Buffer | string | undefined, hold: boolean) => {
      if (answered || this.closed) return;
      answered = true;
      const data = payload === undefined ? undefined : typeof payload === "string" ? Buffer.from(payload) : payload;
      let text = `HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\n`;
      for (const k in headers) text += `${k}: ${headers[k]}\r\n`;
      text += `Content-Length: ${data ? data.length : 0}\r\n${close ? "Connection: close\r\n" : ""}\r\n`;
      const parts = [...(this.held ? [this.held] : []), Buffer.from(text, "latin1"), ...(data ? [data] : [])];
      this.held = undefined;
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (hold && !close && this.buf.length) this.held = bytes;
      else this.socket.write(bytes);
      if (close) {
        this.socket.end();
        return;
      }
      this.busy = false;
      this.closeListeners = [];
      // A pipelined request (a runtime's GET /next right behind its POST /response) goes next.
      if (this.buf.length) queueMicrotask(() => this.pump());
    };
    this.handler(req, {
      send: (status, headers, payload) => respond(status, headers, payload, false),
      sendWhenNext: (status, headers, payload) => respond(status, headers, payload, true),
      destroy: () => this.socket.destroy(),
      onClose: (fn) => {
        if (this.closed) fn();
        else this.closeListeners.push(fn);
      },
    });
  }
}

/** One handler behind any number of listeners (a TCP port and a unix socket, say). */
export class RuntimeHttpServer {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly handler: RuntimeHandler,
    private readonly maxBody: number,
  ) {}

  /** `authorize`, when given, decides from the raw socket whether a connection may speak at all. */
  listen(target: { host: string; port: number } | { path: string }, authorize?: (socket: net.Socket) => boolean): Promise<string> {
    const server = net.createServer((socket) => {
      if (authorize && !authorize(socket)) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      new Connection(socket, this.handler, this.maxBody);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      const done = () => {
        server.off("error", reject);
        const addr = server.address();
        resolve(typeof addr === "string" ? addr : `${addr!.address}:${addr!.port}`);
      };
      if ("path" in target) server.listen(target.path, done);
      else server.listen(target.port, target.host, done);
    });
  }

  close(): void {
    for (const server of this.servers) server.close();
    for (const s of this.sockets) s.destroy();
  }
}
