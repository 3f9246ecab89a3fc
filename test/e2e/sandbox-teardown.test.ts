/**
 * Strict sandboxes leave nothing behind: no process, cgroup, mount or temporary directory, whether
 * an environment ends by timeout, by crash, by idle expiry or with the server.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";
import { alive, descendants, eventually } from "../harness/processes.js";

/** Everything on the host that belongs to the sandboxes of server `pid`. */
function traces(pid: number) {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.includes(`flint-sandbox-${pid}-`));
  const cgroups: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name === `flint-${pid}`) cgroups.push(p, ...readdirSync(p, { withFileTypes: true }).filter((x) => x.isDirectory()).map((x) => path.join(p, x.name)));
      else walk(p, depth + 1);
    }
  };
  for (const c of ["memory", "pids", "cpu", "unified"]) walk(`/sys/fs/cgroup/${c}`, 0);
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(`flint-sandbox-${pid}-`));
  const list = (d: string, sub: string) => (existsSync(path.join(tmpdir(), d, sub)) ? readdirSync(path.join(tmpdir(), d, sub)) : []);
  const envDirs = dirs.flatMap((d) => ["run/env", "run/mnt"].flatMap((sub) => list(d, sub)));
  // /tmp images on disk, one per environment (the pre-formatted templates stay while the server runs).
  const images = dirs.flatMap((d) => list(d, "img").filter((f) => !f.startsWith("template-")));
  return { mounts, cgroups, dirs, envDirs, images };
}

/** Processes below the server other than its host helper (the one process it keeps for mounts). */
function sandboxProcesses(pid: number): number[] {
  return descendants(pid).filter((p) => alive(p) && !readFileSync(`/proc/${p}/cmdline`, "utf8").includes("flint-host-helper"));
}

describe("strict sandbox teardown", () => {
  let isolation: string;
  before(async () => {
    const probe = await startFlint();
    isolation = (await (await fetch(`${probe.endpoint}/_flint/health`)).json()).isolation;
    await probe.stop();
  });

  test("an environment killed by timeout or crash leaves no process, cgroup, mount or files", { timeout: 60_000 }, async (t) => {
    if (isolation !== "strict") return t.skip(`isolation in force is ${isolation}: this machine cannot sandbox`);
    const flint: FlintProcess = await startFlint({ args: ["--spares", "0"] });
    try {
      const zip = await zipFixture("nodejs");
      const pid = flint.child.pid!;
      const idle = traces(pid);
      assert.equal(idle.envDirs.length, 0, "no spares were asked for");
      const slow = await createFunction(flint, zip, "timeout.handler", { Timeout: 1 });
      const crash = await createFunction(flint, zip, "exit.handler");
      const r1 = await invoke(flint, slow, { ms: 30_000 });
      assert.equal(r1.payload.errorType, "Sandbox.Timedout");
      const r2 = await invoke(flint, crash, { code: 3 });
      assert.equal(r2.payload.errorType, "Runtime.ExitError");
      await eventually(() => traces(pid).envDirs.length === 0, 5000, "environment directories removed");
      const after = traces(pid);
      assert.deepEqual(after.images, [], "/tmp images removed");
      assert.deepEqual(after.cgroups.filter((c) => /[0-9a-f]{16}$/.test(c)), [], "per-environment cgroups removed");
      assert.equal(after.mounts.filter((m) => /\/mnt\/[0-9a-f]{16}\/(task|tmp) /.test(m)).length, 0, "package and /tmp mounts removed");
      assert.deepEqual(sandboxProcesses(pid), [], "no sandbox process survives");
    } finally {
      await flint.stop();
    }
  });

  test("stopping the server removes every sandbox, spare, cgroup, mount and directory", { timeout: 60_000 }, async (t) => {
    if (isolation !== "strict") return t.skip(`isolation in force is ${isolation}: this machine cannot sandbox`);
    const flint = await startFlint();
    const pid = flint.child.pid!;
    let processes: number[];
    try {
      const zip = await zipFixture("nodejs");
      const name = await createFunction(flint, zip, "counter.handler");
      await Promise.all([1, 2, 3].map(() => invoke(flint, name)));
      await eventually(() => traces(pid).envDirs.length >= 6, 5000, "environments and spares running");
      const during = traces(pid);
      assert.ok(during.mounts.length > 0 && during.cgroups.length > 0 && during.dirs.length === 1);
      assert.ok(during.images.length >= 3, "each environment has its /tmp image on disk");
      // Mount points, sockets and passwd files of environments are on a tmpfs, not on the disk.
      assert.ok(during.mounts.some((l) => /\/flint-sandbox-\d+-[0-9a-f]+\/run \S+ (.* )?- tmpfs /.test(l)), "the run directory is a tmpfs");
      processes = descendants(pid);
    } catch (err) {
      await flint.stop();
      throw err;
    }
    assert.equal(await flint.stop(), 0);
    await eventually(() => processes.every((p) => !alive(p)), 5000, "processes gone");
    const after = traces(pid);
    assert.deepEqual(after, { mounts: [], cgroups: [], dirs: [], envDirs: [], images: [] });
  });
});
