/**
 * What the two DynamoDB stores share (sqlite-dynamodb.ts, pg-dynamodb.ts: the same tables and
 * columns on SQLite and PostgreSQL): the decisions of a write, and the SQL of Query and Scan, built
 * once for both with the dialect's placeholders. Keys are bytes compared with memcmp (SQLite BLOB,
 * PostgreSQL bytea), so the SQL orders by them as DynamoDB orders its keys.
 */
import type { Decision, DeleteDecision, IndexedItem, ItemKey, ItemWrite, PutDecision, QueryRequest, ScanRequest, StoredItem, StoredStreamRecord, WriteOutcome } from "./dynamodb-store.js";
import { segmentHash } from "./dynamodb-store.js";

export interface ItemRow {
  hk: Buffer;
  rk: Buffer;
  item: string;
  size: number;
}

/** A row of Query or Scan: the item, and its key in the index read (absent when the table was read). */
export interface IndexedRow extends ItemRow {
  at_hk?: Buffer;
  at_rk?: Buffer;
}

export interface StreamRow {
  seq: number;
  at: number;
  partition_key: string;
  record: string;
}

export const toStored = (r: ItemRow): StoredItem => ({ hk: r.hk, rk: r.rk, item: r.item, size: r.size });
/** `hk`: the partition key queried, when the row does not say its key in the index. */
export const toIndexed = (r: IndexedRow, hk?: Buffer): IndexedItem => ({ hk: r.hk, rk: r.rk, item: r.item, size: r.size, at: { hk: r.at_hk ?? hk ?? r.hk, rk: r.at_rk ?? r.rk } });

export const toStreamRecord = (r: StreamRow): StoredStreamRecord => ({ sequence: r.seq, at: r.at, partitionKey: r.partition_key, record: r.record });

/** One item's change, as a write's decisions say it is to be stored. */
export interface Change {
  table: string;
  key: ItemKey;
  decision: PutDecision | DeleteDecision;
  /** Which outcome it belongs to, to receive its stream record's sequence. */
  outcome: WriteOutcome;
}

const keyId = (table: string, key: ItemKey) => `${table}\u0000${key.hk.toString("hex")}\u0000${key.rk.toString("hex")}`;

/**
 * Decide each write in order against what `read` finds stored (or what an earlier write of the same
 * call decided for that item). `atomic`: one Refusal makes the changes empty. A decide that throws
 * is a Refusal carrying what it threw.
 */
export function decideAll(writes: ItemWrite[], atomic: boolean, read: (table: string, key: ItemKey) => StoredItem | undefined): { outcomes: WriteOutcome[]; changes: Change[] } {
  const decided = new Map<string, StoredItem | undefined>();
  const outcomes: WriteOutcome[] = [];
  const changes: Change[] = [];
  let refused = false;
  for (const w of writes) {
    const id = keyId(w.table, w.key);
    const before = decided.has(id) ? decided.get(id) : read(w.table, w.key);
    let decision: Decision;
    try {
      decision = w.decide(before);
    } catch (err) {
      decision = { fail: err };
    }
    const outcome: WriteOutcome = { decision, before };
    outcomes.push(outcome);
    if ("fail" in decision) refused = true;
    else if ("put" in decision) {
      decided.set(id, { hk: w.key.hk, rk: w.key.rk, item: decision.put.item, size: decision.put.size });
      changes.push({ table: w.table, key: w.key, decision, outcome });
    } else if ("delete" in decision) {
      decided.set(id, undefined);
      changes.push({ table: w.table, key: w.key, decision, outcome });
    }
  }
  return { outcomes, changes: atomic && refused ? [] : changes };
}

/** The streams the changes append to, each with how many records, in name order (the order their counters are taken in). */
export function streamCounts(changes: Change[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of changes) if (c.decision.stream) counts.set(c.decision.stream.stream, (counts.get(c.decision.stream.stream) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Statement text with its parameters; `arg` adds one and says how the dialect refers to it. */
class Sql {
  readonly params: unknown[] = [];
  constructor(private readonly placeholder: (n: number) => string) {}
  arg(v: unknown): string {
    this.params.push(v);
    return this.placeholder(this.params.length);
  }
  tuple(vs: unknown[]): string {
    return `(${vs.map((v) => this.arg(v)).join(", ")})`;
  }
}

export type Placeholder = (n: number) => string;

/**
 * The statement reading items (`e` undefined) or index entries with their items (`e` the entry
 * columns returned). The entries' page is chosen first, by their index alone, then joined to its
 * items: the planner cannot choose to join a whole partition and sort it.
 */
function select(e: string | undefined, where: string[], order: string, limit: string): string {
  const items = "i.hk, i.rk, i.item, i.size";
  if (e === undefined) return `SELECT ${items} FROM ddb_items i WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${limit}`;
  const page = `SELECT e.* FROM ddb_index_entries e WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${limit}`;
  return `SELECT ${e}, ${items} FROM (${page}) e JOIN ddb_items i ON i.table_id = e.table_id AND i.hk = e.item_hk AND i.rk = e.item_rk ORDER BY ${order}`;
}

/** Query: one partition of the table (or of an index, joined to its items) in sort key order, or reversed. */
export function querySql(q: QueryRequest, placeholder: Placeholder): { text: string; params: unknown[] } {
  const s = new Sql(placeholder);
  const onIndex = q.index !== undefined;
  const rk = onIndex ? "e.rk" : "i.rk";
  const where = onIndex ? [`e.table_id = ${s.arg(q.table)}`, `e.idx = ${s.arg(q.index)}`, `e.hk = ${s.arg(q.hk)}`] : [`i.table_id = ${s.arg(q.table)}`, `i.hk = ${s.arg(q.hk)}`];
  if (q.low) where.push(`${rk} ${q.low.inclusive ? ">=" : ">"} ${s.arg(q.low.rk)}`);
  if (q.high) where.push(`${rk} ${q.high.inclusive ? "<=" : "<"} ${s.arg(q.high.rk)}`);
  const op = q.forward ? ">" : "<";
  if (q.after) {
    if (onIndex && q.after.item) where.push(`(e.rk, e.item_hk, e.item_rk) ${op} ${s.tuple([q.after.rk, q.after.item.hk, q.after.item.rk])}`);
    else where.push(`${rk} ${op} ${s.arg(q.after.rk)}`);
  }
  const dir = q.forward ? "" : " DESC";
  const order = onIndex ? `e.rk${dir}, e.item_hk${dir}, e.item_rk${dir}` : `i.rk${dir}`;
  // (The partition key in the index is the one queried: not read back.)
  return { text: select(onIndex ? "e.rk AS at_rk" : undefined, where, order, s.arg(q.limit)), params: s.params };
}

/** The hashes segment `segment` of `total` covers: [low, high). */
export function segmentRange(segment: number, total: number): [number, number] {
  return [Math.floor((segment * 2 ** 32) / total), Math.floor(((segment + 1) * 2 ** 32) / total)];
}

/** Scan: one segment of the table (or of an index, joined to its items) in (hash, hk, rk, item key) order. */
export function scanSql(q: ScanRequest, placeholder: Placeholder): { text: string; params: unknown[] } {
  const s = new Sql(placeholder);
  const [low, high] = segmentRange(q.segment, q.totalSegments);
  const onIndex = q.index !== undefined;
  const t = onIndex ? "e" : "i";
  const where = [`${t}.table_id = ${s.arg(q.table)}`];
  if (onIndex) where.push(`e.idx = ${s.arg(q.index)}`);
  const seg = q.after && segmentHash(q.after.hk);
  // After a position the row value alone bounds the segment from below: SQLite seeks on it only so.
  if (seg === undefined || seg < low) where.push(`${t}.seg >= ${s.arg(low)}`);
  where.push(`${t}.seg < ${s.arg(high)}`);
  if (q.after && seg !== undefined && seg >= low) {
    if (onIndex) {
      const item = q.after.item ?? { hk: Buffer.alloc(0), rk: Buffer.alloc(0) };
      where.push(`(e.seg, e.hk, e.rk, e.item_hk, e.item_rk) > ${s.tuple([seg, q.after.hk, q.after.rk, item.hk, item.rk])}`);
    } else where.push(`(i.seg, i.hk, i.rk) > ${s.tuple([seg, q.after.hk, q.after.rk])}`);
  }
  const order = onIndex ? "e.seg, e.hk, e.rk, e.item_hk, e.item_rk" : "i.seg, i.hk, i.rk";
  return { text: select(onIndex ? "e.hk AS at_hk, e.rk AS at_rk" : undefined, where, order, s.arg(q.limit)), params: s.params };
}
