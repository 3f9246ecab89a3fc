/**
 * `flint logs` and `flint events` run from a directory that is not the server's, as a user does from
 * their project: they read the running `flint serve`'s data, or say what to do and exit 1.
 * Each server here records itself in a runtime dir of the test's own (XDG_RUNTIME_DIR), so servers
 * of other tests on this machine are not seen.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { endedTimeline, invokeEvent } from "../harness/async.js";
import { zipFixture } from "../harness/zip.js";

const CLI = path.join(ROOT, "dist/src/cli/main.js");

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `flint …` in `cwd` as a user's shell would, with no FLINT_* settings. */
function flint(args: string[], cwd: string, runtimeDir: string): Promise<Ran> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(FLINT_|AWS_|XDG_)/.test(k)) env[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...env, XDG_RUNTIME_DIR: runtimeDir } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test("the build leaves the `flint` bin executable, as `npx flint` and `npm link` run it directly", async () => {
  assert.equal((await stat(CLI)).mode & 0o111, 0o111);
  const run = await new Promise<Ran>((resolve) =>
    execFile(CLI, ["--help"], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^usage: flint <command>/);
});

describe("flint logs and flint events from another directory", () => {
  let runtimeDir: string;
  let elsewhere: string;
  let server: FlintProcess;
  let name: string;
  let requestId: string;
  const tmp = (prefix: string) => mkdtemp(path.join(tmpdir(), prefix));

  before(async () => {
    runtimeDir = await tmp("flint-run-");
    elsewhere = await tmp("flint-elsewhere-");
    server = await startFlint({ env: { XDG_RUNTIME_DIR: runtimeDir } });
    name = await createFunction(server, await zipFixture("nodejs"), "logs.handler");
    await invoke(server, name);
    requestId = await invokeEvent(server, name, {});
    await endedTimeline(server, requestId);
    await new Promise((r) => setTimeout(r, 200)); // log lines are written in batches
  });
  after(async () => {
    await server.stop();
    await rm(runtimeDir, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  test("`flint logs` reads the running server's logs and leaves the directory it runs in untouched", async () => {
    const r = await flint(["logs", name], elsewhere, runtimeDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /START RequestId: \S+ Version: \$LATEST/);
    assert.match(r.stdout, /INFO\tfirst line/);
    assert.deepEqual(await readdir(elsewhere), [], "no ./.flint made where it ran");
  });

  test("`flint events` reads the running server's event timeline", async () => {
    const r = await flint(["events", requestId, "--json"], elsewhere, runtimeDir);
    assert.equal(r.code, 0, r.stderr);
    const kinds = (JSON.parse(r.stdout) as { kind: string }[]).map((e) => e.kind);
    assert.equal(kinds[0], "accepted");
    assert.equal(kinds.at(-1), "ended");
  });

  test("a function that never ran: `flint logs` says so, naming the data dir, and exits 1", async () => {
    const r = await flint(["logs", "never-ran"], elsewhere, runtimeDir);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`no logs for never-ran in ${server.dataDir}: it has not run yet, or no function has that name`));
  });

  test("no server running: both say to run where Flint started or to pass --data-dir, and exit 1", async () => {
    const none = await tmp("flint-run-none-");
    try {
      for (const args of [["logs", name], ["events", requestId]]) {
        const r = await flint(args, elsewhere, none);
        assert.equal(r.code, 1, `flint ${args[0]}`);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /no Flint data in .*\.flint, and no flint serve of this user is running/);
        assert.match(r.stderr, /pass --data-dir DIR/);
      }
      assert.deepEqual(await readdir(elsewhere), []);
    } finally {
      await rm(none, { recursive: true, force: true });
    }
  });

  test("--data-dir is read wherever it points, whatever is running", async () => {
    const none = await tmp("flint-run-none-");
    try {
      const r = await flint(["logs", name, "--data-dir", server.dataDir], elsewhere, none);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /INFO\tfirst line/);
      const missing = await flint(["logs", name, "--data-dir", path.join(elsewhere, "nothing")], elsewhere, runtimeDir);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no Flint data in .*nothing/);
    } finally {
      await rm(none, { recursive: true, force: true });
    }
  });

  test("two servers running: both list them and ask for --data-dir; once one stops, the other is read", async () => {
    const second = await startFlint({ env: { XDG_RUNTIME_DIR: runtimeDir } });
    try {
      for (const args of [["logs", name], ["events", requestId]]) {
        const r = await flint(args, elsewhere, runtimeDir);
        assert.equal(r.code, 1, `flint ${args[0]}`);
        assert.match(r.stderr, /2 Flint servers are running; say whose data to read:/);
        assert.ok(r.stderr.includes(`--data-dir ${server.dataDir}   (${server.endpoint}, pid ${server.child.pid})`), r.stderr);
        assert.ok(r.stderr.includes(`--data-dir ${second.dataDir}   (${second.endpoint}, pid ${second.child.pid})`), r.stderr);
      }
    } finally {
      await second.stop();
    }
    const r = await flint(["logs", name], elsewhere, runtimeDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /INFO\tfirst line/);
  });

  test("a server that was killed is not taken for a running one", async () => {
    const killedDir = await tmp("flint-run-killed-");
    const killed = await startFlint({ env: { XDG_RUNTIME_DIR: killedDir } });
    try {
      const found = await flint(["logs", "never-ran"], elsewhere, killedDir);
      assert.ok(found.stderr.includes(`no logs for never-ran in ${killed.dataDir}`), found.stderr);
      await killed.kill9();
      const r = await flint(["logs", "never-ran"], elsewhere, killedDir);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no flint serve of this user is running/);
    } finally {
      await killed.stop();
      await rm(killedDir, { recursive: true, force: true });
    }
  });
});
