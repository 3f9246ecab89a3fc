/** Attribute values: AWS's validation messages, item sizes, equality, order and key encoding. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../../errors.js";
import { compareNumbers } from "./numbers.js";
import { random, randomNumber } from "./numbers.fixture.js";
import type { AttributeValue } from "./types.js";
import { checkItem, checkValue, compareValues, itemSize, keyBytes, keyText, prefixEnd, typeOf, valueSize, valuesEqual } from "./values.js";

const fails = (fn: () => unknown, code: string, message: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
const invalid = (raw: unknown, message: string) => fails(() => checkValue(raw), "ValidationException", message);
const unreadable = (raw: unknown, message: string) => fails(() => checkValue(raw), "SerializationException", message);
const b64 = (...bytes: number[]) => Buffer.from(bytes).toString("base64");

describe("attribute value validation", () => {
  test("every type is accepted and numbers come back canonical", () => {
    const item = checkItem(
      {
        s: { S: "x" }, empty: { S: "" }, n: { N: "01.50" }, b: { B: b64(1, 2) }, emptyB: { B: "" }, t: { BOOL: true }, nul: { NULL: true },
        ss: { SS: ["a", "b"] }, ns: { NS: ["1e2", "-0.50"] }, bs: { BS: [b64(1), b64(2)] },
        l: { L: [{ N: "1.0" }, { M: { x: { N: "+7" } } }] }, m: { M: {} },
      },
      "Item",
    );
    assert.deepEqual(item.n, { N: "1.5" });
    assert.deepEqual(item.ns, { NS: ["100", "-0.5"] });
    assert.deepEqual(item.l, { L: [{ N: "1" }, { M: { x: { N: "7" } } }] });
    assert.deepEqual(item.empty, { S: "" });
    assert.deepEqual(item.emptyB, { B: "" });
  });

  test("a value with no type, or two, is refused", () => {
    invalid({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    invalid({ S: null }, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    invalid({ X: "a" }, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    invalid({ S: "a", N: "1" }, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    // A member's own error comes before the count of members.
    invalid({ S: "a", NULL: false }, "One or more parameter values were invalid: Null attribute value types must have the value of true");
    invalid({ S: "a", N: "x" }, "The parameter cannot be converted to a numeric value: x");
  });

  test("sets may not be empty nor hold duplicates", () => {
    invalid({ SS: [] }, "One or more parameter values were invalid: An string set  may not be empty");
    invalid({ NS: [] }, "One or more parameter values were invalid: An number set  may not be empty");
    invalid({ BS: [] }, "One or more parameter values were invalid: Binary sets should not be empty");
    invalid({ SS: ["a", "a"] }, "One or more parameter values were invalid: Input collection [a, a] contains duplicates.");
    invalid({ NS: ["1", "1.0"] }, "Input collection contains duplicates");
    invalid({ BS: [b64(1), b64(1)] }, "One or more parameter values were invalid: Input collection [AQ==, AQ==]of type BS contains duplicates.");
    invalid({ NS: ["1", "z"] }, "The parameter cannot be converted to a numeric value: z");
  });

  test("numbers out of range fail inside documents too", () => {
    invalid({ L: [{ M: { a: { N: "1e126" } } }] }, "Number overflow. Attempting to store a number with magnitude larger than supported range");
    invalid({ N: "" }, "The parameter cannot be converted to a numeric value");
    invalid({ NULL: false }, "One or more parameter values were invalid: Null attribute value types must have the value of true");
  });

  test("documents nest at most 32 levels", () => {
    const nested = (levels: number): unknown => (levels === 0 ? { S: "x" } : { L: [nested(levels - 1)] });
    checkValue(nested(32));
    invalid(nested(33), "Nesting Levels have exceeded supported limits");
  });

  test("wrong JSON types are serialization errors, found before any value rule", () => {
    unreadable({ N: 123 }, "NUMBER_VALUE cannot be converted to String");
    unreadable({ S: 1.5 }, "DECIMAL_VALUE cannot be converted to String");
    unreadable({ S: true }, "TRUE_VALUE cannot be converted to String");
    unreadable({ S: {} }, "Start of structure or map found where not expected");
    unreadable({ S: [] }, "Unrecognized collection type class java.lang.String");
    unreadable({ BOOL: 1 }, "NUMBER_VALUE cannot be converted to Boolean");
    unreadable({ BOOL: "maybe" }, "Unexpected token received from parser");
    unreadable({ B: 5 }, "only base-64-encoded strings are convertible to bytes");
    unreadable({ B: "abc" }, "Base64 encoded length is expected a multiple of 4 bytes but found: 3");
    unreadable({ L: "x" }, "Unexpected field type");
    unreadable({ M: [] }, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    unreadable("x", "Unexpected value type in payload");
    unreadable([], "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
    // The shape of the whole request is read before values are judged.
    fails(() => checkItem({ a: { SS: [] }, b: { N: 1 } }, "Item"), "SerializationException", "NUMBER_VALUE cannot be converted to String");
    assert.deepEqual(checkValue({ BOOL: "yes" }), { BOOL: true });
    fails(() => checkItem(null, "Item"), "ValidationException", "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
  });
});

describe("item size", () => {
  test("follows AWS's rules: UTF-8 names and strings, numbers by digit pairs, raw binary bytes", () => {
    assert.equal(itemSize({ a: { S: "abc" } }), 4);
    assert.equal(itemSize({ "é": { S: "é€" } }), 2 + 5);
    assert.equal(itemSize({ b: { B: b64(1, 2, 3) } }), 4);
    assert.equal(itemSize({ t: { BOOL: false }, n: { NULL: true } }), 4);
    const sizes: [string, number][] = [["0", 1], ["1", 2], ["12", 2], ["123", 3], ["1.5", 3], ["100", 2], ["0.1", 2], ["-1", 3], ["12345678901234567890123456789012345678", 20]];
    for (const [n, size] of sizes) assert.equal(valueSize({ N: n }), size, n);
  });

  test("lists and maps cost 3 bytes plus 1 per element; sets sum their members", () => {
    assert.equal(itemSize({ l: { L: [] } }), 4);
    assert.equal(itemSize({ l: { L: [{ S: "a" }, { N: "1" }] } }), 1 + 3 + (1 + 1) + (1 + 2));
    assert.equal(itemSize({ m: { M: { x: { S: "ab" } } } }), 1 + 3 + 1 + (1 + 2));
    assert.equal(itemSize({ ss: { SS: ["a", "bc"] }, ns: { NS: ["1", "-1"] }, bs: { BS: [b64(1), b64(1, 2)] } }), 2 + 3 + 2 + 5 + 2 + 3);
  });
});

describe("equality and order", () => {
  test("values are equal by content: numbers by value, sets in any order, documents deeply", () => {
    assert.ok(valuesEqual({ N: "1.0" }, { N: "1" }));
    assert.ok(valuesEqual({ SS: ["a", "b"] }, { SS: ["b", "a"] }));
    assert.ok(valuesEqual({ NS: ["1", "2.0"] }, { NS: ["2", "1"] }));
    assert.ok(!valuesEqual({ SS: ["a", "b"] }, { SS: ["a"] }));
    assert.ok(valuesEqual({ M: { a: { L: [{ N: "1" }, { NULL: true }] } } }, { M: { a: { L: [{ N: "1.00" }, { NULL: true }] } } }));
    assert.ok(!valuesEqual({ M: { a: { N: "1" } } }, { M: { b: { N: "1" } } }));
    assert.ok(!valuesEqual({ L: [{ N: "1" }, { N: "2" }] }, { L: [{ N: "2" }, { N: "1" }] }));
    assert.ok(!valuesEqual({ S: "1" }, { N: "1" }));
    assert.ok(!valuesEqual({ BOOL: true }, { BOOL: false }));
  });

  test("strings order by UTF-8 bytes, not UTF-16 units", () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80), though its UTF-16 unit is higher.
    assert.ok(compareValues({ S: "\uff5e" }, { S: "\u{1f600}" })! < 0);
    assert.ok("\uff5e" > "\u{1f600}");
    assert.equal(compareValues({ S: "a" }, { N: "1" }), undefined);
    assert.ok(compareValues({ B: b64(1) }, { B: b64(1, 0) })! < 0);
    assert.ok(compareValues({ N: "-10" }, { N: "2" })! < 0);
  });

  test("typeOf and keyText", () => {
    assert.equal(typeOf({ NS: ["1"] }), "NS");
    assert.equal(keyText({ N: "01.50" }), "1.5");
    assert.equal(keyText({ S: "k" }), "k");
    assert.equal(keyText({ B: b64(1) }), "AQ==");
  });
});

describe("key bytes", () => {
  const order = (a: AttributeValue, b: AttributeValue) => Math.sign(Buffer.compare(keyBytes(a), keyBytes(b)));

  test("memcmp of number encodings orders as the numbers do, over random numbers at every magnitude", () => {
    const next = random(42);
    const samples = ["0", "-0", "1", "-1", "1e125", "-1e125", "1e-130", "-1e-130", "9.9999999999999999999999999999999999999e125", "12", "120", "-12", "-120", "-121", "-1.2"];
    for (let i = 0; i < 600; i++) samples.push(randomNumber(next));
    for (const a of samples) {
      for (let j = 0; j < 20; j++) {
        const b = samples[Math.floor(next() * samples.length)]!;
        assert.equal(order({ N: a }, { N: b }), Math.sign(compareNumbers(a, b)), `${a} vs ${b}`);
      }
    }
  });

  test("sorting by key bytes sorts numbers", () => {
    const next = random(3);
    const numbers = Array.from({ length: 2000 }, () => randomNumber(next));
    const byBytes = [...numbers].sort((a, b) => Buffer.compare(keyBytes({ N: a }), keyBytes({ N: b })));
    for (let i = 1; i < byBytes.length; i++) assert.ok(compareNumbers(byBytes[i - 1]!, byBytes[i]!) <= 0, `${byBytes[i - 1]} before ${byBytes[i]}`);
  });

  test("equal numbers in any spelling share one encoding", () => {
    assert.deepEqual(keyBytes({ N: "1.50" }), keyBytes({ N: "15e-1" }));
    assert.deepEqual(keyBytes({ N: "-0" }), keyBytes({ N: "0.000" }));
  });

  test("strings encode as UTF-8, binaries as their bytes", () => {
    assert.deepEqual(keyBytes({ S: "é" }), Buffer.from([0xc3, 0xa9]));
    assert.deepEqual(keyBytes({ B: b64(0, 255) }), Buffer.from([0, 255]));
  });

  test("prefixEnd bounds everything that begins with the prefix", () => {
    assert.deepEqual(prefixEnd(Buffer.from("ab")), Buffer.from("ac"));
    assert.deepEqual(prefixEnd(Buffer.from([1, 0xff, 0xff])), Buffer.from([2]));
    assert.equal(prefixEnd(Buffer.from([0xff])), undefined);
    assert.equal(prefixEnd(Buffer.alloc(0)), undefined);
    const prefix = Buffer.from("ab");
    const end = prefixEnd(prefix)!;
    for (const s of ["ab", "ab\u{10ffff}", "abzzz", "ab\xff"]) {
      const k = keyBytes({ S: s });
      assert.ok(Buffer.compare(k, prefix) >= 0 && Buffer.compare(k, end) < 0, s);
    }
    assert.ok(Buffer.compare(keyBytes({ S: "ac" }), end) >= 0);
  });
});
