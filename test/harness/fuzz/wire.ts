/**
 * A fuzzed request from its logical form to bytes: the `Draft` (method, path, query, signed
 * headers, a JSON or form body that mutations can reach into), its SigV4 signing (`Signing`, also
 * mutable: another service's scope, another region, a stale date, presigned instead of a header),
 * and the `Wire` (request line, header lines, body framing) that the transport mutations garble.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { REGION, TEST_CREDENTIALS } from "../flint.js";

/** Sent exactly as given: JSON text, already percent-encoded form text, or bytes that are not UTF-8. */
export class Raw {
  constructor(readonly bytes: string | Buffer) {}
  buffer(): Buffer {
    return typeof this.bytes === "string" ? Buffer.from(this.bytes, "utf8") : this.bytes;
  }
}

export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** A query or form parameter; a string is percent-encoded on the way out, a Raw is not. */
export type Param = [name: string | Raw, value: string | Raw];

export type Body = { kind: "none" } | { kind: "json"; value: Json } | { kind: "form"; params: Param[] } | { kind: "bytes"; bytes: Buffer };

export interface Draft {
  method: string;
  /** As sent on the wire (percent-encoded already). */
  path: string;
  query: Param[];
  /** Lower-case names; sent and signed. */
  headers: [string, string][];
  body: Body;
}

export interface Signing {
  mode: "header" | "presign" | "none";
  service: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Offset of the signing date from now, in ms. */
  skewMs: number;
  /** For a presigned request. */
  expiresIn: number;
}

export interface Wire {
  /** The request line without its CRLF. */
  requestLine: string;
  /** In order; a header with an empty name is sent as its value alone (a line that is not a header). */
  headers: [string, string][];
  body: Buffer;
  /** How the body is framed: a Content-Length (added unless a header says otherwise), chunks of these sizes, or `raw` (sent as is). */
  framing: { kind: "length" } | { kind: "chunked"; sizes: number[] } | { kind: "raw" };
  /** The client ends its side once everything is written. */
  end: boolean;
  /** A second request sent right behind this one on the same connection. */
  pipelined?: Buffer;
  /** Send exactly these bytes instead (a head cut short). */
  raw?: Buffer;
}

/** The listener's head limit (lib/http-server.ts maxHeadBytes). */
export const HEAD_LIMIT = 16 * 1024;

export const defaultSigning = (service: string): Signing => ({
  mode: "header",
  service,
  region: REGION,
  accessKeyId: TEST_CREDENTIALS.accessKeyId,
  secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
  skewMs: 0,
  expiresIn: 300,
});

const encode = (part: string | Raw) => (part instanceof Raw ? part.buffer().toString("latin1") : encodeURIComponent(part));

export function encodeParams(params: Param[]): string {
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
}

function jsonParts(value: Json, out: Buffer[]): void {
  if (value instanceof Raw) out.push(value.buffer());
  else if (Array.isArray(value)) {
    out.push(Buffer.from("["));
    value.forEach((v, i) => {
      if (i) out.push(Buffer.from(","));
      jsonParts(v, out);
    });
    out.push(Buffer.from("]"));
  } else if (typeof value === "object" && value !== null) {
    out.push(Buffer.from("{"));
    Object.entries(value).forEach(([k, v], i) => {
      out.push(Buffer.from(`${i ? "," : ""}${JSON.stringify(k)}:`));
      jsonParts(v, out);
    });
    out.push(Buffer.from("}"));
  } else out.push(Buffer.from(JSON.stringify(value)));
}

export function encodeBody(body: Body): Buffer {
  switch (body.kind) {
    case "none":
      return Buffer.alloc(0);
    case "bytes":
      return body.bytes;
    case "form":
      return Buffer.from(encodeParams(body.params), "latin1");
    case "json": {
      const parts: Buffer[] = [];
      jsonParts(body.value, parts);
      return Buffer.concat(parts);
    }
  }
}

/** The query as the server decodes it (api/http.ts parseQuery), which is what both sides sign. */
function decodedQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const signers = new Map<string, SignatureV4>();
function signer(s: Signing): SignatureV4 {
  const key = [s.accessKeyId, s.secretAccessKey, s.region, s.service].join("\n");
  let v = signers.get(key);
  if (!v) signers.set(key, (v = new SignatureV4({ credentials: s, region: s.region, service: s.service, sha256: Hash.bind(null, "sha256") })));
  return v;
}

/** Sign a draft for `host` (`127.0.0.1:port`) as `signing` says. */
export async function toWire(draft: Draft, signing: Signing, host: string): Promise<Wire> {
  const body = encodeBody(draft.body);
  let rawQuery = encodeParams(draft.query);
  const headers: Record<string, string> = { host };
  for (const [k, v] of draft.headers) headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  // The maintained signer copies the query once per parameter (quadratic): a query too long for
  // the listener's head limit, which is refused before any signature is read, is signed without it.
  const query = rawQuery.length > HEAD_LIMIT ? {} : decodedQuery(rawQuery);
  const request = { method: draft.method, protocol: "http:", hostname: "127.0.0.1", path: draft.path, query, headers, body: body.length ? body : undefined };
  const signingDate = new Date(Date.now() + signing.skewMs);
  const sent: [string, string][] = [["host", host], ...draft.headers];
  if (signing.mode === "header") {
    const signed = await signer(signing).sign(request, { signingDate });
    for (const [k, v] of Object.entries(signed.headers)) if (!(k in headers)) sent.push([k, String(v)]);
  } else if (signing.mode === "presign") {
    const presigned = await signer(signing).presign(request, { signingDate, expiresIn: signing.expiresIn });
    const added = Object.entries(presigned.query ?? {}).filter(([k]) => k.startsWith("X-Amz-") && !(k in request.query));
    rawQuery = [rawQuery, encodeParams(added.map(([k, v]) => [k, String(v)]))].filter(Boolean).join("&");
  }
  return { requestLine: `${draft.method} ${draft.path}${rawQuery ? `?${rawQuery}` : ""} HTTP/1.1`, headers: sent, body, framing: { kind: "length" }, end: false };
}

/** The bytes of a wire request. */
export function wireBytes(wire: Wire): Buffer {
  if (wire.raw) return wire.raw;
  const lines = [wire.requestLine, ...wire.headers.map(([k, v]) => (k === "" ? v : `${k}: ${v}`))];
  const has = (name: string) => wire.headers.some(([k]) => k.toLowerCase() === name);
  let body = wire.body;
  if (wire.framing.kind === "length" && !has("content-length") && !has("transfer-encoding") && (body.length > 0 || /^(POST|PUT) /.test(wire.requestLine))) {
    lines.push(`content-length: ${body.length}`);
  } else if (wire.framing.kind === "chunked") {
    if (!has("transfer-encoding")) lines.push("transfer-encoding: chunked");
    const parts: Buffer[] = [];
    let at = 0;
    for (const size of wire.framing.sizes) {
      if (at >= body.length) break;
      const chunk = body.subarray(at, at + size);
      at += chunk.length;
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
    }
    if (at < body.length) parts.push(Buffer.from(`${(body.length - at).toString(16)}\r\n`), body.subarray(at), Buffer.from("\r\n"));
    parts.push(Buffer.from("0\r\n\r\n"));
    body = Buffer.concat(parts);
  }
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return Buffer.concat([head, body, wire.pipelined ?? Buffer.alloc(0)]);
}
