/**
 * The contract of the DynamoDB part: tables, items in key byte order, index entries, parallel scan
 * segments, read-decide-write (atomic or not) with its stream records, TTL expiry, and streams
 * numbered without gaps in commit order; on a database several nodes share, conditional writes
 * racing on one absent item from two nodes let exactly one win.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TableRecord } from "../../services/dynamodb/model.js";
import type { Decision, DynamoStore, IndexEntry, ItemKey, NewStreamRecord, StoredItem } from "../dynamodb-store.js";
import type { Store } from "../store.js";
import { sharedTest, type FreshStore } from "./index.js";

const table = (name: string, id = `id-${name}`): TableRecord => ({
  name,
  id,
  arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`,
  createdAt: 1_700_000_000_000,
  status: "ACTIVE",
  keySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  attributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "B" }],
  billingMode: "PAY_PER_REQUEST",
  indexes: [],
  streams: [],
  tags: {},
  deletionProtection: false,
});

const T = "table-1";
const STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";
const b = (...bytes: number[]) => Buffer.from(bytes);
const s = (text: string) => Buffer.from(text);
const key = (hk: Buffer | string, rk: Buffer | string = Buffer.alloc(0)): ItemKey => ({ hk: typeof hk === "string" ? s(hk) : hk, rk: typeof rk === "string" ? s(rk) : rk });
const body = (k: ItemKey, extra = "") => JSON.stringify({ hk: k.hk.toString("hex"), rk: k.rk.toString("hex"), extra });
const record = (k: ItemKey, at = 1000, stream = STREAM): NewStreamRecord => ({ stream, at, partitionKey: k.hk.toString("hex"), record: JSON.stringify({ key: body(k) }) });

/** Put unconditionally, with a stream record unless `stream` is false. */
const put = (k: ItemKey, opts: { extra?: string; indexes?: IndexEntry[]; expiresAt?: number; stream?: NewStreamRecord | false } = {}) => () =>
  ({
    put: { item: body(k, opts.extra), size: 10 + (opts.extra?.length ?? 0), indexes: opts.indexes ?? [], ...(opts.expiresAt !== undefined ? { expiresAt: opts.expiresAt } : {}) },
    ...(opts.stream === false ? {} : { stream: opts.stream ?? record(k) }),
  }) as Decision;

async function putAll(d: DynamoStore, keys: ItemKey[], opts: Parameters<typeof put>[1] = {}): Promise<void> {
  await d.write(keys.map((k) => ({ table: T, key: k, decide: put(k, { stream: false, ...opts }) })), false);
}

const keysOf = (items: { hk: Buffer; rk: Buffer }[]) => items.map((i) => `${i.hk.toString("hex")}/${i.rk.toString("hex")}`);
const hex = (k: ItemKey) => `${k.hk.toString("hex")}/${k.rk.toString("hex")}`;

export function dynamodbContract(fresh: FreshStore): void {
  test("dynamodb: tables insert once, list in byte order of names, put replaces the record, delete takes the record, its items and index entries", async (t) => {
    const { dynamodb: d } = await fresh(t);
    assert.equal(await d.insertTable(table("b")), true);
    assert.equal(await d.insertTable({ ...table("b"), id: "other" }), false);
    await d.insertTable(table("a"));
    await d.insertTable(table("B"));
    assert.deepEqual((await d.listTables()).map((x) => x.name), ["B", "a", "b"]);
    assert.deepEqual((await d.listTables())[2], table("b"));
    await d.putTable({ ...table("b"), status: "UPDATING", tags: { k: "v" } });
    assert.deepEqual((await d.listTables())[2], { ...table("b"), status: "UPDATING", tags: { k: "v" } });
    const k = key("x", "y");
    await d.write([{ table: "id-b", key: k, decide: put(k, { indexes: [{ index: "g", hk: s("gh"), rk: s("gr") }] }) }], false);
    await d.write([{ table: "id-a", key: k, decide: put(k) }], false);
    await d.deleteTable("b", "id-b");
    assert.deepEqual((await d.listTables()).map((x) => x.name), ["B", "a"]);
    assert.equal(await d.getItem("id-b", k), undefined);
    assert.deepEqual(await d.query({ table: "id-b", index: "g", hk: s("gh"), forward: true, limit: 10 }), []);
    assert.deepEqual(await d.tableStats("id-b"), { count: 0, bytes: 0 });
    assert.ok(await d.getItem("id-a", k), "another table's items stay");
    // A table made again under the name, with a new id, starts empty.
    assert.equal(await d.insertTable(table("b", "id-b2")), true);
    assert.equal(await d.getItem("id-b2", k), undefined);
  });

  test("dynamodb: put, get, getItems, delete; an empty sort key; the write's outcome says what was there before", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const a = key("a");
    const bin = key(b(0, 0xff, 0x80), b(0));
    let [o] = await d.write([{ table: T, key: a, decide: put(a, { extra: "one" }) }], false);
    assert.equal(o!.before, undefined);
    assert.equal(o!.sequence, 1);
    [o] = await d.write([{ table: T, key: a, decide: put(a, { extra: "two" }) }], false);
    assert.equal(JSON.parse(o!.before!.item).extra, "one");
    await d.write([{ table: T, key: bin, decide: put(bin, { stream: false }) }], false);
    const got = await d.getItem(T, a);
    assert.deepEqual(got, { hk: s("a"), rk: Buffer.alloc(0), item: body(a, "two"), size: 13 });
    assert.ok(Buffer.isBuffer(got!.rk) && got!.rk.length === 0, "an empty sort key comes back as empty bytes");
    assert.deepEqual((await d.getItem(T, bin))!.hk, b(0, 0xff, 0x80));
    assert.equal(await d.getItem(T, key("a", "x")), undefined);
    assert.equal(await d.getItem("other-table", a), undefined);
    const many = await d.getItems(T, [a, key("missing"), bin]);
    assert.deepEqual(keysOf(many).sort(), [hex(a), hex(bin)].sort());
    assert.deepEqual(await d.tableStats(T), { count: 2, bytes: 23 });
    [o] = await d.write([{ table: T, key: a, decide: () => ({ delete: true, stream: record(a) }) }], false);
    assert.equal(o!.sequence, 3);
    assert.equal(JSON.parse(o!.before!.item).extra, "two");
    assert.equal(await d.getItem(T, a), undefined);
    [o] = await d.write([{ table: T, key: a, decide: (cur) => (assert.equal(cur, undefined), { none: true }) }], false);
    assert.equal(o!.sequence, undefined);
    assert.deepEqual((await d.readStream(STREAM, 0, 0, 10)).map((r) => r.sequence), [1, 2, 3]);
  });

  test("dynamodb: a partition's items come in memcmp order of their sort keys (bytes ≥ 0x80 after ASCII), forward and backward, within bounds, after a position, up to a limit", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const rks = [b(), b(0), b(0, 0), b(1), b(0x7f), b(0x80), b(0xff), b(0xff, 0), s("a"), s("ab"), s("b"), s("é")];
    const hk = b(0x80, 1);
    await putAll(d, [...rks.map((rk) => key(hk, rk)), key(b(0x80), b(5)), key(b(0x80, 1, 0), b(5))]);
    const sorted = [...rks].sort(Buffer.compare).map((rk) => key(hk, rk));
    const q = (extra: Partial<Parameters<DynamoStore["query"]>[0]> = {}) => d.query({ table: T, hk, forward: true, limit: 100, ...extra });
    assert.deepEqual(keysOf(await q()), sorted.map(hex));
    assert.deepEqual(keysOf(await q({ forward: false })), sorted.map(hex).reverse());
    const items = await q({ limit: 3 });
    assert.deepEqual(items.map((i) => i.at), sorted.slice(0, 3).map((k) => ({ hk: k.hk, rk: k.rk })), "on the table, `at` is the item's own key");
    assert.equal(items[1]!.item, body(sorted[1]!));
    assert.deepEqual(keysOf(await q({ after: { rk: b(0, 0) }, limit: 2 })), [hex(key(hk, b(1))), hex(key(hk, s("a")))]);
    assert.deepEqual(keysOf(await q({ forward: false, after: { rk: b(0x80) }, limit: 2 })), [hex(key(hk, b(0x7f))), hex(key(hk, s("b")))]);
    const between = (low: Buffer, li: boolean, high: Buffer, hi: boolean) => q({ low: { rk: low, inclusive: li }, high: { rk: high, inclusive: hi } });
    assert.deepEqual(keysOf(await between(b(0x7f), true, b(0xff), true)), [b(0x7f), b(0x80), s("é"), b(0xff)].map((rk) => hex(key(hk, rk))));
    assert.deepEqual(keysOf(await between(b(0x7f), false, b(0xff), false)), [b(0x80), s("é")].map((rk) => hex(key(hk, rk))));
    assert.deepEqual(keysOf(await q({ low: { rk: s("a"), inclusive: true }, high: { rk: s("b"), inclusive: false }, forward: false })), [hex(key(hk, s("ab"))), hex(key(hk, s("a")))]);
    assert.deepEqual(keysOf(await q({ high: { rk: b(0), inclusive: true } })), [hex(key(hk, b())), hex(key(hk, b(0)))]);
    assert.deepEqual(keysOf(await q({ low: { rk: b(0xff), inclusive: false } })), [hex(key(hk, b(0xff, 0)))]);
    assert.deepEqual(await d.query({ table: T, hk: b(0x81), forward: true, limit: 10 }), []);
  });

  test("dynamodb: index queries join entries to their items in index key order (then the item's key), forward and backward, after a position; sparse items have no entry", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const entry = (rk: Buffer) => [{ index: "byScore", hk: s("all"), rk }];
    // Two items share an index sort key: they come in their own key's order.
    await putAll(d, [key("p1", "a")], { indexes: entry(b(0x90)) });
    await putAll(d, [key("p2", "a")], { indexes: entry(b(0x10)) });
    await putAll(d, [key("p0", "b")], { indexes: entry(b(0x50)) });
    await putAll(d, [key("p0", "a")], { indexes: entry(b(0x50)) });
    await putAll(d, [key("sparse")]);
    const order = ["p2/a", "p0/a", "p0/b", "p1/a"];
    const name = (k: ItemKey) => `${k.hk}/${k.rk}`;
    const q = (extra: Partial<Parameters<DynamoStore["query"]>[0]> = {}) => d.query({ table: T, index: "byScore", hk: s("all"), forward: true, limit: 100, ...extra });
    const all = await q();
    assert.deepEqual(all.map(name), order);
    assert.deepEqual(all[1]!.at, { hk: s("all"), rk: b(0x50) });
    assert.equal(all[1]!.item, body(key("p0", "a")));
    assert.deepEqual((await q({ forward: false })).map(name), [...order].reverse());
    assert.deepEqual((await q({ after: { rk: b(0x50), item: key("p0", "a") } })).map(name), ["p0/b", "p1/a"]);
    assert.deepEqual((await q({ forward: false, after: { rk: b(0x50), item: key("p0", "b") }, limit: 1 })).map(name), ["p0/a"]);
    assert.deepEqual((await q({ low: { rk: b(0x50), inclusive: false } })).map(name), ["p1/a"]);
    // A write replaces the item's entries: moved, then gone (the item no longer has the attribute).
    await putAll(d, [key("p1", "a")], { indexes: entry(b(0x01)) });
    assert.deepEqual((await q()).map(name), ["p1/a", "p2/a", "p0/a", "p0/b"]);
    await putAll(d, [key("p1", "a")]);
    assert.deepEqual((await q()).map(name), ["p2/a", "p0/a", "p0/b"]);
    await d.write([{ table: T, key: key("p2", "a"), decide: () => ({ delete: true }) }], false);
    assert.deepEqual((await q()).map(name), ["p0/a", "p0/b"]);
    // Backfill and drop (UpdateTable adding and deleting a global index).
    await d.putIndexEntries(T, "new", [
      { item: key("p0", "a"), entry: { index: "new", hk: s("n"), rk: s("2") } },
      { item: key("p1", "a"), entry: { index: "new", hk: s("n"), rk: s("1") } },
      { item: key("sparse"), entry: undefined },
    ]);
    const inNew = () => d.query({ table: T, index: "new", hk: s("n"), forward: true, limit: 10 });
    assert.deepEqual((await inNew()).map(name), ["p1/a", "p0/a"]);
    await d.putIndexEntries(T, "new", [{ item: key("p1", "a"), entry: undefined }]);
    assert.deepEqual((await inNew()).map(name), ["p0/a"]);
    await d.dropIndex(T, "new");
    assert.deepEqual(await inNew(), []);
    assert.deepEqual((await q()).map(name), ["p0/a", "p0/b"], "other indexes keep their entries");
  });

  test("dynamodb: scan segments partition every item (and every index entry) exactly once, each in (hash, hk, rk) order, paged after a position", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const keys: ItemKey[] = [];
    for (let i = 0; i < 60; i++) for (let j = 0; j < 3; j++) keys.push(key(b(i, i * 7 % 256, 0x80 + (i % 50)), b(j * 0x60)));
    await putAll(d, keys.slice(0, 90));
    await putAll(d, keys.slice(90), { indexes: [] });
    for (const k of keys.filter((_, i) => i % 2 === 0)) await putAll(d, [k], { indexes: [{ index: "g", hk: k.rk, rk: k.hk }] });
    for (const total of [1, 3, 7]) {
      for (const index of [undefined, "g"]) {
        const seen: string[] = [];
        for (let segment = 0; segment < total; segment++) {
          const pages: string[] = [];
          let after: Parameters<DynamoStore["scan"]>[0]["after"];
          for (;;) {
            const page = await d.scan({ table: T, ...(index ? { index } : {}), segment, totalSegments: total, limit: 8, ...(after ? { after } : {}) });
            if (!page.length) break;
            pages.push(...page.map((i) => `${hex(i.at)}|${hex(i)}`));
            const last = page[page.length - 1]!;
            after = { hk: last.at.hk, rk: last.at.rk, ...(index ? { item: { hk: last.hk, rk: last.rk } } : {}) };
          }
          const whole = await d.scan({ table: T, ...(index ? { index } : {}), segment, totalSegments: total, limit: 1000 });
          assert.deepEqual(pages, whole.map((i) => `${hex(i.at)}|${hex(i)}`), "pages continue where the last ended");
          seen.push(...pages);
        }
        const expected = (index ? keys.filter((_, i) => i % 2 === 0).map((k) => `${hex({ hk: k.rk, rk: k.hk })}|${hex(k)}`) : keys.map((k) => `${hex(k)}|${hex(k)}`)).sort();
        assert.deepEqual([...seen].sort(), expected, `${total} segments${index ? " of the index" : ""}`);
      }
    }
    // A position in another segment: one before this segment's range starts it from the beginning, one after it ends it.
    const [first, second] = [await d.scan({ table: T, segment: 0, totalSegments: 2, limit: 1 }), await d.scan({ table: T, segment: 1, totalSegments: 2, limit: 1 })];
    assert.deepEqual(keysOf(await d.scan({ table: T, segment: 1, totalSegments: 2, limit: 1, after: { hk: first[0]!.hk, rk: first[0]!.rk } })), keysOf(second));
    assert.deepEqual(await d.scan({ table: T, segment: 0, totalSegments: 2, limit: 1, after: { hk: second[0]!.hk, rk: second[0]!.rk } }), []);
    // Within one segment the order is (segment hash, hk, rk): one partition's items together in sort key order.
    const one = await d.scan({ table: T, segment: 0, totalSegments: 1, limit: 1000 });
    for (let i = 0; i < one.length; i += 3) assert.deepEqual(one.slice(i, i + 3).map((x) => x.rk), [b(0), b(0x60), b(0xc0)]);
  });

  test("dynamodb: an atomic write with one refusal writes nothing (no item, no index entry, no stream record); a non-atomic one writes the rest", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const [x, y, z] = [key("x"), key("y"), key("z")];
    await d.write([{ table: T, key: z, decide: put(z, { extra: "old" }) }], false);
    const writes = (refuseY: boolean) => [
      { table: T, key: x, decide: put(x, { indexes: [{ index: "g", hk: s("g"), rk: s("x") }] }) },
      { table: T, key: y, decide: (cur: StoredItem | undefined) => (refuseY ? { fail: { reason: "ConditionalCheckFailed", cur } } : put(y)()) },
      { table: "another", key: z, decide: put(z) },
      { table: T, key: z, decide: () => ({ delete: true, stream: record(z) }) as Decision },
    ];
    const refused = await d.write(writes(true), true);
    assert.deepEqual(refused.map((o) => Object.keys(o.decision)[0]), ["put", "fail", "put", "delete"], "every decision is reported");
    assert.ok(refused.every((o) => o.sequence === undefined));
    assert.equal(JSON.parse(refused[3]!.before!.item).extra, "old");
    assert.equal(await d.getItem(T, x), undefined);
    assert.equal(await d.getItem("another", z), undefined);
    assert.ok(await d.getItem(T, z));
    assert.deepEqual(await d.query({ table: T, index: "g", hk: s("g"), forward: true, limit: 10 }), []);
    assert.deepEqual((await d.readStream(STREAM, 0, 0, 10)).map((r) => r.sequence), [1]);
    // A decide that throws is a refusal too.
    const threw = await d.write([{ table: T, key: x, decide: put(x) }, { table: T, key: y, decide: () => { throw new Error("boom"); } }], true);
    assert.equal((threw[1]!.decision as { fail: Error }).fail.message, "boom");
    assert.equal(await d.getItem(T, x), undefined);
    // Not atomic: the refusal alone is left out.
    const some = await d.write(writes(true), false);
    assert.deepEqual(some.map((o) => o.sequence), [2, undefined, 3, 4]);
    assert.ok(await d.getItem(T, x));
    assert.equal(await d.getItem(T, y), undefined);
    assert.equal(await d.getItem(T, z), undefined);
    assert.equal((await d.query({ table: T, index: "g", hk: s("g"), forward: true, limit: 10 })).length, 1);
    // Atomic with no refusal writes all of them.
    const all = await d.write(writes(false), true);
    assert.deepEqual(all.map((o) => o.sequence), [5, 6, 7, 8], "a decision's stream record is appended as it says, the item there or not");
  });

  test("dynamodb: one write appending to several streams numbers each stream on its own, in the writes' order", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const [other, third] = [`${STREAM}-b`, `${STREAM}-c`];
    const w = (name: string, stream: string) => ({ table: T, key: key(name), decide: put(key(name), { stream: record(key(name), 1, stream) }) });
    assert.deepEqual((await d.write([w("a", other), w("b", STREAM), w("c", other), w("d", third)], true)).map((o) => o.sequence), [1, 1, 2, 1]);
    assert.deepEqual((await d.write([w("e", STREAM), w("f", other)], false)).map((o) => o.sequence), [2, 3]);
    assert.deepEqual((await d.readStream(other, 0, 0, 10)).map((r) => [r.sequence, JSON.parse(JSON.parse(r.record).key).hk]), [[1, "61"], [2, "63"], [3, "66"]]);
  });

  test("dynamodb: a write to the same item twice in one call decides the second on the first's result", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const k = key("k");
    const seen: (string | undefined)[] = [];
    await d.write(
      [
        { table: T, key: k, decide: (cur) => (seen.push(cur?.item), put(k, { extra: "1" })()) },
        { table: T, key: k, decide: (cur) => (seen.push(cur?.item), put(k, { extra: "2" })()) },
      ],
      false,
    );
    assert.deepEqual(seen, [undefined, body(k, "1")]);
    assert.equal((await d.getItem(T, k))!.item, body(k, "2"));
  });

  test("dynamodb: concurrent conditional writes to one absent item: exactly one wins; streams number every record once, gaplessly, in commit order", async (t) => {
    const store = await fresh(t);
    const d = store.dynamodb;
    const k = key("contested");
    const ifAbsent = (who: number) => (cur: StoredItem | undefined): Decision => (cur ? { fail: "exists" } : put(k, { extra: String(who) })());
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => d.write([{ table: T, key: k, decide: ifAbsent(i) }], false)));
    assert.equal(outcomes.filter(([o]) => "put" in o!.decision).length, 1);
    const counters = await Promise.all(Array.from({ length: 30 }, (_, i) => d.write([{ table: T, key: key(`c${i % 3}`), decide: put(key(`c${i % 3}`), { extra: String(i) }) }], false)));
    const seqs = counters.map(([o]) => o!.sequence!).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 30 }, (_, i) => i + 2));
    const stored = await d.readStream(STREAM, 0, 0, 100);
    assert.deepEqual(stored.map((r) => r.sequence), Array.from({ length: 31 }, (_, i) => i + 1));
  });

  test("dynamodb: streams read after a sequence, since a time, up to a limit; latest; trimming keeps each stream's newest; records outlive their table", async (t) => {
    const { dynamodb: d } = await fresh(t);
    const other = `${STREAM}-2`;
    const k = key("k");
    await d.insertTable(table("t", T));
    for (let i = 1; i <= 5; i++) await d.write([{ table: T, key: k, decide: put(k, { extra: String(i), stream: record(k, i * 100) }) }], false);
    await d.write([{ table: T, key: key("o"), decide: put(key("o"), { stream: record(key("o"), 50, other) }) }], false);
    assert.equal(await d.latestInStream("nothing"), undefined);
    assert.deepEqual(await d.latestInStream(STREAM), { sequence: 5, at: 500 });
    const read = await d.readStream(STREAM, 2, 0, 10);
    assert.deepEqual(read.map((r) => [r.sequence, r.at]), [[3, 300], [4, 400], [5, 500]]);
    assert.deepEqual(read[0], { sequence: 3, at: 300, partitionKey: k.hk.toString("hex"), record: record(k).record });
    assert.deepEqual((await d.readStream(STREAM, 0, 250, 2)).map((r) => r.sequence), [3, 4]);
    await d.deleteTable("t", T);
    assert.deepEqual((await d.readStream(STREAM, 0, 0, 10)).length, 5, "a deleted table's stream records stay for their retention");
    assert.equal(await d.trimStreams(1000), 4 + 0);
    assert.deepEqual((await d.readStream(STREAM, 0, 0, 10)).map((r) => r.sequence), [5]);
    assert.deepEqual((await d.readStream(other, 0, 0, 10)).map((r) => r.sequence), [1], "another stream's newest stays too");
    // The next record numbers after the kept newest, never reusing a trimmed sequence.
    const [o] = await d.write([{ table: T, key: k, decide: put(k, { stream: record(k, 2000) }) }], false);
    assert.equal(o!.sequence, 6);
    assert.equal(await d.trimStreams(3000), 1);
    assert.deepEqual(await d.latestInStream(STREAM), { sequence: 6, at: 2000 });
  });

  test("dynamodb: expired() lists items whose expiry is at or before now, oldest first; setExpiresAt changes it; writes replace it", async (t) => {
    const { dynamodb: d } = await fresh(t);
    await putAll(d, [key("late")], { expiresAt: 300 });
    await putAll(d, [key("early")], { expiresAt: 100 });
    await putAll(d, [key("never"), key("mid")]);
    assert.deepEqual(await d.expired(T, 50, 10), []);
    assert.deepEqual((await d.expired(T, 300, 10)).map((k) => k.hk.toString()), ["early", "late"]);
    assert.deepEqual((await d.expired(T, 300, 1)).map((k) => k.hk.toString()), ["early"]);
    assert.deepEqual(await d.expired("another", 1000, 10), []);
    await d.setExpiresAt(T, [{ key: key("mid"), expiresAt: 200 }, { key: key("late"), expiresAt: undefined }]);
    assert.deepEqual((await d.expired(T, 1000, 10)).map((k) => k.hk.toString()), ["early", "mid"]);
    await putAll(d, [key("early")]);
    assert.deepEqual((await d.expired(T, 1000, 10)).map((k) => ({ hk: k.hk.toString(), rk: k.rk })), [{ hk: "mid", rk: Buffer.alloc(0) }]);
  });

  test("dynamodb: items, index entries, tables and stream records are durable, seen by a store reopened after close", async (t) => {
    const first = await fresh(t);
    await first.dynamodb.insertTable(table("t", T));
    const k = key(b(0xfe), b(0x80));
    await first.dynamodb.write([{ table: T, key: k, decide: put(k, { indexes: [{ index: "g", hk: s("g"), rk: b(1) }], expiresAt: 10 }) }], false);
    const again = (await fresh.reopen(t, first)).dynamodb;
    assert.deepEqual((await again.listTables()).map((x) => x.name), ["t"]);
    assert.equal((await again.getItem(T, k))!.item, body(k));
    assert.deepEqual(keysOf(await again.query({ table: T, index: "g", hk: s("g"), forward: true, limit: 5 })), [hex(k)]);
    assert.deepEqual(await again.expired(T, 10, 5), [{ hk: k.hk, rk: k.rk }]);
    assert.deepEqual(await again.latestInStream(STREAM), { sequence: 1, at: 1000 });
    const [o] = await again.write([{ table: T, key: k, decide: () => ({ delete: true, stream: record(k) }) }], false);
    assert.equal(o!.sequence, 2);
  });

  const shared = sharedTest(fresh);
  shared("dynamodb across nodes: conditional writes racing on one absent item from two nodes: exactly one wins; sequences stay gapless across nodes", async (t) => {
    const a = await fresh(t);
    const nodes: Store[] = [a, await fresh.nextNode!(t, a)];
    for (let round = 0; round < 5; round++) {
      const k = key(`race-${round}`, b(round));
      const ifAbsent = (who: number) => (cur: StoredItem | undefined): Decision => (cur ? { fail: "exists" } : put(k, { extra: String(who) })());
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => nodes[i % 2]!.dynamodb.write([{ table: T, key: k, decide: ifAbsent(i) }], false)));
      const winners = outcomes.map(([o], i) => ("put" in o!.decision ? i : -1)).filter((i) => i >= 0);
      assert.equal(winners.length, 1, `round ${round}: one winner`);
      assert.equal(JSON.parse((await nodes[1]!.dynamodb.getItem(T, k))!.item).extra, String(winners[0]));
    }
    const seqs = (await Promise.all(Array.from({ length: 20 }, (_, i) => nodes[i % 2]!.dynamodb.write([{ table: T, key: key(`n${i % 4}`), decide: put(key(`n${i % 4}`)) }], false))))
      .map(([o]) => o!.sequence!)
      .sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 6));
    assert.deepEqual((await a.dynamodb.readStream(STREAM, 0, 0, 100)).map((r) => r.sequence), Array.from({ length: 25 }, (_, i) => i + 1));
  });
}
