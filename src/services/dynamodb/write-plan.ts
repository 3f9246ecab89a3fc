/**
 * One item write as the store runs it: the operation (put, update, delete, condition check, TTL
 * expiry) turned into the pure, synchronous `decide` the store calls with the item stored now. The
 * decision carries what the store writes (the item's JSON, size, index entries, TTL time) and the
 * stream record that commits with it. PutItem, UpdateItem, DeleteItem, BatchWriteItem and
 * TransactWriteItems all plan their writes here, so a condition or update means one thing everywhere.
 */
import type { AwsError } from "../../errors.js";
import type { Decision, DynamoStore, ItemKey, ItemWrite, WriteOutcome } from "../../store/dynamodb-store.js";
import { applyUpdate, evaluate, type Condition, type Path, type Update } from "./expressions/index.js";
import { dynamoError, validation } from "./dynamo-errors.js";
import { checkIndexTypes, checkItemKey, expiresAtOf, indexEntries, projectIndex, type TableKeys } from "./item-keys.js";
import { writeUnits } from "./request.js";
import type { TableRecord } from "./model.js";
import { streamRecord } from "./stream-records.js";
import type { Item } from "./types.js";
import { ITEM_TOO_LARGE, itemSize, MAX_ITEM_BYTES, valuesEqual } from "./values.js";

export const CONDITION_FAILED = "The conditional request failed";

export type WriteOp =
  | { kind: "put"; item: Item; size: number; condition?: Condition }
  | { kind: "update"; key: Item; update?: Update; condition?: Condition }
  | { kind: "delete"; key: Item; condition?: Condition }
  | { kind: "check"; key: Item; condition: Condition }
  /** TTL: delete the item if its TTL attribute still says it expired by `nowSeconds`. */
  | { kind: "expire"; nowSeconds: number };

/** Why a decision refused (a Refusal's `fail`). */
export type Failure = { reason: "ConditionalCheckFailed"; item?: Item } | { reason: "ValidationError"; error: AwsError };

export interface PlannedWrite {
  table: TableRecord;
  op: WriteOp;
  write: ItemWrite;
  /** What `decide` saw and made: the item before, after, and the paths an update changed. */
  before?: Item;
  after?: Item;
  changed?: Path[];
}

const sameItem = (a: Item, b: Item): boolean => valuesEqual({ M: a }, { M: b });

/** A whole item to put: its key checked against the table, its size against the 400 KB limit. */
export function planPut(table: TableRecord, keys: TableKeys, item: Item, condition: Condition | undefined, now: number, oldOnFailure: boolean): PlannedWrite {
  const key = checkItemKey(keys, item);
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw validation(ITEM_TOO_LARGE);
  return planWrite(table, keys, key, { kind: "put", item, size, condition }, now, oldOnFailure);
}

/** The bytes a write costs capacity for: the larger of the item before and after. */
export const writtenSize = (plan: PlannedWrite): number => Math.max(plan.before ? itemSize(plan.before) : 0, plan.after ? itemSize(plan.after) : 0);

export function planWrite(table: TableRecord, keys: TableKeys, key: ItemKey, op: WriteOp, now: number, oldOnFailure: boolean): PlannedWrite {
  const plan: PlannedWrite = { table, op, write: undefined as unknown as ItemWrite };
  const putJson = op.kind === "put" ? JSON.stringify(op.item) : undefined;

  const put = (after: Item, before: Item | undefined, json: string, size: number): Decision => ({
    put: { item: json, size, indexes: keys.indexes.size ? indexEntries(keys, after) : [], expiresAt: expiresAtOf(table, after) },
    stream: streamRecord(table, { before, after }, now),
  });

  const decide = (current: { item: string } | undefined): Decision => {
    const before = current ? (JSON.parse(current.item) as Item) : undefined;
    plan.before = before;
    plan.after = before;
    try {
      if (op.kind !== "expire" && op.condition && !evaluate(op.condition, before)) {
        const fail: Failure = { reason: "ConditionalCheckFailed", item: oldOnFailure ? before : undefined };
        return { fail };
      }
      switch (op.kind) {
        case "check":
          return { none: true };
        case "expire": {
          if (!before) return { none: true };
          const at = expiresAtOf(table, before);
          if (at === undefined || at > op.nowSeconds) return { none: true };
          plan.after = undefined;
          return { delete: true, stream: streamRecord(table, { before, after: undefined, byService: true }, now) };
        }
        case "delete":
          if (!before) return { none: true };
          plan.after = undefined;
          return { delete: true, stream: streamRecord(table, { before, after: undefined }, now) };
        case "put":
          plan.after = op.item;
          if (before && sameItem(before, op.item)) return { none: true };
          return put(op.item, before, putJson!, op.size);
        case "update": {
          let after: Item = before ? (JSON.parse(current!.item) as Item) : { ...op.key };
          if (op.update) {
            const applied = applyUpdate(op.update, after);
            after = applied.item;
            plan.changed = applied.changed;
          }
          plan.after = after;
          const size = itemSize(after);
          if (size > MAX_ITEM_BYTES) throw validation("Item size to update has exceeded the maximum allowed size");
          checkIndexTypes(keys, after);
          if (before && sameItem(before, after)) return { none: true };
          return put(after, before, JSON.stringify(after), size);
        }
      }
    } catch (error) {
      const fail: Failure = { reason: "ValidationError", error: error as AwsError };
      return { fail };
    }
  };
  plan.write = { table: table.id, key, decide };
  return plan;
}

/** Tell the stream readers about each record the outcomes appended. */
export function announce(outcomes: WriteOutcome[], appended: ((streamArn: string, sequence: number) => void) | undefined): void {
  if (!appended) return;
  for (const o of outcomes) {
    const d = o.decision;
    if (o.sequence !== undefined && ("put" in d || "delete" in d) && d.stream) appended(d.stream.stream, o.sequence);
  }
}

/** The error a single write's refusal is: ConditionalCheckFailedException (with the old item if asked), or the update's own error. */
export function refusalError(fail: unknown): Error {
  const f = fail as Failure;
  if (f?.reason === "ConditionalCheckFailed") return dynamoError("ConditionalCheckFailedException", CONDITION_FAILED, f.item ? { Item: f.item } : undefined);
  if (f?.reason === "ValidationError") return f.error;
  return fail instanceof Error ? fail : new Error(String(fail));
}

/** Run one planned write; a refusal throws. */
export async function runOne(store: DynamoStore, plan: PlannedWrite, appended?: (streamArn: string, sequence: number) => void): Promise<WriteOutcome> {
  const [outcome] = await store.write([plan.write], false);
  const d = outcome!.decision;
  if ("fail" in d) throw refusalError(d.fail);
  announce([outcome!], appended);
  return outcome!;
}

/** Write units by index: each index whose entry for the item the write adds, changes or removes. */
export function touchedIndexes(keys: TableKeys, before: Item | undefined, after: Item | undefined): Map<string, number> {
  const units = new Map<string, number>();
  const has = (item: Item | undefined) => new Set(item ? indexEntries(keys, item).map((e) => e.index) : []);
  const was = has(before);
  const is = has(after);
  for (const [name, ix] of keys.indexes) {
    if (!was.has(name) && !is.has(name)) continue;
    // An index is written only when the item's entry there changes: its key or a projected attribute.
    const entry = (item: Item | undefined, in_: boolean): Item => (in_ && item ? projectIndex(ix, item) : {});
    if (was.has(name) && is.has(name) && sameItem(entry(before, true), entry(after, true))) continue;
    units.set(name, writeUnits(Math.max(itemSize(entry(before, was.has(name))), itemSize(entry(after, is.has(name))))));
  }
  return units;
}
