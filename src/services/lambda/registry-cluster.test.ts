/**
 * Two nodes, one store: each keeps the function registry in memory as a cache, and what one node
 * writes the other reads after the change notification (SQLite file opened twice with one shared
 * bus, and two PostgreSQL stores on one database, whose bus is LISTEN/NOTIFY).
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { delivered } from "../../store/contract/changes.js";
import type { Store } from "../../store/store.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";
import { pgTwoNodes, sqliteTwoNodes } from "../../../test/harness/two-nodes.js";
import type { FunctionRecord, FunctionVersion } from "./model.js";
import { FunctionRegistry } from "./registry.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };

function record(name: string, revisionId: string, extra: Partial<FunctionRecord> = {}): FunctionRecord {
  const latest = { functionName: name, version: "$LATEST", revisionId, description: "", code: { id: `code-${revisionId}` } } as unknown as FunctionVersion;
  return { name, latest, deployed: latest, tags: {}, createdAt: 1, nextVersion: 1, versions: {}, aliases: {}, provisioned: {}, eventInvokeConfigs: {}, policies: {}, ...extra } as FunctionRecord;
}

/** Both nodes' registries, and what B's listener was told. */
async function twoNodes(a: Store, b: Store) {
  const clock = new ManualClock();
  const nodeA = await FunctionRegistry.load(ACCOUNT, a, clock);
  const nodeB = await FunctionRegistry.load(ACCOUNT, b, clock);
  const told: string[] = [];
  nodeB.listener = {
    deployed: (r) => void told.push(`deployed ${r.name} ${r.deployed?.revisionId}`),
    deleted: (name) => void told.push(`deleted ${name}`),
    configured: (r) => void told.push(`configured ${r.name}`),
  };
  return { nodeA, nodeB, told };
}

function clusterTests(open: (t: TestContext) => Promise<[Store, Store]>): void {
  test("a function created on node A is on node B once the change is delivered; an update and a delete follow", async (t) => {
    const [a, b] = await open(t);
    const { nodeA, nodeB, told } = await twoNodes(a, b);
    assert.equal(await nodeA.insert(record("fn", "r1")), true);
    await delivered(a, b);
    assert.equal(nodeB.get("fn")?.latest.revisionId, "r1");
    // B's cache now refuses the name too, as the store would.
    assert.equal(await nodeB.insert(record("fn", "other")), false);

    await nodeA.save(record("fn", "r2"));
    await delivered(a, b);
    assert.equal(nodeB.get("fn")?.deployed?.revisionId, "r2");

    await nodeA.save(record("fn", "r2", { reservedConcurrency: 5 }));
    await delivered(a, b);
    assert.equal(nodeB.reservedTotal, 5);

    await nodeA.remove("fn");
    await delivered(a, b);
    assert.equal(nodeB.get("fn"), undefined);
    assert.equal(nodeB.reservedTotal, 0);
    assert.deepEqual(told, ["deployed fn r1", "deployed fn r2", "configured fn", "deleted fn"]);
  });

  test("both nodes write, each sees the other's functions; a change of its own is not reloaded", async (t) => {
    const [a, b] = await open(t);
    const { nodeA, nodeB, told } = await twoNodes(a, b);
    await Promise.all([...["a1", "a2", "a3"].map((n) => nodeA.insert(record(n, "r"))), ...["b1", "b2"].map((n) => nodeB.insert(record(n, "r")))]);
    await delivered(a, b);
    await delivered(b, a);
    assert.deepEqual([...nodeA.all()].map((f) => f.name).sort(), ["a1", "a2", "a3", "b1", "b2"]);
    assert.deepEqual([...nodeB.all()].map((f) => f.name).sort(), ["a1", "a2", "a3", "b1", "b2"]);
    assert.deepEqual(told.sort(), ["deployed a1 r", "deployed a2 r", "deployed a3 r"]);
  });
}

describe("function registry on two nodes of one SQLite file", () => {
  let dir = "";
  before(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "flint-registry-"))));
  after(() => rm(dir, { recursive: true, force: true }));
  let n = 0;
  clusterTests(async (t) => sqliteTwoNodes(t, path.join(dir, `${n++}.db`)));
});

describe("function registry on two nodes of one PostgreSQL database", () => {
  let db: TestDatabase | undefined;
  before(async () => void (db = await testDatabase()));
  after(() => db?.close());
  clusterTests(async (t) => {
    const [a, b] = await pgTwoNodes(t, db!.url);
    // Each test starts from an empty functions table (the database is shared by this file's tests).
    await a.db.run("DELETE FROM functions");
    return [a, b];
  });
});
