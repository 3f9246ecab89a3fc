/** Function logs on a store nodes share: written in batches by one node, read in order by another. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { groupReader, importLogFiles, LogStore } from "./log-store.js";
import { PgStore } from "../../store/postgres.js";
import { SqliteStore } from "../../store/sqlite.js";
import { databaseAndDir } from "../../../test/harness/database-and-dir.js";

const fixture = databaseAndDir("flint-shared-logs-");

test("lines written on one node are read in order on another, and nothing lands in the data dir", async (t) => {
  const { db, dir } = fixture;
  const [a, b] = [await PgStore.open(db.url), await PgStore.open(db.url)];
  t.after(() => Promise.all([a.close(), b.close()]));
  const writerNode = await LogStore.create(path.join(dir, "a"), a.logs, () => 9_000);
  t.after(() => writerNode.close());
  const reader = groupReader(b.logs, "/aws/lambda/chatty");
  assert.deepEqual(await reader.next(), []);
  assert.equal(reader.found, false);

  const stream = await writerNode.openStream("/aws/lambda/chatty", "2026/12/05/[$LATEST]abc");
  for (let i = 0; i < 2000; i++) stream.write(`line ${i}`, 1_000 + i);
  await stream.close();
  const events = await reader.next();
  assert.deepEqual(events.map((e) => e.message), Array.from({ length: 2000 }, (_, i) => `line ${i}`));
  assert.equal(events[0]!.stream, "2026/12/05/[$LATEST]abc");
  assert.equal(events[0]!.ingestionTime, 9_000);
  assert.equal(reader.found, true);

  const more = await writerNode.openStream("/aws/lambda/chatty", "second");
  more.write("after");
  await more.close();
  assert.deepEqual((await reader.next()).map((e) => [e.stream, e.message, e.timestamp]), [["second", "after", 9_000]]);
  assert.deepEqual(await readdir(dir), []);
});

test("following a quiet group starts each read past all the store held, not at the group's last event", async (t) => {
  const store = await PgStore.open(fixture.db.url);
  t.after(() => store.close());
  const afters: number[] = [];
  const logs: typeof store.logs = Object.create(store.logs);
  logs.tail = (groups, after, upTo, limit) => (afters.push(after), store.logs.tail(groups, after, upTo, limit));
  await store.logs.appendBatches([{ group: "/aws/lambda/quiet", stream: "s", events: [{ timestamp: 1, message: "q" }] }], 1);
  const reader = groupReader(logs, "/aws/lambda/quiet");
  assert.deepEqual((await reader.next()).map((e) => e.message), ["q"]);
  await store.logs.appendBatches([{ group: "/aws/lambda/busy", stream: "s", events: [1, 2, 3].map((i) => ({ timestamp: i, message: `b${i}` })) }], 2);
  const busyEnd = await store.logs.lastSeq();
  assert.deepEqual(await reader.next(), []);
  assert.deepEqual(await reader.next(), []);
  assert.equal(afters.at(-1), busyEnd, "the busy group's events are not read again");
});

test("an older Flint's log files are copied by flint migrate, and imported into the data dir's SQLite logs once, then set aside", async (t) => {
  const dir = path.join(fixture.dir, "old");
  const streamDir = path.join(dir, "logs", encodeURIComponent("/aws/lambda/old"));
  await mkdir(streamDir, { recursive: true });
  await writeFile(path.join(streamDir, `${encodeURIComponent("2026/01/01/[$LATEST]x")}.jsonl`), '{"t":5,"m":"first"}\n{"t":6,"m":"second"}\n{"t":7,"m":"tor');
  const expected = [["2026/01/01/[$LATEST]x", 5, "first"], ["2026/01/01/[$LATEST]x", 6, "second"]];
  // flint migrate copies them into PostgreSQL, reading the files only.
  const shared = await PgStore.open(fixture.db.url);
  t.after(() => shared.close());
  assert.equal(await importLogFiles(dir, shared.logs), 2);
  assert.deepEqual((await groupReader(shared.logs, "/aws/lambda/old").next()).map((e) => [e.stream, e.timestamp, e.message]), expected);

  const store = SqliteStore.open(dir);
  t.after(() => store.close());
  (await LogStore.create(dir, store.logs)).close();
  (await LogStore.create(dir, store.logs)).close();
  const events = await groupReader(store.logs, "/aws/lambda/old").next();
  assert.deepEqual(events.map((e) => [e.stream, e.timestamp, e.message]), expected);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith("logs")).sort(), ["logs.db", "logs.db-shm", "logs.db-wal", "logs.imported"]);
});

test("retention: a node applies each group's days when it starts, by its clock", async (t) => {
  await mkdir(path.join(fixture.dir, "retention"));
  const store = SqliteStore.open(path.join(fixture.dir, "retention"));
  t.after(() => store.close());
  const day = 86_400_000;
  await store.logs.createGroup({ name: "/aws/lambda/brief", createdAt: 0, retentionDays: 1, tags: {}, logGroupClass: "STANDARD" });
  await store.logs.appendBatches([{ group: "/aws/lambda/brief", stream: "s", events: [{ timestamp: 1, message: "old" }, { timestamp: 5 * day, message: "new" }] }], 5 * day);
  (await LogStore.create(path.join(fixture.dir, "retention"), store.logs, () => 5 * day + 1)).close();
  assert.deepEqual((await groupReader(store.logs, "/aws/lambda/brief").next()).map((e) => e.message), ["new"]);
});
