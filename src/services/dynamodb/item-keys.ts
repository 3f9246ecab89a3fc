/**
 * A table's keys as the data plane uses them: which attributes make an item's key (and each index's),
 * the checks AWS makes on a request's Key or Item, and what the store is handed for an item (its key
 * bytes, its index entries, when its TTL attribute says it expires).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html
 */
import type { IndexEntry, ItemKey } from "../../store/dynamodb-store.js";
import { validation } from "./dynamo-errors.js";
import type { IndexRecord, TableRecord } from "./model.js";
import type { AttributeValue, Item, KeyType } from "./types.js";
import { keyBytes } from "./values.js";

export interface KeyAttr {
  name: string;
  type: KeyType;
}

export interface IndexKeys {
  index: IndexRecord;
  hash: KeyAttr;
  range?: KeyAttr;
  /** Attributes an entry of this index holds (undefined: all of them). */
  projected?: Set<string>;
}

export interface TableKeys {
  hash: KeyAttr;
  range?: KeyAttr;
  /** Names of the table's key attributes. */
  names: string[];
  indexes: Map<string, IndexKeys>;
}

const EMPTY: Buffer = Buffer.alloc(0);
const cache = new WeakMap<TableRecord, TableKeys>();

/** The table's key layout, computed once per table record (records are replaced, never changed). */
export function keysOf(table: TableRecord): TableKeys {
  let keys = cache.get(table);
  if (!keys) {
    const typeOf = (name: string): KeyType => table.attributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
    const attrs = (schema: IndexRecord["KeySchema"]) => {
      const hash = schema.find((k) => k.KeyType === "HASH")!.AttributeName;
      const range = schema.find((k) => k.KeyType === "RANGE")?.AttributeName;
      return { hash: { name: hash, type: typeOf(hash) }, range: range === undefined ? undefined : { name: range, type: typeOf(range) } };
    };
    const own = attrs(table.keySchema);
    const names = own.range ? [own.hash.name, own.range.name] : [own.hash.name];
    const indexes = new Map<string, IndexKeys>();
    for (const index of table.indexes) {
      const k = attrs(index.KeySchema);
      let projected: Set<string> | undefined;
      if (index.Projection.ProjectionType !== "ALL") {
        projected = new Set([...names, k.hash.name, ...(k.range ? [k.range.name] : []), ...(index.Projection.ProjectionType === "INCLUDE" ? index.Projection.NonKeyAttributes ?? [] : [])]);
      }
      indexes.set(index.IndexName, { index, ...k, projected });
    }
    keys = { ...own, names, indexes };
    cache.set(table, keys);
  }
  return keys;
}

const scalarOf = (v: AttributeValue | undefined, type: KeyType): string | undefined =>
  v === undefined ? undefined : (v as Record<string, unknown>)[type] as string | undefined;

/**
 * A key value's own limits. An empty string or binary is refused in words that differ between a Key
 * ("were invalid:") and an Item ("are not valid."), as dynalite recorded them from AWS.
 */
function checkKeyValue(name: string, type: KeyType, value: string, isHash: boolean, inItem: boolean): void {
  if (value === "" && type !== "N") {
    const lead = inItem ? "One or more parameter values are not valid." : "One or more parameter values were invalid:";
    throw validation(`${lead} The AttributeValue for a key attribute cannot contain an empty ${type === "S" ? "string" : "binary"} value. Key: ${name}`);
  }
  if (type === "N") return;
  const bytes = type === "S" ? Buffer.byteLength(value) : Buffer.from(value, "base64").length;
  if (isHash && bytes > 2048) throw validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  if (!isHash && bytes > 1024) throw validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

/** A request's `Key` (already value-checked): exactly the table's key attributes, of their types. */
export function checkKey(keys: TableKeys, key: Item): ItemKey {
  let count = 0;
  for (const _ in key) count++;
  if (count !== keys.names.length) throw validation("The provided key element does not match the schema");
  const h = scalarOf(key[keys.hash.name], keys.hash.type);
  if (h === undefined) throw validation("The provided key element does not match the schema");
  checkKeyValue(keys.hash.name, keys.hash.type, h, true, false);
  let rk: Buffer = EMPTY;
  if (keys.range) {
    const r = scalarOf(key[keys.range.name], keys.range.type);
    if (r === undefined) throw validation("The provided key element does not match the schema");
    checkKeyValue(keys.range.name, keys.range.type, r, false, false);
    rk = keyBytes(key[keys.range.name]!);
  }
  return { hk: keyBytes(key[keys.hash.name]!), rk };
}

function checkItemAttr(item: Item, attr: KeyAttr, isHash: boolean): Buffer {
  const v = item[attr.name];
  if (v === undefined) throw validation(`One or more parameter values were invalid: Missing the key ${attr.name} in the item`);
  const s = scalarOf(v, attr.type);
  if (s === undefined) throw validation(`One or more parameter values were invalid: Type mismatch for key ${attr.name} expected: ${attr.type} actual: ${Object.keys(v)[0]}`);
  checkKeyValue(attr.name, attr.type, s, isHash, true);
  return keyBytes(v);
}

/** A whole item's key (PutItem): present, of the key's types; index key attributes of their types. */
export function checkItemKey(keys: TableKeys, item: Item): ItemKey {
  const hk = checkItemAttr(item, keys.hash, true);
  const rk = keys.range ? checkItemAttr(item, keys.range, false) : EMPTY;
  checkIndexTypes(keys, item);
  return { hk, rk };
}

/** Index key attributes an item has must be of the index's key types (AWS refuses the write). */
export function checkIndexTypes(keys: TableKeys, item: Item): void {
  for (const ix of keys.indexes.values()) {
    for (const attr of ix.range ? [ix.hash, ix.range] : [ix.hash]) {
      const v = item[attr.name];
      if (v !== undefined && scalarOf(v, attr.type) === undefined) {
        throw validation(
          `One or more parameter values were invalid: Type mismatch for Index Key ${attr.name} Expected: ${attr.type} Actual: ${Object.keys(v)[0]} IndexName: ${ix.index.IndexName}`,
        );
      }
      if (v !== undefined && scalarOf(v, attr.type) === "" && attr.type !== "N") {
        throw validation(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${attr.type === "S" ? "string" : "binary"} value. IndexName: ${ix.index.IndexName}, IndexKey: ${attr.name}`,
        );
      }
    }
  }
}

/** The item's key attributes alone (stream Keys, LastEvaluatedKey). */
export function keyItem(keys: TableKeys, item: Item, index?: IndexKeys): Item {
  const out: Item = { [keys.hash.name]: item[keys.hash.name]! };
  if (keys.range) out[keys.range.name] = item[keys.range.name]!;
  if (index) {
    out[index.hash.name] = item[index.hash.name]!;
    if (index.range) out[index.range.name] = item[index.range.name]!;
  }
  return out;
}

/** The item's entries in the table's indexes: sparse, only where it has the index's key attributes of their types. */
export function indexEntries(keys: TableKeys, item: Item): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const ix of keys.indexes.values()) {
    if (ix.index.IndexStatus === "DELETING") continue;
    const h = item[ix.hash.name];
    if (h === undefined || scalarOf(h, ix.hash.type) === undefined) continue;
    let rk: Buffer = EMPTY;
    if (ix.range) {
      const r = item[ix.range.name];
      if (r === undefined || scalarOf(r, ix.range.type) === undefined) continue;
      rk = keyBytes(r);
    }
    entries.push({ index: ix.index.IndexName, hk: keyBytes(h), rk });
  }
  return entries;
}

/** Epoch seconds at which the table's TTL attribute says the item expires, when TTL is on and it is a Number. */
export function expiresAtOf(table: TableRecord, item: Item): number | undefined {
  if (!table.ttl?.enabled) return undefined;
  const v = item[table.ttl.attributeName];
  if (v === undefined || !("N" in v)) return undefined;
  const seconds = Math.floor(Number(v.N));
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** An index's entry as Query and Scan see it: the attributes its projection keeps. */
export function projectIndex(ix: IndexKeys | undefined, item: Item): Item {
  if (!ix?.projected) return item;
  const out: Item = {};
  for (const name in item) if (ix.projected.has(name)) out[name] = item[name]!;
  return out;
}
