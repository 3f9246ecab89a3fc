/** Small HTTP helpers shared by every protocol handler. */
import type { HttpResponse } from "../lib/http-server.js";
import type { Principal } from "./sigv4.js";
import type { Authorize } from "./authorize.js";
import { awsError } from "../errors.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../lib/json-depth.js";

export interface ApiRequest {
  method: string;
  /** Path as sent on the wire, still percent-encoded. */
  rawPath: string;
  /** Raw query string without the leading '?'. */
  rawQuery: string;
  query: Record<string, string | string[]>;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  body: Buffer;
  requestId: string;
  principal?: Principal;
  /**
   * Decide what the request asks (its actions on resource ARNs) for its signer; throws the
   * service's AccessDenied. Called once by the protocol handler, before the service runs.
   */
  authorize: Authorize;
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

export function sendJson(res: HttpResponse, requestId: string, status: number, value: unknown, extraHeaders: Record<string, string> = {}): void {
  res.send(status, { "Content-Type": "application/json", "x-amzn-RequestId": requestId, ...extraHeaders }, value === undefined ? undefined : JSON.stringify(value));
}

/**
 * An AWS service behind the one listener that owns its whole wire format, picked by the SigV4
 * credential scope's service name (SQS's query and JSON protocols share one endpoint and path).
 */
export interface ScopedService {
  /** Largest accepted request body, in bytes. */
  maxBody: number;
  /** Handle a verified request. */
  handle(req: ApiRequest, res: HttpResponse): Promise<void>;
  /** Render an error in the wire shape this request's protocol expects. */
  renderError(req: Pick<ApiRequest, "headers" | "requestId"> & { rawPath?: string }, res: HttpResponse, err: unknown): void;
  /** Error for a body over `maxBody`. */
  tooLarge(): Error;
  /**
   * Requests this service takes without a signature, judged on their head (SNS's SubscribeURL and
   * UnsubscribeURL links); they reach `handle` with no principal.
   */
  unsigned?(req: Pick<ApiRequest, "method" | "rawPath" | "query">): boolean;
}

/** AWS's SerializationException for a JSON protocol body that is not the structure an operation takes. */
export const notAStructure = () => awsError("SerializationException", "Start of structure or map found where not expected.");

/**
 * An AWS JSON protocol (1.0, 1.1) request body: `{}` when empty; AWS's SerializationException when
 * it is not JSON or nests deeper than Flint reads.
 */
export function awsJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw notAStructure();
  }
  if (nestsDeeperThan(body)) throw awsError("SerializationException", `Nesting depth exceeds ${MAX_JSON_DEPTH}.`);
  return body;
}
