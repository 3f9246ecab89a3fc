/**
 * The parsed forms of DynamoDB's expression language: condition and filter expressions, update
 * expressions, projections and key conditions. The parsers (condition.ts, update.ts, projection.ts,
 * key-condition.ts) build these from expression text; legacy.ts builds the same shapes from the
 * pre-expression parameters (Expected, AttributeUpdates, KeyConditions, AttributesToGet), so the
 * evaluator and the update applier serve both.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
 */
import type { AttributeValue } from "../types.js";

/** One step of a document path: a map key (or top-level attribute name), or a list index. */
export type PathElement = string | number;

/** A document path, names already resolved (`#n` replaced by its ExpressionAttributeNames value): `a.b[0].c` is ["a", "b", 0, "c"]. */
export type Path = PathElement[];

/** What a comparison, function or update value reads: an attribute at a path, a literal value, or `size(operand)`. */
export type Operand =
  | { kind: "path"; path: Path }
  | { kind: "value"; value: AttributeValue }
  | { kind: "size"; operand: Operand };

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type ConditionFunction = "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains";

export type Condition =
  | { kind: "compare"; op: Comparator; left: Operand; right: Operand }
  | { kind: "between"; operand: Operand; low: Operand; high: Operand }
  | { kind: "in"; operand: Operand; list: Operand[] }
  | { kind: "function"; name: ConditionFunction; args: Operand[] }
  | { kind: "and"; left: Condition; right: Condition }
  | { kind: "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition };

/** The right-hand side of a SET action. */
export type SetValue =
  | { kind: "operand"; operand: Operand }
  | { kind: "if_not_exists"; path: Path; fallback: SetValue }
  | { kind: "list_append"; first: SetValue; second: SetValue }
  | { kind: "plus" | "minus"; left: SetValue; right: SetValue };

export type UpdateAction =
  | { action: "SET"; path: Path; value: SetValue }
  | { action: "REMOVE"; path: Path }
  | { action: "ADD"; path: Path; value: AttributeValue }
  | { action: "DELETE"; path: Path; value: AttributeValue };

/** An update: its actions in the order they are applied (SET, REMOVE, ADD, DELETE as written). */
export interface Update {
  actions: UpdateAction[];
  /**
   * How a value of the wrong type is refused: an UpdateExpression's "An operand in the update
   * expression has an incorrect data type" unless given (AttributeUpdates: "Type mismatch for attribute to update").
   */
  wrongType?: string;
}

export type RangeCondition =
  | { op: "=" | "<" | "<=" | ">" | ">="; value: AttributeValue }
  | { op: "BETWEEN"; low: AttributeValue; high: AttributeValue }
  | { op: "begins_with"; prefix: AttributeValue };

/** A Query's key condition: equality on the partition key, optionally one condition on the sort key. */
export interface KeyCondition {
  hash: AttributeValue;
  range?: RangeCondition;
}

/** A request's ExpressionAttributeNames and ExpressionAttributeValues. */
export interface ExpressionInput {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}
