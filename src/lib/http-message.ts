/**
 * An HTTP/1.1 request's syntax (RFC 9112), with no socket in it: its head (request line, headers, and
 * what they say of the body and the connection) and its body's framing, a declared `Content-Length`
 * or chunks with their sizes, extensions and trailers. The connection (`http-server.ts`) feeds these
 * what arrived and decides what to do with it.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/;

/** A header name as the grammar allows it. */
export const isToken = (text: string) => TOKEN.test(text);

export interface ParsedHead {
  method: string;
  /** Request target as sent (path and query, still percent-encoded). */
  url: string;
  /** Lower-cased names, no prototype; repeated headers joined with ", " (Host and Authorization keep their first). */
  headers: Record<string, string>;
  /** The header lines as sent: name, value, name, value… (original case, repeats kept; API Gateway's events show them so). */
  rawHeaders: string[];
  body: BodyState | undefined;
  expectContinue: boolean;
  keepAlive: boolean;
  /** HTTP/1.1 (a response may be chunked), not 1.0. */
  http11: boolean;
}

/**
 * A head's text (without its final blank line) as a request, or the status that refuses it: 400 for
 * what is malformed or ambiguous (several different `Content-Length`s, a `Transfer-Encoding` other
 * than chunked or with a length, the asterisk target on another method than OPTIONS), 417 for an
 * unknown expectation, 431 for more than `maxHeaders` header lines.
 */
export function parseHead(text: string, maxHeaders: number): ParsedHead | { status: 400 | 417 | 431 } {
  const lines = text.split("\r\n", maxHeaders + 2);
  if (lines.length > maxHeaders + 1) return { status: 431 };
  const m = REQUEST_LINE.exec(lines[0]!);
  if (!m) return { status: 400 };
  // The asterisk form is for OPTIONS alone (RFC 9112 §3.2.4).
  if (m[2] === "*" && m[1] !== "OPTIONS") return { status: 400 };
  // No prototype: a header named `constructor` or `__proto__` is just a header.
  const headers: Record<string, string> = Object.create(null);
  const rawHeaders: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const sent = colon > 0 ? line.slice(0, colon) : "";
    const name = sent.toLowerCase();
    if (!TOKEN.test(name)) return { status: 400 };
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(sent, value);
    const prev = headers[name];
    if (prev === undefined) headers[name] = value;
    else if (name === "content-length") {
      if (prev !== value) return { status: 400 };
    } else if (name !== "host" && name !== "authorization") headers[name] = `${prev}, ${value}`;
  }
  let body: BodyState | undefined;
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  if (te !== undefined) {
    if (te.toLowerCase() !== "chunked" || cl !== undefined) return { status: 400 };
    body = { kind: "chunked", state: "size", remaining: 0 };
  } else if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(cl)) return { status: 400 };
    if (Number(cl) > 0) body = { kind: "length", remaining: Number(cl) };
  }
  const expect = headers.expect?.toLowerCase();
  if (expect !== undefined && expect !== "100-continue") return { status: 417 };
  const connection = headers.connection?.toLowerCase() ?? "";
  const keepAlive = m[3] === "0" ? connection.includes("keep-alive") : !connection.includes("close");
  return { method: m[1]!, url: m[2]!, headers, rawHeaders, body, expectContinue: expect !== undefined, keepAlive, http11: m[3] === "1" };
}

/** What is left of a body to consume. */
export type BodyState =
  | { kind: "length"; remaining: number }
  | { kind: "chunked"; state: "size" | "data" | "crlf" | "trailer"; remaining: number };

export type Framing = "done" | "more" | "broken";

/**
 * Consume what `buf` holds of the body described by `b` (updated in place), handing each run of body
 * bytes to `data` and each trailer field line to `trailer`. Returns the bytes after what was consumed
 * and whether the body is complete, needs more, or broke its framing (a chunk-size or line-end that is
 * not one, or a line longer than `maxLine`).
 */
export function consumeBody(b: BodyState, buf: Buffer, maxLine: number, data: (chunk: Buffer) => void, trailer?: (line: string) => void): { rest: Buffer; framing: Framing } {
  if (b.kind === "length") {
    const n = Math.min(b.remaining, buf.length);
    if (n > 0) data(buf.subarray(0, n));
    b.remaining -= n;
    return { rest: buf.subarray(n), framing: b.remaining === 0 ? "done" : "more" };
  }
  for (;;) {
    if (b.state === "data") {
      const n = Math.min(b.remaining, buf.length);
      if (n === 0) return { rest: buf, framing: "more" };
      data(buf.subarray(0, n));
      buf = buf.subarray(n);
      b.remaining -= n;
      if (b.remaining === 0) b.state = "crlf";
      continue;
    }
    const eol = buf.indexOf("\r\n");
    if (eol < 0) return { rest: buf, framing: buf.length > maxLine ? "broken" : "more" };
    const line = buf.toString("latin1", 0, eol);
    buf = buf.subarray(eol + 2);
    if (b.state === "crlf") {
      if (line !== "") return { rest: buf, framing: "broken" };
      b.state = "size";
    } else if (b.state === "trailer") {
      if (line === "") return { rest: buf, framing: "done" };
      trailer?.(line);
    } else {
      const size = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line);
      if (!size) return { rest: buf, framing: "broken" };
      const n = parseInt(size[1]!, 16);
      if (n === 0) b.state = "trailer";
      else Object.assign(b, { state: "data", remaining: n });
    }
  }
}
