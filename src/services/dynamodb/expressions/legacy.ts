/**
 * DynamoDB's pre-expression parameters — Expected, AttributeUpdates, KeyConditions, QueryFilter and
 * ScanFilter, AttributesToGet — turned into the same AST the expression parsers build, so one
 * evaluator and one update applier serve both.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
 *
 * Legacy parameters name top-level attributes only (no document paths). Validation messages are
 * AWS's, as dynalite recorded them against AWS (validations/index.js, the per-operation custom
 * checks and actions/query.js). Members arrive as the request sent them; values are validated here.
 */
import { awsError } from "../../../errors.js";
import type { AttributeValue } from "../types.js";
import { checkValue, compareValues, typeOf } from "../values.js";
import type { Condition, KeyCondition, Operand, Path, Update, UpdateAction } from "./ast.js";

export const COMPARISON_OPERATORS = ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

const INVALID = "One or more parameter values were invalid: ";
const invalid = (message: string) => awsError("ValidationException", message);

/**
 * Refuses a request that mixes expression and legacy parameters, and expression placeholders without
 * an expression. `expressions` and `legacy` are the operation's member names of each kind, e.g.
 * UpdateItem: ["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected"].
 */
export function checkExpressionParams(request: Record<string, unknown>, expressions: readonly string[], legacy: readonly string[]): void {
  const given = (name: string) => request[name] !== undefined && request[name] !== null;
  const used = expressions.filter(given);
  if (used.length > 0) {
    // Query: KeyConditions may accompany a FilterExpression when there is no KeyConditionExpression.
    const mixed = legacy.filter((name) => given(name) && !(name === "KeyConditions" && !given("KeyConditionExpression")));
    if (mixed.length > 0) {
      throw invalid(
        `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${mixed.join(", ")}} Expression parameters: {${used.join(", ")}}`,
      );
    }
  }
  if (given("ExpressionAttributeNames") && used.length === 0) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
  const valueExpressions = expressions.filter((name) => name !== "ProjectionExpression");
  if (given("ExpressionAttributeValues") && valueExpressions.length > 0 && !valueExpressions.some(given)) {
    throw invalid(`ExpressionAttributeValues can only be specified when using expressions: ${valueExpressions.join(" and ")} ${valueExpressions.length > 1 ? "are" : "is"} null`);
  }
}

// ---- the members' shapes (the protocol layer's enum checks, where this module is the first reader) ----

function enumMember<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (value === undefined || value === null) {
    throw invalid(`1 validation error detected: Value null at '${where}' failed to satisfy constraint: Member must not be null`);
  }
  if (!allowed.includes(value as T)) {
    throw invalid(`1 validation error detected: Value '${String(value)}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`);
  }
  return value as T;
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

function entries(raw: unknown): [string, Record<string, unknown>][] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) throw awsError("SerializationException", "Unexpected field type");
  return Object.entries(raw as Record<string, unknown>).map(([name, member]) => {
    if (typeof member !== "object" || member === null || Array.isArray(member)) throw awsError("SerializationException", "Unexpected value type in payload");
    return [name, member as Record<string, unknown>];
  });
}

function valueList(raw: unknown): AttributeValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw awsError("SerializationException", "Unexpected field type");
  return raw.map(checkValue);
}

const attribute = (name: string): Operand => ({ kind: "path", path: [name] });
const literal = (value: AttributeValue): Operand => ({ kind: "value", value });

/** Joins conditions with the request's ConditionalOperator (AND when absent). */
function combine(conditions: Condition[], conditionalOperator: unknown): Condition | undefined {
  const kind = conditionalOperator === undefined || conditionalOperator === null ? "and" : enumMember(conditionalOperator, ["AND", "OR"] as const, "conditionalOperator") === "OR" ? "or" : "and";
  return conditions.reduce<Condition | undefined>((all, c) => (all ? { kind, left: all, right: c } : c), undefined);
}

// ---- one comparison: ComparisonOperator and AttributeValueList against an attribute ----

/** How many values each operator takes: an exact count, or at least one for IN. */
const ARGUMENTS: Record<ComparisonOperator, number | "some"> = {
  EQ: 1, NE: 1, LE: 1, LT: 1, GE: 1, GT: 1, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1, NULL: 0, NOT_NULL: 0, IN: "some", BETWEEN: 2,
};

/** The value types a Query or Scan filter's operator accepts (AWS's API reference, Condition). */
const FILTER_TYPES: Partial<Record<ComparisonOperator, readonly string[]>> = {
  EQ: ["S", "N", "B", "SS", "NS", "BS"], NE: ["S", "N", "B", "SS", "NS", "BS"],
  LE: ["S", "N", "B"], LT: ["S", "N", "B"], GE: ["S", "N", "B"], GT: ["S", "N", "B"],
  CONTAINS: ["S", "N", "B"], NOT_CONTAINS: ["S", "N", "B"], BEGINS_WITH: ["S", "B"], IN: ["S", "N", "B"], BETWEEN: ["S", "N", "B"],
};

function checkArguments(op: ComparisonOperator, values: AttributeValue[], checkTypes: boolean): void {
  const wanted = ARGUMENTS[op];
  if (wanted === "some" ? values.length === 0 : values.length !== wanted) {
    throw invalid(`${INVALID}Invalid number of argument(s) for the ${op} ComparisonOperator`);
  }
  if (values.length === 0) return;
  const type = typeOf(values[0]!);
  if (values.some((v) => typeOf(v) !== type)) throw invalid(`${INVALID}AttributeValues inside AttributeValueList must be of same type`);
  const allowed = FILTER_TYPES[op];
  if (checkTypes && allowed) {
    for (const v of values) if (!allowed.includes(typeOf(v))) throw invalid(`${INVALID}ComparisonOperator ${op} is not valid for ${typeOf(v)} AttributeValue type`);
  }
  if (op === "BETWEEN" && (compareValues(values[0]!, values[1]!) ?? 0) > 0) {
    throw invalid("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  }
}

function comparison(name: string, op: ComparisonOperator, values: AttributeValue[]): Condition {
  const left = attribute(name);
  const [first, second] = values.map(literal);
  switch (op) {
    case "EQ":
      return { kind: "compare", op: "=", left, right: first! };
    case "NE":
      return { kind: "compare", op: "<>", left, right: first! };
    case "LE":
      return { kind: "compare", op: "<=", left, right: first! };
    case "LT":
      return { kind: "compare", op: "<", left, right: first! };
    case "GE":
      return { kind: "compare", op: ">=", left, right: first! };
    case "GT":
      return { kind: "compare", op: ">", left, right: first! };
    case "NOT_NULL":
      return { kind: "function", name: "attribute_exists", args: [left] };
    case "NULL":
      return { kind: "function", name: "attribute_not_exists", args: [left] };
    case "CONTAINS":
      return { kind: "function", name: "contains", args: [left, first!] };
    case "NOT_CONTAINS":
      return { kind: "not", condition: { kind: "function", name: "contains", args: [left, first!] } };
    case "BEGINS_WITH":
      return { kind: "function", name: "begins_with", args: [left, first!] };
    case "IN":
      return { kind: "in", operand: left, list: values.map(literal) };
    case "BETWEEN":
      return { kind: "between", operand: left, low: first!, high: second! };
  }
}

// ---- the parameters ----

/**
 * Expected (PutItem, UpdateItem, DeleteItem and their batch/transaction forms) as a condition, or
 * undefined when there is none. Each attribute takes either Value/Exists or ComparisonOperator with
 * AttributeValueList (or Value as a one-element list).
 */
export function fromExpected(expected: unknown, conditionalOperator?: unknown): Condition | undefined {
  const conditions: Condition[] = [];
  for (const [name, c] of entries(expected)) {
    const given = c.ComparisonOperator !== undefined && c.ComparisonOperator !== null;
    const op = given ? enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `expected.${name}.member.comparisonOperator`) : undefined;
    const value = c.Value === undefined || c.Value === null ? undefined : checkValue(c.Value);
    const list = c.AttributeValueList === undefined || c.AttributeValueList === null ? undefined : valueList(c.AttributeValueList);
    if (list !== undefined && value !== undefined) throw invalid(`${INVALID}Value and AttributeValueList cannot be used together for Attribute: ${name}`);
    const exists = c.Exists === undefined || c.Exists === null ? undefined : c.Exists;
    if (op !== undefined) {
      if (exists !== undefined) throw invalid(`${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: ${name}`);
      if (op !== "NULL" && op !== "NOT_NULL" && list === undefined && value === undefined) {
        throw invalid(`${INVALID}Value or AttributeValueList must be used with ComparisonOperator: ${op} for Attribute: ${name}`);
      }
      const values = list ?? (value ? [value] : []);
      checkArguments(op, values, false);
      conditions.push(comparison(name, op, values));
    } else if (list !== undefined) {
      throw invalid(`${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${name}`);
    } else if (exists === false) {
      if (value !== undefined) throw invalid(`${INVALID}Value cannot be used when Exists is false for Attribute: ${name}`);
      conditions.push(comparison(name, "NULL", []));
    } else {
      if (value === undefined) throw invalid(`${INVALID}Value must be provided when Exists is ${exists === undefined ? "null" : String(exists)} for Attribute: ${name}`);
      conditions.push(comparison(name, "EQ", [value]));
    }
  }
  return combine(conditions, conditionalOperator);
}

/** QueryFilter or ScanFilter as a condition, or undefined when there is none. `member` names the parameter in messages. */
export function fromFilter(filter: unknown, conditionalOperator?: unknown, member: "QueryFilter" | "ScanFilter" = "ScanFilter"): Condition | undefined {
  const conditions: Condition[] = [];
  for (const [name, c] of entries(filter)) {
    const op = enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `${lowerFirst(member)}.${name}.member.comparisonOperator`);
    const values = valueList(c.AttributeValueList);
    checkArguments(op, values, true);
    conditions.push(comparison(name, op, values));
  }
  return combine(conditions, conditionalOperator);
}

const KEY_OPERATORS: Partial<Record<ComparisonOperator, "=" | "<" | "<=" | ">" | ">=">> = { EQ: "=", LE: "<=", LT: "<", GE: ">=", GT: ">" };

/**
 * Query's KeyConditions against the queried table's or index's key. The key attributes' types are
 * checked by the query, as for a KeyConditionExpression ("Condition parameter type does not match
 * schema type").
 */
export function fromKeyConditions(conditions: unknown, key: { hash: string; range?: string }): KeyCondition {
  const parsed = new Map<string, { op: ComparisonOperator; values: AttributeValue[] }>();
  for (const [name, c] of entries(conditions)) {
    const op = enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `keyConditions.${name}.member.comparisonOperator`);
    const values = valueList(c.AttributeValueList);
    checkArguments(op, values, true);
    parsed.set(name, { op, values });
  }
  if (parsed.size !== 1 && parsed.size !== 2) throw invalid("Conditions can be of length 1 or 2 only");
  if (key.range === undefined && parsed.size > 1) throw invalid("Query key condition not supported");
  for (const name of [key.hash, key.range]) {
    if (name === undefined) continue;
    const c = parsed.get(name);
    if (!c) {
      if (name === key.hash || parsed.size > 1) throw invalid(`Query condition missed key schema element: ${name}`);
      continue;
    }
    if (["NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"].includes(c.op)) throw invalid("Attempted conditional constraint is not an indexable operation");
    if (name === key.hash && c.op !== "EQ") throw invalid("Query key condition not supported");
  }
  const hash = parsed.get(key.hash)!.values[0]!;
  const range = key.range === undefined ? undefined : parsed.get(key.range);
  if (!range) return { hash };
  const [first, second] = range.values;
  const simple = KEY_OPERATORS[range.op];
  if (simple) return { hash, range: { op: simple, value: first! } };
  if (range.op === "BETWEEN") return { hash, range: { op: "BETWEEN", low: first!, high: second! } };
  return { hash, range: { op: "begins_with", prefix: first! } };
}

const ACTIONS = ["ADD", "PUT", "DELETE"] as const;

/**
 * UpdateItem's AttributeUpdates as an update (no actions when there are none). PUT sets, DELETE
 * without a value removes, DELETE with a set removes those members, ADD adds to a number or a set —
 * and, unlike an UpdateExpression's ADD, appends a list (to an empty list when the attribute is absent).
 */
export function fromAttributeUpdates(updates: unknown): Update {
  const actions: UpdateAction[] = [];
  for (const [name, u] of entries(updates)) {
    const action = u.Action === undefined || u.Action === null ? "PUT" : enumMember(u.Action, ACTIONS, `attributeUpdates.${name}.member.action`);
    const value = u.Value === undefined || u.Value === null ? undefined : checkValue(u.Value);
    const path: Path = [name];
    if (value === undefined) {
      if (action !== "DELETE") throw invalid(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      actions.push({ action: "REMOVE", path });
      continue;
    }
    const type = typeOf(value);
    switch (action) {
      case "PUT":
        actions.push({ action: "SET", path, value: { kind: "operand", operand: literal(value) } });
        break;
      case "DELETE":
        if (type !== "SS" && type !== "NS" && type !== "BS") throw invalid(`${INVALID}DELETE action with value is not supported for the type ${type}`);
        actions.push({ action: "DELETE", path, value });
        break;
      case "ADD":
        if (type === "L") {
          const existing = { kind: "if_not_exists", path, fallback: { kind: "operand", operand: literal({ L: [] }) } } as const;
          actions.push({ action: "SET", path, value: { kind: "list_append", first: existing, second: { kind: "operand", operand: literal(value) } } });
        } else if (type === "N" || type === "SS" || type === "NS" || type === "BS") {
          actions.push({ action: "ADD", path, value });
        } else {
          throw invalid(`${INVALID}ADD action is not supported for the type ${type}`);
        }
        break;
    }
  }
  return { actions };
}

/** AttributesToGet as projection paths. */
export function fromAttributesToGet(names: unknown): Path[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw awsError("SerializationException", "Unexpected field type");
  if (names.length === 0) {
    throw invalid("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const seen = new Set<string>();
  for (const name of names as string[]) {
    if (seen.has(name)) throw invalid(`${INVALID}Duplicate value in attribute name: ${name}`);
    seen.add(name);
  }
  return (names as string[]).map((name) => [name]);
}
