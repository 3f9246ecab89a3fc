/**
 * The unified cgroup v2 layout most users' hosts have, in a real kernel booted under qemu
 * (harness/vm.ts): the limits and the kill Flint's v2 backend relies on work with plain file
 * writes. The guest half, which makes the groups and reports what happened, is guest/cgroup2-smoke.ts.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { runInVm, vmUnavailable, type VmRun } from "../harness/vm.js";
import type { Smoke } from "./guest/cgroup2-smoke.js";

// Each test says so where there is no VM (the summary counts them as skipped).
const unavailable = vmUnavailable();
const skip = unavailable === undefined ? false : `no VM: ${unavailable}`;

describe("a kernel with only the unified cgroup v2 hierarchy (qemu VM)", () => {
  let run: VmRun;
  let seen: Smoke;
  before(async () => {
    if (skip) return;
    run = await runInVm({ script: "dist/test/vm/guest/cgroup2-smoke.js", timeoutMs: 240_000 });
    assert.equal(run.exitCode, 0, `the guest script failed (${run.exitCode}):\n${run.stderr}\n--- console\n${run.console}`);
    seen = JSON.parse(run.stdout);
  });

  test("has cgroup2 alone at /sys/fs/cgroup, offering memory, pids and cpu", { skip }, (t) => {
    const { bootMs, scriptMs, totalMs } = run.timings;
    t.diagnostic(`kernel ${seen.layout.kernel}; boot to script ${bootMs} ms, node start ${Math.round(seen.nodeStartMs)} ms, script ${scriptMs} ms, qemu in all ${totalMs} ms`);
    assert.deepEqual(seen.layout.mounts.map(([at, type]) => [at, type]), [["/sys/fs/cgroup", "cgroup2"]]);
    assert.match(seen.layout.mounts[0]![2], /\bnsdelegate\b/);
    assert.equal(seen.layout.ownCgroup, "0::/", "the script runs in the root cgroup of the one hierarchy");
    for (const c of ["memory", "pids", "cpu"]) {
      assert.ok(seen.layout.controllers.includes(c), `${c} in the root's cgroup.controllers: ${seen.layout.controllers}`);
      assert.ok(seen.layout.subtreeControl.includes(c), `${c} enabled by writing cgroup.subtree_control`);
      assert.ok(seen.layout.leafControllers.includes(c), `${c} offered to the groups below`);
    }
  });

  test("a child allocating 100 MB under memory.max 32M and no swap is OOM-killed, counted once in memory.events", { skip }, () => {
    const { oom } = seen;
    assert.equal(oom.memoryMax, String(32 * 2 ** 20));
    assert.equal(oom.swapMax, "0");
    assert.equal(oom.stdout, "allocating\n", "the child started and was killed while allocating");
    assert.equal(oom.signal, "SIGKILL");
    assert.equal(oom.events.oom_kill, 1, `memory.events: ${JSON.stringify(oom.events)}`);
  });

  test("pids.max 10 makes the fork beyond the tenth process fail", { skip }, () => {
    const { pids } = seen;
    assert.equal(pids.started, 9, "the shell and nine children make ten");
    assert.match(pids.stderr, /can't fork/);
    assert.ok(pids.events.max! >= 1, `pids.events counts the refusal: ${JSON.stringify(pids.events)}`);
  });

  test("writing 1 to cgroup.kill ends the whole tree, the detached grandchild too", { skip }, (t) => {
    const { kill } = seen;
    t.diagnostic(`the group was empty ${Math.round(kill.killMs)} ms after the write`);
    assert.ok(kill.detached, `a grandchild in its own session, reparented to init: ${JSON.stringify(kill.before)}`);
    assert.ok(kill.before.length >= 2, "the child and the grandchild were in the group");
    assert.equal(kill.treeSignal, "SIGKILL");
    assert.deepEqual(kill.survivors, []);
    assert.deepEqual(seen.notRemoved, [], "every group could be removed afterwards (empty)");
  });
});
