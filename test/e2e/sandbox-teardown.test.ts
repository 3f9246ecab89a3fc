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
import { Barrier, holdAndRelease, invokeInParallel } from "../harness/parallel.js";
import { PATIENCE_MS, alive, descendants, eventually, procFile } from "../harness/processes.js";

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
  // Loop devices still backed by this server's /tmp images (the kernel frees one when its file system goes).
  const loops = existsSync("/sys/block")
    ? readdirSync("/sys/block")
        .filter((d) => d.startsWith("loop"))
        .flatMap((d) => {
          try {
            return [readFileSync(`/sys/block/${d}/loop/backing_file`, "utf8").trim()];
          } catch {
            return [];
          }
        })
        .filter((f) => f.includes(`flint-sandbox-${pid}-`))
    : [];
  return { mounts, cgroups, dirs, envDirs, images, loops };
}

/** Host mounts of environments' /tmp and package (`run/mnt/<id>/tmp|task`). */
const environmentMounts = (mounts: string[]) => mounts.filter((m) => /\/mnt\/[0-9a-f]{16}\/(task|tmp) /.test(m));

/** Processes below the server other than its host helper (the one process it keeps for mounts). */
function sandboxProcesses(pid: number): number[] {
  return descendants(pid).filter((p) => alive(p) && !procFile(p, "cmdline").includes("flint-host-helper"));
}

describe("strict sandbox teardown", () => {
  let isolation: string;
  before(async () => {
    const probe = await startFlint();
    isolation = (await (await fetch(`${probe.endpoint}/_flint/health`)).json()).isolation;
    await probe.stop();
  });

  test("an environment killed by timeout or crash leaves no process, cgroup, mount or files", async (t) => {
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
      await eventually(() => traces(pid).envDirs.length === 0, PATIENCE_MS, "environment directories removed");
      const after = traces(pid);
      assert.deepEqual(after.images, [], "/tmp images removed");
      assert.deepEqual(after.cgroups.filter((c) => /[0-9a-f]{16}$/.test(c)), [], "per-environment cgroups removed");
      assert.deepEqual(environmentMounts(after.mounts), [], "package and /tmp mounts removed");
      await eventually(() => traces(pid).loops.length === 0, PATIENCE_MS, "/tmp loop devices freed");
      assert.deepEqual(sandboxProcesses(pid), [], "no sandbox process survives");
    } finally {
      await flint.stop();
    }
  });

  test("stopping the server removes every sandbox, spare, cgroup, mount and directory", async (t) => {
    if (isolation !== "strict") return t.skip(`isolation in force is ${isolation}: this machine cannot sandbox`);
    const flint = await startFlint();
    const pid = flint.child.pid!;
    let processes: number[];
    try {
      const zip = await zipFixture("nodejs");
      // Three environments at once: each invocation is held at a barrier until all three run.
      const name = await createFunction(flint, zip, "hold.handler");
      const barrier = await Barrier.create();
      try {
        const { executing } = await holdAndRelease(barrier, 3, invokeInParallel(flint.endpoint, 3, { FunctionName: name, payload: { port: barrier.port } }));
        assert.equal(executing, 3);
      } finally {
        await barrier.close();
      }
      await eventually(() => traces(pid).envDirs.length >= 6, PATIENCE_MS, "environments and spares running");
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
    await eventually(() => processes.every((p) => !alive(p)), PATIENCE_MS, "processes gone");
    await eventually(() => traces(pid).loops.length === 0, PATIENCE_MS, "/tmp loop devices freed");
    assert.deepEqual(traces(pid), { mounts: [], cgroups: [], dirs: [], envDirs: [], images: [], loops: [] });
  });

  test("a running environment's /tmp and package are mounted in its own namespace only, not in the host's table", async (t) => {
    if (isolation !== "strict") return t.skip(`isolation in force is ${isolation}: this machine cannot sandbox`);
    const flint = await startFlint({ args: ["--spares", "0"] });
    try {
      const pid = flint.child.pid!;
      const name = await createFunction(flint, await zipFixture("nodejs"), "escape.handler");
      const first = await invoke(flint, name, { action: "identity" });
      // Every sandbox start copies the host's mount table and bubblewrap re-reads it after each bind:
      // two host mounts per running environment made each new one slower.
      await eventually(() => environmentMounts(traces(pid).mounts).length === 0, PATIENCE_MS, "host copies of the environment's mounts taken out");
      assert.equal(traces(pid).loops.length, 1, "its /tmp image is still attached, for the sandbox");
      const again = await invoke(flint, name, { action: "identity" });
      assert.equal(again.payload.pid, first.payload.pid, "the same warm environment");
      assert.notEqual(again.payload.tmpDevice, again.payload.rootDevice, "/tmp is still its own file system");
      assert.ok(again.payload.tmpBytes > 400 * 1024 * 1024, `/tmp is still the 512 MB disk image (${again.payload.tmpBytes} bytes)`);
      const listed = (await invoke(flint, name, { action: "list", path: "/var/task" })).payload;
      assert.ok(listed.ok && listed.value.includes("escape.js"), `its package is still at /var/task: ${JSON.stringify(listed)}`);
      const wrote = (await invoke(flint, name, { action: "write", paths: ["/tmp/after-detach"] })).payload;
      assert.deepEqual(wrote["/tmp/after-detach"], { ok: true }, "and /tmp is writable");
    } finally {
      await flint.stop();
    }
  });
});
