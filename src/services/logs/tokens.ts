/**
 * Event ids and the tokens CloudWatch Logs hands out. An event's place in a (timestamp, seq) read
 * is 56 digits, as AWS's event ids are: 20 of timestamp, 36 of the store's sequence number. Its
 * GetLogEvents tokens are that place behind `f/` or `b/` and before `/s`, as AWS's look; list and
 * FilterLogEvents tokens are opaque (base64 of their position).
 */
import { awsError } from "../../errors.js";
import type { EventCursor } from "../../store/logs-store.js";
import { decodePageToken, encodePageToken } from "../../lib/page-token.js";

const invalidToken = () => awsError("InvalidParameterException", "The specified nextToken is invalid.");

/** An event's id: its place in the order reads return, so ids sort as the events do. */
export const eventId = (c: EventCursor) => `${String(c.timestamp).padStart(20, "0")}${String(c.seq).padStart(36, "0")}`;

function cursorOfDigits(digits: string): EventCursor {
  return { timestamp: Number(digits.slice(0, 20)), seq: Number(digits.slice(20)) };
}

/** A GetLogEvents token: read forward after, or backward before, a place in the stream. */
export interface StreamToken {
  direction: "f" | "b";
  at: EventCursor;
}

export const streamToken = (t: StreamToken) => `${t.direction}/${eventId(t.at)}/s`;

export function readStreamToken(token: string): StreamToken {
  const m = /^([fb])\/(\d{56})\/s$/.exec(token);
  if (!m) throw invalidToken();
  return { direction: m[1] as "f" | "b", at: cursorOfDigits(m[2]!) };
}

/** A list operation's or FilterLogEvents' nextToken: an opaque position. */
export const pageToken = (value: Record<string, string | number>) => encodePageToken(value);

/** What a pageToken holds, with `fields` of the given types, or InvalidParameterException. */
export function readPageToken<T extends Record<string, "string" | "number">>(token: string, fields: T): { [K in keyof T]: T[K] extends "string" ? string : number } {
  const value = decodePageToken(token);
  const ok = typeof value === "object" && value !== null && Object.entries(fields).every(([f, type]) => typeof (value as Record<string, unknown>)[f] === type);
  if (!ok) throw invalidToken();
  return value as { [K in keyof T]: T[K] extends "string" ? string : number };
}
