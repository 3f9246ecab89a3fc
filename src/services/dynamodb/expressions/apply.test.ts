/** Update expressions applied to items, projections cut from them, and the placeholder bookkeeping. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AttributeValue, Item } from "../types.js";
import { applyUpdate, parseProjection, parseUpdate, pathsOfUpdate, project, Usage } from "./index.js";

const ITEM: Item = {
  id: { S: "k" },
  n: { N: "10" },
  txt: { S: "hello" },
  tags: { SS: ["red", "blue"] },
  nums: { NS: ["1", "2"] },
  lst: { L: [{ S: "a" }, { S: "b" }, { S: "c" }, { S: "d" }] },
  mp: { M: { x: { N: "1" }, deep: { M: { y: { S: "z" } } } } },
};

function update(text: string, values: Record<string, AttributeValue> = {}, item: Item = ITEM, names?: Record<string, string>): Item {
  const usage = new Usage({ values: Object.keys(values).length ? values : undefined, names });
  return applyUpdate(parseUpdate(text, usage), item).item;
}

function fails(text: string, message: string, values: Record<string, AttributeValue> = {}, item: Item = ITEM): void {
  assert.throws(
    () => update(text, values, item),
    (e: Error & { code?: string }) => e.code === "ValidationException" && e.message === message,
  );
}

/** A list of strings' texts. */
const strings = (v: AttributeValue) => (v as { L: { S: string }[] }).L.map((e) => e.S);

const WRONG_TYPE = "An operand in the update expression has an incorrect data type";
const INVALID_PATH = "The document path provided in the update expression is invalid for update";
const MISSING = "The provided expression refers to an attribute that does not exist in the item";

describe("applying update expressions", () => {
  test("SET writes top-level and nested attributes and leaves the original item alone", () => {
    const out = update("SET a = :v, mp.deep.y = :v, mp.newKey = :v", { ":v": { S: "new" } });
    assert.deepEqual(out.a, { S: "new" });
    assert.deepEqual(out.mp, { M: { x: { N: "1" }, deep: { M: { y: { S: "new" } } }, newKey: { S: "new" } } });
    assert.deepEqual(ITEM.mp, { M: { x: { N: "1" }, deep: { M: { y: { S: "z" } } } } });
  });

  test("every SET value is read from the item as it was before the update", () => {
    const out = update("SET n = txt, txt = n");
    assert.deepEqual(out.n, { S: "hello" });
    assert.deepEqual(out.txt, { N: "10" });
  });

  test("arithmetic is exact decimal", () => {
    assert.deepEqual(update("SET n = n + :v", { ":v": { N: "0.1" } }).n, { N: "10.1" });
    assert.deepEqual(update("SET n = n - :v", { ":v": { N: "12.5" } }).n, { N: "-2.5" });
    assert.deepEqual(update("SET c = :a + :b", { ":a": { N: "0.1" }, ":b": { N: "0.2" } }).c, { N: "0.3" });
  });

  test("if_not_exists keeps an existing value and otherwise takes the fallback", () => {
    assert.deepEqual(update("SET n = if_not_exists(n, :v)", { ":v": { N: "0" } }).n, { N: "10" });
    assert.deepEqual(update("SET c = if_not_exists(c, :v) + :one", { ":v": { N: "0" }, ":one": { N: "1" } }).c, { N: "1" });
  });

  test("list_append joins lists in the given order", () => {
    const v = { ":v": { L: [{ S: "z" }] } };
    assert.deepEqual(strings(update("SET lst = list_append(lst, :v)", v).lst), ["a", "b", "c", "d", "z"]);
    assert.deepEqual(strings(update("SET lst = list_append(:v, lst)", v).lst), ["z", "a", "b", "c", "d"]);
    assert.deepEqual(update("SET c = list_append(if_not_exists(c, :e), :v)", { ...v, ":e": { L: [] } }).c, { L: [{ S: "z" }] });
  });

  test("SET on a list index replaces the element; past the end it appends", () => {
    const v = { ":v": { S: "new" } };
    assert.deepEqual(strings(update("SET lst[1] = :v", v).lst), ["a", "new", "c", "d"]);
    assert.deepEqual(strings(update("SET lst[10] = :v", v).lst), ["a", "b", "c", "d", "new"]);
  });

  test("several SETs past a list's end append in index order", () => {
    const v = { ":a": { S: "a1" }, ":b": { S: "a2" }, ":c": { S: "a3" }, ":d": { S: "a4" } };
    assert.deepEqual(strings(update("SET lst[84] = :a, lst[37] = :b, lst[17] = :c, lst[50] = :d", v).lst), ["a", "b", "c", "d", "a3", "a2", "a4", "a1"]);
  });

  test("REMOVE and SET on one list both count indexes in the list before the update", () => {
    const item: Item = { a: { L: ["2", "3", "4", "5", "6", "7"].map((n) => ({ N: n })) } };
    const expected = ["2", "4", "17", "6", "7"];
    for (const text of ["REMOVE a[1] SET a[3] = :v", "SET a[3] = :v REMOVE a[1]"]) {
      const out = update(text, { ":v": { N: "17" } }, item);
      assert.deepEqual((out.a as { L: { N: string }[] }).L.map((e) => e.N), expected);
    }
  });

  test("removing the last member of a map or list leaves it empty", () => {
    assert.deepEqual(update("REMOVE m.b", {}, { m: { M: { b: { N: "1" } } } }).m, { M: {} });
    assert.deepEqual(update("REMOVE l[0]", {}, { l: { L: [{ N: "1" }] } }).l, { L: [] });
  });

  test("REMOVE of a path under a missing attribute is ignored only while the item is being created", () => {
    const u = parseUpdate("REMOVE x.y, z[0]", new Usage({}));
    assert.deepEqual(applyUpdate(u, { id: { S: "new" } }, false).item, { id: { S: "new" } });
    assert.throws(() => applyUpdate(u, { id: { S: "old" } }), { message: INVALID_PATH });
  });

  test("REMOVE deletes attributes and list elements, indexes counting in the list before the update", () => {
    const out = update("REMOVE txt, lst[0], lst[2], mp.deep.y, absent, lst[9]");
    assert.equal(out.txt, undefined);
    assert.deepEqual(strings(out.lst), ["b", "d"]);
    assert.deepEqual(out.mp, { M: { x: { N: "1" }, deep: { M: {} } } });
  });

  test("ADD adds to numbers (a missing one counts as 0) and unions sets", () => {
    assert.deepEqual(update("ADD n :v", { ":v": { N: "-3" } }).n, { N: "7" });
    assert.deepEqual(update("ADD c :v", { ":v": { N: "5" } }).c, { N: "5" });
    assert.deepEqual(update("ADD tags :v", { ":v": { SS: ["red", "green"] } }).tags, { SS: ["red", "blue", "green"] });
    assert.deepEqual(update("ADD nums :v", { ":v": { NS: ["2.0", "3"] } }).nums, { NS: ["1", "2", "3"] });
    assert.deepEqual(update("ADD s :v", { ":v": { SS: ["a"] } }).s, { SS: ["a"] });
    assert.deepEqual(update("ADD mp.deep.cnt :v", { ":v": { N: "1" } }).mp, { M: { x: { N: "1" }, deep: { M: { y: { S: "z" }, cnt: { N: "1" } } } } });
  });

  test("DELETE removes set members, and the attribute when none is left", () => {
    assert.deepEqual(update("DELETE tags :v", { ":v": { SS: ["red", "other"] } }).tags, { SS: ["blue"] });
    assert.equal(update("DELETE tags :v", { ":v": { SS: ["red", "blue"] } }).tags, undefined);
    assert.deepEqual(update("DELETE nums :v", { ":v": { NS: ["1.0"] } }).nums, { NS: ["2"] });
    assert.equal(update("DELETE absent :v", { ":v": { SS: ["x"] } }).absent, undefined);
  });

  test("all four clauses in one expression", () => {
    const out = update("SET a = :s REMOVE txt ADD n :n DELETE tags :ss", { ":s": { S: "A" }, ":n": { N: "1" }, ":ss": { SS: ["red"] } });
    const { txt: _removed, ...rest } = ITEM;
    assert.deepEqual(out, { ...rest, a: { S: "A" }, n: { N: "11" }, tags: { SS: ["blue"] } });
  });

  test("type errors at apply time carry AWS's message", () => {
    fails("SET txt = txt + :v", WRONG_TYPE, { ":v": { N: "1" } });
    fails("SET n = n - :v", WRONG_TYPE, { ":v": { N: "1" } }, { ...ITEM, n: { S: "x" } });
    fails("SET lst = list_append(txt, :v)", WRONG_TYPE, { ":v": { L: [] } });
    fails("ADD txt :v", WRONG_TYPE, { ":v": { N: "1" } });
    fails("ADD tags :v", WRONG_TYPE, { ":v": { NS: ["1"] } });
    fails("ADD n :v", WRONG_TYPE, { ":v": { SS: ["a"] } });
    fails("DELETE tags :v", WRONG_TYPE, { ":v": { NS: ["1"] } });
    fails("DELETE txt :v", WRONG_TYPE, { ":v": { SS: ["hello"] } });
  });

  test("a path through something that is not there is invalid for update", () => {
    fails("SET absent.x = :v", INVALID_PATH, { ":v": { N: "1" } });
    fails("SET txt.x = :v", INVALID_PATH, { ":v": { N: "1" } });
    fails("SET mp[0] = :v", INVALID_PATH, { ":v": { N: "1" } });
    fails("SET lst.x = :v", INVALID_PATH, { ":v": { N: "1" } });
    fails("REMOVE absent.x", INVALID_PATH);
    fails("ADD absent.x :v", INVALID_PATH, { ":v": { N: "1" } });
  });

  test("reading an attribute that is not there is refused", () => {
    fails("SET a = absent", MISSING);
    fails("SET a = absent + :v", MISSING, { ":v": { N: "1" } });
    fails("SET a = list_append(absent, :v)", MISSING, { ":v": { L: [] } });
  });

  test("pathsOfUpdate lists every written path", () => {
    const u = parseUpdate("SET a.b = :v REMOVE c[0] ADD d :n", new Usage({ values: { ":v": { S: "x" }, ":n": { N: "1" } } }));
    assert.deepEqual(pathsOfUpdate(u), [["a", "b"], ["c", 0], ["d"]]);
    assert.deepEqual(applyUpdate(u, { a: { M: {} }, c: { L: [] } }).changed, [["a", "b"], ["c", 0], ["d"]]);
  });
});

describe("projection", () => {
  const proj = (text: string, item: Item = ITEM, names?: Record<string, string>) => project(item, parseProjection(text, new Usage({ names })));

  test("top-level attributes; missing ones are left out", () => {
    assert.deepEqual(proj("id, txt, absent"), { id: { S: "k" }, txt: { S: "hello" } });
  });

  test("nested paths keep only what was asked, merging into one map", () => {
    assert.deepEqual(proj("mp.x, mp.deep.y"), { mp: { M: { x: { N: "1" }, deep: { M: { y: { S: "z" } } } } } });
    assert.deepEqual(proj("mp.deep.nothing"), {});
  });

  test("list elements come back in index order without gaps", () => {
    assert.deepEqual(proj("lst[3], lst[1]"), { lst: { L: [{ S: "b" }, { S: "d" }] } });
    assert.deepEqual(proj("lst[9]"), {});
  });

  test("paths into a document return only their piece, nested as in the item", () => {
    const doc: Item = { a: { M: { b: { L: [{ N: "2" }, { N: "4" }, { M: { x: { S: "hi" }, y: { S: "yo" } } }] }, c: { N: "5" } } }, b: { S: "hello" } };
    assert.deepEqual(proj("a.b[0]", doc), { a: { M: { b: { L: [{ N: "2" }] } } } });
    assert.deepEqual(proj("a.b[2].y", doc), { a: { M: { b: { L: [{ M: { y: { S: "yo" } } }] } } } });
    assert.deepEqual(proj("a.b[0], a.c", doc), { a: { M: { b: { L: [{ N: "2" }] }, c: { N: "5" } } } });
    assert.deepEqual(proj("a.x, a.b[0], x, a.b[3].x", doc), { a: { M: { b: { L: [{ N: "2" }] } } } });
    for (const missing of ["x", "a.b[3]", "a.x.y", "a.b.x", "a[0]", "a.b[0].x", "a.b[0][0]"]) assert.deepEqual(proj(missing, doc), {}, missing);
  });

  test("#names stand for attribute names, dots and all", () => {
    assert.deepEqual(proj("#k", { "a.b": { S: "v" }, a: { M: { b: { S: "no" } } } }, { "#k": "a.b" }), { "a.b": { S: "v" } });
  });

  test("the projected item is a copy", () => {
    const out = proj("mp");
    (out.mp as { M: Item }).M.x = { N: "99" };
    assert.deepEqual(ITEM.mp, { M: { x: { N: "1" }, deep: { M: { y: { S: "z" } } } } });
  });
});

describe("ExpressionAttributeNames and ExpressionAttributeValues", () => {
  test("a placeholder no expression used is AWS's error, names first", () => {
    const usage = new Usage({ names: { "#a": "a", "#b": "b" }, values: { ":x": { S: "x" }, ":y": { S: "y" } } });
    parseProjection("#a", usage);
    assert.throws(() => usage.checkAllUsed(), { message: "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}" });
    parseProjection("#b", usage);
    assert.throws(() => usage.checkAllUsed(), { message: "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x, :y}" });
  });

  test("one Usage spans all of a request's expressions", () => {
    const usage = new Usage({ names: { "#a": "a" }, values: { ":x": { S: "x" } } });
    parseProjection("#a", usage);
    parseUpdate("SET b = :x", usage);
    usage.checkAllUsed();
  });

  test("empty maps and malformed keys are refused", () => {
    assert.throws(() => new Usage({ names: {} }), { message: "ExpressionAttributeNames must not be empty" });
    assert.throws(() => new Usage({ values: {} }), { message: "ExpressionAttributeValues must not be empty" });
    assert.throws(() => new Usage({ names: { a: "a" } }), { message: 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"' });
    assert.throws(() => new Usage({ values: { ":a-b": { S: "x" } } }), { message: 'ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"' });
  });
});
