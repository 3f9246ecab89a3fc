/**
 * BatchGetItem (up to 100 keys over any tables, answers up to 16 MB, the rest UnprocessedKeys) and
 * BatchWriteItem (up to 25 puts and deletes, each its own write; Flint processes them all, so
 * UnprocessedItems is always empty). Neither may name one item twice.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import type { ItemKey } from "../../store/dynamodb-store.js";
import { project } from "./expressions/index.js";
import { invalid } from "./item-errors.js";
import { checkItemKey, checkKey, keysOf } from "./item-keys.js";
import { requireTable, type ItemsDeps } from "./items.js";
import { PARAMS, capacityMode, consumed, Expressions, readUnits, writeUnits, type Members } from "./request.js";
import type { Item } from "./types.js";
import { checkItem, itemSize, MAX_ITEM_BYTES } from "./values.js";
import { announce, planWrite, refusalError, type PlannedWrite } from "./write-plan.js";

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;
/** A BatchGetItem answer holds at most this much; what does not fit comes back unprocessed. */
const MAX_GET_BYTES = 16 * 1024 * 1024;

const keyId = (table: string, key: ItemKey): string => `${table}\u0000${key.hk.toString("hex")}\u0000${key.rk.toString("hex")}`;

function requestItems(m: Members, op: "BatchGetItem" | "BatchWriteItem"): [string, unknown][] {
  const raw = m.RequestItems;
  if (raw === undefined || raw === null) throw invalid("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) {
    throw invalid(`1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  void op;
  return entries;
}

export async function batchGetItem(deps: ItemsDeps, m: Members): Promise<Members> {
  const mode = capacityMode(m);
  const asks: { name: string; request: Members; keys: Item[]; ids: ItemKey[]; consistent: boolean; x: Expressions }[] = [];
  let total = 0;
  for (const [name, value] of requestItems(m, "BatchGetItem")) {
    const request = value as Members;
    const rawKeys = request.Keys as unknown[] | undefined;
    if (!Array.isArray(rawKeys) || rawKeys.length === 0) {
      throw invalid(`1 validation error detected: Value null at 'requestItems.${name}.member.keys' failed to satisfy constraint: Member must not be null`);
    }
    total += rawKeys.length;
    if (total > MAX_GET_KEYS) throw invalid(`Too many items requested for the BatchGetItem call`);
    asks.push({ name, request, keys: rawKeys.map((k) => checkItem(k, "Keys")), ids: [], consistent: request.ConsistentRead === true, x: new Expressions(request, PARAMS.GetItem) });
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, Members> = {};
  const units = new Map<string, { table: ReturnType<typeof requireTable>; bytes: number; consistent: boolean }>();
  let bytes = 0;
  const plans = asks.map((ask) => {
    const table = requireTable(deps.tables, ask.name);
    const keys = keysOf(table);
    const paths = ask.x.projection();
    ask.x.done();
    const seen = new Set<string>();
    for (const k of ask.keys) {
      const id = checkKey(keys, k);
      const kid = keyId("", id);
      if (seen.has(kid)) throw invalid("Provided list of item keys contains duplicates");
      seen.add(kid);
      ask.ids.push(id);
    }
    return { ask, table, paths };
  });
  for (const { ask, table, paths } of plans) {
    const found = await deps.store.getItems(table.id, ask.ids);
    const out: Item[] = (responses[table.name] ??= []);
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
    if (left.length) unprocessed[table.name] = { ...ask.request, Keys: left };
    const u = units.get(table.name);
    if (u) u.bytes += read;
    else units.set(table.name, { table, bytes: read, consistent: ask.consistent });
  }
  const result: Members = { Responses: responses, UnprocessedKeys: unprocessed };
  if (mode) result.ConsumedCapacity = [...units.values()].map((u) => consumed(mode, u.table, readUnits(u.bytes, u.consistent), undefined, "read"));
  return result;
}

export async function batchWriteItem(deps: ItemsDeps, m: Members): Promise<Members> {
  const mode = capacityMode(m);
  const now = deps.clock.now();
  const plans: PlannedWrite[] = [];
  const seen = new Set<string>();
  let count = 0;
  for (const [name, value] of requestItems(m, "BatchWriteItem")) {
    const requests = value as Members[];
    if (!Array.isArray(requests) || requests.length === 0) {
      throw invalid(`1 validation error detected: Value '[]' at 'requestItems.${name}.member' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    count += requests.length;
    if (count > MAX_WRITES) throw invalid("Too many items requested for the BatchWriteItem call");
    const table = requireTable(deps.tables, name);
    const keys = keysOf(table);
    for (const request of requests) {
      const put = request.PutRequest as Members | undefined;
      const del = request.DeleteRequest as Members | undefined;
      if ((put === undefined) === (del === undefined)) {
        throw invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      }
      let plan: PlannedWrite;
      let id: ItemKey;
      if (put) {
        const item = checkItem(put.Item, "Item");
        id = checkItemKey(keys, item);
        if (itemSize(item) > MAX_ITEM_BYTES) throw invalid("Item size has exceeded the maximum allowed size");
        plan = planWrite(table, keys, id, { kind: "put", item }, now, false);
      } else {
        const key = checkItem(del!.Key, "Key");
        id = checkKey(keys, key);
        plan = planWrite(table, keys, id, { kind: "delete", key }, now, false);
      }
      const kid = keyId(table.id, id);
      if (seen.has(kid)) throw invalid("Provided list of item keys contains duplicates");
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
      const size = Math.max(p.before ? itemSize(p.before) : 0, p.after ? itemSize(p.after) : 0);
      const entry = byTable.get(p.table.name);
      if (entry) entry.units += writeUnits(size);
      else byTable.set(p.table.name, { plan: p, units: writeUnits(size) });
    }
    result.ConsumedCapacity = [...byTable.values()].map((e) => consumed(mode, e.plan.table, e.units));
  }
  return result;
}
