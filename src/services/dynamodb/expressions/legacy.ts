/**
 * DynamoDB's pre-expression parameters — Expected, AttributeUpdates, KeyConditions, QueryFilter and
 * ScanFilter, AttributesToGet — turned into the same AST the expression parsers build, so one
 * evaluator and one update applier serve both.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
 *
 * Legacy parameters name top-level attributes only (no document paths). Validation messages are
 * AWS's, as dynalite recorded them against AWS (validations/index.js, the per-operation custom
 * checks and actions/query.js); the order of checks, the operand types each operator accepts and
 * NOT_CONTAINS on a missing attribute follow DynamoDB Local's input converter. Members arrive as the
 * request sent them; values are validated here.
 */
import { awsError } from "../../../errors.js";
import type { AttributeValue } from "../types.js";
import { checkValue, compareValues, typeOf } from "../values.js";
import type { Condition, KeyCondition, Operand, Path, Update, UpdateAction } from "./ast.js";

export const COMPARISON_OPERATORS = ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

const INVALID = "One or more parameter values were invalid: ";
const invalid = (message: string) => awsError("ValidationException", message);

/** The order in which AWS lists each kind in its "Can not use both…" message. */
const LEGACY_ORDER = ["AttributeUpdates", "AttributesToGet", "Expected", "QueryFilter", "ScanFilter", "ConditionalOperator", "KeyConditions"];
const EXPRESSION_ORDER = ["UpdateExpression", "ProjectionExpression", "ConditionExpression", "FilterExpression", "KeyConditionExpression"];
const inOrder = (names: string[], order: string[]) => [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b));

/**
 * Refuses a request that mixes expression and legacy parameters, and expression placeholders without
 * an expression. `expressions` and `legacy` are the operation's member names of each kind, e.g.
 * UpdateItem: ["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected", "ConditionalOperator"].
 */
export function checkExpressionParams(request: Record<string, unknown>, expressions: readonly string[], legacy: readonly string[]): void {
  const given = (name: string) => request[name] !== undefined && request[name] !== null;
  const used = inOrder(expressions.filter(given), EXPRESSION_ORDER);
  if (used.length > 0) {
    // Query: KeyConditions conflict only with a KeyConditionExpression (a FilterExpression may accompany them).
    const mixed = inOrder(
      legacy.filter((name) => given(name) && (name !== "KeyConditions" || given("KeyConditionExpression"))),
      LEGACY_ORDER,
    );
    if (mixed.length > 0) {
      throw invalid(
        `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${mixed.join(", ")}} Expression parameters: {${used.join(", ")}}`,
      );
    }
  }
  if (given("ExpressionAttributeNames") && used.length === 0) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
  const valueExpressions = inOrder(
    expressions.filter((name) => name !== "ProjectionExpression"),
    EXPRESSION_ORDER,
  );
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

/** A map parameter's entries; `ifNull` words the refusal of an attribute whose entry is JSON null. */
function entries(raw: unknown, ifNull: (name: string) => string): [string, Record<string, unknown>][] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) throw awsError("SerializationException", "Unexpected field type");
  return Object.entries(raw as Record<string, unknown>).map(([name, member]) => {
    if (member === null || member === undefined) throw invalid(ifNull(name));
    if (typeof member !== "object" || Array.isArray(member)) throw awsError("SerializationException", "Unexpected value type in payload");
    return [name, member as Record<string, unknown>];
  });
}
const NULL_CONDITION = (name: string) => `The filter condition for an attribute cannot be null: ${name}`;

function valueList(raw: unknown): AttributeValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw awsError("SerializationException", "Unexpected field type");
  return raw.map(checkValue);
}

const attribute = (name: string): Operand => ({ kind: "path", path: [name] });
const literal = (value: AttributeValue): Operand => ({ kind: "value", value });

/**
 * Joins conditions with the request's ConditionalOperator (AND when absent), which needs two or more
 * of them. Callers pass the operator even when the legacy parameter is absent (no conditions).
 */
function combine(conditions: Condition[], conditionalOperator: unknown): Condition | undefined {
  let kind: "and" | "or" = "and";
  if (conditionalOperator !== undefined && conditionalOperator !== null) {
    kind = enumMember(conditionalOperator, ["AND", "OR"] as const, "conditionalOperator") === "OR" ? "or" : "and";
    if (conditions.length === 0) throw invalid("ConditionalOperator cannot be used without Filter or Expected");
    if (conditions.length === 1) throw invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
  return conditions.reduce<Condition | undefined>((all, c) => (all ? { kind, left: all, right: c } : c), undefined);
}

// ---- one comparison: ComparisonOperator and AttributeValueList against an attribute ----

/** How many values each operator takes: an exact count, or at least one for IN. */
const ARGUMENTS: Record<ComparisonOperator, number | "some"> = {
  EQ: 1, NE: 1, LE: 1, LT: 1, GE: 1, GT: 1, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1, NULL: 0, NOT_NULL: 0, IN: "some", BETWEEN: 2,
};

const SORTABLE = ["S", "N", "B"];
/** The value types each operator accepts; EQ, NE, NULL and NOT_NULL take any (DynamoDB Local's LocalDBComparisonOperator). */
const OPERAND_TYPES: Partial<Record<ComparisonOperator, readonly string[]>> = {
  LE: SORTABLE, LT: SORTABLE, GE: SORTABLE, GT: SORTABLE, IN: SORTABLE, BETWEEN: SORTABLE,
  CONTAINS: ["S", "N", "B", "BOOL", "NULL"], NOT_CONTAINS: ["S", "N", "B", "BOOL", "NULL"], BEGINS_WITH: ["S", "B"],
};

function checkArguments(op: ComparisonOperator, values: AttributeValue[]): void {
  const wanted = ARGUMENTS[op];
  if (wanted === "some" ? values.length === 0 : values.length !== wanted) {
    throw invalid(`${INVALID}Invalid number of argument(s) for the ${op} ComparisonOperator`);
  }
  const allowed = OPERAND_TYPES[op];
  for (const v of values) {
    if (allowed && !allowed.includes(typeOf(v))) throw invalid(`${INVALID}ComparisonOperator ${op} is not valid for ${typeOf(v)} AttributeValue type`);
    if (typeOf(v) !== typeOf(values[0]!)) throw invalid(`${INVALID}AttributeValues inside AttributeValueList must be of same type`);
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
      // Unlike NOT contains(…) in an expression, NOT_CONTAINS needs the attribute to exist.
      return {
        kind: "and",
        left: { kind: "function", name: "attribute_exists", args: [left] },
        right: { kind: "not", condition: { kind: "function", name: "contains", args: [left, first!] } },
      };
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
 * AttributeValueList (or Value as a one-element list). Pass the request's ConditionalOperator even
 * when Expected is absent: it is refused without two or more conditions to join.
 */
export function fromExpected(expected: unknown, conditionalOperator?: unknown): Condition | undefined {
  const conditions: Condition[] = [];
  const nullEntry = (name: string) => `${INVALID}ExpectedAttributeValue must not be null for Attribute: ${name}`;
  for (const [name, c] of entries(expected, nullEntry)) {
    const given = (member: string) => c[member] !== undefined && c[member] !== null;
    const op = given("ComparisonOperator") ? enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `expected.${name}.member.comparisonOperator`) : undefined;
    const exists = given("Exists") ? c.Exists : undefined;
    if (exists !== undefined && op !== undefined) throw invalid(`${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: ${name}`);
    if (given("Value") && given("AttributeValueList")) throw invalid(`${INVALID}Value and AttributeValueList cannot be used together for Attribute: ${name}`);
    if (op === undefined && given("AttributeValueList")) throw invalid(`${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${name}`);
    if (exists === false && given("Value")) throw invalid(`${INVALID}Value cannot be used when Exists is false for Attribute: ${name}`);
    if (!given("Value") && !given("AttributeValueList")) {
      if (op !== undefined && op !== "NULL" && op !== "NOT_NULL") {
        throw invalid(`${INVALID}Value or AttributeValueList must be used with ComparisonOperator: ${op} for Attribute: ${name}`);
      }
      if (op === undefined && exists !== false) throw invalid(`${INVALID}Value must be provided when Exists is ${exists === undefined ? "null" : String(exists)} for Attribute: ${name}`);
    }
    const value = given("Value") ? checkValue(c.Value) : undefined;
    const values = given("AttributeValueList") ? valueList(c.AttributeValueList) : value ? [value] : [];
    if (op !== undefined) {
      checkArguments(op, values);
      conditions.push(comparison(name, op, values));
    } else {
      conditions.push(exists === false ? comparison(name, "NULL", []) : comparison(name, "EQ", values));
    }
  }
  return combine(conditions, conditionalOperator);
}

/**
 * QueryFilter or ScanFilter as a condition, or undefined when there is none. `member` names the
 * parameter in messages. Pass ConditionalOperator even when the filter is absent, as for Expected.
 */
export function fromFilter(filter: unknown, conditionalOperator?: unknown, member: "QueryFilter" | "ScanFilter" = "ScanFilter"): Condition | undefined {
  const conditions: Condition[] = [];
  for (const [name, c] of entries(filter, NULL_CONDITION)) {
    const op = enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `${lowerFirst(member)}.${name}.member.comparisonOperator`);
    const values = valueList(c.AttributeValueList);
    checkArguments(op, values);
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
  for (const [name, c] of entries(conditions, NULL_CONDITION)) {
    const op = enumMember(c.ComparisonOperator, COMPARISON_OPERATORS, `keyConditions.${name}.member.comparisonOperator`);
    const values = valueList(c.AttributeValueList);
    checkArguments(op, values);
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
  const nullEntry = (name: string) => `Supplied AttributeValueUpdate is empty, must contain one of the supported actions: ${name} is null`;
  for (const [name, u] of entries(updates, nullEntry)) {
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
  return { actions, wrongType: "Type mismatch for attribute to update" };
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
