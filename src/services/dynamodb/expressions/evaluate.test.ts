/** Conditions evaluated against items with DynamoDB's semantics: same-type comparisons, absent attributes, sizes. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AttributeValue, Item } from "../types.js";
import { evaluate, parseCondition, pathsOfCondition, Usage } from "./index.js";

const ITEM: Item = {
  id: { S: "item-1" },
  txt: { S: "héllo" },
  n: { N: "10" },
  neg: { N: "-2.5" },
  b: { B: Buffer.from([1, 2, 3]).toString("base64") },
  flag: { BOOL: true },
  nothing: { NULL: true },
  tags: { SS: ["red", "blue"] },
  nums: { NS: ["1", "2.50"] },
  bins: { BS: [Buffer.from([9]).toString("base64")] },
  lst: { L: [{ S: "a" }, { N: "5" }, { M: { deep: { S: "yes" } } }] },
  mp: { M: { nest: { M: { x: { N: "1" } } }, "dotted.key": { S: "d" } } },
  blank: { S: "" },
};

/** `item` "none": evaluated against no item at all (a put of a new item). */
function holds(text: string, values: Record<string, AttributeValue> = {}, item: Item | "none" = ITEM, names?: Record<string, string>): boolean {
  const usage = new Usage({ values: Object.keys(values).length ? values : undefined, names });
  return evaluate(parseCondition(text, usage, "ConditionExpression"), item === "none" ? undefined : item);
}

describe("condition evaluation", () => {
  test("= compares values of the same type; numbers by value", () => {
    assert.equal(holds("n = :v", { ":v": { N: "10" } }), true);
    assert.equal(holds("n = :v", { ":v": { N: "10.0" } }), true);
    assert.equal(holds("n = :v", { ":v": { S: "10" } }), false);
    assert.equal(holds("txt = :v", { ":v": { S: "héllo" } }), true);
    assert.equal(holds("flag = :v", { ":v": { BOOL: true } }), true);
    assert.equal(holds("nothing = :v", { ":v": { NULL: true } }), true);
  });

  test("= compares sets as sets, lists and maps deeply", () => {
    assert.equal(holds("tags = :v", { ":v": { SS: ["blue", "red"] } }), true);
    assert.equal(holds("nums = :v", { ":v": { NS: ["2.5", "1"] } }), true);
    assert.equal(holds("lst[2] = :v", { ":v": { M: { deep: { S: "yes" } } } }), true);
    assert.equal(holds("lst = :v", { ":v": { L: [{ S: "a" }] } }), false);
  });

  test("a absent attribute makes = < > BETWEEN IN false and <> true", () => {
    const v = { ":v": { N: "1" } };
    assert.equal(holds("absent = :v", v), false);
    assert.equal(holds("absent < :v", v), false);
    assert.equal(holds("absent >= :v", v), false);
    assert.equal(holds("absent <> :v", v), true);
    assert.equal(holds("absent BETWEEN :v AND :v", v), false);
    assert.equal(holds("absent IN (:v)", v), false);
    assert.equal(holds("n = :v", v, "none"), false);
    assert.equal(holds("n <> :v", v, "none"), true);
  });

  test("ordering needs S, N or B of the same type on both sides", () => {
    assert.equal(holds("n > :v", { ":v": { N: "9.99" } }), true);
    assert.equal(holds("neg < :v", { ":v": { N: "-2" } }), true);
    assert.equal(holds("n > :v", { ":v": { S: "1" } }), false);
    assert.equal(holds("n <= :v", { ":v": { S: "1" } }), false);
    assert.equal(holds("txt > :v", { ":v": { S: "h" } }), true);
    assert.equal(holds("b < :v", { ":v": { B: Buffer.from([1, 2, 4]).toString("base64") } }), true);
    assert.equal(holds("flag < :v", { ":v": { BOOL: true } }), false);
    assert.equal(holds("tags >= :v", { ":v": { SS: ["red", "blue"] } }), false);
  });

  test("numbers compare by value, not text", () => {
    assert.equal(holds("n > :v", { ":v": { N: "9" } }), true);
    assert.equal(holds("n < :v", { ":v": { N: "100" } }), true);
    assert.equal(holds("n BETWEEN :lo AND :hi", { ":lo": { N: "1E1" }, ":hi": { N: "10.000" } }), true);
  });

  test("BETWEEN is inclusive and needs matching types", () => {
    assert.equal(holds("n BETWEEN :lo AND :hi", { ":lo": { N: "10" }, ":hi": { N: "11" } }), true);
    assert.equal(holds("n BETWEEN :lo AND :hi", { ":lo": { N: "11" }, ":hi": { N: "12" } }), false);
    assert.equal(holds("txt BETWEEN :lo AND :hi", { ":lo": { S: "a" }, ":hi": { S: "z" } }), true);
    assert.equal(holds("n BETWEEN :lo AND :hi", { ":lo": { S: "a" }, ":hi": { S: "z" } }), false);
  });

  test("IN matches any listed value of the same type", () => {
    assert.equal(holds("n IN (:a, :b)", { ":a": { S: "10" }, ":b": { N: "10" } }), true);
    assert.equal(holds("n IN (:a)", { ":a": { S: "10" } }), false);
    assert.equal(holds("tags IN (:a)", { ":a": { SS: ["red", "blue"] } }), true);
  });

  test("attribute_exists and attribute_not_exists follow document paths", () => {
    assert.equal(holds("attribute_exists(mp.nest.x)"), true);
    assert.equal(holds("attribute_exists(mp.nest.y)"), false);
    assert.equal(holds("attribute_exists(lst[2].deep)"), true);
    assert.equal(holds("attribute_exists(lst[3])"), false);
    assert.equal(holds("attribute_exists(lst.a)"), false);
    assert.equal(holds("attribute_exists(mp[0])"), false);
    assert.equal(holds("attribute_exists(nothing)"), true);
    assert.equal(holds("attribute_not_exists(absent)"), true);
    assert.equal(holds("attribute_not_exists(id)", {}, "none"), true);
    assert.equal(holds("attribute_exists(#k)", {}, ITEM, { "#k": "dotted.key" }), false);
    assert.equal(holds("attribute_exists(mp.#k)", {}, ITEM, { "#k": "dotted.key" }), true);
  });

  test("attribute_type names the attribute's type", () => {
    const t = (type: string) => ({ ":t": { S: type } });
    assert.equal(holds("attribute_type(tags, :t)", t("SS")), true);
    assert.equal(holds("attribute_type(tags, :t)", t("S")), false);
    assert.equal(holds("attribute_type(n, :t)", t("N")), true);
    assert.equal(holds("attribute_type(nothing, :t)", t("NULL")), true);
    assert.equal(holds("attribute_type(mp, :t)", t("M")), true);
    assert.equal(holds("attribute_type(absent, :t)", t("S")), false);
  });

  test("begins_with works on strings and binaries only", () => {
    assert.equal(holds("begins_with(txt, :p)", { ":p": { S: "hé" } }), true);
    assert.equal(holds("begins_with(txt, :p)", { ":p": { S: "x" } }), false);
    assert.equal(holds("begins_with(b, :p)", { ":p": { B: Buffer.from([1, 2]).toString("base64") } }), true);
    assert.equal(holds("begins_with(b, :p)", { ":p": { B: Buffer.from([2]).toString("base64") } }), false);
    assert.equal(holds("begins_with(n, :p)", { ":p": { S: "1" } }), false);
  });

  test("contains: substring of S, bytes of B, member of a set, element of a lst", () => {
    assert.equal(holds("contains(txt, :v)", { ":v": { S: "ll" } }), true);
    assert.equal(holds("contains(tags, :v)", { ":v": { S: "red" } }), true);
    assert.equal(holds("contains(tags, :v)", { ":v": { S: "re" } }), false);
    assert.equal(holds("contains(nums, :v)", { ":v": { N: "2.5" } }), true);
    assert.equal(holds("contains(bins, :v)", { ":v": { B: Buffer.from([9]).toString("base64") } }), true);
    assert.equal(holds("contains(b, :v)", { ":v": { B: Buffer.from([2, 3]).toString("base64") } }), true);
    assert.equal(holds("contains(lst, :v)", { ":v": { N: "5" } }), true);
    assert.equal(holds("contains(lst, :v)", { ":v": { M: { deep: { S: "yes" } } } }), true);
    assert.equal(holds("contains(tags, :v)", { ":v": { N: "1" } }), false);
    assert.equal(holds("contains(n, :v)", { ":v": { N: "1" } }), false);
    assert.equal(holds("contains(txt, :v)", { ":v": { S: "x" } }, "none"), false);
    assert.equal(holds("contains(txt, n)"), false);
  });

  test("size: UTF-16 units of S, bytes of B, members of sets, elements of lists and maps; nothing for N, BOOL, NULL", () => {
    const n = (v: string) => ({ ":v": { N: v } });
    assert.equal(holds("size(txt) = :v", n("5")), true);
    assert.equal(holds("size(u) = :v", n("3"), { u: { S: "é𝄞" } }), true); // UTF-16 code units, not UTF-8 bytes (6)
    assert.equal(holds("size(blank) = :v", n("0")), true);
    assert.equal(holds("size(b) = :v", n("3")), true);
    assert.equal(holds("size(tags) = :v", n("2")), true);
    assert.equal(holds("size(lst) = :v", n("3")), true);
    assert.equal(holds("size(mp) = :v", n("2")), true);
    assert.equal(holds("size(n) = :v", n("2")), false);
    assert.equal(holds("size(n) <> :v", n("2")), true);
    assert.equal(holds("size(absent) < :v", n("100")), false);
    assert.equal(holds("size(lst) > size(tags)"), true);
  });

  test("AND, OR and NOT combine with AWS's precedence", () => {
    const v = { ":a": { N: "10" }, ":b": { N: "0" } };
    assert.equal(holds("n = :b AND n = :a OR n = :a", v), true);
    assert.equal(holds("n = :a OR n = :b AND n = :b", v), true);
    assert.equal(holds("(n = :a OR n = :b) AND n = :b", v), false);
    assert.equal(holds("NOT n = :b AND n = :a", v), true);
    assert.equal(holds("NOT (n = :a AND n = :a)", v), false);
  });

  test("path operands on both sides read the item", () => {
    assert.equal(holds("n > neg"), true);
    assert.equal(holds("lst[1] = #k", {}, ITEM, { "#k": "n" }), false);
    assert.equal(holds("mp.nest.x < n"), true);
  });

  test("pathsOfCondition lists every path a condition reads", () => {
    const c = parseCondition("(a.b = :v OR NOT size(c[0]) > :v) AND begins_with(d, e) AND f IN (:v, g) AND h BETWEEN :v AND i", new Usage({ values: { ":v": { N: "1" } } }), "FilterExpression");
    assert.deepEqual(pathsOfCondition(c), [["a", "b"], ["c", 0], ["d"], ["e"], ["f"], ["g"], ["h"], ["i"]]);
  });
});
