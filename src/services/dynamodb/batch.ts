/**
 * BatchGetItem (up to 100 keys over any tables, answers up to 16 MB, the rest UnprocessedKeys) and
 * BatchWriteItem (up to 25 puts and deletes, each its own write; Flint processes them all, so
 * UnprocessedItems is always empty). Neither may name one item twice.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import type { ItemKey } from "../../store/dynamodb-store.js";
import { project } from "./expressions/index.js";
import { validation } from "./dynamo-errors.js";
import { checkKey, keysOf } from "./item-keys.js";
import { requireTable, type ItemsDeps } from "./items.js";
import type { TableRecord } from "./model.js";
import { PARAMS, capacityMode, collectionMetrics, consumed, Expressions, readUnits, writeUnits, type Members } from "./request.js";
import type { Item } from "./types.js";
import { checkItem } from "./values.js";
import { announce, planPut, planWrite, refusalError, writtenSize, type PlannedWrite } from "./write-plan.js";

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;
/** A BatchGetItem answer holds at most this much; what does not fit comes back unprocessed. */
const MAX_GET_BYTES = 16 * 1024 * 1024;

const keyId = (table: string, key: ItemKey): string => `${table}\u0000${key.hk.toString("hex")}\u0000${key.rk.toString("hex")}`;

function requestItems(m: Members): [string, unknown][] {
  const raw = m.RequestItems;
  if (raw === undefined || raw === null) throw validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) {
    throw validation(`1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  return entries;
}

export async function batchGetItem(deps: ItemsDeps, m: Members): Promise<Members> {
  const mode = capacityMode(m);
  const asks: { name: string; request: Members; keys: Item[]; ids: ItemKey[]; consistent: boolean; x: Expressions }[] = [];
  let total = 0;
  for (const [name, value] of requestItems(m)) {
    const request = value as Members;
    const rawKeys = request.Keys as unknown[] | undefined;
    if (!Array.isArray(rawKeys)) throw validation(`1 validation error detected: Value null at 'requestItems.${name}.member.keys' failed to satisfy constraint: Member must not be null`);
    if (rawKeys.length === 0) {
      throw validation(`1 validation error detected: Value '[]' at 'requestItems.${name}.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    total += rawKeys.length;
    if (total > MAX_GET_KEYS) throw validation(`Too many items requested for the BatchGetItem call`);
    asks.push({ name, request, keys: rawKeys.map((k) => checkItem(k, "Keys")), ids: [], consistent: request.ConsistentRead === true, x: new Expressions(request, PARAMS.GetItem) });
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, Members> = {};
  const units = new Map<string, { table: TableRecord; bytes: number; consistent: boolean }>();
  let bytes = 0;
  const plans: { ask: (typeof asks)[number]; table: TableRecord; paths: ReturnType<Expressions["projection"]> }[] = [];
  for (const ask of asks) {
    const table = await requireTable(deps.tables, ask.name);
    const keys = keysOf(table);
    const paths = ask.x.projection();
    ask.x.done();
    const seen = new Set<string>();
    for (const k of ask.keys) {
      const id = checkKey(keys, k);
      const kid = keyId("", id);
      if (seen.has(kid)) throw validation("Provided list of item keys contains duplicates");
      seen.add(kid);
      ask.ids.push(id);
    }
    plans.push({ ask, table, paths });
  }
  for (const { ask, table, paths } of plans) {
    const found = await deps.store.getItems(table.id, ask.ids);
    // Answers are keyed as the request named the table (its name or its ARN).
    const out: Item[] = (responses[ask.name] ??= []);
    const byKey = new Map(found.map((f) => [keyId("", f), f]));
    const left: Item[] = [];
    let read = 0;
    ask.ids.forEach((id, i) => {
      if (bytes >= MAX_GET_BYTES) {
        left.push(ask.keys[i]!);
        return;
      }
      const stored = byKey.get(keyId("", id));
      if (!stored) return;
      bytes += stored.size;
      read += stored.size;
      const item = JSON.parse(stored.item) as Item;
      out.push(paths ? project(item, paths) : item);
    });
    if (left.length) unprocessed[ask.name] = { ...ask.request, Keys: left };
    const u = units.get(table.name);
    if (u) u.bytes += read;
    else units.set(table.name, { table, bytes: read, consistent: ask.consistent });
  }
  const result: Members = { Responses: responses, UnprocessedKeys: unprocessed };
  if (mode) result.ConsumedCapacity = [...units.values()].map((u) => consumed(mode, u.table, readUnits(u.bytes, u.consistent)));
  return result;
}

export async function batchWriteItem(deps: ItemsDeps, m: Members): Promise<Members> {
  const mode = capacityMode(m);
  collectionMetrics(m);
  const now = deps.clock.now();
  const plans: PlannedWrite[] = [];
  const seen = new Set<string>();
  let count = 0;
  for (const [name, value] of requestItems(m)) {
    const requests = value as Members[];
    if (!Array.isArray(requests) || requests.length === 0) {
      throw validation(`1 validation error detected: Value '[]' at 'requestItems.${name}.member' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    count += requests.length;
    if (count > MAX_WRITES) throw validation("Too many items requested for the BatchWriteItem call");
    const table = await requireTable(deps.tables, name);
    const keys = keysOf(table);
    for (const request of requests) {
      const put = request.PutRequest as Members | undefined;
      const del = request.DeleteRequest as Members | undefined;
      if ((put === undefined) === (del === undefined)) {
        throw validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      }
      let plan: PlannedWrite;
      if (put) {
        const item = checkItem(put.Item, "Item");
        plan = planPut(table, keys, item, undefined, now, false);
      } else {
        const key = checkItem(del!.Key, "Key");
        plan = planWrite(table, keys, checkKey(keys, key), { kind: "delete", key }, now, false);
      }
      const kid = keyId(table.id, plan.write.key);
      if (seen.has(kid)) throw validation("Provided list of item keys contains duplicates");
      seen.add(kid);
      plans.push(plan);
    }
  }
  const outcomes = await deps.store.write(plans.map((p) => p.write), false);
  announce(outcomes, deps.appended);
  for (const o of outcomes) if ("fail" in o.decision) throw refusalError(o.decision.fail);
  const result: Members = { UnprocessedItems: {} };
  if (mode) {
    const byTable = new Map<string, { plan: PlannedWrite; units: number }>();
    for (const p of plans) {
      const entry = byTable.get(p.table.name);
      if (entry) entry.units += writeUnits(writtenSize(p));
      else byTable.set(p.table.name, { plan: p, units: writeUnits(writtenSize(p)) });
    }
    result.ConsumedCapacity = [...byTable.values()].map((e) => consumed(mode, e.plan.table, e.units));
  }
  return result;
}
