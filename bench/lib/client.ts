/**
 * The benchmark's HTTP client: keep-alive sockets and a cheap SigV4 signer (cached signing key,
 * node:crypto), so that the client costs the same small amount against Flint and the baseline.
 * (The server verifies with the maintained signer; this is load generation only.)
 *
 * HTTP/1.1 is written and read on plain sockets, as load generators such as wrk do: on a 2-core
 * machine the client shares the CPU with the server it measures, and node:http's client cost
 * ~150 µs of CPU per request (a third of a core at 2,500 requests/s), this one a fraction of that.
 * Responses are read by Content-Length or chunked encoding; one request at a time per connection.
 */
import net from "node:net";
import { createHash, createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";

export interface Target {
  host: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Temporary credentials' session token (sent as a signed x-amz-security-token header). */
  sessionToken?: string;
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export class SignedClient {
  private readonly idle: Connection[] = [];
  private readonly queue: Job[] = [];
  private open = 0;
  private keyDate = "";
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly t: Target,
    /** At most this many connections (kept alive); further requests wait for a free one. */
    private readonly concurrency: number,
    /** The service in the credential scope. */
    private readonly service = "lambda",
  ) {}

  /** A signed request's headers (also for a request sent by another client). */
  headers(method: string, path: string, body: Buffer): Record<string, string> {
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    if (date !== this.keyDate) {
      this.keyDate = date;
      this.key = hmac(hmac(hmac(hmac(`AWS4${this.t.secretAccessKey}`, date), this.t.region), this.service), "aws4_request");
    }
    const host = `${this.t.host}:${this.t.port}`;
    const payloadHash = hex(body);
    const token = this.t.sessionToken;
    const signed = token ? "host;x-amz-date;x-amz-security-token" : "host;x-amz-date";
    const canonical = `${method}\n${path.replace(/:/g, "%253A")}\n\nhost:${host}\nx-amz-date:${amzDate}\n${token ? `x-amz-security-token:${token}\n` : ""}\n${signed}\n${payloadHash}`;
    const scope = `${date}/${this.t.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hex(canonical)}`;
    const signature = createHmac("sha256", this.key).update(toSign).digest("hex");
    return {
      host,
      "x-amz-date": amzDate,
      ...(token ? { "x-amz-security-token": token } : {}),
      "content-type": "application/json",
      "content-length": String(body.length),
      authorization: `AWS4-HMAC-SHA256 Credential=${this.t.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
    };
  }

  /** POST a signed request (`extra` headers are sent unsigned); resolves with status and latency in ms. */
  post(path: string, body: Buffer, extra: Record<string, string> = {}): Promise<{ status: number; ms: number; body: Buffer }> {
    const started = performance.now();
    const headers = { ...this.headers("POST", path, body), ...extra };
    let head = `POST ${path.replace(/:/g, "%3A")} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    const request = Buffer.concat([Buffer.from(`${head}\r\n`, "latin1"), body]);
    return new Promise((resolve, reject) => {
      const job: Job = { request, resolve: (status, resBody) => resolve({ status, ms: performance.now() - started, body: resBody }), reject };
      const idle = this.idle.pop();
      if (idle) idle.send(job);
      else if (this.open < this.concurrency) this.connect(job);
      else this.queue.push(job);
    });
  }

  private connect(job: Job): void {
    this.open++;
    new Connection(this.t, (c) => this.next(c), (c) => {
      this.open--;
      // A parked connection the server closed is not handed out again.
      const i = this.idle.indexOf(c);
      if (i >= 0) this.idle.splice(i, 1);
      const waiting = this.queue.shift();
      if (waiting) this.connect(waiting);
    }).send(job);
  }

  /** A connection is free: give it the next waiting request, or park it. */
  private next(c: Connection): void {
    const job = this.queue.shift();
    if (job) c.send(job);
    else this.idle.push(c);
  }

  close(): void {
    for (const c of this.idle) c.close();
    this.idle.length = 0;
  }
}

interface Job {
  request: Buffer;
  resolve: (status: number, body: Buffer) => void;
  reject: (err: Error) => void;
}

/** One keep-alive connection: one request at a time, the response parsed as it arrives. */
class Connection {
  private readonly socket: net.Socket;
  private job: Job | undefined;
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    t: Target,
    private readonly free: (c: Connection) => void,
    private readonly gone: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host: t.host, port: t.port, noDelay: true });
    this.socket.on("data", (chunk: Buffer) => this.read(chunk));
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => this.fail(new Error("connection closed")));
  }

  send(job: Job): void {
    if (this.closed) return job.reject(new Error("connection closed"));
    this.job = job;
    this.socket.write(job.request);
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    const job = this.job;
    this.job = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    if (job) job.reject(err);
    if (!this.closed) {
      this.closed = true;
      this.gone(this);
    }
  }

  private closed = false;

  private read(chunk: Buffer): void {
    if (!this.job) return this.fail(new Error("the server sent a response nobody asked for"));
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buf.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body: Buffer;
    let rest: Buffer;
    if (length) {
      const n = Number(length[1]);
      if (this.buf.length < end + 4 + n) return;
      body = this.buf.subarray(end + 4, end + 4 + n);
      rest = this.buf.subarray(end + 4 + n);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const eol = this.buf.indexOf("\r\n", at);
        if (eol < 0) return;
        const size = parseInt(this.buf.toString("latin1", at, eol), 16);
        if (this.buf.length < eol + 2 + size + 2) return;
        if (size === 0) {
          at = eol + 4;
          break;
        }
        parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      rest = this.buf.subarray(at);
    } else {
      body = Buffer.alloc(0);
      rest = this.buf.subarray(end + 4);
    }
    this.buf = rest.length ? Buffer.from(rest) : Buffer.alloc(0);
    const job = this.job!;
    this.job = undefined;
    const keep = !/\r\nconnection: *close/i.test(head);
    job.resolve(status, Buffer.from(body));
    if (keep) this.free(this);
    else this.fail(new Error("connection closed by server"));
  }
}
