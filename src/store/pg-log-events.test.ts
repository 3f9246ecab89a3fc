/** The logs tables on PostgreSQL: a database an older Flint wrote function logs into keeps them. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PG_MIGRATIONS, PgStore } from "./postgres.js";
import { APPEND_LOCK, PG_LOG_TABLES } from "./pg-log-events.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";

let db: TestDatabase;
before(async () => void (db = await testDatabase()));
after(() => db.close());

test("the older log_events table's events move into groups and streams, in their order, with their streams' times", async () => {
  const admin = await PgStore.connectOnly(db.url);
  try {
    await admin.migrate(PG_MIGRATIONS.slice(0, PG_MIGRATIONS.indexOf(PG_LOG_TABLES)));
    await admin.run(
      `INSERT INTO log_events (log_group, log_stream, timestamp, message) VALUES
         ('/aws/lambda/f', 's2', 10, 'one'), ('/aws/lambda/f', 's1', 5, 'two'), ('/aws/lambda/g', 's1', 7, 'other'), ('/aws/lambda/f', 's2', 3, 'three')`,
    );
  } finally {
    await admin.close();
  }
  const store = await PgStore.open(db.url);
  try {
    const { events } = await store.logs.filter("/aws/lambda/f", { limit: 10 });
    assert.deepEqual(events.map((e) => [e.stream, e.timestamp, e.message]), [["s2", 3, "three"], ["s1", 5, "two"], ["s2", 10, "one"]]);
    assert.ok(events[2]!.seq < events[1]!.seq, "stored order kept");
    assert.deepEqual(await store.logs.getStream("/aws/lambda/f", "s2"), { group: "/aws/lambda/f", name: "s2", createdAt: 3, firstEventTime: 3, lastEventTime: 10, lastIngestionTime: 10, storedBytes: 8 });
    assert.deepEqual((await store.logs.listGroups({ limit: 10 })).map((g) => g.name), ["/aws/lambda/f", "/aws/lambda/g"]);
    await store.logs.appendBatches([{ group: "/aws/lambda/g", stream: "s1", events: [{ timestamp: 8, message: "after" }] }], 20);
    assert.deepEqual((await store.logs.tail(["/aws/lambda/g"], 0, await store.logs.lastSeq(), 10)).map((e) => e.message), ["other", "after"]);
  } finally {
    await store.close();
  }
});

test("deleting a group or stream waits for an append another node has in flight, so none of its events outlives it", async () => {
  const store = await PgStore.open(db.url);
  const other = await PgStore.connectOnly(db.url);
  try {
    for (const [group, remove] of [
      ["/aws/lambda/gone", () => store.logs.deleteGroup("/aws/lambda/gone")],
      ["/aws/lambda/kept", () => store.logs.deleteStream("/aws/lambda/kept", "s")],
    ] as const) {
      await store.logs.appendBatches([{ group, stream: "s", events: [{ timestamp: 1, message: "before" }] }], 1);
      const [{ id }] = (await other.query<{ id: number }>("SELECT s.id FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.name = $1", [group])) as [{ id: number }];
      let commit: () => void = () => {};
      const committed = new Promise<void>((r) => (commit = r));
      let locked: () => void = () => {};
      const holding = new Promise<void>((r) => (locked = r));
      // An append on the other node: it holds the lock and has found the stream when the delete comes.
      const appending = other.tx(async (sql) => {
        await sql.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]);
        await sql.run("INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, message) SELECT group_id, id, 2, 2, 'during' FROM log_streams WHERE id = $1", [id]);
        locked();
        await committed;
      });
      await holding;
      const deleting = remove();
      await Promise.race([deleting, new Promise((r) => setTimeout(r, 200))]);
      commit();
      await appending;
      assert.equal(await deleting, true);
      assert.deepEqual(await other.query("SELECT message FROM log_events WHERE stream_id = $1", [id]), [], "no event left of the deleted stream");
    }
  } finally {
    await other.close();
    await store.close();
  }
});
