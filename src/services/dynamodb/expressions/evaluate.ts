/**
 * Evaluates a condition against an item as DynamoDB does: comparisons only between values of the same
 * type (a missing attribute or a type mismatch makes `=`, `<`, BETWEEN, IN… false, and `<>` true),
 * numbers by value, sets as sets; `size` of a string counts its UTF-16 code units, of a binary its
 * bytes, of a set, list or map its elements.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */
import type { AttributeValue, Item } from "../types.js";
import { compareValues, valuesEqual } from "../values.js";
import type { Condition, Operand, Path } from "./ast.js";
import { typeTag } from "./parser.js";

export function evaluate(cond: Condition, item: Item | undefined): boolean {
  const attrs = item ?? {};
  switch (cond.kind) {
    case "and":
      return evaluate(cond.left, attrs) && evaluate(cond.right, attrs);
    case "or":
      return evaluate(cond.left, attrs) || evaluate(cond.right, attrs);
    case "not":
      return !evaluate(cond.condition, attrs);
    case "compare": {
      const left = resolve(cond.left, attrs);
      const right = resolve(cond.right, attrs);
      if (cond.op === "=") return left !== undefined && right !== undefined && valuesEqual(left, right);
      if (cond.op === "<>") return left === undefined || right === undefined || !valuesEqual(left, right);
      const order = left && right ? compareValues(left, right) : undefined;
      if (order === undefined) return false;
      if (cond.op === "<") return order < 0;
      if (cond.op === "<=") return order <= 0;
      if (cond.op === ">") return order > 0;
      return order >= 0;
    }
    case "between": {
      const v = resolve(cond.operand, attrs);
      const low = resolve(cond.low, attrs);
      const high = resolve(cond.high, attrs);
      if (!v || !low || !high) return false;
      const fromLow = compareValues(v, low);
      const toHigh = compareValues(v, high);
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case "in": {
      const v = resolve(cond.operand, attrs);
      if (!v) return false;
      return cond.list.some((o) => {
        const candidate = resolve(o, attrs);
        return candidate !== undefined && valuesEqual(v, candidate);
      });
    }
    case "function":
      return callFunction(cond.name, cond.args, attrs);
  }
}

function callFunction(name: string, args: Operand[], item: Item): boolean {
  const [first, second] = args.map((a) => resolve(a, item));
  switch (name) {
    case "attribute_exists":
      return first !== undefined;
    case "attribute_not_exists":
      return first === undefined;
    case "attribute_type":
      return first !== undefined && second !== undefined && "S" in second && typeTag(first) === second.S;
    case "begins_with":
      return beginsWith(first, second);
    case "contains":
      return contains(first, second);
    default:
      return false;
  }
}

function beginsWith(v: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (!v || !prefix) return false;
  if ("S" in v && "S" in prefix) return v.S.startsWith(prefix.S);
  if ("B" in v && "B" in prefix) {
    const bytes = Buffer.from(v.B, "base64");
    const start = Buffer.from(prefix.B, "base64");
    return bytes.subarray(0, start.length).equals(start);
  }
  return false;
}

/** contains(path, operand): a substring of a string, a byte run of a binary, a member of a set or an element of a list. */
function contains(v: AttributeValue | undefined, operand: AttributeValue | undefined): boolean {
  if (!v || !operand) return false;
  if ("S" in v) return "S" in operand && v.S.includes(operand.S);
  if ("B" in v) return "B" in operand && Buffer.from(v.B, "base64").includes(Buffer.from(operand.B, "base64"));
  if ("SS" in v) return "S" in operand && v.SS.includes(operand.S);
  if ("NS" in v) return "N" in operand && v.NS.some((n) => valuesEqual({ N: n }, operand));
  if ("BS" in v) return "B" in operand && v.BS.some((b) => valuesEqual({ B: b }, operand));
  if ("L" in v) return v.L.some((e) => valuesEqual(e, operand));
  return false;
}

/** The value an operand stands for in an item; undefined when the path leads nowhere or size() has no answer. */
export function resolve(o: Operand, item: Item): AttributeValue | undefined {
  if (o.kind === "value") return o.value;
  if (o.kind === "path") return getPath(item, o.path);
  const v = resolve(o.operand, item);
  const size = v === undefined ? undefined : sizeOf(v);
  return size === undefined ? undefined : { N: String(size) };
}

function sizeOf(v: AttributeValue): number | undefined {
  // UTF-16 code units, as DynamoDB counts them (size("é𝄞") is 3; checked against DynamoDB by
  // https://github.com/ExtendDB/extenddb/pull/67).
  if ("S" in v) return v.S.length;
  if ("B" in v) return Buffer.from(v.B, "base64").length;
  if ("SS" in v) return v.SS.length;
  if ("NS" in v) return v.NS.length;
  if ("BS" in v) return v.BS.length;
  if ("L" in v) return v.L.length;
  if ("M" in v) return Object.keys(v.M).length;
  return undefined;
}

/** The value at a document path, or undefined when any step is missing or of the wrong kind. */
export function getPath(item: Item, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const step of path) {
    const here: AttributeValue | undefined = current;
    if (here === undefined) return undefined;
    if (typeof step === "number") current = "L" in here ? (here as { L: AttributeValue[] }).L[step] : undefined;
    else current = "M" in here && Object.hasOwn(here.M, step) ? here.M[step] : undefined;
  }
  return current;
}

/**
 * Every document path a condition reads (for Query's "Filter Expression can only contain non-primary
 * key attributes" check, and for index projections).
 */
export function pathsOfCondition(cond: Condition): Path[] {
  const operand = (o: Operand): Path[] => (o.kind === "path" ? [o.path] : o.kind === "size" ? operand(o.operand) : []);
  switch (cond.kind) {
    case "and":
    case "or":
      return [...pathsOfCondition(cond.left), ...pathsOfCondition(cond.right)];
    case "not":
      return pathsOfCondition(cond.condition);
    case "compare":
      return [...operand(cond.left), ...operand(cond.right)];
    case "between":
      return [cond.operand, cond.low, cond.high].flatMap(operand);
    case "in":
      return [cond.operand, ...cond.list].flatMap(operand);
    case "function":
      return cond.args.flatMap(operand);
  }
}
