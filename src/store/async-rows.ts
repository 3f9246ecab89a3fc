/** A row of async_events as both async event stores read it (sqlite-async.ts, pg-async.ts), and the event it is. */
import type { AsyncEvent } from "./async-store.js";

export interface Row {
  request_id: string;
  function: string;
  qualifier: string | null;
  payload: Buffer;
  received_at: number;
  attempts: number;
  throttles: number;
  due_at: number;
  last_error: string | null;
}

export const fromRow = (r: Row): AsyncEvent => ({
  requestId: r.request_id,
  functionName: r.function,
  ...(r.qualifier !== null ? { qualifier: r.qualifier } : {}),
  payload: r.payload,
  receivedAt: r.received_at,
  attempts: r.attempts,
  throttles: r.throttles,
  dueAt: r.due_at,
  ...(r.last_error !== null ? { lastError: JSON.parse(r.last_error) } : {}),
});
