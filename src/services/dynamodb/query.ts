/**
 * Query and Scan: one partition (or segment) read in key order, page by page. A page ends when Limit
 * items have been evaluated or the evaluated items' size reaches 1 MB, and then LastEvaluatedKey
 * names where the next goes on; FilterExpression only drops items from what a page returns.
 * On an index the entries hold the index's projection, and LastEvaluatedKey the index key and the
 * table key. Items whose TTL has passed but which the sweeper has not yet deleted are still returned.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
 */
import { segmentHash, type IndexedItem, type KeyRange, type ReadPosition, type ScanPosition } from "../../store/dynamodb-store.js";
import { evaluate, parseKeyCondition, pathsOfCondition, project, type Condition, type KeyCondition, type Path } from "./expressions/index.js";
import { fromKeyConditions } from "./expressions/legacy.js";
import { validation } from "./dynamo-errors.js";
import { checkKey, keyItem, keysOf, projectIndex, type IndexKeys, type KeyAttr, type TableKeys } from "./item-keys.js";
import type { ItemsDeps } from "./items.js";
import { requireTable } from "./items.js";
import type { TableRecord } from "./model.js";
import { PARAMS, capacityMode, checkEnum, consumed, Expressions, readUnits, type Members } from "./request.js";
import type { AttributeValue, Item } from "./types.js";
import { checkItem, itemSize, keyBytes, prefixEnd } from "./values.js";

/** A page holds at most this much of evaluated items. */
export const PAGE_BYTES = 1024 * 1024;
/** Entries fetched from the store per round trip. */
const CHUNK = 200;
const EMPTY: Buffer = Buffer.alloc(0);

const SELECTS = ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"] as const;

interface ReadPlan {
  table: TableRecord;
  keys: TableKeys;
  index?: IndexKeys;
  filter?: Condition;
  paths?: Path[];
  count: boolean;
  limit?: number;
  consistent: boolean;
}

/** Whether the table, as cached, cannot be read by the index named: it may have been added, or finished its backfill, on another node. */
const indexUnreadable = (name: unknown) => (t: TableRecord) =>
  name !== undefined && !t.indexes.some((i) => i.IndexName === String(name) && i.IndexStatus !== "CREATING");

async function decodeCommon(deps: ItemsDeps, m: Members, x: Expressions, legacyFilter: "QueryFilter" | "ScanFilter") {
  const table = await requireTable(deps.tables, m.TableName, indexUnreadable(m.IndexName));
  const keys = keysOf(table);
  let index: IndexKeys | undefined;
  if (m.IndexName !== undefined) {
    index = keys.indexes.get(String(m.IndexName));
    if (!index) throw validation(`The table does not have the specified index: ${String(m.IndexName)}`);
    if (index.index.kind === "global" && m.ConsistentRead === true) throw validation("Consistent reads are not supported on global secondary indexes");
    // A global index added by UpdateTable is readable once its backfill is done.
    if (index.index.IndexStatus === "CREATING") throw validation(`Cannot read from backfilling global secondary index: ${index.index.IndexName}`);
  }
  const limit = m.Limit as number | undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw validation(`1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  }
  const select = checkEnum(m, "Select", SELECTS);
  const filter = x.condition("FilterExpression", legacyFilter);
  const paths = x.projection();
  if (select === "SPECIFIC_ATTRIBUTES" && !paths) throw validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  if (paths && select !== undefined && select !== "SPECIFIC_ATTRIBUTES") {
    const member = m.ProjectionExpression !== undefined ? "ProjectionExpression" : "AttributesToGet";
    throw validation(select === "COUNT" ? `Cannot specify the ${member} when choosing to get only the Count` : `Cannot specify the ${member} when choosing to get ${select}`);
  }
  if (select === "ALL_PROJECTED_ATTRIBUTES" && !index) throw validation("One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is supported for index queries only");
  if (select === "ALL_ATTRIBUTES" && index?.projected && index.index.kind === "global") {
    throw validation(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.index.IndexName} because its projection type is not ALL`,
    );
  }
  const plan: ReadPlan = { table, keys, index, filter, paths, count: select === "COUNT", limit, consistent: m.ConsistentRead === true };
  // A local index read for ALL_ATTRIBUTES fetches the whole item from the table, as AWS does.
  if (select === "ALL_ATTRIBUTES" && index?.index.kind === "local") plan.index = { ...index, projected: undefined };
  return plan;
}

function typeMismatch(attr: KeyAttr, v: AttributeValue): boolean {
  return !(attr.type in v);
}

/** The sort key condition as bounds on the sort key bytes. */
function rangeOf(cond: KeyCondition, attr: KeyAttr | undefined): KeyRange {
  const r = cond.range;
  if (!r || !attr) return {};
  const values = r.op === "BETWEEN" ? [r.low, r.high] : r.op === "begins_with" ? [r.prefix] : [r.value];
  if (values.some((v) => typeMismatch(attr, v))) throw validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
  switch (r.op) {
    case "=":
      return { low: { rk: keyBytes(r.value), inclusive: true }, high: { rk: keyBytes(r.value), inclusive: true } };
    case "<":
      return { high: { rk: keyBytes(r.value), inclusive: false } };
    case "<=":
      return { high: { rk: keyBytes(r.value), inclusive: true } };
    case ">":
      return { low: { rk: keyBytes(r.value), inclusive: false } };
    case ">=":
      return { low: { rk: keyBytes(r.value), inclusive: true } };
    case "BETWEEN":
      return { low: { rk: keyBytes(r.low), inclusive: true }, high: { rk: keyBytes(r.high), inclusive: true } };
    case "begins_with": {
      if (attr.type === "N") throw validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
      const prefix = keyBytes(r.prefix);
      const end = prefixEnd(prefix);
      return { low: { rk: prefix, inclusive: true }, high: end ? { rk: end, inclusive: false } : undefined };
    }
  }
}

/** ExclusiveStartKey: the table's key, and on an index the index key too, of the key types. */
function startKey(plan: ReadPlan, m: Members): { item: Item; table: { hk: Buffer; rk: Buffer }; hk: Buffer; rk: Buffer } | undefined {
  if (m.ExclusiveStartKey === undefined) return undefined;
  const esk = checkItem(m.ExclusiveStartKey, "ExclusiveStartKey");
  const { keys, index } = plan;
  const names = new Set(keys.names);
  if (index) {
    names.add(index.hash.name);
    if (index.range) names.add(index.range.name);
  }
  if (Object.keys(esk).length !== names.size || [...names].some((n) => esk[n] === undefined)) throw validation("The provided starting key is invalid");
  const tableKey: Item = {};
  for (const n of keys.names) tableKey[n] = esk[n]!;
  let own: { hk: Buffer; rk: Buffer };
  try {
    own = checkKey(keys, tableKey);
  } catch (e) {
    throw validation(`The provided starting key is invalid: ${(e as Error).message}`);
  }
  if (!index) return { item: esk, table: own, hk: own.hk, rk: own.rk };
  for (const attr of index.range ? [index.hash, index.range] : [index.hash]) {
    if (typeMismatch(attr, esk[attr.name]!)) throw validation("The provided starting key is invalid: The provided key element does not match the schema");
  }
  return { item: esk, table: own, hk: keyBytes(esk[index.hash.name]!), rk: index.range ? keyBytes(esk[index.range.name]!) : EMPTY };
}

interface Page {
  items: Item[];
  scanned: number;
  last?: Item;
  bytes: number;
}

/**
 * Read entries chunk by chunk from `fetch` (given how many are still wanted and the last entry
 * read), evaluating each, until Limit or 1 MB stops the page or the entries run out.
 */
async function readPage(plan: ReadPlan, fetch: (want: number, last: IndexedItem | undefined) => Promise<IndexedItem[]>): Promise<Page> {
  const page: Page = { items: [], scanned: 0, bytes: 0 };
  const limit = plan.limit ?? Infinity;
  let last: IndexedItem | undefined;
  for (;;) {
    const want = Math.min(CHUNK, limit - page.scanned);
    const chunk = await fetch(want, last);
    for (const entry of chunk) {
      last = entry;
      let item = JSON.parse(entry.item) as Item;
      let size = entry.size;
      if (plan.index?.projected) {
        item = projectIndex(plan.index, item);
        size = itemSize(item);
      }
      page.scanned++;
      page.bytes += size;
      if (!plan.filter || evaluate(plan.filter, item)) page.items.push(plan.paths ? project(item, plan.paths) : item);
      if (page.scanned >= limit || page.bytes >= PAGE_BYTES) {
        page.last = keyItem(plan.keys, JSON.parse(entry.item) as Item, plan.index);
        return page;
      }
    }
    if (chunk.length < want) return page;
  }
}

function answer(plan: ReadPlan, page: Page, mode: ReturnType<typeof capacityMode>): Members {
  const out: Members = {};
  if (!plan.count) out.Items = page.items;
  out.Count = page.items.length;
  out.ScannedCount = page.scanned;
  if (page.last) out.LastEvaluatedKey = page.last;
  const units = readUnits(page.bytes, plan.consistent);
  const cc = plan.index ? consumed(mode, plan.table, 0, new Map([[plan.index.index.IndexName, units]])) : consumed(mode, plan.table, units);
  if (cc) out.ConsumedCapacity = cc;
  return out;
}

export async function query(deps: ItemsDeps, m: Members): Promise<Members> {
  const x = new Expressions(m, PARAMS.Query);
  const plan = await decodeCommon(deps, m, x, "QueryFilter");
  const mode = capacityMode(m);
  const schema = plan.index ?? plan.keys;
  const key = { hash: schema.hash.name, range: schema.range?.name };
  let cond: KeyCondition;
  if (m.KeyConditionExpression !== undefined) {
    cond = parseKeyCondition(String(m.KeyConditionExpression), x.usage, key);
  } else if (m.KeyConditions !== undefined) {
    cond = fromKeyConditions(m.KeyConditions, key);
  } else {
    throw validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  x.done();
  if (plan.filter) {
    // A Query's filter may not read the key it queries by (it belongs in the key condition).
    const heads = new Set(pathsOfCondition(plan.filter).map((p) => String(p[0])));
    for (const attr of schema.range ? [schema.hash, schema.range] : [schema.hash]) {
      if (heads.has(attr.name)) {
        const what = m.FilterExpression !== undefined ? "Filter Expression" : "QueryFilter";
        throw validation(`${what} can only contain non-primary key attributes: Primary key attribute: ${attr.name}`);
      }
    }
  }
  if (typeMismatch(schema.hash, cond.hash)) throw validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
  const range = rangeOf(cond, schema.range);
  const hk = keyBytes(cond.hash);
  const start = startKey(plan, m);
  if (start && !start.hk.equals(hk)) throw validation("The provided starting key is outside query boundaries based on provided conditions");
  const forward = m.ScanIndexForward !== false;
  const page = await readPage(plan, (limit, last) => {
    let after: ReadPosition | undefined;
    if (last) after = { rk: last.at.rk, item: plan.index ? { hk: last.hk, rk: last.rk } : undefined };
    else if (start) after = { rk: start.rk, item: plan.index ? start.table : undefined };
    return deps.store.query({ table: plan.table.id, index: plan.index?.index.IndexName, hk, ...range, forward, after, limit });
  });
  return answer(plan, page, mode);
}

export async function scan(deps: ItemsDeps, m: Members): Promise<Members> {
  const x = new Expressions(m, PARAMS.Scan);
  const plan = await decodeCommon(deps, m, x, "ScanFilter");
  const mode = capacityMode(m);
  x.done();
  const { segment, total } = segments(m);
  const start = startKey(plan, m);
  if (start && total > 1) {
    // The start key must lie in the segment asked for (segment s of t: hashes [s·2³²/t, (s+1)·2³²/t)).
    const h = segmentHash(start.hk);
    if (h < Math.floor((segment * 2 ** 32) / total) || h >= Math.floor(((segment + 1) * 2 ** 32) / total)) {
      throw validation(`The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: ${total} Segment: ${segment}`);
    }
  }
  const page = await readPage(plan, (limit, last) => {
    let after: ScanPosition | undefined;
    if (last) after = { hk: last.at.hk, rk: last.at.rk, item: plan.index ? { hk: last.hk, rk: last.rk } : undefined };
    else if (start) after = { hk: start.hk, rk: start.rk, item: plan.index ? start.table : undefined };
    return deps.store.scan({ table: plan.table.id, index: plan.index?.index.IndexName, segment, totalSegments: total, after, limit });
  });
  return answer(plan, page, mode);
}

function segments(m: Members): { segment: number; total: number } {
  const segment = m.Segment as number | undefined;
  const total = m.TotalSegments as number | undefined;
  if (total !== undefined && (!Number.isInteger(total) || total < 1 || total > 1000000)) {
    throw validation(
      `1 validation error detected: Value '${String(total)}' at 'totalSegments' failed to satisfy constraint: Member must have value ${total < 1 ? "greater than or equal to 1" : "less than or equal to 1000000"}`,
    );
  }
  if (segment !== undefined && (!Number.isInteger(segment) || segment < 0 || segment > 999999)) {
    throw validation(
      `1 validation error detected: Value '${String(segment)}' at 'segment' failed to satisfy constraint: Member must have value ${segment < 0 ? "greater than or equal to 0" : "less than or equal to 999999"}`,
    );
  }
  if (segment !== undefined && total === undefined) throw validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  if (total !== undefined && segment === undefined) throw validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  if (total !== undefined && segment! >= total) {
    throw validation(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  return { segment: segment ?? 0, total: total ?? 1 };
}
