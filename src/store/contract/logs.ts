/** The contract of the logs part (CloudWatch Logs' groups, streams and events), the same on every store. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventCursor, LogsStore, StoredLogEvent } from "../logs-store.js";
import { sharedTest, type FreshStore } from "./index.js";

const group = (name: string, extra: { retentionDays?: number; tags?: Record<string, string> } = {}) => ({ name, createdAt: 1, tags: {}, logGroupClass: "STANDARD", ...extra });
const texts = (events: readonly StoredLogEvent[]) => events.map((e) => e.message);

/** Every event of `name` through filter pages of `limit`, as FilterLogEvents' caller pages them. */
async function filterAll(logs: LogsStore, name: string, query: Omit<Parameters<LogsStore["filter"]>[1], "after">): Promise<{ events: StoredLogEvent[]; pages: number }> {
  const events: StoredLogEvent[] = [];
  let after: EventCursor | undefined;
  for (let pages = 1; ; pages++) {
    const page = await logs.filter(name, { ...query, ...(after && { after }) });
    events.push(...page.events);
    if (!page.scannedTo) return { events, pages };
    after = page.scannedTo;
  }
}

export function logsContract(fresh: FreshStore): void {
  test("logs: groups are created once, listed in byte order by prefix, substring and position, updated and deleted with their streams and events", async (t) => {
    const { logs } = await fresh(t);
    assert.equal(await logs.createGroup(group("/aws/lambda/b", { tags: { team: "x" } })), true);
    assert.equal(await logs.createGroup(group("/aws/lambda/b")), false);
    for (const name of ["/aws/lambda/a", "/aws/lambda/B", "app", "/aws/lambda/é"]) await logs.createGroup(group(name));
    assert.deepEqual(await logs.getGroup("/aws/lambda/b"), { name: "/aws/lambda/b", createdAt: 1, tags: { team: "x" }, logGroupClass: "STANDARD" });
    assert.equal(await logs.getGroup("nope"), undefined);
    const names = async (q: Parameters<LogsStore["listGroups"]>[0]) => (await logs.listGroups(q)).map((g) => g.name);
    assert.deepEqual(await names({ limit: 10 }), ["/aws/lambda/B", "/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/é", "app"]);
    assert.deepEqual(await names({ prefix: "/aws/lambda/", after: "/aws/lambda/a", limit: 2 }), ["/aws/lambda/b", "/aws/lambda/é"]);
    assert.deepEqual(await names({ contains: "mbda/b", limit: 10 }), ["/aws/lambda/b"]);

    assert.equal(await logs.updateGroup({ ...group("/aws/lambda/b"), retentionDays: 7, kmsKeyId: "k" }), true);
    assert.equal(await logs.updateGroup(group("nope")), false);
    assert.deepEqual(await logs.getGroup("/aws/lambda/b"), { name: "/aws/lambda/b", createdAt: 1, retentionDays: 7, tags: {}, logGroupClass: "STANDARD", kmsKeyId: "k" });

    await logs.appendBatches([{ group: "/aws/lambda/b", stream: "s", events: [{ timestamp: 5, message: "gone soon" }] }], 10);
    assert.equal(await logs.deleteGroup("/aws/lambda/b"), true);
    assert.equal(await logs.deleteGroup("/aws/lambda/b"), false);
    assert.equal(await logs.getStream("/aws/lambda/b", "s"), undefined);
    await logs.createGroup(group("/aws/lambda/b"));
    assert.deepEqual((await logs.filter("/aws/lambda/b", { limit: 10 })).events, []);
    assert.deepEqual(await logs.listStreams("/aws/lambda/b", { order: "name", descending: false, limit: 10 }), []);
  });

  test("logs: streams keep their first and last event times, ingestion time and bytes, and list by name or by last event, either way, from a position", async (t) => {
    const { logs } = await fresh(t);
    await logs.createGroup(group("g"));
    assert.equal(await logs.createStream("g", "b", 100), true);
    assert.equal(await logs.createStream("g", "b", 100), false);
    assert.equal(await logs.createStream("missing", "b", 100), false);
    await logs.appendBatches(
      [
        { group: "g", stream: "b", events: [{ timestamp: 50, message: "héllo" }, { timestamp: 20, message: "x" }] },
        { group: "g", stream: "a", events: [{ timestamp: 30, message: "y" }] },
        { group: "g", stream: "c", events: [] },
      ],
      200,
    );
    assert.deepEqual(await logs.getStream("g", "b"), { group: "g", name: "b", createdAt: 100, firstEventTime: 20, lastEventTime: 50, lastIngestionTime: 200, storedBytes: 7 });
    assert.deepEqual(await logs.getStream("g", "c"), { group: "g", name: "c", createdAt: 200, storedBytes: 0 });
    const names = async (q: Parameters<LogsStore["listStreams"]>[1]) => (await logs.listStreams("g", q)).map((s) => s.name);
    assert.deepEqual(await names({ order: "name", descending: false, limit: 10 }), ["a", "b", "c"]);
    assert.deepEqual(await names({ order: "name", descending: true, limit: 2 }), ["c", "b"]);
    assert.deepEqual(await names({ order: "name", descending: true, after: "b", limit: 5 }), ["a"]);
    assert.deepEqual(await names({ order: "name", descending: false, prefix: "b", limit: 5 }), ["b"]);
    assert.deepEqual(await names({ order: "lastEvent", descending: false, limit: 10 }), ["c", "a", "b"]);
    assert.deepEqual(await names({ order: "lastEvent", descending: true, limit: 10 }), ["b", "a", "c"]);
    assert.deepEqual(await names({ order: "lastEvent", descending: true, after: "30:a", limit: 10 }), ["c"]);
    assert.deepEqual(await names({ order: "lastEvent", descending: false, after: "30:a", limit: 10 }), ["b"]);
    assert.equal(await logs.deleteStream("g", "b"), true);
    assert.equal(await logs.deleteStream("g", "b"), false);
    assert.deepEqual(texts((await logs.filter("g", { limit: 10 })).events), ["y"]);
  });

  test("logs: appends create missing groups and streams and keep their order; a stream reads forward and backward by time within a range", async (t) => {
    const { logs } = await fresh(t);
    await logs.appendBatches([{ group: "/aws/lambda/f", stream: "s", events: [{ timestamp: 3, message: "c" }, { timestamp: 1, message: "a" }, { timestamp: 3, message: "d" }] }], 9);
    await logs.appendBatches([{ group: "/aws/lambda/f", stream: "s", events: [{ timestamp: 2, message: "b" }, { timestamp: 9, message: "e" }] }], 10);
    assert.equal((await logs.getGroup("/aws/lambda/f"))?.createdAt, 9);
    const read = (q: Parameters<LogsStore["readStream"]>[2]) => logs.readStream("/aws/lambda/f", "s", q);
    const all = await read({ backward: false, limit: 10 });
    assert.deepEqual(texts(all), ["a", "b", "c", "d", "e"]);
    assert.equal(all[0]!.stream, "s");
    assert.equal(all[0]!.ingestionTime, 9);
    assert.deepEqual(texts(await read({ backward: false, from: all[2]!, limit: 10 })), ["d", "e"]);
    assert.deepEqual(texts(await read({ backward: true, limit: 2 })), ["d", "e"]);
    assert.deepEqual(texts(await read({ backward: true, from: all[3]!, limit: 2 })), ["b", "c"]);
    assert.deepEqual(texts(await read({ backward: false, start: 2, end: 9, limit: 10 })), ["b", "c", "d"]);
    assert.deepEqual(await logs.readStream("/aws/lambda/f", "none", { backward: false, limit: 10 }), []);
  });

  test("logs: an append that refuses to create writes nothing when a batch's group or stream is missing, and answers which", async (t) => {
    const { logs } = await fresh(t);
    await logs.createGroup(group("g"));
    await logs.createStream("g", "s", 1);
    const ok = { group: "g", stream: "s", events: [{ timestamp: 1, message: "kept" }] };
    assert.equal(await logs.appendBatches([ok], 2, "refuse"), "appended");
    assert.equal(await logs.appendBatches([ok, { group: "g", stream: "gone", events: [{ timestamp: 1, message: "x" }] }], 3, "refuse"), "noStream");
    assert.equal(await logs.appendBatches([{ group: "deleted", stream: "s", events: [{ timestamp: 1, message: "x" }] }], 3, "refuse"), "noGroup");
    assert.equal(await logs.getGroup("deleted"), undefined);
    assert.equal(await logs.getStream("g", "gone"), undefined);
    assert.deepEqual(texts((await logs.filter("g", { limit: 10 })).events), ["kept"], "the refused write appended none of its batches");
    assert.equal((await logs.getStream("g", "s"))?.lastIngestionTime, 2);
    await logs.deleteGroup("g");
    assert.equal(await logs.appendBatches([ok], 4, "refuse"), "noGroup");
    assert.equal(await logs.getGroup("g"), undefined);
  });

  test("logs: filter interleaves a group's streams by time, narrows by stream names or prefix, literals and match, and resumes after a position", async (t) => {
    const { logs } = await fresh(t);
    await logs.appendBatches(
      [
        { group: "g", stream: "web-1", events: [{ timestamp: 1, message: "ERROR disk" }, { timestamp: 4, message: "INFO ok" }] },
        { group: "g", stream: "web-2", events: [{ timestamp: 2, message: "WARN slow" }, { timestamp: 5, message: "ERROR net" }] },
        { group: "g", stream: "db", events: [{ timestamp: 3, message: "ERROR lock" }, { timestamp: 6, message: "FATAL crash" }] },
        { group: "other", stream: "web-1", events: [{ timestamp: 1, message: "ERROR elsewhere" }] },
      ],
      10,
    );
    const f = async (q: Omit<Parameters<LogsStore["filter"]>[1], "limit">) => texts((await filterAll(logs, "g", { limit: 100, ...q })).events);
    assert.deepEqual(await f({}), ["ERROR disk", "WARN slow", "ERROR lock", "INFO ok", "ERROR net", "FATAL crash"]);
    assert.deepEqual(await f({ streams: ["web-2", "db"] }), ["WARN slow", "ERROR lock", "ERROR net", "FATAL crash"]);
    assert.deepEqual(await f({ streamPrefix: "web-" }), ["ERROR disk", "WARN slow", "INFO ok", "ERROR net"]);
    assert.deepEqual(await f({ start: 2, end: 5 }), ["WARN slow", "ERROR lock", "INFO ok"]);
    assert.deepEqual(await f({ mustContain: [["ERROR"]] }), ["ERROR disk", "ERROR lock", "ERROR net"]);
    assert.deepEqual(await f({ mustContain: [["ERROR", "FATAL"], ["net", "crash"]] }), ["ERROR net", "FATAL crash"]);
    assert.deepEqual(await f({ mustContain: [["error"]] }), [], "literals are case-sensitive");
    assert.deepEqual(await f({ mustContain: [["ERROR"]], match: (m) => !m.includes("disk") }), ["ERROR lock", "ERROR net"]);
    assert.deepEqual(await f({ streams: [] }), []);
    assert.deepEqual(await logs.filter("missing", { limit: 10 }), { events: [] });

    const first = await logs.filter("g", { limit: 2, mustContain: [["ERROR"]] });
    assert.deepEqual(texts(first.events), ["ERROR disk", "ERROR lock"]);
    assert.ok(first.scannedTo);
    const rest = await logs.filter("g", { limit: 2, mustContain: [["ERROR"]], after: first.scannedTo });
    assert.deepEqual(texts(rest.events), ["ERROR net"]);
  });

  test("logs: a filter examines at most scanLimit stored events per call, returning fewer (even none) with where to resume, and loses none across calls", async (t) => {
    const { logs } = await fresh(t);
    const events = Array.from({ length: 50 }, (_, i) => ({ timestamp: Math.floor(i / 3), message: i % 10 === 9 ? `needle ${i}` : `hay ${i}` }));
    await logs.appendBatches([{ group: "g", stream: "s", events }], 1);
    const page = await logs.filter("g", { limit: 100, scanLimit: 5, mustContain: [["needle"]] });
    assert.deepEqual(page.events, []);
    assert.deepEqual(page.scannedTo && { timestamp: page.scannedTo.timestamp }, { timestamp: 1 });
    const { events: found, pages } = await filterAll(logs, "g", { limit: 100, scanLimit: 5, mustContain: [["needle"]] });
    assert.deepEqual(texts(found), ["needle 9", "needle 19", "needle 29", "needle 39", "needle 49"]);
    assert.ok(pages >= 10);
    assert.deepEqual(texts((await filterAll(logs, "g", { limit: 7, scanLimit: 4 })).events), events.map((e) => e.message));
  });

  test("logs: a filter's match stops once it has spent its bytes or its time, with where to resume, and loses none across calls", async (t) => {
    const { logs } = await fresh(t);
    const events = Array.from({ length: 10 }, (_, i) => ({ timestamp: i, message: `${i % 2 ? "odd" : "even"} ${"x".repeat(98)}` }));
    await logs.appendBatches([{ group: "g", stream: "s", events }], 1);
    const match = (m: string) => m.startsWith("odd");
    const byBytes = await logs.filter("g", { limit: 100, match, matchBudget: { bytes: 300, until: Infinity, now: () => 0 } });
    assert.deepEqual(byBytes.events.map((e) => e.timestamp), [1]);
    assert.equal(byBytes.scannedTo?.timestamp, 2, "three messages of 102 characters asked");
    let now = 0;
    const byTime = await logs.filter("g", { limit: 100, match: (m) => ((now += 10), match(m)), matchBudget: { bytes: Infinity, until: 40, now: () => now } });
    assert.deepEqual(byTime.events.map((e) => e.timestamp), [1, 3]);
    assert.equal(byTime.scannedTo?.timestamp, 3);
    const found: number[] = [];
    let after: EventCursor | undefined;
    for (let calls = 0; calls < 20; calls++) {
      const page = await logs.filter("g", { limit: 100, match, matchBudget: { bytes: 300, until: Infinity, now: () => 0 }, ...(after && { after }) });
      found.push(...page.events.map((e) => e.timestamp));
      if (!(after = page.scannedTo)) break;
    }
    assert.deepEqual(found, [1, 3, 5, 7, 9]);
  });

  test("logs: a tail reads what was stored after a seq, in stored order, in the groups asked, each event naming its group", async (t) => {
    const { logs } = await fresh(t);
    assert.equal(await logs.lastSeq(), 0);
    await logs.appendBatches([{ group: "a", stream: "s", events: [{ timestamp: 9, message: "a1" }] }], 1);
    const start = await logs.lastSeq();
    await logs.appendBatches(
      [
        { group: "b", stream: "t", events: [{ timestamp: 1, message: "b1" }] },
        { group: "a", stream: "s", events: [{ timestamp: 2, message: "a2" }] },
        { group: "c", stream: "s", events: [{ timestamp: 2, message: "c1" }] },
      ],
      2,
    );
    const upTo = await logs.lastSeq();
    await logs.appendBatches([{ group: "a", stream: "s", events: [{ timestamp: 3, message: "a3" }] }], 3);
    const tailed = await logs.tail(["a", "b"], start, upTo, 10);
    assert.deepEqual(tailed.map((e) => [e.group, e.stream, e.message]), [["b", "t", "b1"], ["a", "s", "a2"]], "nothing past upTo");
    assert.deepEqual(texts(await logs.tail(["a", "b"], start, upTo, 1)), ["b1"]);
    assert.deepEqual(texts(await logs.tail(["a", "b"], upTo, await logs.lastSeq(), 10)), ["a3"]);
    assert.deepEqual(await logs.tail(["a", "b"], await logs.lastSeq(), await logs.lastSeq(), 10), []);
    assert.deepEqual(await logs.tail([], 0, upTo, 10), []);
  });

  test("logs: expire applies each group's retention days at now, and only to groups that have one; streams' first event times follow", async (t) => {
    const { logs } = await fresh(t);
    const day = 86_400_000;
    await logs.createGroup(group("kept-a-day", { retentionDays: 1 }));
    await logs.appendBatches(
      [
        { group: "kept-a-day", stream: "s", events: [{ timestamp: 10 * day - day - 1, message: "old" }, { timestamp: 10 * day - day, message: "young" }] },
        { group: "forever", stream: "s", events: [{ timestamp: 0, message: "ancient" }] },
      ],
      1,
    );
    assert.equal(await logs.expire(10 * day), 1);
    assert.deepEqual(texts((await logs.filter("kept-a-day", { limit: 10 })).events), ["young"]);
    assert.equal((await logs.getStream("kept-a-day", "s"))?.firstEventTime, 10 * day - day, "the stream's first event is its oldest left");
    assert.deepEqual(texts((await logs.filter("forever", { limit: 10 })).events), ["ancient"]);
  });

  test("logs: seqs are never reused: after the newest events are deleted, a tail from the last seq it read still sees new events", async (t) => {
    const { logs } = await fresh(t);
    await logs.appendBatches([{ group: "a", stream: "s", events: [{ timestamp: 1, message: "a1" }] }], 1);
    await logs.appendBatches([{ group: "b", stream: "s", events: [{ timestamp: 1, message: "b1" }, { timestamp: 2, message: "b2" }] }], 1);
    const upTo = await logs.lastSeq();
    assert.deepEqual(await logs.tail(["a"], 0, upTo, 10).then(texts), ["a1"]);
    await logs.deleteGroup("b");
    await logs.appendBatches([{ group: "a", stream: "s", events: [{ timestamp: 2, message: "a2" }] }], 2);
    assert.deepEqual(texts(await logs.tail(["a"], upTo, await logs.lastSeq(), 10)), ["a2"]);
  });

  test("logs: expire given a group applies only that group's retention", async (t) => {
    const { logs } = await fresh(t);
    const day = 86_400_000;
    for (const name of ["a", "b"]) await logs.createGroup(group(name, { retentionDays: 1 }));
    await logs.appendBatches(["a", "b"].map((name) => ({ group: name, stream: "s", events: [{ timestamp: 0, message: "old" }] })), 1);
    assert.equal(await logs.expire(10 * day, "a"), 1);
    assert.deepEqual(texts((await logs.filter("a", { limit: 10 })).events), []);
    assert.deepEqual(texts((await logs.filter("b", { limit: 10 })).events), ["old"]);
  });

  test("logs: what was stored is there after the store reopens", async (t) => {
    const s = await fresh(t);
    await s.logs.appendBatches([{ group: "g", stream: "s", events: [{ timestamp: 1, message: "durable" }] }], 1);
    const again = await fresh.reopen(t, s);
    assert.deepEqual(texts((await again.logs.filter("g", { limit: 10 })).events), ["durable"]);
  });

  sharedTest(fresh)("logs: two nodes appending at once lose nothing, each batch stays in order, either node reads all, and a tail misses none", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    const batch = (node: string, i: number) => Array.from({ length: 5 }, (_, j) => ({ timestamp: i, message: `${node}-${i}-${j}` }));
    const tailed: StoredLogEvent[] = [];
    let after = 0;
    const tailing = (async () => {
      for (let reads = 0; tailed.length < 100 && reads < 10_000; reads++) {
        const upTo = await b.logs.lastSeq();
        const page = await b.logs.tail(["g"], after, upTo, 7);
        tailed.push(...page);
        after = page.length < 7 ? upTo : page.at(-1)!.seq;
      }
    })();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).logs.appendBatches([{ group: "g", stream: `stream-${i % 2}`, events: batch(i % 2 ? "a" : "b", i) }], i)));
    await tailing;
    assert.equal(new Set(tailed.map((e) => e.message)).size, 100);
    for (const node of [a, b]) {
      const { events } = await filterAll(node.logs, "g", { limit: 1000 });
      assert.equal(events.length, 100);
      for (let i = 0; i < 20; i++) assert.deepEqual(texts(events.filter((e) => e.timestamp === i)), texts(batch(i % 2 ? "a" : "b", i) as StoredLogEvent[]));
    }
  });
}
