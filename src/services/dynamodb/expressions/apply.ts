/**
 * Applies a parsed update to an item. Every SET value is computed from the item as it was before the
 * update (so `SET a = b, b = a` swaps), and list indexes in REMOVE refer to the list before any
 * element is removed; SET past a list's end appends.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import { awsError } from "../../../errors.js";
import { addNumbers, subtractNumbers } from "../numbers.js";
import type { AttributeValue, Item } from "../types.js";
import { valuesEqual } from "../values.js";
import type { Path, SetValue, Update } from "./ast.js";
import { getPath } from "./evaluate.js";
import { typeTag } from "./parser.js";

const WRONG_TYPE = "An operand in the update expression has an incorrect data type";
const INVALID_PATH = "The document path provided in the update expression is invalid for update";
const MISSING = "The provided expression refers to an attribute that does not exist in the item";

/** A removed list element, dropped once every action ran (so later indexes still mean the old list). */
const REMOVED = { NULL: true } as AttributeValue;

/**
 * `existed` false: the item is being created by this update. DynamoDB then ignores a REMOVE whose
 * parent path is missing, where for an existing item it refuses it.
 */
export function applyUpdate(update: Update, item: Item, existed = true): { item: Item; changed: Path[] } {
  const wrong = update.wrongType ?? WRONG_TYPE;
  const values = update.actions.map((a) => (a.action === "SET" ? computeSet(a.value, item, wrong) : undefined));
  const root: AttributeValue = { M: structuredClone(item) };
  const lists = new Set<AttributeValue[]>();
  update.actions.forEach((action, i) => {
    const parent = getPath((root as { M: Item }).M, action.path.slice(0, -1)) ?? undefined;
    const last = action.path[action.path.length - 1];
    const container = action.path.length === 1 ? root : parent;
    const slot = container === undefined ? undefined : typeof last === "number" ? ("L" in container ? container.L : undefined) : "M" in container ? container.M : undefined;
    if (slot === undefined) {
      if (action.action === "REMOVE" && !existed) return;
      throw fail(INVALID_PATH);
    }
    const list = Array.isArray(slot) ? slot : undefined;
    const existing = list ? list[last as number] : (slot as Item)[last as string];
    const put = (v: AttributeValue) => {
      if (list) {
        list[last as number] = v;
        lists.add(list);
      } else (slot as Item)[last as string] = v;
    };
    const remove = () => {
      if (list) {
        if ((last as number) < list.length) list[last as number] = REMOVED;
        lists.add(list);
      } else delete (slot as Item)[last as string];
    };
    switch (action.action) {
      case "SET":
        put(values[i]!);
        break;
      case "REMOVE":
        remove();
        break;
      case "ADD":
        put(add(existing, action.value, wrong));
        break;
      case "DELETE": {
        if (existing === undefined) break;
        const left = subtractSet(existing, action.value, wrong);
        if (left === undefined) remove();
        else put(left);
        break;
      }
    }
  });
  for (const list of lists) {
    const kept = list.filter((v) => v !== undefined && v !== REMOVED);
    list.splice(0, list.length, ...kept);
  }
  return { item: (root as { M: Item }).M, changed: update.actions.map((a) => a.path) };
}

function computeSet(v: SetValue, item: Item, wrong: string): AttributeValue {
  switch (v.kind) {
    case "operand": {
      const o = v.operand;
      if (o.kind === "value") return o.value;
      if (o.kind === "path") {
        const found = getPath(item, o.path);
        if (found === undefined) throw fail(MISSING);
        return found;
      }
      throw fail(wrong);
    }
    case "if_not_exists":
      return getPath(item, v.path) ?? computeSet(v.fallback, item, wrong);
    case "list_append": {
      const first = computeSet(v.first, item, wrong);
      if (!("L" in first)) throw fail(wrong);
      const second = computeSet(v.second, item, wrong);
      if (!("L" in second)) throw fail(wrong);
      return { L: [...first.L, ...second.L] };
    }
    case "plus":
    case "minus": {
      const left = computeSet(v.left, item, wrong);
      if (!("N" in left)) throw fail(wrong);
      const right = computeSet(v.right, item, wrong);
      if (!("N" in right)) throw fail(wrong);
      return { N: v.kind === "plus" ? addNumbers(left.N, right.N) : subtractNumbers(left.N, right.N) };
    }
  }
}

/** ADD: a number to a number (a missing attribute counts as 0), or set members to a set of the same type. */
function add(existing: AttributeValue | undefined, value: AttributeValue, wrong: string): AttributeValue {
  if (existing !== undefined && typeTag(existing) !== typeTag(value)) throw fail(wrong);
  if ("N" in value) return { N: existing === undefined ? value.N : addNumbers((existing as { N: string }).N, value.N) };
  if (existing === undefined) return value;
  const type = typeTag(value) as "SS" | "NS" | "BS";
  const members = [...(existing as Record<string, string[]>)[type]];
  for (const m of (value as Record<string, string[]>)[type]) {
    if (!members.some((x) => same(type, x, m))) members.push(m);
  }
  return { [type]: members } as AttributeValue;
}

/** DELETE: the set without the given members; undefined when nothing is left. */
function subtractSet(existing: AttributeValue, value: AttributeValue, wrong: string): AttributeValue | undefined {
  const type = typeTag(value) as "SS" | "NS" | "BS";
  if (typeTag(existing) !== type) throw fail(wrong);
  const gone = (value as Record<string, string[]>)[type];
  const members = (existing as Record<string, string[]>)[type].filter((m) => !gone.some((g) => same(type, m, g)));
  return members.length === 0 ? undefined : ({ [type]: members } as AttributeValue);
}

function same(type: "SS" | "NS" | "BS", a: string, b: string): boolean {
  const scalar = type[0] as "S" | "N" | "B";
  return valuesEqual({ [scalar]: a } as AttributeValue, { [scalar]: b } as AttributeValue);
}

function fail(message: string) {
  return awsError("ValidationException", message);
}
