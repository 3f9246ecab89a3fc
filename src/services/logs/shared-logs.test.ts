/** Function logs on a store nodes share: written in batches by one node, read in order by another. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { LogStore } from "./log-store.js";
import { PgStore } from "../../store/postgres.js";
import { databaseAndDir } from "../../../test/harness/database-and-dir.js";

const fixture = databaseAndDir("flint-shared-logs-");

test("lines written on one node are read in order on another, and nothing lands in the data dir", async (t) => {
  const { db, dir } = fixture;
  const [a, b] = [await PgStore.open(db.url), await PgStore.open(db.url)];
  t.after(() => Promise.all([a.close(), b.close()]));
  const writerNode = await LogStore.create(path.join(dir, "a"), a.logs);
  t.after(() => writerNode.close());
  const reader = (await LogStore.create(path.join(dir, "b"), b.logs)).reader("/aws/lambda/chatty");
  assert.deepEqual(await reader.next(), []);
  assert.equal(reader.found, false);

  const stream = await writerNode.openStream("/aws/lambda/chatty", "2026/12/05/[$LATEST]abc");
  for (let i = 0; i < 2000; i++) stream.write(`line ${i}`, 1_000 + i);
  await stream.close();
  const events = await reader.next();
  assert.deepEqual(events.map((e) => e.message), Array.from({ length: 2000 }, (_, i) => `line ${i}`));
  assert.equal(events[0]!.stream, "2026/12/05/[$LATEST]abc");
  assert.equal(reader.found, true);

  const more = await writerNode.openStream("/aws/lambda/chatty", "second");
  more.write("after", 5_000);
  await more.close();
  assert.deepEqual((await reader.next()).map((e) => [e.stream, e.message]), [["second", "after"]]);
  assert.deepEqual(await readdir(dir), []);
});
