/**
 * What every item operation decodes the same way: its table, its expressions (or the legacy
 * parameters they replaced), ReturnValues, ReturnConsumedCapacity and the capacity it reports.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
import { parseCondition, parseProjection, parseUpdate, Usage, type Condition, type Path, type Update } from "./expressions/index.js";
import { checkExpressionParams, fromAttributesToGet, fromAttributeUpdates, fromExpected, fromFilter } from "./expressions/legacy.js";
import { validation } from "./dynamo-errors.js";
import type { TableRecord } from "./model.js";
import type { Item } from "./types.js";
import { checkExpressionValues, checkItem } from "./values.js";

export type Members = Record<string, unknown>;

/** Each operation's expression members and the legacy members they replaced (checkExpressionParams). */
export const PARAMS = {
  PutItem: [["ConditionExpression"], ["Expected", "ConditionalOperator"]],
  DeleteItem: [["ConditionExpression"], ["Expected", "ConditionalOperator"]],
  UpdateItem: [["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected", "ConditionalOperator"]],
  GetItem: [["ProjectionExpression"], ["AttributesToGet"]],
  Query: [["ProjectionExpression", "FilterExpression", "KeyConditionExpression"], ["AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"]],
  Scan: [["ProjectionExpression", "FilterExpression"], ["AttributesToGet", "ScanFilter", "ConditionalOperator"]],
  TransactCondition: [["ConditionExpression"], []],
  TransactUpdate: [["UpdateExpression", "ConditionExpression"], []],
} as const satisfies Record<string, readonly [readonly string[], readonly string[]]>;

/**
 * A request's expressions, parsed against its ExpressionAttributeNames/Values; `done()` then refuses
 * names or values no expression used, as AWS does.
 */
export class Expressions {
  readonly usage: Usage;
  /** The legacy members this operation has (others, e.g. Expected in a transaction item, are not its members). */
  private readonly legacy: readonly string[];

  constructor(
    readonly m: Members,
    params: readonly [readonly string[], readonly string[]],
  ) {
    checkExpressionParams(m, params[0], params[1]);
    this.legacy = params[1];
    const names = m.ExpressionAttributeNames as Record<string, string> | undefined;
    const raw = m.ExpressionAttributeValues;
    const values = raw === undefined || raw === null || Object.keys(raw).length === 0 ? (raw as undefined) : checkExpressionValues(raw);
    this.usage = new Usage({ names, values });
  }

  /** ConditionExpression / FilterExpression, or the legacy Expected / QueryFilter / ScanFilter. */
  condition(what: "ConditionExpression" | "FilterExpression", legacy: "Expected" | "QueryFilter" | "ScanFilter"): Condition | undefined {
    const text = this.m[what];
    if (text !== undefined) return parseCondition(String(text), this.usage, what);
    if (!this.legacy.includes(legacy)) return undefined;
    const old = this.m[legacy];
    const op = this.m.ConditionalOperator as "AND" | "OR" | undefined;
    // A ConditionalOperator without Expected/QueryFilter/ScanFilter is refused (the legacy builders say so).
    if (old === undefined && (op === undefined || op === null)) return undefined;
    return legacy === "Expected" ? fromExpected(old, op) : fromFilter(old, op, legacy);
  }

  /** UpdateExpression or AttributeUpdates. */
  update(): Update | undefined {
    const text = this.m.UpdateExpression;
    if (text !== undefined) return parseUpdate(String(text), this.usage);
    return this.m.AttributeUpdates === undefined || !this.legacy.includes("AttributeUpdates") ? undefined : fromAttributeUpdates(this.m.AttributeUpdates);
  }

  /** ProjectionExpression or AttributesToGet. */
  projection(): Path[] | undefined {
    const text = this.m.ProjectionExpression;
    if (text !== undefined) return parseProjection(String(text), this.usage);
    const names = this.m.AttributesToGet;
    if (names === undefined || !this.legacy.includes("AttributesToGet")) return undefined;
    const list = names as string[];
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n)) throw validation(`One or more parameter values were invalid: Duplicate value in attribute name: ${n}`);
      seen.add(n);
    }
    return fromAttributesToGet(list);
  }

  done(): void {
    this.usage.checkAllUsed();
  }
}

export type ReturnValues = "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";
const RETURN_VALUES = new Set(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]);

function enumError(value: unknown, member: string, allowed: readonly string[]): Error {
  return validation(`1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`);
}

export function returnValues(m: Members, allowed: "ALL_OLD or NONE" | "all"): ReturnValues {
  const v = m.ReturnValues;
  if (v === undefined) return "NONE";
  if (!RETURN_VALUES.has(v as string)) throw enumError(v, "returnValues", ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"]);
  if (allowed !== "all" && v !== "NONE" && v !== "ALL_OLD") throw validation("ReturnValues can only be ALL_OLD or NONE");
  return v as ReturnValues;
}

/** ReturnValuesOnConditionCheckFailure: true when ALL_OLD (the refused item comes back with the error). */
export function oldOnFailure(m: Members): boolean {
  const v = m.ReturnValuesOnConditionCheckFailure;
  if (v === undefined || v === "NONE") return false;
  if (v !== "ALL_OLD") throw enumError(v, "returnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"]);
  return true;
}

export function checkEnum(m: Members, member: string, allowed: readonly string[]): string | undefined {
  const v = m[member];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as string)) throw enumError(v, member[0]!.toLowerCase() + member.slice(1), allowed);
  return v as string;
}

/** ReturnItemCollectionMetrics: accepted and checked; Flint reports no item collection metrics. */
export const collectionMetrics = (m: Members): void => void checkEnum(m, "ReturnItemCollectionMetrics", ["SIZE", "NONE"]);

/** Capacity accounting: ReturnConsumedCapacity TOTAL or INDEXES (NONE, or absent: nothing). */
export type CapacityMode = "TOTAL" | "INDEXES" | undefined;

export function capacityMode(m: Members): CapacityMode {
  const v = checkEnum(m, "ReturnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"]);
  return v === "NONE" ? undefined : (v as CapacityMode);
}

/** Read units for `bytes` read: 4 KB each, rounded up, at least one; half for eventually consistent reads. */
export const readUnits = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
/** Write units: 1 KB each, rounded up, at least one. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** A ConsumedCapacity member: the table's units, and with INDEXES the table's and each index's apart. */
export function consumed(
  mode: CapacityMode,
  table: TableRecord,
  units: number,
  indexUnits?: Map<string, number>,
): Members | undefined {
  if (!mode) return undefined;
  let total = units;
  if (indexUnits) for (const u of indexUnits.values()) total += u;
  const out: Members = { TableName: table.name, CapacityUnits: total };
  if (mode === "INDEXES") {
    out.Table = { CapacityUnits: units };
    if (indexUnits) {
      const global: Members = {};
      const local: Members = {};
      for (const [name, u] of indexUnits) {
        const kindOf = table.indexes.find((i) => i.IndexName === name)?.kind;
        (kindOf === "local" ? local : global)[name] = { CapacityUnits: u };
      }
      if (Object.keys(global).length) out.GlobalSecondaryIndexes = global;
      if (Object.keys(local).length) out.LocalSecondaryIndexes = local;
    }
  }
  return out;
}

/** The request's item (PutItem `Item`, a Key), checked and its numbers normalised. */
export const requireItem = (m: Members, member: string): Item => checkItem(m[member], member);
