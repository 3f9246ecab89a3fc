/** Attribute values: AWS's validation messages, item sizes, equality, order and key encoding. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../../errors.js";
import { compareNumbers } from "./numbers.js";
import { random, randomNumber } from "./numbers.fixture.js";
import type { AttributeValue } from "./types.js";
import { checkExpressionValues, checkItem, checkValue, NESTING_TOO_DEEP, compareValues, itemSize, keyBytes, keyText, prefixEnd, typeOf, valueSize, valuesEqual } from "./values.js";

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
    // Members are read in DynamoDB's order (S, SS, N, NS, B, BS, M, L, BOOL, NULL), whatever the JSON's.
    invalid({ NS: [], SS: [] }, "One or more parameter values were invalid: An string set  may not be empty");
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

  test("documents nest at most 32 levels, counting the item itself", () => {
    const nested = (levels: number): unknown => (levels === 0 ? { S: "x" } : levels % 2 ? { L: [nested(levels - 1)] } : { M: { m: nested(levels - 1) } });
    checkItem({ a: nested(31) }, "Item");
    fails(() => checkItem({ a: nested(32) }, "Item"), "ValidationException", NESTING_TOO_DEEP);
    // An expression value is not inside an item: one level more.
    checkValue(nested(32));
    invalid(nested(33), NESTING_TOO_DEEP);
    fails(() => checkExpressionValues({ ":v": nested(33) }), "ValidationException", `ExpressionAttributeValues contains invalid value: ${NESTING_TOO_DEEP} for key :v`);
  });

  test("null values and empty attribute names are refused", () => {
    fails(() => checkItem({ a: null }, "Item"), "ValidationException", "The supplied Item contains a null AttributeValue: a is null");
    invalid({ L: [{ S: "x" }, null] }, "The supplied Item contains a null AttributeValue");
    invalid({ M: { b: null } }, "The supplied Item contains a null AttributeValue: b is null");
    fails(() => checkItem({ "": { S: "x" } }, "Item"), "ValidationException", "Empty attribute name");
    invalid({ M: { "": { S: "x" } } }, "Empty attribute name");
    checkItem({ ["é".repeat(32767) + "a"]: { S: "x" } }, "Item");
    fails(() => checkItem({ ["é".repeat(32768)]: { S: "x" } }, "Item"), "ValidationException", "Attribute name is too large, must be less than 65536 bytes");
  });

  test("ExpressionAttributeValues name the key of a value they refuse", () => {
    assert.deepEqual(checkExpressionValues({ ":a": { N: "1.0" }, ":b": { S: "" } }), { ":a": { N: "1" }, ":b": { S: "" } });
    fails(
      () => checkExpressionValues({ ":a": { N: "1" }, ":b": { SS: ["a", "a"] } }),
      "ValidationException",
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Input collection [a, a] contains duplicates. for key :b",
    );
    fails(
      () => checkExpressionValues({ ":a": {} }),
      "ValidationException",
      "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :a",
    );
    fails(() => checkExpressionValues({ ":a": null }), "ValidationException", "ExpressionAttributeValues contains invalid value: The supplied Item contains a null AttributeValue for key :a");
    fails(() => checkExpressionValues({ ":a": { N: 1 } }), "SerializationException", "NUMBER_VALUE cannot be converted to String");
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
    const sizes: [string, number][] = [["0", 1], ["1", 2], ["12", 2], ["123", 3], ["1.5", 3], ["100", 2], ["0.1", 2], ["-1", 3], ["12345678901234567890123456789012345678", 20],
      ["-12345678901234567890123456789012345678", 21], ["-1234567890123456789012345678901234567.8", 21], ["-123456789012345678901234567890123456.78", 21]];
    for (const [n, size] of sizes) assert.equal(valueSize({ N: n }), size, n);
  });

  test("numbers are sized as dynalite measured AWS's item size limit", () => {
    const big = (significant: string, zeros: number) => valueSize({ N: significant + "0".repeat(zeros) });
    assert.equal(big("1", 125), 2);
    assert.equal(big("11", 124), 2);
    assert.equal(big("11111", 121), 4);
    assert.equal(big("111111", 120), 4);
    assert.equal(big("1111111", 119), 5);
    assert.equal(big("1".repeat(38), 88), 20);
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

  test("string order agrees with UTF-8 byte order over random strings with every kind of code point", () => {
    const next = random(5);
    const pick = () => {
      const r = next();
      if (r < 0.3) return 0x20 + Math.floor(next() * 0x60);
      if (r < 0.5) return 0x80 + Math.floor(next() * 0x780);
      if (r < 0.7) return 0xe000 + Math.floor(next() * 0x2000);
      if (r < 0.8) return 0x800 + Math.floor(next() * 0xd000);
      return 0x10000 + Math.floor(next() * 0xfffff);
    };
    const text = () => String.fromCodePoint(...Array.from({ length: Math.floor(next() * 4) }, pick));
    for (let i = 0; i < 5000; i++) {
      const a = text();
      const b = next() < 0.2 ? a + text() : text();
      assert.equal(Math.sign(compareValues({ S: a }, { S: b })!), Buffer.compare(Buffer.from(a), Buffer.from(b)), JSON.stringify([a, b]));
    }
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

  test("a key begins with a prefix exactly when it lies in [prefix, prefixEnd(prefix)), over random byte strings", () => {
    const next = random(9);
    // Few distinct byte values, 0x00 and 0xFF among them, so prefixes and carries are common.
    const bytes = () => Buffer.from(Array.from({ length: Math.floor(next() * 4) }, () => [0x00, 0x01, 0xfe, 0xff][Math.floor(next() * 4)]!));
    for (let i = 0; i < 5000; i++) {
      const prefix = bytes();
      const key = next() < 0.4 ? Buffer.concat([prefix, bytes()]) : bytes();
      const end = prefixEnd(prefix);
      const inRange = Buffer.compare(key, prefix) >= 0 && (end === undefined || Buffer.compare(key, end) < 0);
      assert.equal(inRange, key.subarray(0, prefix.length).equals(prefix), `${key.toString("hex")} / ${prefix.toString("hex")}`);
    }
  });
});
