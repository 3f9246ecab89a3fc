/**
 * DynamoDB's data plane: PutItem, GetItem, UpdateItem and DeleteItem here; Query and Scan
 * (query.ts), the batch operations (batch.ts) and transactions (transactions.ts) behind the same
 * service. Members in as the wire sends them, members out as AWS answers.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import type { Clock } from "../../clock/clock.js";
import type { DynamoStore } from "../../store/dynamodb-store.js";
import { pathsOfUpdate, project, type Update } from "./expressions/index.js";
import { batchGetItem, batchWriteItem } from "./batch.js";
import { validation } from "./dynamo-errors.js";
import { checkKey, keysOf, type TableKeys } from "./item-keys.js";
import type { TableRecord } from "./model.js";
import { query, scan } from "./query.js";
import { PARAMS, capacityMode, collectionMetrics, consumed, Expressions, oldOnFailure, readUnits, requireItem, returnValues, writeUnits, type Members } from "./request.js";
import { IdempotencyCache, transactGetItems, transactWriteItems } from "./transactions.js";
import type { Item } from "./types.js";
import { planPut, planWrite, runOne, touchedIndexes, writtenSize, type PlannedWrite } from "./write-plan.js";

/** What the items service needs of the tables service (TablesService provides it). */
export interface TableLookup {
  /**
   * The table by name or ARN; throws ResourceNotFoundException (absent, or still being created).
   * Reads the store again before refusing, and when `stale` says the record may be old: another
   * node may have made the table, or made it ACTIVE, a moment ago.
   */
  resolve(nameOrArn: string, stale?: (t: TableRecord) => boolean): Promise<TableRecord>;
  all(): TableRecord[];
}

export interface ItemsDeps {
  tables: TableLookup;
  store: DynamoStore;
  clock: Clock;
  region: string;
  /** Told of each stream record a write appended (DynamoStreamsService.appended). */
  appended?: (streamArn: string, sequence: number) => void;
}

export async function requireTable(tables: TableLookup, name: unknown, stale?: (t: TableRecord) => boolean): Promise<TableRecord> {
  if (name === undefined || name === null) throw validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
  return tables.resolve(String(name), stale);
}

/** UpdateItem may not touch the key, nor reach into a key attribute as a document. */
export function checkUpdatePaths(keys: TableKeys, update: Update): void {
  for (const path of pathsOfUpdate(update)) {
    const head = path[0] as string;
    if (keys.names.includes(head)) {
      throw validation(`One or more parameter values were invalid: Cannot update attribute ${head}. This attribute is part of the key`);
    }
    if (path.length > 1) {
      for (const ix of keys.indexes.values()) {
        if (ix.hash.name === head || ix.range?.name === head) {
          throw validation(`Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: ${head}`);
        }
      }
    }
  }
}

/** ReturnValues of a write: the whole old or new item, or the updated attributes before or after. */
export function returnedAttributes(mode: string, plan: PlannedWrite): Item | undefined {
  let out: Item | undefined;
  switch (mode) {
    case "ALL_OLD":
      out = plan.before;
      break;
    case "ALL_NEW":
      out = plan.after;
      break;
    case "UPDATED_OLD":
      out = plan.before && plan.changed ? project(plan.before, plan.changed) : undefined;
      break;
    case "UPDATED_NEW":
      out = plan.after && plan.changed ? project(plan.after, plan.changed) : undefined;
      break;
  }
  return out && Object.keys(out).length ? out : undefined;
}

export class ItemsService {
  private readonly idempotency: IdempotencyCache;

  constructor(private readonly deps: ItemsDeps) {
    this.idempotency = new IdempotencyCache(deps.clock);
  }

  async putItem(m: Members): Promise<Members> {
    const table = await requireTable(this.deps.tables, m.TableName);
    const keys = keysOf(table);
    const item = requireItem(m, "Item");
    const rv = returnValues(m, "ALL_OLD or NONE");
    const mode = capacityMode(m);
    collectionMetrics(m);
    const onFail = oldOnFailure(m);
    const x = new Expressions(m, PARAMS.PutItem);
    const condition = x.condition("ConditionExpression", "Expected");
    x.done();
    const plan = planPut(table, keys, item, condition, this.deps.clock.now(), onFail);
    await runOne(this.deps.store, plan, this.deps.appended);
    return this.writeAnswer(table, keys, plan, rv, mode);
  }

  async updateItem(m: Members): Promise<Members> {
    const table = await requireTable(this.deps.tables, m.TableName);
    const keys = keysOf(table);
    const keyItem = requireItem(m, "Key");
    const rv = returnValues(m, "all");
    const mode = capacityMode(m);
    collectionMetrics(m);
    const onFail = oldOnFailure(m);
    const x = new Expressions(m, PARAMS.UpdateItem);
    const update = x.update();
    const condition = x.condition("ConditionExpression", "Expected");
    x.done();
    const key = checkKey(keys, keyItem);
    if (update) checkUpdatePaths(keys, update);
    const plan = planWrite(table, keys, key, { kind: "update", key: keyItem, update, condition }, this.deps.clock.now(), onFail);
    await runOne(this.deps.store, plan, this.deps.appended);
    return this.writeAnswer(table, keys, plan, rv, mode);
  }

  async deleteItem(m: Members): Promise<Members> {
    const table = await requireTable(this.deps.tables, m.TableName);
    const keys = keysOf(table);
    const keyItem = requireItem(m, "Key");
    const rv = returnValues(m, "ALL_OLD or NONE");
    const mode = capacityMode(m);
    collectionMetrics(m);
    const onFail = oldOnFailure(m);
    const x = new Expressions(m, PARAMS.DeleteItem);
    const condition = x.condition("ConditionExpression", "Expected");
    x.done();
    const key = checkKey(keys, keyItem);
    const plan = planWrite(table, keys, key, { kind: "delete", key: keyItem, condition }, this.deps.clock.now(), onFail);
    await runOne(this.deps.store, plan, this.deps.appended);
    return this.writeAnswer(table, keys, plan, rv, mode);
  }

  async getItem(m: Members): Promise<Members> {
    const table = await requireTable(this.deps.tables, m.TableName);
    const keys = keysOf(table);
    const keyItem = requireItem(m, "Key");
    const mode = capacityMode(m);
    const consistent = m.ConsistentRead === true;
    const x = new Expressions(m, PARAMS.GetItem);
    const paths = x.projection();
    x.done();
    const key = checkKey(keys, keyItem);
    const stored = await this.deps.store.getItem(table.id, key);
    const out: Members = {};
    if (stored) {
      const item = JSON.parse(stored.item) as Item;
      out.Item = paths ? project(item, paths) : item;
    }
    const cc = consumed(mode, table, readUnits(stored?.size ?? 0, consistent));
    if (cc) out.ConsumedCapacity = cc;
    return out;
  }

  query(m: Members): Promise<Members> {
    return query(this.deps, m);
  }

  scan(m: Members): Promise<Members> {
    return scan(this.deps, m);
  }

  batchGetItem(m: Members): Promise<Members> {
    return batchGetItem(this.deps, m);
  }

  batchWriteItem(m: Members): Promise<Members> {
    return batchWriteItem(this.deps, m);
  }

  transactWriteItems(m: Members): Promise<Members> {
    return transactWriteItems(this.deps, this.idempotency, m);
  }

  transactGetItems(m: Members): Promise<Members> {
    return transactGetItems(this.deps, m);
  }

  private writeAnswer(table: TableRecord, keys: TableKeys, plan: PlannedWrite, rv: string, mode: ReturnType<typeof capacityMode>): Members {
    const out: Members = {};
    const attributes = returnedAttributes(rv, plan);
    if (attributes) out.Attributes = attributes;
    if (mode) {
      out.ConsumedCapacity = consumed(mode, table, writeUnits(writtenSize(plan)), touchedIndexes(keys, plan.before, plan.after));
    }
    return out;
  }
}
