/**
 * KeyConditionExpression: `=` on the partition key, and optionally one of =, <, <=, >, >=, BETWEEN,
 * begins_with on the sort key, joined by AND. Written in the condition language, then checked
 * against the key schema with AWS's messages.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 */
import { awsError } from "../../../errors.js";
import type { AttributeValue, KeyType } from "../types.js";
import type { Comparator, Condition, KeyCondition, Operand, RangeCondition } from "./ast.js";
import { parseConditionText } from "./condition.js";
import { typeTag } from "./parser.js";
import type { Usage } from "./usage.js";

export interface KeyNames {
  hash: string;
  range?: string;
  /** The key attributes' types, when known: a value of another type is AWS's schema mismatch. */
  types?: Record<string, KeyType>;
}

/** `:v < sk` means `sk > :v`. */
const FLIPPED: Record<Comparator, Comparator> = { "=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

export function parseKeyCondition(text: string, usage: Usage, key: KeyNames): KeyCondition {
  const condition = parseConditionText(text, usage, "KeyConditionExpression");
  const conditions = new Map<string, RangeCondition>();
  collect(condition, conditions);

  if (conditions.size > 2) throw invalid("Conditions can be of length 1 or 2 only");
  const hash = conditions.get(key.hash);
  if (key.range === undefined && conditions.size > 1) throw invalid("Query key condition not supported");
  if (hash === undefined) throw invalid(`Query condition missed key schema element: ${key.hash}`);
  checkType(key, key.hash, hash);
  if (hash.op !== "=") throw invalid("Query key condition not supported");
  let range: RangeCondition | undefined;
  if (key.range !== undefined) {
    range = conditions.get(key.range);
    if (range === undefined && conditions.size > 1) throw invalid(`Query condition missed key schema element: ${key.range}`);
    if (range !== undefined) checkType(key, key.range, range);
  }
  return range === undefined ? { hash: hash.value } : { hash: hash.value, range };
}

function collect(c: Condition, into: Map<string, RangeCondition>): void {
  switch (c.kind) {
    case "and":
      collect(c.left, into);
      collect(c.right, into);
      return;
    case "or":
    case "not":
    case "in":
      throw invalid(`Invalid operator used in KeyConditionExpression: ${c.kind.toUpperCase()}`);
    case "compare": {
      if (c.op === "<>") throw invalid("Invalid operator used in KeyConditionExpression: <>");
      const [attr, value, op] = c.left.kind === "path" || c.right.kind !== "path" ? [c.left, c.right, c.op] : [c.right, c.left, FLIPPED[c.op]];
      add(into, keyName([attr, value]), { op: op as "=", value: literal(value) });
      return;
    }
    case "between":
      if (c.operand.kind !== "path") throw invalid("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
      add(into, keyName([c.operand, c.low, c.high]), { op: "BETWEEN", low: literal(c.low), high: literal(c.high) });
      return;
    case "function":
      if (c.name !== "begins_with") throw invalid(`Invalid operator used in KeyConditionExpression: ${c.name}`);
      if (c.args[0].kind !== "path") throw invalid("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
      add(into, keyName(c.args), { op: "begins_with", prefix: literal(c.args[1]) });
  }
}

/** The one key attribute a condition names. */
function keyName(operands: Operand[]): string {
  let name: string | undefined;
  for (const o of operands) {
    if (o.kind === "size") throw invalid("KeyConditionExpressions cannot contain nested operations");
    if (o.kind !== "path") continue;
    if (name !== undefined) throw invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    if (o.path.length > 1) throw invalid("KeyConditionExpressions cannot have conditions on nested attributes");
    name = String(o.path[0]);
  }
  if (name === undefined) throw invalid("Invalid condition in KeyConditionExpression: No key attribute specified");
  return name;
}

function literal(o: Operand): AttributeValue {
  if (o.kind === "value") return o.value;
  if (o.kind === "size") throw invalid("KeyConditionExpressions cannot contain nested operations");
  throw invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
}

function add(into: Map<string, RangeCondition>, name: string, condition: RangeCondition): void {
  if (into.has(name)) throw invalid("KeyConditionExpressions must only contain one condition per key");
  into.set(name, condition);
}

function checkType(key: KeyNames, name: string, c: RangeCondition): void {
  const type = key.types?.[name];
  if (type === undefined) return;
  const values = c.op === "BETWEEN" ? [c.low, c.high] : c.op === "begins_with" ? [c.prefix] : [c.value];
  if (values.some((v) => typeTag(v) !== type)) {
    throw invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
  }
}

function invalid(message: string) {
  return awsError("ValidationException", message);
}
