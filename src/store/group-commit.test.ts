import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";

function open(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(path.join(tmpdir(), "flint-group-commit-"));
  const file = path.join(dir, "db");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
           CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE,
                           parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
  // A second connection sees only what has been committed.
  const other = new Database(file, { readonly: true });
  t.after(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const committed = () => other.prepare("SELECT v FROM t ORDER BY id").pluck().all();
  return { db, commits: new GroupCommit(db), committed };
}

test("writes of one turn share a transaction, run in issue order, and resolve once committed", async (t) => {
  const { db, commits, committed } = open(t);
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const seenInside: unknown[] = [];
  const a = commits.run(() => Number(insert.run("a").lastInsertRowid));
  const b = commits.run(() => {
    // Inside the group: a's row is there for this connection, not yet for anyone else.
    seenInside.push(db.prepare("SELECT count(*) FROM t").pluck().get(), committed().length, db.inTransaction);
    return Number(insert.run("b").lastInsertRowid);
  });
  const c = commits.run(() => db.prepare("DELETE FROM t WHERE v = 'a'").run().changes);
  assert.deepEqual(committed(), [], "nothing is written before the turn ends");
  assert.deepEqual(await Promise.all([a, b, c]), [1, 2, 1]);
  assert.deepEqual(seenInside, [1, 0, true]);
  assert.deepEqual(committed(), ["b"], "committed when the promises resolve, in issue order");
});

test("a write that throws is undone and rejected alone; the rest of its group commits", async (t) => {
  const { db, commits, committed } = open(t);
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const ok1 = commits.run(() => insert.run("x").changes);
  const bad = commits.run(() => {
    insert.run("half-done");
    insert.run("x"); // UNIQUE violation: the write's first insert must go too
  });
  const ok2 = commits.run(() => insert.run("y").changes);
  assert.equal(await ok1, 1);
  await assert.rejects(bad, /UNIQUE constraint failed/);
  assert.equal(await ok2, 1);
  assert.deepEqual(committed(), ["x", "y"]);
});

test("when the commit itself fails, every write of the group is rejected and nothing is stored", async (t) => {
  const { db, commits, committed } = open(t);
  const insert = db.prepare("INSERT INTO t (v, parent) VALUES (?, ?)");
  // A deferred foreign key is only checked at COMMIT: the whole transaction fails there.
  const results = await Promise.allSettled([commits.run(() => insert.run("p", null)), commits.run(() => insert.run("q", 42))]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "rejected"],
  );
  assert.match(String((results[0] as PromiseRejectedResult).reason), /FOREIGN KEY constraint failed/);
  assert.deepEqual(committed(), []);
  assert.equal(db.inTransaction, false, "the connection is usable again");
  assert.equal(await commits.run(() => insert.run("r", null).changes), 1);
  assert.deepEqual(committed(), ["r"]);
});

test("flush() commits what is pending at once (a store closing); the end of the turn then finds nothing to do", async (t) => {
  const { db, commits, committed } = open(t);
  const p = commits.run(() => db.prepare("INSERT INTO t (v) VALUES ('now')").run().changes);
  commits.flush();
  assert.deepEqual(committed(), ["now"]);
  db.close();
  assert.equal(await p, 1);
  // The end-of-turn flush scheduled by run() meets a closed connection: it must do nothing, not throw.
  await new Promise((resolve) => setImmediate(resolve));
});
