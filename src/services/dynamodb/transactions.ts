/**
 * TransactWriteItems and TransactGetItems. A write transaction's items are decided and written
 * together by the store (`write(…, true)`): if any condition fails, nothing is written and the
 * caller gets TransactionCanceledException with one reason per item. A ClientRequestToken makes
 * the call idempotent for 10 minutes: the same request again gets the first answer without a second
 * write; a different request with the token is refused.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
 */
import type { Clock } from "../../clock/clock.js";
import type { ItemKey } from "../../store/dynamodb-store.js";
import { project } from "./expressions/index.js";
import { dynamoError, validation } from "./dynamo-errors.js";
import { CONDITION_FAILED } from "./write-plan.js";
import { checkKey, keysOf } from "./item-keys.js";
import { checkUpdatePaths, requireTable, type ItemsDeps } from "./items.js";
import type { TableRecord } from "./model.js";
import { PARAMS, capacityMode, collectionMetrics, consumed, Expressions, oldOnFailure, readUnits, requireItem, writeUnits, type Members } from "./request.js";
import type { Item } from "./types.js";
import { announce, planPut, planWrite, writtenSize, type Failure, type PlannedWrite } from "./write-plan.js";

const MAX_ITEMS = 100;
/** How long a ClientRequestToken names its first request. */
const IDEMPOTENCY_MS = 10 * 60 * 1000;

const keyId = (table: string, key: ItemKey): string => `${table}\u0000${key.hk.toString("hex")}\u0000${key.rk.toString("hex")}`;

/** Answers of TransactWriteItems by ClientRequestToken, for their 10 minutes (this node's memory). */
export class IdempotencyCache {
  private readonly entries = new Map<string, { request: string; at: number; answer: Promise<Members> }>();

  constructor(private readonly clock: Clock) {}

  async run(token: string, request: string, fn: () => Promise<Members>): Promise<Members> {
    const now = this.clock.now();
    this.expire(now);
    const seen = this.entries.get(token);
    if (seen) {
      if (seen.request !== request) {
        throw dynamoError("IdempotentParameterMismatchException", "Specified idempotency token was used with different request parameters within the 10 minutes window.");
      }
      return seen.answer;
    }
    const answer = fn();
    this.entries.set(token, { request, at: now, answer });
    // A refused or failed transaction wrote nothing: the token may be used again.
    answer.catch(() => this.entries.delete(token));
    return answer;
  }

  private expire(now: number): void {
    for (const [token, e] of this.entries) {
      if (e.at + IDEMPOTENCY_MS > now) break;
      this.entries.delete(token);
    }
  }
}

function transactItems(m: Members): Members[] {
  const items = m.TransactItems;
  if (items === undefined || items === null) throw validation("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) {
    const n = Array.isArray(items) ? items.length : 0;
    throw validation(
      `1 validation error detected: Value '${JSON.stringify(items)}' at 'transactItems' failed to satisfy constraint: Member must have length ${n < 1 ? "greater than or equal to 1" : "less than or equal to 100"}`,
    );
  }
  return items as Members[];
}

const WRITE_KINDS = ["ConditionCheck", "Put", "Delete", "Update"] as const;

async function decodeWrite(deps: ItemsDeps, entry: Members, now: number): Promise<PlannedWrite> {
  const kinds = WRITE_KINDS.filter((k) => entry[k] !== undefined);
  if (kinds.length !== 1) throw validation("TransactItems can only contain one of Check, Put, Update or Delete");
  const kind = kinds[0]!;
  const m = entry[kind] as Members;
  const table = await requireTable(deps.tables, m.TableName);
  const keys = keysOf(table);
  const onFail = oldOnFailure(m);
  const x = new Expressions(m, kind === "Update" ? PARAMS.TransactUpdate : PARAMS.TransactCondition);
  switch (kind) {
    case "Put": {
      const item = requireItem(m, "Item");
      const condition = x.condition("ConditionExpression", "Expected");
      x.done();
      return planPut(table, keys, item, condition, now, onFail);
    }
    case "Update": {
      const keyItem = requireItem(m, "Key");
      const update = x.update();
      if (!update) throw validation("1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null");
      const condition = x.condition("ConditionExpression", "Expected");
      x.done();
      const key = checkKey(keys, keyItem);
      checkUpdatePaths(keys, update);
      return planWrite(table, keys, key, { kind: "update", key: keyItem, update, condition }, now, onFail);
    }
    case "Delete": {
      const keyItem = requireItem(m, "Key");
      const condition = x.condition("ConditionExpression", "Expected");
      x.done();
      return planWrite(table, keys, checkKey(keys, keyItem), { kind: "delete", key: keyItem, condition }, now, onFail);
    }
    case "ConditionCheck": {
      const keyItem = requireItem(m, "Key");
      const condition = x.condition("ConditionExpression", "Expected");
      if (!condition) throw validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
      x.done();
      return planWrite(table, keys, checkKey(keys, keyItem), { kind: "check", key: keyItem, condition }, now, onFail);
    }
  }
}

export async function transactWriteItems(deps: ItemsDeps, idempotency: IdempotencyCache, m: Members): Promise<Members> {
  const entries = transactItems(m);
  const token = m.ClientRequestToken;
  if (token !== undefined) {
    if (typeof token !== "string" || token.length < 1 || token.length > 36) {
      throw validation(`1 validation error detected: Value '${String(token)}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36`);
    }
    const { ReturnConsumedCapacity: _c, ReturnItemCollectionMetrics: _r, ...request } = m;
    return idempotency.run(token, JSON.stringify(request), () => runTransaction(deps, entries, m));
  }
  return runTransaction(deps, entries, m);
}

async function runTransaction(deps: ItemsDeps, entries: Members[], m: Members): Promise<Members> {
  const mode = capacityMode(m);
  collectionMetrics(m);
  const now = deps.clock.now();
  const plans: PlannedWrite[] = [];
  for (const e of entries) plans.push(await decodeWrite(deps, e, now));
  const seen = new Set<string>();
  for (const p of plans) {
    const id = keyId(p.write.table, p.write.key);
    if (seen.has(id)) throw validation("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
  const outcomes = await deps.store.write(plans.map((p) => p.write), true);
  if (outcomes.some((o) => "fail" in o.decision)) {
    const reasons = outcomes.map((o) => {
      if (!("fail" in o.decision)) return { Code: "None" };
      const f = o.decision.fail as Failure;
      if (f?.reason === "ConditionalCheckFailed") return f.item ? { Code: "ConditionalCheckFailed", Message: CONDITION_FAILED, Item: f.item } : { Code: "ConditionalCheckFailed", Message: CONDITION_FAILED };
      return { Code: "ValidationError", Message: f?.reason === "ValidationError" ? f.error.message : String(f) };
    });
    throw dynamoError("TransactionCanceledException", `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`, {
      CancellationReasons: reasons,
    });
  }
  announce(outcomes, deps.appended);
  const out: Members = {};
  if (mode) {
    // A transactional write costs two write units per KB.
    const byTable = new Map<string, { table: TableRecord; units: number }>();
    for (const p of plans) {
      const e = byTable.get(p.table.name) ?? { table: p.table, units: 0 };
      e.units += 2 * writeUnits(writtenSize(p));
      byTable.set(p.table.name, e);
    }
    out.ConsumedCapacity = [...byTable.values()].map((e) => consumed(mode, e.table, e.units));
  }
  return out;
}

export async function transactGetItems(deps: ItemsDeps, m: Members): Promise<Members> {
  const entries = transactItems(m);
  const mode = capacityMode(m);
  const gets: { table: TableRecord; key: ItemKey; paths: ReturnType<Expressions["projection"]> }[] = [];
  for (const entry of entries) {
    if (entry.Get === undefined) throw validation("1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null");
    const g = entry.Get as Members;
    const table = await requireTable(deps.tables, g.TableName);
    const keys = keysOf(table);
    const keyItem = requireItem(g, "Key");
    const x = new Expressions(g, PARAMS.GetItem);
    const paths = x.projection();
    x.done();
    gets.push({ table, key: checkKey(keys, keyItem), paths });
  }
  const seen = new Set<string>();
  for (const g of gets) {
    const id = keyId(g.table.id, g.key);
    if (seen.has(id)) throw validation("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
  const byTable = new Map<string, ItemKey[]>();
  for (const g of gets) {
    const list = byTable.get(g.table.id) ?? [];
    list.push(g.key);
    byTable.set(g.table.id, list);
  }
  const found = new Map<string, { item: string; size: number }>();
  await Promise.all(
    [...byTable].map(async ([table, keys]) => {
      for (const s of await deps.store.getItems(table, keys)) found.set(keyId(table, s), s);
    }),
  );
  const units = new Map<string, { table: TableRecord; bytes: number }>();
  const responses = gets.map((g) => {
    const stored = found.get(keyId(g.table.id, g.key));
    const u = units.get(g.table.name) ?? { table: g.table, bytes: 0 };
    u.bytes += stored?.size ?? 0;
    units.set(g.table.name, u);
    if (!stored) return {};
    const item = JSON.parse(stored.item) as Item;
    return { Item: g.paths ? project(item, g.paths) : item };
  });
  const out: Members = { Responses: responses };
  // A transactional read costs two read units per 4 KB.
  if (mode) out.ConsumedCapacity = [...units.values()].map((u) => consumed(mode, u.table, 2 * readUnits(u.bytes, true)));
  return out;
}
