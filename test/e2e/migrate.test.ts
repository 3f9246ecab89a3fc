/**
 * `flint migrate`: a single-node installation (a function that ran, a queue holding messages, the
 * test role) moved from its data dir onto PostgreSQL, where a node with an empty data dir serves it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT, startFlint, uniqueName } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { zipFiles } from "../harness/zip.js";
import { testDatabase, type TestDatabase } from "../harness/postgres.js";
import { PgStore } from "../../src/store/postgres.js";

const CLI = path.join(ROOT, "dist/src/cli/main.js");
const run = promisify(execFile);

async function flint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let db: TestDatabase;
let dataDir: string;
let fn: string;

/** A new empty schema of the test database, as its own `postgres://` URL. */
async function emptyDatabase(): Promise<string> {
  const schema = `m_${randomBytes(6).toString("hex")}`;
  const admin = await PgStore.connectOnly(db.url);
  await admin.run(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const url = new URL(db.url);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

before(async () => {
  db = await testDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "flint-migrate-"));
  const single = await startFlint({ dataDir });
  try {
    const zip = await zipFiles({ "index.mjs": "export const handler = async (e) => { console.log('moving house', e.n); return { n: e.n }; };" });
    fn = await createFunction(single, zip, "index.handler", { FunctionName: uniqueName("moved") });
    assert.deepEqual((await invoke(single, fn, { n: 1 })).payload, { n: 1 });
    const queueUrl = (await single.aws(["sqs", "create-queue", "--queue-name", "moved-queue"])).json().QueueUrl;
    for (const body of ["one", "two", "three"]) assert.equal((await single.aws(["sqs", "send-message", "--queue-url", queueUrl, "--message-body", body])).code, 0);
  } finally {
    await single.stop({ cleanup: false });
  }
});

after(async () => {
  await db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test("migrate refuses a database that already holds Flint data, copying nothing", async () => {
  const url = await emptyDatabase();
  const store = await PgStore.open(url);
  await store.settings.put("clock", JSON.stringify({ now: 1 }));
  await store.close();
  const out = await flint(["migrate", "--from", dataDir, "--to", url]);
  assert.equal(out.code, 1, out.stdout + out.stderr);
  assert.match(out.stderr, /already holds Flint data \(settings\)/);
});

test("migrate --leave-behind copies the store's rows it can place, the package a function uses, its logs, its metrics and the clock; flint logs --store reads them", async () => {
  const url = await emptyDatabase();
  const out = await flint(["migrate", "--from", dataDir, "--to", url, "--leave-behind"]);
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /copied 1 row\(s\) of functions/);
  assert.match(out.stdout, /copied 1 code package\(s\)/);
  assert.match(out.stdout, /copied the clock's reading/);
  assert.match(out.stdout, /copied \d+ row\(s\) of metric_points/);
  const store = await PgStore.open(url);
  try {
    const invocations = { namespace: "AWS/Lambda", name: "Invocations", dimensions: [{ Name: "FunctionName", Value: fn }] };
    // (FunctionName+Resource and FunctionName+ExecutedVersion series match the filter too.)
    assert.deepEqual((await store.metrics.list(invocations, 10)).metrics.filter((m) => m.dimensions.length === 1), [invocations]);
    const record = await store.getFunction(fn);
    assert.ok(record);
    assert.equal(await store.blobs.has(record.latest.code.id), true);
    assert.ok((await store.logs.filter(`/aws/lambda/${fn}`, { limit: 10_000 })).events.some((e) => e.message.includes("moving house\t1") || e.message.includes("moving house 1")));
    assert.ok(JSON.parse((await store.settings.get("clock"))!).now > 0);
  } finally {
    await store.close();
  }
  const logs = await flint(["logs", fn, "--store", url]);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /moving house/);
  assert.match(logs.stdout, /REPORT RequestId/);
});

test("migrate copies everything and a node on PostgreSQL with an empty data dir serves it: the function invokes, the queue holds its messages, the role is there", async (t) => {
  const url = await emptyDatabase();
  const out = await flint(["migrate", "--from", dataDir, "--to", url]);
  // Until every part of the store is on PostgreSQL, its schema has no place for some of the data.
  if (out.code === 1 && /has no place for/.test(out.stderr)) return t.skip(out.stderr.trim());
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.doesNotMatch(out.stdout, /left behind/);
  const node = await startFlint({ args: ["--store", url], executionRole: false });
  try {
    assert.deepEqual((await invoke(node, fn, { n: 2 })).payload, { n: 2 });
    const url = (await node.aws(["sqs", "get-queue-url", "--queue-name", "moved-queue"])).json().QueueUrl;
    const received = await node.aws(["sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10"]);
    assert.deepEqual(received.json().Messages.map((m: { Body: string }) => m.Body).sort(), ["one", "three", "two"]);
    assert.equal((await node.aws(["iam", "get-role", "--role-name", "flint-test"])).code, 0);
  } finally {
    await node.stop();
  }
});
