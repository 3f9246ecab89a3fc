/** The CloudWatch Logs service in-process, through its operation table, on each real logs store and a clock the tests move. */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import type { LogsStore } from "../../store/logs-store.js";
import { PgStore } from "../../store/postgres.js";
import { SqliteLogsStore } from "../../store/sqlite-logs.js";
import { testDatabase } from "../../../test/harness/postgres.js";
import { OPERATIONS } from "../../api/logs/operations.js";
import { decodeStartLiveTail } from "./inputs.js";
import type { LiveTailResult } from "./live-tail.js";
import { LogsService } from "./service.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const DAY = 86_400_000;
type Members = Record<string, unknown>;

/** A store of each kind, opened once for its suite; `clear` leaves it without groups. */
interface Opened {
  store: LogsStore;
  close(): Promise<void>;
}

const STORES: [string, () => Promise<Opened>][] = [
  [
    "SQLite",
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "flint-logs-"));
      const store = new SqliteLogsStore(path.join(dir, "logs.db"));
      return { store, close: async () => (store.close(), rm(dir, { recursive: true, force: true })) };
    },
  ],
  [
    "PostgreSQL",
    async () => {
      const db = await testDatabase();
      const pg = await PgStore.open(db.url);
      return { store: pg.logs, close: async () => (await pg.close(), db.close()) };
    },
  ],
];

for (const [kind, open] of STORES) describe(`CloudWatch Logs service on ${kind}`, () => {
  let opened: Opened;
  let store: LogsStore;
  let clock: ManualClock;
  let logs: LogsService;

  before(async () => {
    opened = await open();
    store = opened.store;
  });
  after(() => opened.close());
  beforeEach(async () => {
    for (const g of await store.listGroups({ limit: 1000 })) await store.deleteGroup(g.name);
    clock = new ManualClock();
    logs = new LogsService({ store, clock, account: ACCOUNT });
  });
  afterEach(() => logs.close());

  const call = async (op: string, m: Members = {}): Promise<Members> => (await OPERATIONS[op]!(logs, m)) ?? {};
  const refused = async (op: string, m: Members, code: string, message?: string | RegExp) =>
    assert.rejects(call(op, m), (err: Error & { code?: string }) => {
      assert.equal(err.code, code, err.message);
      if (typeof message === "string") assert.equal(err.message, message);
      else if (message) assert.match(err.message, message);
      return true;
    });
  const put = (group: string, stream: string, events: [number, string][]) =>
    call("PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) });
  const messages = (r: Members) => (r.events as { message: string }[]).map((e) => e.message);

  test("groups: created once, listed in name order a page at a time, by prefix or by a case-sensitive substring", async () => {
    for (const name of ["/aws/lambda/b", "/aws/lambda/a", "app-Foo", "app-foo", "other"]) await call("CreateLogGroup", { logGroupName: name });
    await refused("CreateLogGroup", { logGroupName: "other" }, "ResourceAlreadyExistsException", "The specified log group already exists");
    await refused("CreateLogGroup", { logGroupName: "bad name" }, "InvalidParameterException", /^1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call("DescribeLogGroups", { limit: 2, ...(nextToken ? { nextToken } : {}) });
      names.push(...(page.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName));
      nextToken = page.nextToken as string | undefined;
    } while (nextToken);
    assert.deepEqual(names, ["/aws/lambda/a", "/aws/lambda/b", "app-Foo", "app-foo", "other"]);
    const byPrefix = await call("DescribeLogGroups", { logGroupNamePrefix: "/aws/" });
    assert.deepEqual((byPrefix.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName), ["/aws/lambda/a", "/aws/lambda/b"]);
    assert.equal(byPrefix.nextToken, undefined);
    const byPattern = await call("DescribeLogGroups", { logGroupNamePattern: "Foo" });
    // With a pattern, only the name, creation time and ARN.
    assert.deepEqual(byPattern.logGroups, [{ logGroupName: "app-Foo", creationTime: clock.now(), arn: "arn:aws:logs:us-east-1:123456789012:log-group:app-Foo:*" }]);
    await refused("DescribeLogGroups", { logGroupNamePrefix: "a", logGroupNamePattern: "b" }, "InvalidParameterException");
    await refused("DescribeLogGroups", { limit: 51 }, "InvalidParameterException", "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
    await refused("DescribeLogGroups", { nextToken: "garbage" }, "InvalidParameterException", "The specified nextToken is invalid.");
    await call("DeleteLogGroup", { logGroupName: "other" });
    await refused("DeleteLogGroup", { logGroupName: "other" }, "ResourceNotFoundException", "The specified log group does not exist.");
  });

  test("streams: ordered by name or by last event time, descending, a page at a time", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await refused("CreateLogStream", { logGroupName: "nope", logStreamName: "s" }, "ResourceNotFoundException", "The specified log group does not exist.");
    const now = clock.now();
    for (const [name, at] of [["c", 1], ["a", 3], ["b", 2]] as const) {
      await call("CreateLogStream", { logGroupName: "g", logStreamName: name });
      await put("g", name, [[now - 1000 + at, `in ${name}`]]);
    }
    await refused("CreateLogStream", { logGroupName: "g", logStreamName: "a" }, "ResourceAlreadyExistsException", "The specified log stream already exists");
    const names = async (m: Members) => ((await call("DescribeLogStreams", { logGroupName: "g", ...m })).logStreams as { logStreamName: string }[]).map((s) => s.logStreamName);
    assert.deepEqual(await names({}), ["a", "b", "c"]);
    assert.deepEqual(await names({ orderBy: "LastEventTime", descending: true }), ["a", "b", "c"]);
    assert.deepEqual(await names({ orderBy: "LastEventTime" }), ["c", "b", "a"]);
    const first = await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", limit: 2 });
    assert.deepEqual((first.logStreams as { logStreamName: string }[]).map((s) => s.logStreamName), ["c", "b"]);
    assert.deepEqual(await names({ orderBy: "LastEventTime", limit: 2, nextToken: first.nextToken }), ["a"]);
    const [a] = (await call("DescribeLogStreams", { logGroupIdentifier: "arn:aws:logs:us-east-1:123456789012:log-group:g", logStreamNamePrefix: "a" })).logStreams as Members[];
    assert.equal(a!.lastEventTimestamp, now - 997);
    assert.equal(a!.arn, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:a");
    await refused("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", logStreamNamePrefix: "a" }, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
    await refused("DescribeLogStreams", { logGroupName: "g", orderBy: "Size" }, "InvalidParameterException", /Member must satisfy enum value set: \[LogStreamName, LastEventTime\]/);
    await call("DeleteLogStream", { logGroupName: "g", logStreamName: "a" });
    await refused("DeleteLogStream", { logGroupName: "g", logStreamName: "a" }, "ResourceNotFoundException", "The specified log stream does not exist.");
  });

  test("PutLogEvents racing DeleteLogGroup or DeleteLogStream answers ResourceNotFoundException and brings neither back", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    // Another node deletes just after this one checked that the stream exists, before it writes.
    const racing = (remove: () => Promise<unknown>) => {
      const racer: LogsStore = Object.create(store, { getStream: { value: async (g: string, s: string) => [await store.getStream(g, s), await remove()][0] } });
      return new LogsService({ store: racer, clock, account: ACCOUNT });
    };
    const putVia = (service: LogsService) => OPERATIONS.PutLogEvents!(service, { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: clock.now(), message: "late" }] });
    await assert.rejects(putVia(racing(() => store.deleteStream("g", "s"))), { code: "ResourceNotFoundException", message: "The specified log stream does not exist." });
    assert.equal(await store.getStream("g", "s"), undefined);
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    await assert.rejects(putVia(racing(() => store.deleteGroup("g"))), { code: "ResourceNotFoundException", message: "The specified log group does not exist." });
    assert.equal(await store.getGroup("g"), undefined);
    assert.equal(await store.getStream("g", "s"), undefined);
  });

  test("PutLogEvents refuses a batch out of order, over 24 hours or over 1 MiB, and leaves out events too old, too new or past retention", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const now = clock.now();
    await refused("PutLogEvents", { logGroupName: "g", logStreamName: "missing", logEvents: [{ timestamp: now, message: "x" }] }, "ResourceNotFoundException", "The specified log stream does not exist.");
    await assert.rejects(put("g", "s", [[now, "b"], [now - 1, "a"]]), { message: "Log events in a single PutLogEvents request must be in chronological order." });
    await assert.rejects(put("g", "s", [[now - DAY - 1, "a"], [now, "b"]]), { message: "The batch of log events in a single PutLogEvents request cannot span more than 24 hours." });
    // 1,048,576 bytes with 26 per event: one event of 1,048,550 bytes fits, one more byte does not.
    await put("g", "s", [[now, "x".repeat(1_048_550)]]);
    await assert.rejects(put("g", "s", [[now, "x".repeat(1_048_551)]]), { message: "Upload too large: 1048577 bytes exceeds limit of 1048576" });
    await refused("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [] }, "InvalidParameterException", /Member must have length greater than or equal to 1/);
    await refused("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: now, message: "" }] }, "InvalidParameterException", /at 'logEvents.1.member.message'/);

    await call("CreateLogStream", { logGroupName: "g", logStreamName: "t" });
    const old = await put("g", "t", [[now - 14 * DAY - 1000, "too old"], [now - 14 * DAY + 1000, "ok 1"]]);
    assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
    const out = await put("g", "t", [[now, "ok 2"], [now + 2 * 3_600_000 + 1, "too new"]]);
    assert.deepEqual(out.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    assert.match(out.nextSequenceToken as string, /^\d{56}$/);
    // The 24 hours are measured over the valid events: 15 days apart, the old one is only rejected.
    const spanning = await put("g", "t", [[now - 15 * DAY, "too old"], [now, "ok 3"]]);
    assert.deepEqual(spanning.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
    assert.deepEqual(messages(await call("GetLogEvents", { logGroupName: "g", logStreamName: "t", startFromHead: true })), ["ok 1", "ok 2", "ok 3"]);

    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 1 });
    const expired = await put("g", "t", [[now - 2 * DAY, "expired"], [now - 2 * DAY + 1, "expired too"]]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 2 });
  });

  test("writers to one stream all succeed whatever sequence token they send", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const now = clock.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => call("PutLogEvents", { logGroupName: "g", logStreamName: "s", sequenceToken: "stale", logEvents: [{ timestamp: now + i, message: `w${i}` }] })));
    assert.equal(messages(await call("GetLogEvents", { logGroupName: "g", logStreamName: "s" })).length, 8);
  });

  test("GetLogEvents pages forward and backward, and at the end gives back the token it was given", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const now = clock.now();
    await put("g", "s", [1, 2, 3, 4, 5].map((i) => [now + i, `e${i}`]));
    const get = (m: Members) => call("GetLogEvents", { logGroupName: "g", logStreamName: "s", limit: 2, ...m });
    const newest = await get({});
    assert.deepEqual(messages(newest), ["e4", "e5"]);
    const older = await get({ nextToken: newest.nextBackwardToken });
    assert.deepEqual(messages(older), ["e2", "e3"]);
    assert.deepEqual(messages(await get({ nextToken: older.nextBackwardToken })), ["e1"]);

    let page = await get({ startFromHead: true });
    const seen = [...messages(page)];
    for (;;) {
      const next = await get({ nextToken: page.nextForwardToken });
      if (next.nextForwardToken === page.nextForwardToken) {
        assert.deepEqual(next.events, []);
        break;
      }
      seen.push(...messages(next));
      page = next;
    }
    assert.deepEqual(seen, ["e1", "e2", "e3", "e4", "e5"]);
    // A line written later is read from where the reader stopped.
    await put("g", "s", [[now + 6, "e6"]]);
    assert.deepEqual(messages(await get({ nextToken: page.nextForwardToken })), ["e6"]);
    assert.match(page.nextForwardToken as string, /^f\/\d{56}\/s$/);
    // An answer holds at most 1 MB: two events of 600 KB come one at a time.
    await put("g", "s", [[now + 7, "x".repeat(600_000)]]);
    await put("g", "s", [[now + 8, "y".repeat(600_000)]]);
    const big = await get({ nextToken: page.nextForwardToken, limit: 10 });
    assert.deepEqual(messages(big).map((m) => m.slice(0, 2)), ["e6", "xx"]);
    assert.deepEqual(messages(await get({ nextToken: big.nextForwardToken, limit: 10 })).map((m) => m[0]), ["y"]);
    assert.deepEqual(messages(await get({ limit: 10 })).map((m) => m[0]), ["y"]);
    const filtered = await call("FilterLogEvents", { logGroupName: "g", startTime: now + 7 });
    assert.deepEqual(messages(filtered).map((m) => m[0]), ["x"]);
    assert.deepEqual(messages(await call("FilterLogEvents", { logGroupName: "g", startTime: now + 7, nextToken: filtered.nextToken })).map((m) => m[0]), ["y"]);
    await refused("GetLogEvents", { logGroupName: "g", logStreamName: "s", nextToken: "f/123" }, "InvalidParameterException", "The specified nextToken is invalid.");
    await refused("GetLogEvents", { logGroupName: "g", logStreamName: "nope" }, "ResourceNotFoundException", "The specified log stream does not exist.");
    await refused("GetLogEvents", { logGroupName: "g", logGroupIdentifier: "g", logStreamName: "s" }, "InvalidParameterException");
  });

  test("FilterLogEvents interleaves streams, narrows by names, prefix, time and pattern, and ends without a token", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    const now = clock.now();
    for (const s of ["app-1", "app-2", "db"]) await call("CreateLogStream", { logGroupName: "g", logStreamName: s });
    await put("g", "app-1", [[now + 1, "INFO start"], [now + 4, "ERROR boom"]]);
    await put("g", "app-2", [[now + 2, "INFO start"], [now + 5, `{"level":"ERROR","latency":150}`]]);
    await put("g", "db", [[now + 3, "ERROR disk"]]);
    const filter = (m: Members) => call("FilterLogEvents", { logGroupName: "g", ...m });
    const all = await filter({});
    assert.deepEqual((all.events as Members[]).map((e) => e.logStreamName), ["app-1", "app-2", "db", "app-1", "app-2"]);
    assert.equal(all.nextToken, undefined);
    assert.deepEqual(messages(await filter({ filterPattern: "ERROR", logStreamNamePrefix: "app" })), ["ERROR boom", `{"level":"ERROR","latency":150}`]);
    assert.deepEqual(messages(await filter({ filterPattern: `{ $.level = "ERROR" && $.latency > 100 }` })), [`{"level":"ERROR","latency":150}`]);
    assert.deepEqual(messages(await filter({ logStreamNames: ["db", "app-2"], startTime: now + 2, endTime: now + 3 })), ["INFO start", "ERROR disk"]);
    const first = await filter({ limit: 2 });
    assert.deepEqual(messages(first), ["INFO start", "INFO start"]);
    const rest = await filter({ limit: 10, nextToken: first.nextToken });
    assert.deepEqual(messages(rest), ["ERROR disk", "ERROR boom", `{"level":"ERROR","latency":150}`]);
    assert.equal(rest.nextToken, undefined);
    const ids = [...(first.events as Members[]), ...(rest.events as Members[])].map((e) => e.eventId as string);
    assert.deepEqual([...ids].sort(), ids);
    await refused("FilterLogEvents", { logGroupName: "g", filterPattern: "{ $.x = " }, "InvalidParameterException", "Invalid filter pattern");
    await refused("FilterLogEvents", { logGroupName: "g", logStreamNames: ["a"], logStreamNamePrefix: "a" }, "InvalidParameterException");
    await refused("FilterLogEvents", { logGroupName: "nope" }, "ResourceNotFoundException", "The specified log group does not exist.");
  });

  test("a retention policy deletes older events; only AWS's periods are taken", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const now = clock.now();
    await put("g", "s", [[now - 3 * DAY, "old"], [now - 3 * DAY + 1, "old too"]]);
    await put("g", "s", [[now, "new"]]);
    await refused("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 2 }, "InvalidParameterException", /^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/);
    await refused("PutRetentionPolicy", { logGroupName: "nope", retentionInDays: 1 }, "ResourceNotFoundException");
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 1 });
    assert.deepEqual(messages(await call("FilterLogEvents", { logGroupName: "g" })), ["new"]);
    const [group] = (await call("DescribeLogGroups", {})).logGroups as Members[];
    assert.equal(group!.retentionInDays, 1);
    await call("DeleteRetentionPolicy", { logGroupName: "g" });
    assert.equal(((await call("DescribeLogGroups", {})).logGroups as Members[])[0]!.retentionInDays, undefined);
  });

  test("a retention policy is applied at once to its group only (the others wait for the sweeper)", async () => {
    for (const name of ["g", "other"]) {
      await call("CreateLogGroup", { logGroupName: name });
      await call("CreateLogStream", { logGroupName: name, logStreamName: "s" });
      await put(name, "s", [[clock.now(), "first"]]);
      await call("PutRetentionPolicy", { logGroupName: name, retentionInDays: 1 });
    }
    clock.advance(2 * DAY);
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 1 });
    assert.deepEqual(messages(await call("FilterLogEvents", { logGroupName: "g" })), []);
    assert.deepEqual(messages(await call("FilterLogEvents", { logGroupName: "other" })), ["first"]);
  });

  test("tags by group name and by ARN are one set, at most 50", async () => {
    await call("CreateLogGroup", { logGroupName: "g", tags: { team: "a" } });
    const arn = "arn:aws:logs:us-east-1:123456789012:log-group:g";
    await call("TagLogGroup", { logGroupName: "g", tags: { env: "dev" } });
    await call("TagResource", { resourceArn: arn, tags: { cost: "1" } });
    assert.deepEqual((await call("ListTagsForResource", { resourceArn: arn })).tags, { team: "a", env: "dev", cost: "1" });
    // Changes at the same time all land.
    await Promise.all(["a", "b", "c", "d"].map((k) => call("TagLogGroup", { logGroupName: "g", tags: { [k]: k } })));
    await call("UntagLogGroup", { logGroupName: "g", tags: ["a", "b", "c", "d"] });
    await call("UntagResource", { resourceArn: arn, tagKeys: ["team"] });
    await call("UntagLogGroup", { logGroupName: "g", tags: ["env"] });
    assert.deepEqual((await call("ListTagsLogGroup", { logGroupName: "g" })).tags, { cost: "1" });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    await refused("TagResource", { resourceArn: arn, tags: many }, "TooManyTagsException");
    await refused("ListTagsForResource", { resourceArn: "arn:aws:logs:us-east-1:123456789012:log-group:nope" }, "ResourceNotFoundException");
    await refused("ListTagsLogGroup", { logGroupName: "nope" }, "ResourceNotFoundException", "The specified log group does not exist.");
  });

  test("a live tail sees what is written after it starts, narrowed by its pattern", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const now = clock.now();
    await put("g", "s", [[now, "ERROR before"]]);
    const arn = "arn:aws:logs:us-east-1:123456789012:log-group:g";
    const { session, release } = await logs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: [arn], logEventFilterPattern: "ERROR" }), "req");
    assert.deepEqual(session.start.logGroupIdentifiers, [arn]);
    const seen: LiveTailResult[] = [];
    let resolveUpdate: () => void = () => {};
    session.run({ update: (r) => (seen.push(...r), resolveUpdate()), end: () => {} });
    await put("g", "s", [[now + 1, "INFO after"], [now + 2, "ERROR after"]]);
    const updated = new Promise<void>((r) => (resolveUpdate = r));
    clock.advance(1000);
    await updated;
    assert.deepEqual(seen.map((r) => [r.logGroupIdentifier, r.logStreamName, r.message]), [[arn, "s", "ERROR after"]]);
    release();
    // Past 500 events a second, a tail samples: it shows the first 500 and skips the rest of that second.
    const busy = await logs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: [arn] }), "req");
    const updates: [number, boolean][] = [];
    busy.session.run({ update: (r, sampled) => (updates.push([r.length, sampled]), resolveUpdate()), end: () => {} });
    await put("g", "s", Array.from({ length: 600 }, (_, i) => [now + 10, `line ${i}`]));
    const sampled = new Promise<void>((r) => (resolveUpdate = r));
    clock.advance(1000);
    await sampled;
    await put("g", "s", [[now + 11, "next second"]]);
    const next = new Promise<void>((r) => (resolveUpdate = r));
    clock.advance(1000);
    await next;
    assert.deepEqual(updates, [[500, true], [1, false]]);
    busy.release();
    await assert.rejects(logs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: [`${arn}x`] }), "req"), { code: "ResourceNotFoundException" });
    await assert.rejects(logs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: [arn, arn], logStreamNames: ["s"] }), "req"), { code: "InvalidParameterException" });
  });

  test("at most 15 live tails are open at once: the 16th is LimitExceededException until one is released", async () => {
    await call("CreateLogGroup", { logGroupName: "g" });
    const open = () => logs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: ["g"] }), "req");
    const tails = await Promise.all(Array.from({ length: 15 }, open));
    await assert.rejects(open(), { code: "LimitExceededException" });
    tails[0]!.release();
    (await open()).release();
    for (const t of tails) t.release();
  });

  test("a live tail on a quiet group starts each poll past all the store held, not at its group's last event", async () => {
    const afters: number[] = [];
    let polled: () => void = () => {};
    const spied: LogsStore = Object.create(store);
    spied.tail = async (groups, after, upTo, limit) => {
      afters.push(after);
      const events = await store.tail(groups, after, upTo, limit);
      setImmediate(polled);
      return events;
    };
    const spiedLogs = new LogsService({ store: spied, clock, account: ACCOUNT });
    for (const name of ["quiet", "busy"]) await call("CreateLogGroup", { logGroupName: name });
    await call("CreateLogStream", { logGroupName: "busy", logStreamName: "s" });
    const { session, release } = await spiedLogs.openLiveTail(decodeStartLiveTail({ logGroupIdentifiers: ["quiet"] }), "req");
    session.run({ update: () => {}, end: () => {} });
    await put("busy", "s", [[clock.now(), "one"], [clock.now(), "two"]]);
    const busyEnd = await store.lastSeq();
    for (let poll = 0; poll < 2; poll++) {
      const done = new Promise<void>((r) => (polled = r));
      clock.advance(1000);
      await done;
    }
    release();
    spiedLogs.close();
    assert.equal(afters.at(-1), busyEnd, "the busy group's events are not read again");
  });
});
