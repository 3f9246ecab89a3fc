/**
 * DynamoDB tables in the persistence boundary: each table one record (JSON), its items keyed by the
 * table's id and their key bytes, each index entry a row beside them, and each table stream an
 * append-only log numbered by a per-stream integer sequence.
 *
 * Keys arrive as bytes that sort as DynamoDB sorts the key values (values.ts `keyBytes`): the store
 * compares them with memcmp and knows nothing else of DynamoDB's types. A table without a sort key
 * stores its items under an empty `rk`.
 *
 * A write is a read-decide-write on each item it names, atomically: `write` reads the items, hands
 * each to its `decide` (the service's condition and update, pure and synchronous), stores what the
 * decisions say together with their stream records, and resolves once that is durable. Writes to one
 * item are serialised across every node; a stream record commits with its item change or not at all.
 */
import type { TableRecord } from "../services/dynamodb/model.js";

export interface ItemKey {
  /** Partition key bytes. */
  hk: Buffer;
  /** Sort key bytes; empty when the table has no sort key. */
  rk: Buffer;
}

export interface StoredItem extends ItemKey {
  /** The item, JSON of its attribute map (types.ts `Item`). */
  item: string;
  /** Its size by DynamoDB's rules (values.ts `itemSize`): what the 1 MB page rule counts. */
  size: number;
}

/** An item's entry in one index: its key there (a sparse index has no entry for an item lacking it). */
export interface IndexEntry {
  index: string;
  hk: Buffer;
  rk: Buffer;
}

/** A stream record to append with a change; the store numbers it. */
export interface NewStreamRecord {
  /** The table stream's ARN. */
  stream: string;
  /** Epoch ms. */
  at: number;
  /** What parallelisation splits lanes by: the item's partition key, as text. */
  partitionKey: string;
  /** The record, JSON, without its SequenceNumber (streams.ts adds it on reading). */
  record: string;
}

export interface PutDecision {
  put: {
    item: string;
    size: number;
    indexes: IndexEntry[];
    /** Epoch seconds when the table's TTL attribute says the item expires. */
    expiresAt?: number;
  };
  stream?: NewStreamRecord;
}

export interface DeleteDecision {
  delete: true;
  stream?: NewStreamRecord;
}

/** A decision that writes nothing: a condition check that held, a delete of an absent item. */
export interface NoChange {
  none: true;
}

/** The condition did not hold: nothing of the write (or, atomic, of any write) is stored. */
export interface Refusal {
  fail: unknown;
}

export type Decision = PutDecision | DeleteDecision | NoChange | Refusal;

export interface ItemWrite {
  /** The table's id (TableRecord.id). */
  table: string;
  key: ItemKey;
  /**
   * Called synchronously with the item stored now (or as an earlier write of the same call left it);
   * must not throw (a throw is a Refusal carrying what was thrown). Pure: a store that retries its
   * transaction (PostgreSQL, on a deadlock) calls it again, and the last call's decision counts.
   */
  decide(current: StoredItem | undefined): Decision;
}

export interface WriteOutcome {
  decision: Decision;
  /** The item before the write. */
  before: StoredItem | undefined;
  /** The sequence its stream record got, if one was appended: per stream from 1, without gaps, in commit order. */
  sequence?: number;
}

/** A position in a read, after which a page goes on (LastEvaluatedKey, as bytes). */
export interface ReadPosition {
  /** The sort key in the table or index. */
  rk: Buffer;
  /** On an index: the item's own key, which orders entries with equal index keys (give it: without it the page goes on after every entry of sort key `rk`). */
  item?: ItemKey;
}

export interface KeyRange {
  /** Lower bound on the sort key bytes. */
  low?: { rk: Buffer; inclusive: boolean };
  /** Upper bound on the sort key bytes. */
  high?: { rk: Buffer; inclusive: boolean };
}

export interface QueryRequest extends KeyRange {
  table: string;
  /** An index's name; the table itself when absent. */
  index?: string;
  hk: Buffer;
  forward: boolean;
  after?: ReadPosition;
  limit: number;
}

/** On an index, what Query and Scan return: the item and its key in that index. */
export interface IndexedItem extends StoredItem {
  /** Its key in the index read (the item's own key when the table itself was read). */
  at: { hk: Buffer; rk: Buffer };
}

export interface ScanPosition {
  /** The entry's partition key bytes and sort key bytes in the table or index read. */
  hk: Buffer;
  rk: Buffer;
  item?: ItemKey;
}

export interface ScanRequest {
  table: string;
  index?: string;
  /** Parallel scan: entries whose partition key hashes (`segmentHash`) into this segment. */
  segment: number;
  totalSegments: number;
  after?: ScanPosition;
  limit: number;
}

export interface StoredStreamRecord {
  sequence: number;
  at: number;
  partitionKey: string;
  record: string;
}

export interface DynamoStore {
  listTables(): Promise<TableRecord[]>;
  /** Resolves false when a table of that name exists. Items are keyed by the record's `id`, not its name. */
  insertTable(table: TableRecord): Promise<boolean>;
  /** Replace the record of the table of that name; does nothing when there is none. */
  putTable(table: TableRecord): Promise<void>;
  /** The table record, its items and index entries (not its stream records: they outlive it for their retention). */
  deleteTable(name: string, id: string): Promise<void>;
  /** Drop every entry of one index (UpdateTable deleting a GSI). */
  dropIndex(table: string, index: string): Promise<void>;
  /** Replace an item's entries in one index (UpdateTable backfilling a new GSI). */
  putIndexEntries(table: string, index: string, entries: { item: ItemKey; entry: IndexEntry | undefined }[]): Promise<void>;

  getItem(table: string, key: ItemKey): Promise<StoredItem | undefined>;
  /** Many items of one table at once (BatchGetItem, TransactGetItems): found ones, in no set order. */
  getItems(table: string, keys: ItemKey[]): Promise<StoredItem[]>;
  /**
   * Read-decide-write each of `writes` (see the top), in order; every decision is made before
   * anything is written. `atomic`: if any decision is a Refusal, nothing is written (no item, index
   * entry or stream record) and no outcome has a sequence. Not atomic: a Refusal leaves out its own
   * write only. A Put or Delete decision's stream record is appended as given, the item there or not.
   */
  write(writes: ItemWrite[], atomic: boolean): Promise<WriteOutcome[]>;
  /** One partition's items (or index entries) in sort key byte order, or reversed. */
  query(q: QueryRequest): Promise<IndexedItem[]>;
  /** Items (or index entries) of one segment, in (segmentHash(hk), hk, rk, item key) order. */
  scan(q: ScanRequest): Promise<IndexedItem[]>;
  /** How many items a table holds and their total size (DescribeTable). */
  tableStats(table: string): Promise<{ count: number; bytes: number }>;
  /** Set items' `expiresAt` (UpdateTimeToLive enabling or disabling TTL on a table that holds items). */
  setExpiresAt(table: string, items: { key: ItemKey; expiresAt: number | undefined }[]): Promise<void>;
  /** Keys of items whose `expiresAt` is at or before `nowSeconds`, oldest first (TTL). */
  expired(table: string, nowSeconds: number, limit: number): Promise<ItemKey[]>;

  /** A stream's records with a sequence greater than `after` and `at` ≥ `since`, in order, at most `limit`. */
  readStream(stream: string, after: number, since: number, limit: number): Promise<StoredStreamRecord[]>;
  /** The highest sequence of a stream and its time; undefined when it has none. */
  latestInStream(stream: string): Promise<{ sequence: number; at: number } | undefined>;
  /** Delete stream records older than `before` (epoch ms), keeping each stream's newest; resolves how many. */
  trimStreams(before: number): Promise<number>;
}

/**
 * Which parallel-scan segment space a partition key falls in: a 32-bit unsigned hash of its bytes
 * (FNV-1a), stored beside each item (and index entry) so that a segment is a range of it: segment
 * `s` of `t` holds hashes from floor(s * 2^32 / t) up to, not including, floor((s + 1) * 2^32 / t).
 */
export function segmentHash(hk: Buffer): number {
  let h = 0x811c9dc5;
  for (const byte of hk) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h >>> 0;
}
