/**
 * A table's streams (StreamSpecification on CreateTable and UpdateTable): each enabling makes a new
 * stream with its own label; disabling one, or deleting the table, closes it, and its records stay
 * readable for 24 hours.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 */
import type { StreamViewType, TableRecord, TableStream } from "./model.js";

/** A stream's records are kept 24 hours, also after its table is deleted. */
export const STREAM_RETENTION_MS = 24 * 3_600_000;

/** A stream's label: its creation time, ISO 8601 with milliseconds and no zone (`2026-12-05T22:51:30.123`). */
export const streamLabel = (ms: number) => new Date(ms).toISOString().slice(0, -1);

/** A new stream of the table, made at `now`. */
export function newStream(t: TableRecord, viewType: StreamViewType, now: number): TableStream {
  let at = now;
  const last = t.streams[t.streams.length - 1];
  // Two streams of one table never share a label.
  if (last && last.createdAt >= at) at = last.createdAt + 1;
  const label = streamLabel(at);
  return { arn: `${t.arn}/stream/${label}`, label, viewType, createdAt: at };
}

/** A deleted table as its streams are kept: every stream closed at `at` (if it was not before). */
export function closedStreams(t: TableRecord, at: number): TableRecord {
  return { ...t, status: "DELETING", streams: t.streams.map((s) => ({ ...s, disabledAt: s.disabledAt ?? at })) };
}
