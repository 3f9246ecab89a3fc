/** The legacy parameters become the expression AST, and AWS's messages for their misuse. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../../../errors.js";
import { checkExpressionParams, fromAttributesToGet, fromAttributeUpdates, fromExpected, fromFilter, fromKeyConditions } from "./legacy.js";
import type { Condition } from "./ast.js";
import { applyUpdate, evaluate } from "./index.js";

const refused = (fn: () => unknown, message: string, code = "ValidationException") =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
const a = { kind: "path", path: ["a"] } as const;
const v = (value: object) => ({ kind: "value", value }) as const;
const INVALID = "One or more parameter values were invalid: ";

describe("Expected", () => {
  test("Value, Exists and ComparisonOperator become conditions joined by ConditionalOperator", () => {
    assert.deepEqual(fromExpected({ a: { Value: { N: "01" } } }), { kind: "compare", op: "=", left: a, right: v({ N: "1" }) });
    assert.deepEqual(fromExpected({ a: { Value: { S: "x" }, Exists: true } }), { kind: "compare", op: "=", left: a, right: v({ S: "x" }) });
    assert.deepEqual(fromExpected({ a: { Exists: false } }), { kind: "function", name: "attribute_not_exists", args: [a] });
    assert.deepEqual(fromExpected({ a: { ComparisonOperator: "GT", Value: { N: "1" } } }), { kind: "compare", op: ">", left: a, right: v({ N: "1" }) });
    assert.deepEqual(fromExpected({ a: { ComparisonOperator: "NOT_NULL" } }), { kind: "function", name: "attribute_exists", args: [a] });
    const both = fromExpected({ a: { Exists: false }, b: { ComparisonOperator: "NULL" } }, "OR") as Extract<Condition, { kind: "or" }>;
    assert.equal(both.kind, "or");
    assert.deepEqual(both.right, { kind: "function", name: "attribute_not_exists", args: [{ kind: "path", path: ["b"] }] });
    assert.equal((fromExpected({ a: { Exists: false }, b: { Exists: false } }) as Condition).kind, "and");
    assert.equal(fromExpected({}), undefined);
    assert.equal(fromExpected(undefined), undefined);
  });

  test("misuse is refused with AWS's messages", () => {
    refused(() => fromExpected({ a: {} }), `${INVALID}Value must be provided when Exists is null for Attribute: a`);
    refused(() => fromExpected({ a: { Exists: true } }), `${INVALID}Value must be provided when Exists is true for Attribute: a`);
    refused(() => fromExpected({ a: { Exists: false, Value: { S: "x" } } }), `${INVALID}Value cannot be used when Exists is false for Attribute: a`);
    refused(() => fromExpected({ a: { Value: { S: "x" }, AttributeValueList: [{ S: "x" }] } }), `${INVALID}Value and AttributeValueList cannot be used together for Attribute: a`);
    refused(() => fromExpected({ a: { ComparisonOperator: "EQ", Exists: true, Value: { S: "x" } } }), `${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: a`);
    refused(() => fromExpected({ a: { ComparisonOperator: "EQ" } }), `${INVALID}Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a`);
    refused(() => fromExpected({ a: { AttributeValueList: [{ S: "x" }] } }), `${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: a`);
    refused(() => fromExpected({ a: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }] } }), `${INVALID}Invalid number of argument(s) for the BETWEEN ComparisonOperator`);
    refused(() => fromExpected({ a: { ComparisonOperator: "NULL", AttributeValueList: [{ N: "1" }] } }), `${INVALID}Invalid number of argument(s) for the NULL ComparisonOperator`);
    refused(() => fromExpected({ a: { ComparisonOperator: "IN", AttributeValueList: [{ N: "1" }, { S: "1" }] } }), `${INVALID}AttributeValues inside AttributeValueList must be of same type`);
    refused(
      () => fromExpected({ a: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "10" }, { N: "9" }] } }),
      "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
    );
    refused(
      () => fromExpected({ a: { ComparisonOperator: "ABOUT", Value: { S: "x" } } }),
      "1 validation error detected: Value 'ABOUT' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
    );
    refused(() => fromExpected({ a: { Value: { SS: [] } } }), `${INVALID}An string set  may not be empty`);
    refused(() => fromExpected({ a: { Exists: false } }, "XOR"), "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]");
    refused(() => fromExpected({ a: { Exists: false } }, "OR"), "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    refused(() => fromExpected({}, "AND"), "ConditionalOperator cannot be used without Filter or Expected");
    refused(() => fromExpected({ a: null }), `${INVALID}ExpectedAttributeValue must not be null for Attribute: a`);
    refused(() => fromExpected({ a: { ComparisonOperator: "BEGINS_WITH", Value: { N: "1" } } }), `${INVALID}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type`);
    // The parameter's own rules are judged before its values.
    refused(() => fromExpected({ a: { Exists: false, Value: { SS: [] } } }), `${INVALID}Value cannot be used when Exists is false for Attribute: a`);
  });
});

describe("QueryFilter and ScanFilter", () => {
  test("every ComparisonOperator has its expression form", () => {
    const one = (op: string, list: object[]) => fromFilter({ a: { ComparisonOperator: op, AttributeValueList: list } });
    const x = { S: "x" };
    assert.deepEqual(one("EQ", [x]), { kind: "compare", op: "=", left: a, right: v(x) });
    assert.deepEqual(one("NE", [x]), { kind: "compare", op: "<>", left: a, right: v(x) });
    assert.deepEqual(one("LE", [x]), { kind: "compare", op: "<=", left: a, right: v(x) });
    assert.deepEqual(one("LT", [x]), { kind: "compare", op: "<", left: a, right: v(x) });
    assert.deepEqual(one("GE", [x]), { kind: "compare", op: ">=", left: a, right: v(x) });
    assert.deepEqual(one("GT", [x]), { kind: "compare", op: ">", left: a, right: v(x) });
    assert.deepEqual(one("NOT_NULL", []), { kind: "function", name: "attribute_exists", args: [a] });
    assert.deepEqual(one("NULL", []), { kind: "function", name: "attribute_not_exists", args: [a] });
    assert.deepEqual(one("CONTAINS", [x]), { kind: "function", name: "contains", args: [a, v(x)] });
    assert.deepEqual(one("NOT_CONTAINS", [x]), {
      kind: "and",
      left: { kind: "function", name: "attribute_exists", args: [a] },
      right: { kind: "not", condition: { kind: "function", name: "contains", args: [a, v(x)] } },
    });
    assert.deepEqual(one("EQ", [{ L: [x] }]), { kind: "compare", op: "=", left: a, right: v({ L: [x] }) });
    assert.deepEqual(one("CONTAINS", [{ BOOL: true }]), { kind: "function", name: "contains", args: [a, v({ BOOL: true })] });
    assert.deepEqual(one("BEGINS_WITH", [x]), { kind: "function", name: "begins_with", args: [a, v(x)] });
    assert.deepEqual(one("IN", [x, { S: "y" }]), { kind: "in", operand: a, list: [v(x), v({ S: "y" })] });
    assert.deepEqual(one("BETWEEN", [{ N: "1" }, { N: "2.0" }]), { kind: "between", operand: a, low: v({ N: "1" }), high: v({ N: "2" }) });
  });

  test("operand types and counts are checked", () => {
    const one = (op: string, list: object[]) => () => fromFilter({ a: { ComparisonOperator: op, AttributeValueList: list } });
    refused(one("BEGINS_WITH", [{ N: "1" }]), `${INVALID}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type`);
    refused(one("LT", [{ SS: ["a"] }]), `${INVALID}ComparisonOperator LT is not valid for SS AttributeValue type`);
    refused(one("CONTAINS", [{ SS: ["a"] }]), `${INVALID}ComparisonOperator CONTAINS is not valid for SS AttributeValue type`);
    refused(one("GT", [{ BOOL: true }]), `${INVALID}ComparisonOperator GT is not valid for BOOL AttributeValue type`);
    // Each value's type is judged before its agreement with the first.
    refused(one("IN", [{ N: "1" }, { SS: ["a"] }]), `${INVALID}ComparisonOperator IN is not valid for SS AttributeValue type`);
    refused(one("IN", [{ N: "1" }, { S: "a" }]), `${INVALID}AttributeValues inside AttributeValueList must be of same type`);
    refused(() => fromFilter({ a: null }), "The filter condition for an attribute cannot be null: a");
    refused(() => fromFilter({ a: { ComparisonOperator: "NULL" } }, "AND"), "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    refused(() => fromFilter(undefined, "OR"), "ConditionalOperator cannot be used without Filter or Expected");
    refused(one("IN", []), `${INVALID}Invalid number of argument(s) for the IN ComparisonOperator`);
    refused(one("EQ", []), `${INVALID}Invalid number of argument(s) for the EQ ComparisonOperator`);
    refused(one("BETWEEN", [{ S: "b" }, { S: "a" }]), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    refused(
      () => fromFilter({ a: { AttributeValueList: [] } }, undefined, "QueryFilter"),
      "1 validation error detected: Value null at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe("KeyConditions", () => {
  const key = { hash: "h", range: "r" };
  const eq = (value: object) => ({ ComparisonOperator: "EQ", AttributeValueList: [value] });

  test("the hash equality and one range condition", () => {
    assert.deepEqual(fromKeyConditions({ h: eq({ S: "p" }) }, key), { hash: { S: "p" } });
    assert.deepEqual(fromKeyConditions({ h: eq({ S: "p" }), r: { ComparisonOperator: "LT", AttributeValueList: [{ N: "5" }] } }, key), {
      hash: { S: "p" },
      range: { op: "<", value: { N: "5" } },
    });
    assert.deepEqual(fromKeyConditions({ h: eq({ S: "p" }), r: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }, { N: "5" }] } }, key).range, {
      op: "BETWEEN",
      low: { N: "1" },
      high: { N: "5" },
    });
    assert.deepEqual(fromKeyConditions({ h: eq({ S: "p" }), r: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: "x" }] } }, key).range, {
      op: "begins_with",
      prefix: { S: "x" },
    });
  });

  test("conditions a query cannot use are refused", () => {
    refused(() => fromKeyConditions({}, key), "Conditions can be of length 1 or 2 only");
    refused(() => fromKeyConditions({ h: eq({ S: "p" }), r: eq({ S: "p" }), x: eq({ S: "p" }) }, key), "Conditions can be of length 1 or 2 only");
    refused(() => fromKeyConditions({ h: eq({ S: "p" }), x: eq({ S: "p" }) }, { hash: "h" }), "Query key condition not supported");
    refused(() => fromKeyConditions({ r: eq({ S: "p" }) }, key), "Query condition missed key schema element: h");
    refused(() => fromKeyConditions({ h: eq({ S: "p" }), x: eq({ S: "p" }) }, key), "Query condition missed key schema element: r");
    refused(() => fromKeyConditions({ h: { ComparisonOperator: "GT", AttributeValueList: [{ S: "p" }] } }, key), "Query key condition not supported");
    refused(() => fromKeyConditions({ h: { ComparisonOperator: "NOT_NULL" } }, key), "Attempted conditional constraint is not an indexable operation");
    refused(() => fromKeyConditions({ h: eq({ S: "p" }), r: { ComparisonOperator: "IN", AttributeValueList: [{ S: "p" }] } }, key), "Attempted conditional constraint is not an indexable operation");
  });
});

describe("AttributeUpdates", () => {
  test("PUT sets, DELETE removes or takes from a set, ADD adds, and appends a list", () => {
    const { actions } = fromAttributeUpdates({
      a: { Value: { S: "x" } },
      b: { Action: "PUT", Value: { N: "1.0" } },
      c: { Action: "DELETE" },
      d: { Action: "DELETE", Value: { SS: ["x"] } },
      e: { Action: "ADD", Value: { N: "2" } },
      f: { Action: "ADD", Value: { L: [{ S: "y" }] } },
    });
    assert.deepEqual(actions, [
      { action: "SET", path: ["a"], value: { kind: "operand", operand: v({ S: "x" }) } },
      { action: "SET", path: ["b"], value: { kind: "operand", operand: v({ N: "1" }) } },
      { action: "REMOVE", path: ["c"] },
      { action: "DELETE", path: ["d"], value: { SS: ["x"] } },
      { action: "ADD", path: ["e"], value: { N: "2" } },
      {
        action: "SET",
        path: ["f"],
        value: {
          kind: "list_append",
          first: { kind: "if_not_exists", path: ["f"], fallback: { kind: "operand", operand: v({ L: [] }) } },
          second: { kind: "operand", operand: v({ L: [{ S: "y" }] }) },
        },
      },
    ]);
    assert.deepEqual(fromAttributeUpdates(undefined), { actions: [], wrongType: "Type mismatch for attribute to update" });
  });

  test("misuse is refused with AWS's messages", () => {
    refused(() => fromAttributeUpdates({ a: null }), "Supplied AttributeValueUpdate is empty, must contain one of the supported actions: a is null");
    refused(() => fromAttributeUpdates({ a: { Action: "PUT" } }), `${INVALID}Only DELETE action is allowed when no attribute value is specified`);
    refused(() => fromAttributeUpdates({ a: { Action: "ADD" } }), `${INVALID}Only DELETE action is allowed when no attribute value is specified`);
    refused(() => fromAttributeUpdates({ a: { Action: "DELETE", Value: { S: "x" } } }), `${INVALID}DELETE action with value is not supported for the type S`);
    refused(() => fromAttributeUpdates({ a: { Action: "ADD", Value: { S: "x" } } }), `${INVALID}ADD action is not supported for the type S`);
    refused(() => fromAttributeUpdates({ a: { Action: "ADD", Value: { M: {} } } }), `${INVALID}ADD action is not supported for the type M`);
    refused(
      () => fromAttributeUpdates({ a: { Action: "SET", Value: { S: "x" } } }),
      "1 validation error detected: Value 'SET' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
    );
  });
});

describe("AttributesToGet and mixing parameters", () => {
  test("AttributesToGet names top-level attributes, without duplicates", () => {
    assert.deepEqual(fromAttributesToGet(["a", "b.c"]), [["a"], ["b.c"]]);
    refused(() => fromAttributesToGet(["a", "a"]), `${INVALID}Duplicate value in attribute name: a`);
    refused(() => fromAttributesToGet([]), "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  test("expression and legacy parameters cannot be mixed", () => {
    const update = (request: Record<string, unknown>) => () => checkExpressionParams(request, ["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected"]);
    refused(
      update({ UpdateExpression: "SET a = :a", Expected: {}, AttributeUpdates: {} }),
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression}",
    );
    refused(update({ ExpressionAttributeNames: { "#a": "a" } }), "ExpressionAttributeNames can only be specified when using expressions");
    refused(update({ ExpressionAttributeValues: { ":a": { S: "x" } } }), "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null");
    update({ UpdateExpression: "SET a = :a", ExpressionAttributeValues: { ":a": { S: "x" } } })();
    update({ AttributeUpdates: {}, Expected: {} })();
    // Each kind is listed in AWS's order, whatever order the operation names them in.
    refused(
      () =>
        checkExpressionParams(
          { ConditionalOperator: "OR", Expected: {}, ConditionExpression: "a = :a", UpdateExpression: "SET b = :a" },
          ["ConditionExpression", "UpdateExpression"],
          ["ConditionalOperator", "Expected", "AttributeUpdates"],
        ),
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected, ConditionalOperator} Expression parameters: {UpdateExpression, ConditionExpression}",
    );

    const query = (request: Record<string, unknown>) => () =>
      checkExpressionParams(request, ["ProjectionExpression", "FilterExpression", "KeyConditionExpression"], ["AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"]);
    query({ KeyConditions: {}, FilterExpression: "a = :a" })();
    refused(
      query({ KeyConditions: {}, KeyConditionExpression: "h = :h" }),
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}",
    );
    const get = (request: Record<string, unknown>) => () => checkExpressionParams(request, ["ProjectionExpression"], ["AttributesToGet"]);
    // With only a ProjectionExpression possible, values have nothing to be checked against here.
    get({ ExpressionAttributeValues: { ":a": { S: "x" } } })();
  });
});

describe("legacy parameters evaluated and applied", () => {
  const item = { a: { N: "5" }, s: { S: "hello" }, ss: { SS: ["x", "y"] }, l: { L: [{ S: "p" }] } };
  const holds = (expected: unknown, op?: string) => evaluate(fromExpected(expected, op)!, item);
  const filters = (filter: unknown) => evaluate(fromFilter(filter)!, item);

  test("conditions hold as AWS's legacy operators do", () => {
    assert.equal(holds({ a: { Value: { N: "5.0" } } }), true);
    assert.equal(holds({ a: { Exists: false } }), false);
    assert.equal(holds({ missing: { Exists: false } }), true);
    assert.equal(holds({ a: { Exists: false }, missing: { Exists: false } }, "OR"), true);
    assert.equal(holds({ a: { Exists: false }, missing: { Exists: false } }, "AND"), false);
    // NE holds for a missing attribute; NOT_CONTAINS and the ordering operators do not.
    assert.equal(filters({ missing: { ComparisonOperator: "NE", AttributeValueList: [{ N: "1" }] } }), true);
    assert.equal(filters({ missing: { ComparisonOperator: "NOT_CONTAINS", AttributeValueList: [{ S: "x" }] } }), false);
    assert.equal(filters({ s: { ComparisonOperator: "NOT_CONTAINS", AttributeValueList: [{ S: "x" }] } }), true);
    assert.equal(filters({ missing: { ComparisonOperator: "LT", AttributeValueList: [{ N: "1" }] } }), false);
    assert.equal(filters({ a: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }, { N: "5" }] } }), true);
    assert.equal(filters({ a: { ComparisonOperator: "IN", AttributeValueList: [{ N: "4" }, { N: "5" }] } }), true);
    assert.equal(filters({ s: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: "he" }] } }), true);
    assert.equal(filters({ s: { ComparisonOperator: "CONTAINS", AttributeValueList: [{ S: "ll" }] } }), true);
    assert.equal(filters({ ss: { ComparisonOperator: "CONTAINS", AttributeValueList: [{ S: "y" }] } }), true);
    assert.equal(filters({ ss: { ComparisonOperator: "NOT_CONTAINS", AttributeValueList: [{ S: "y" }] } }), false);
    assert.equal(filters({ a: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "5" }] } }), false);
  });

  test("updates apply as AWS's legacy actions do", () => {
    const updates = fromAttributeUpdates({
      a: { Action: "ADD", Value: { N: "-2.5" } },
      n: { Action: "ADD", Value: { N: "1" } },
      ss: { Action: "DELETE", Value: { SS: ["x"] } },
      l: { Action: "ADD", Value: { L: [{ S: "q" }] } },
      fresh: { Action: "ADD", Value: { L: [{ S: "r" }] } },
      s: { Action: "DELETE" },
      t: { Value: { BOOL: true } },
    });
    const { item: after } = applyUpdate(updates, item);
    assert.deepEqual(after, {
      a: { N: "2.5" },
      n: { N: "1" },
      ss: { SS: ["y"] },
      l: { L: [{ S: "p" }, { S: "q" }] },
      fresh: { L: [{ S: "r" }] },
      t: { BOOL: true },
    });
  });
});
