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

/**
 * A deleted table's streams stay readable for their retention, from every node and after a
 * restart: its record (every stream closed at deletion) stays among the store's table rows under
 * a name no table can have (a table name has no "/"), with its own name and when the row may go.
 */
export interface RetiredTable extends TableRecord {
  retired: { name: string; until: number };
}

const RETIRED = "deleted-table/";

/** The row that keeps a table deleted at `at`. */
export function retiredRow(t: TableRecord, at: number): RetiredTable {
  const streams = t.streams.map((s) => ({ ...s, disabledAt: s.disabledAt ?? at }));
  return { ...t, name: RETIRED + t.id, status: "DELETING", streams, retired: { name: t.name, until: at + STREAM_RETENTION_MS } };
}

export const isRetired = (row: TableRecord): row is RetiredTable => row.name.startsWith(RETIRED);

/** The deleted table as its row keeps it, under its own name. */
export function retiredTable(row: RetiredTable): TableRecord {
  const { retired, ...t } = row;
  return { ...t, name: retired.name };
}
