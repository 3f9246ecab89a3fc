/**
 * What every HTTP trigger (function URLs, REST APIs, HTTP APIs) shares: the contract the listener
 * serves them through, the client's address, and the body read within the trigger's limit.
 */
import type { RequestContext } from "../iam/authorizer.js";
import type { BodyBudget } from "../lib/body-budget.js";
import type { Exchange } from "../lib/http-server.js";
import type { TriggerAddress } from "./address.js";

/** A kind of HTTP trigger: it answers every request addressed to one of its endpoints, in its own wire shape. */
export interface HttpTrigger {
  /**
   * `budget` is the listener's bound on request bytes held before anyone is authenticated
   * (lib/body-budget.ts): a trigger's body holds a place in it while it is read.
   */
  serve(exchange: Exchange, address: TriggerAddress, rawQuery: string, budget: BodyBudget): Promise<void>;
}

/**
 * The client's address as AWS reports it (an IPv4 client of a dual-stack listener shows as
 * ::ffff:a.b.c.d; AWS reports a.b.c.d); undefined once the connection is gone.
 */
export function clientAddress(exchange: Exchange): string | undefined {
  return exchange.remoteAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/**
 * `requestContext.identity.sourceIp` (1.0) or `requestContext.http.sourceIp` (2.0) of a trigger's
 * event: AWS always shows an address; a client already gone was a local one.
 */
export const sourceIp = (exchange: Exchange): string => clientAddress(exchange) ?? "127.0.0.1";

/** The condition keys a request brings whatever it asks: its source address and plain HTTP. */
export function requestContext(exchange: Exchange): RequestContext {
  return { sourceIp: clientAddress(exchange), secureTransport: false };
}

/**
 * The request's body if it fits in `limit` bytes; undefined when it does not (each trigger answers
 * its own 413). While it arrives the body holds a place in `budget`: it is read before anyone is
 * authenticated, so anonymous connections must not each pin a whole limit (6 to 10 MB) of memory.
 */
export async function readBody(exchange: Exchange, limit: number, budget: BodyBudget): Promise<Buffer | undefined> {
  const release = await budget.reserveBody(exchange, limit);
  try {
    const read = await exchange.body(limit);
    return read.ok ? read.body : undefined;
  } finally {
    release();
  }
}
