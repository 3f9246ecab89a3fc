import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FilterPolicyError, filterMatches, parseFilterPolicy } from "./filter-policy.js";

type Attrs = Record<string, { DataType: string; StringValue?: string }>;
const str = (StringValue: string) => ({ DataType: "String", StringValue });
const num = (StringValue: string) => ({ DataType: "Number", StringValue });

const onAttributes = (policy: unknown, attributes: Attrs) => filterMatches(parseFilterPolicy(JSON.stringify(policy), "MessageAttributes"), { attributes, body: "" });
const onBody = (policy: unknown, body: unknown) =>
  filterMatches(parseFilterPolicy(JSON.stringify(policy), "MessageBody"), { attributes: {}, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("filter policy on message attributes", () => {
  test("exact strings: every key must match one of its values (case-sensitive)", () => {
    const policy = { store: ["example_corp"], event: ["order_placed", "order_cancelled"] };
    assert.equal(onAttributes(policy, { store: str("example_corp"), event: str("order_cancelled"), other: str("x") }), true);
    assert.equal(onAttributes(policy, { store: str("example_corp"), event: str("order_shipped") }), false);
    assert.equal(onAttributes(policy, { store: str("Example_Corp"), event: str("order_placed") }), false);
    assert.equal(onAttributes(policy, { event: str("order_placed") }), false, "a key the message lacks does not match");
  });

  test("String.Array: any element matches; Binary attributes are ignored", () => {
    assert.equal(onAttributes({ interests: ["rugby"] }, { interests: { DataType: "String.Array", StringValue: '["soccer", "rugby", "hockey"]' } }), true);
    assert.equal(onAttributes({ interests: ["golf"] }, { interests: { DataType: "String.Array", StringValue: '["soccer", "rugby"]' } }), false);
    assert.equal(onAttributes({ blob: [{ exists: true }] }, { blob: { DataType: "Binary" } }), false);
  });

  test("numbers: exact values, = and ranges compare numerically, and only Number attributes", () => {
    assert.equal(onAttributes({ price: [301.5] }, { price: num("3.015e2") }), true);
    assert.equal(onAttributes({ price: [{ numeric: ["=", 301.5] }] }, { price: num("301.5") }), true);
    assert.equal(onAttributes({ price: [{ numeric: [">", 0, "<=", 150] }] }, { price: num("150") }), true);
    assert.equal(onAttributes({ price: [{ numeric: [">", 0, "<=", 150] }] }, { price: num("150.01") }), false);
    assert.equal(onAttributes({ price: [{ numeric: ["<", 0] }] }, { price: num("-3") }), true);
    assert.equal(onAttributes({ price: [301.5] }, { price: str("301.5") }), false, "a string attribute is not a number");
    assert.equal(onAttributes({ price: [{ numeric: [">=", 10] }] }, { price: { DataType: "Number.Array", StringValue: "[1, 20]" } }), true);
  });

  test("prefix, suffix and equals-ignore-case", () => {
    assert.equal(onAttributes({ customer: [{ prefix: "bl" }] }, { customer: str("blue") }), true);
    assert.equal(onAttributes({ customer: [{ prefix: "bl" }] }, { customer: str("red") }), false);
    assert.equal(onAttributes({ file: [{ suffix: ".png" }] }, { file: str("a.png") }), true);
    assert.equal(onAttributes({ name: [{ "equals-ignore-case": "ALICE" }] }, { name: str("alice") }), true);
  });

  test("anything-but: values, numbers, a prefix; the attribute must be present", () => {
    assert.equal(onAttributes({ event: [{ "anything-but": ["order_cancelled"] }] }, { event: str("order_placed") }), true);
    assert.equal(onAttributes({ event: [{ "anything-but": "order_cancelled" }] }, { event: str("order_cancelled") }), false);
    assert.equal(onAttributes({ price: [{ "anything-but": [100, 500] }] }, { price: num("100.1") }), true);
    assert.equal(onAttributes({ price: [{ "anything-but": [100, 500] }] }, { price: num("100") }), false);
    assert.equal(onAttributes({ price: [{ "anything-but": [100, 500] }] }, { price: { DataType: "Number.Array", StringValue: "[100, 50]" } }), true);
    assert.equal(onAttributes({ event: [{ "anything-but": { prefix: "order-" } }] }, { event: str("order-placed") }), false);
    assert.equal(onAttributes({ event: [{ "anything-but": { prefix: "order-" } }] }, { event: str("refund") }), true);
    assert.equal(onAttributes({ event: [{ "anything-but": ["x"] }] }, {}), false);
  });

  test("exists, OR of values, $or of key sets, cidr", () => {
    assert.equal(onAttributes({ store: [{ exists: true }] }, { store: str("x") }), true);
    assert.equal(onAttributes({ store: [{ exists: false }] }, {}), true);
    assert.equal(onAttributes({ store: [{ exists: false }] }, { store: str("x") }), false);
    assert.equal(onAttributes({ color: ["red", { prefix: "bl" }, { numeric: [">", 5] }] }, { color: num("6") }), true);
    const or = { source: ["aws.cloudwatch"], $or: [{ metric: ["CPU"] }, { namespace: ["AWS/EC2"] }] };
    assert.equal(onAttributes(or, { source: str("aws.cloudwatch"), namespace: str("AWS/EC2") }), true);
    assert.equal(onAttributes(or, { source: str("aws.cloudwatch"), metric: str("Disk") }), false);
    assert.equal(onAttributes({ ip: [{ cidr: "10.0.0.0/24" }] }, { ip: str("10.0.0.255") }), true);
    assert.equal(onAttributes({ ip: [{ cidr: "10.0.0.0/24" }] }, { ip: str("10.0.1.1") }), false);
  });

  test("an empty policy matches everything", () => {
    assert.equal(onAttributes({}, {}), true);
  });
});

describe("filter policy on the message body", () => {
  test("nested keys, arrays of values and of objects, null and booleans", () => {
    const body = { order: { type: "book", items: [{ price: 5 }, { price: 50 }] }, tags: ["a", "b"], gift: false, note: null };
    assert.equal(onBody({ order: { type: ["book"] } }, body), true);
    assert.equal(onBody({ order: { items: { price: [{ numeric: [">", 40] }] } } }, body), true);
    assert.equal(onBody({ order: { items: { price: [{ numeric: [">", 60] }] } } }, body), false);
    assert.equal(onBody({ tags: ["b"], gift: [false], note: [null] }, body), true);
    assert.equal(onBody({ order: { missing: [{ exists: false }] } }, body), true);
    assert.equal(onBody({ order: ["book"] }, body), false, "an object is not a leaf value");
  });

  test("$or inside a nested object: the alternatives are paths below it", () => {
    const policy = { detail: { scope: ["Service"], $or: [{ source: ["aws.cloudwatch"] }, { type: ["Alarm"] }] } };
    assert.equal(onBody(policy, { detail: { scope: "Service", type: "Alarm" } }), true);
    assert.equal(onBody(policy, { detail: { scope: "Service", source: "aws.cloudwatch" } }), true);
    assert.equal(onBody(policy, { detail: { scope: "Service", source: "aws.ec2" } }), false);
    assert.equal(onBody(policy, { detail: { type: "Alarm" } }), false);
    assert.equal(onBody(policy, { type: "Alarm", detail: { scope: "Service" } }), false);
  });

  test("values inside arrays nested deeper than the call stack still count", () => {
    const body = `{"a":${"[".repeat(100_000)}1${"]".repeat(100_000)}}`;
    assert.equal(onBody({ a: [1] }, body), true);
    assert.equal(onBody({ a: [2] }, body), false);
  });

  test("a body that is not a JSON object matches no keyed policy", () => {
    assert.equal(onBody({ a: ["x"] }, "plain text"), false);
    assert.equal(onBody({ a: ["x"] }, "[1,2]"), false);
  });
});

describe("filter policy validation (AWS's reasons)", () => {
  const reason = (policy: unknown, scope: "MessageAttributes" | "MessageBody" = "MessageAttributes") => {
    try {
      parseFilterPolicy(typeof policy === "string" ? policy : JSON.stringify(policy), scope);
    } catch (err) {
      assert.ok(err instanceof FilterPolicyError);
      return err.message;
    }
    return "accepted";
  };

  test("each malformed policy is refused with its reason", () => {
    assert.equal(reason("{not json"), "FilterPolicy: failed to parse JSON.");
    assert.equal(reason({ a: [] }), "FilterPolicy: Empty arrays are not allowed");
    assert.equal(reason({ a: "x" }), 'FilterPolicy: "a" must be an object or an array');
    assert.equal(reason({ a: { b: ["x"] } }), "Filter policy scope MessageAttributes does not support nested filter policy");
    assert.equal(reason({ a: { b: ["x"] } }, "MessageBody"), "accepted");
    assert.equal(reason({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 }), "FilterPolicy: Filter policy can not have more than 5 keys");
    assert.equal(reason({ a: [{ prefix: 1 }] }), "FilterPolicy: prefix match pattern must be a string");
    assert.equal(reason({ a: [{ prefix: "x", suffix: "y" }] }), "FilterPolicy: Only one key allowed in match expression");
    assert.equal(reason({ a: [{ exists: "yes" }] }), "FilterPolicy: exists match pattern must be either true or false.");
    assert.equal(reason({ a: [{ nope: 1 }] }), "FilterPolicy: Unrecognized match type nope");
    assert.equal(reason({ a: [{ numeric: ["<", "x"] }] }), "FilterPolicy: Value of < must be numeric");
    assert.equal(reason({ a: [{ numeric: ["!", 1] }] }), "FilterPolicy: Unrecognized numeric range operator: !");
    assert.equal(reason({ a: [{ numeric: [">", 10, "<", 5] }] }), "FilterPolicy: Bottom must be less than top");
    assert.equal(reason({ a: [{ numeric: ["<", 10, "<", 5] }] }), "FilterPolicy: Too many elements in numeric expression");
    assert.equal(reason({ a: [[1]] }), "FilterPolicy: Match value must be String, number, true, false, or null");
    assert.equal(reason({ a: [{ cidr: "10.0.0.0" }] }), "FilterPolicy: Malformed CIDR, one '/' required");
  });

  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  const TOO_COMPLEX = "FilterPolicy: Filter policy is too complex";

  test("more than 150 combinations is too complex", () => {
    assert.equal(reason({ a: values(10), b: values(15) }), "accepted");
    assert.equal(reason({ a: values(10), b: values(16) }), TOO_COMPLEX);
  });

  test("a nested key weighs its values times its nesting level (AWS's examples)", () => {
    // 3 x 4 x 2 x 3 = 72, from AWS's constraints page; one more key of three values makes 216.
    const nested = { key_a: { key_b: { key_c: values(4) } }, key_d: { key_e: values(3) } };
    assert.equal(reason(nested, "MessageBody"), "accepted");
    assert.equal(reason({ ...nested, key_f: values(3) }, "MessageBody"), TOO_COMPLEX);
  });

  test("the alternatives of an $or add up (policies AWS refuses at 152 and 160 and accepts at 150)", () => {
    const flat = (spaces: number, sources = 4) => ({
      source: values(sources),
      $or: [{ metricName: values(6) }, { metricType: values(4), $or: [{ metricId: values(4) }, { spaceId: values(spaces) }] }],
    });
    assert.equal(reason(flat(4)), TOO_COMPLEX, "4 x 6 + 4 x 4 x 4 + 4 x 4 x 4 = 152");
    assert.equal(reason(flat(7, 3)), "accepted", "3 x 6 + 3 x 4 x 4 + 3 x 4 x 7 = 150");
    const nested = {
      $or: [{ metricName: values(3) }, { namespace: values(2) }],
      detail: { scope: values(2), $or: [{ source: values(1) }, { type: values(3) }] },
    };
    assert.equal(reason(nested, "MessageBody"), TOO_COMPLEX, "(3 + 2) x (2 x 2) x (1 x 2 + 3 x 2) = 160");
  });

  /** `levels` objects inside each other, each an $or of four keys and the next level. */
  const fourWayOrs = (levels: number): Record<string, unknown> =>
    levels === 0 ? { leaf: ["x"] } : { $or: [{ a: ["1"] }, { b: ["2"] }, { c: ["3"] }, { d: ["4"] }], next: fourWayOrs(levels - 1) };

  test("nested $ors of 4^10 and 4^20 combinations are refused without multiplying them out", () => {
    assert.equal(reason(fourWayOrs(10), "MessageBody"), TOO_COMPLEX);
    assert.equal(reason(fourWayOrs(20), "MessageBody"), TOO_COMPLEX);
  });

  test("nesting deeper than any key could be within 150 combinations is too complex, keys or not", () => {
    // Written as text: a policy this deep is more than JSON.stringify (or the old parser) can recurse through.
    const deep = (levels: number, bottom: string) => `${'{"a":'.repeat(levels)}${bottom}${"}".repeat(levels)}`;
    assert.equal(reason(deep(3, '{"b":["x"]}'), "MessageBody"), "accepted");
    assert.equal(reason(deep(200, '{"b":["x"]}'), "MessageBody"), TOO_COMPLEX, "one value 201 levels deep weighs 201");
    assert.equal(reason(deep(100_000, "{}"), "MessageBody"), TOO_COMPLEX);
    const ors = (levels: number) => `${'{"$or":['.repeat(levels)}{"a":["x"]}${',{"b":["y"]}]}'.repeat(levels)}`;
    assert.equal(reason(ors(3)), "accepted");
    assert.equal(reason(ors(100_000)), TOO_COMPLEX);
  });

  test("a policy within 150 combinations costs its size, however its $ors would multiply out", () => {
    // 20,000 keys after an $or of 100 empty alternatives: 101 combinations, but 2,000,000 keys if
    // every alternative got its own copy of them.
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, ["1"]]));
    const policy = { $or: [{ $or: Array.from({ length: 100 }, () => ({})), ...keys }, { other: ["x"] }] };
    assert.equal(reason(policy, "MessageBody"), "accepted");
    assert.equal(onBody(policy, { other: "x" }), true);
    assert.equal(onBody(policy, Object.fromEntries(Object.keys(keys).map((k) => [k, "1"]))), true);
    assert.equal(onBody(policy, { k0: "1" }), false);
  });
});
