/** Small HTTP helpers shared by every protocol handler. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "./sigv4.js";

export interface ApiRequest {
  method: string;
  /** Path as sent on the wire, still percent-encoded. */
  rawPath: string;
  /** Raw query string without the leading '?'. */
  rawQuery: string;
  query: Record<string, string | string[]>;
  headers: IncomingMessage["headers"];
  body: Buffer;
  requestId: string;
  principal?: Principal;
}

export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!rawQuery) return out;
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export { newRequestId } from "../lib/request-id.js";

export type BodyResult = { ok: true; body: Buffer } | { ok: false; size: number };

/**
 * Buffer a request body up to `limit` bytes. Past the limit the rest is drained (up to a hard cap, then
 * the socket is closed) so the client reads our error instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const hardCap = limit + 64 * 1024 * 1024;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
      else if (size > hardCap) {
        req.destroy();
        resolve({ ok: false, size });
      }
    });
    req.on("end", () => resolve(over ? { ok: false, size } : { ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer | string | undefined): void {
  if (body !== undefined) headers["Content-Length"] = Buffer.byteLength(body);
  else headers["Content-Length"] = 0;
  res.writeHead(status, headers);
  res.end(body);
}

export function sendJson(res: ServerResponse, requestId: string, status: number, value: unknown, extraHeaders: Record<string, string> = {}): void {
  send(res, status, { "Content-Type": "application/json", "x-amzn-RequestId": requestId, ...extraHeaders }, value === undefined ? undefined : JSON.stringify(value));
}

/**
 * An AWS service behind the one listener that owns its whole wire format, picked by the SigV4
 * credential scope's service name (SQS's query and JSON protocols share one endpoint and path).
 */
export interface ScopedService {
  /** Largest accepted request body, in bytes. */
  maxBody: number;
  /** Handle a verified request. */
  handle(req: ApiRequest, res: ServerResponse): Promise<void>;
  /** Render an error in the wire shape this request's protocol expects. */
  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: ServerResponse, err: unknown): void;
  /** Error for a body over `maxBody`. */
  tooLarge(): Error;
  /**
   * Requests this service takes without a signature, judged on their head (SNS's SubscribeURL and
   * UnsubscribeURL links); they reach `handle` with no principal.
   */
  unsigned?(req: Pick<ApiRequest, "method" | "rawPath" | "query">): boolean;
}
