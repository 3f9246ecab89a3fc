/**
 * One HTTP/1.1 exchange on a raw socket, for requests no HTTP client would send: malformed heads,
 * bad chunked framing, bodies shorter than their Content-Length, pipelined requests. Reports what
 * came back and how the connection ended, and never waits longer than its bound.
 */
import net from "node:net";

export interface HttpAnswer {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Exchanged {
  /** Final (non-1xx) responses, in order. */
  answers: HttpAnswer[];
  /** `complete`: every expected answer arrived; otherwise how the wait ended. */
  ending: "complete" | "closed" | "reset" | "timeout";
  /** Bytes received in all. */
  received: number;
}

export interface ExchangeOptions {
  host?: string;
  /** Half-close the client's side once the bytes are written (the client ends its side). */
  end?: boolean;
  /** Final answers to wait for (2 for a pipelined pair). */
  answers?: number;
  /** Answers to HEAD carry no body whatever their Content-Length says. */
  noBody?: (index: number) => boolean;
  /** How long to wait for all answers or for the server to close. */
  boundMs: number;
}

/** Parse as many complete responses as `buf` holds; `rest` is what is left. */
function parseAnswers(buf: Buffer, noBody: (index: number) => boolean, done: number, atEof: boolean): { answers: HttpAnswer[]; rest: Buffer } {
  const answers: HttpAnswer[] = [];
  for (;;) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) break;
    const lines = buf.toString("latin1", 0, end).split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + 4;
    if (status >= 100 && status < 200) {
      buf = buf.subarray(bodyStart);
      continue;
    }
    const length = noBody(done + answers.length) ? 0 : headers["content-length"] !== undefined ? Number(headers["content-length"]) : undefined;
    if (length === undefined || Number.isNaN(length)) {
      // No length: the body runs to the end of the connection.
      if (!atEof) break;
      answers.push({ status, headers, body: buf.subarray(bodyStart) });
      buf = Buffer.alloc(0);
      break;
    }
    if (buf.length < bodyStart + length) break;
    answers.push({ status, headers, body: buf.subarray(bodyStart, bodyStart + length) });
    buf = buf.subarray(bodyStart + length);
  }
  return { answers, rest: buf };
}

export function exchange(port: number, bytes: Buffer, opts: ExchangeOptions): Promise<Exchanged> {
  const want = opts.answers ?? 1;
  const noBody = opts.noBody ?? (() => false);
  return new Promise((resolve) => {
    const answers: HttpAnswer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let received = 0;
    let settled = false;
    const socket = net.connect({ host: opts.host ?? "127.0.0.1", port });
    const finish = (ending: Exchanged["ending"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers, ending, received });
    };
    const timer = setTimeout(() => finish("timeout"), opts.boundMs);
    const take = (atEof: boolean) => {
      const parsed = parseAnswers(pending, noBody, answers.length, atEof);
      answers.push(...parsed.answers);
      pending = parsed.rest;
      if (answers.length >= want) finish("complete");
    };
    socket.on("connect", () => {
      // The server may answer and close before it has read everything; a write error then is expected.
      socket.write(bytes, () => {
        if (opts.end) socket.end();
      });
    });
    socket.on("data", (d: Buffer) => {
      received += d.length;
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      take(false);
    });
    socket.on("end", () => {
      take(true);
      finish("closed");
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      take(true);
      finish(err.code === "ECONNRESET" || err.code === "EPIPE" ? "reset" : "closed");
    });
    socket.on("close", () => finish("closed"));
  });
}
