/**
 * Flint's cgroup backend on a real kernel with the unified cgroup v2 layout only (the one most
 * users' hosts have, which this machine kind cannot be turned into): a guest under qemu runs
 * test/vm/guest/flint-cgroups.ts, which drives the same CgroupTree the strict driver uses, and this test
 * judges what it saw: limits in force, an OOM kill counted, the task limit holding, a frozen tree
 * with a detached grandchild killed whole.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInVm, vmUnavailable } from "../harness/vm.js";

const unavailable = vmUnavailable();

test("on a unified cgroup v2 kernel, the backend enforces memory (OOM counted), tasks, CPU weight and quota, and freezes and kills a whole tree, as root and in a user's delegated group", { skip: unavailable ? `no VM here: ${unavailable}` : false }, async (t) => {
  const run = await runInVm({ script: "dist/test/vm/guest/flint-cgroups.js", timeoutMs: 240_000 });
  t.diagnostic(`guest boot ${run.timings.bootMs} ms, script ${run.timings.scriptMs} ms, total ${run.timings.totalMs} ms`);
  const line = /^FLINT-RESULT (.*)$/m.exec(run.stdout);
  assert.ok(line, `no result from the guest (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}\n${run.console}`);
  const r = JSON.parse(line[1]!);
  assert.equal(r.error, undefined, r.error);
  t.diagnostic(`guest layout: ${r.label}`);
  assert.equal(r.layout, "unified");
  assert.deepEqual(r.report.enforced, ["memory", "pids", "cpu", "freeze", "kill"], JSON.stringify(r.report.missing));

  assert.deepEqual(r.memoryFiles, { max: String(32 * 1024 * 1024), swapMax: "0", weight: "2" });
  assert.equal(r.oom.signal, "SIGKILL", "the hog was killed by the kernel");
  assert.equal(r.oom.counted, true, "memory.events counted the OOM kill");
  assert.equal(r.oom.again, false, "once");
  assert.ok(r.oom.peak > 16 * 1024 * 1024 && r.oom.peak <= 33 * 1024 * 1024, `memory.peak ${r.oom.peak}`);
  assert.equal(r.cpuMax, "7236 100000", "after init: 128/1769 of each 100 ms");

  assert.equal(r.pids.max, "64");
  assert.match(r.pids.out, /^refused after \d+: EAGAIN$/, "forking past pids.max fails inside");
  assert.ok(r.pids.inGroupAfter <= 64, `${r.pids.inGroupAfter} tasks in the group`);

  assert.equal(r.kill.before, 3, "shell, child and detached grandchild in the group");
  assert.equal(r.kill.frozen, true, "cgroup.events said frozen");
  assert.equal(r.kill.shellSignal, "SIGKILL");
  assert.equal(r.kill.after, 0, "the group is empty");
  assert.equal(r.kill.alive, 0, "nothing of the tree lives, frozen or detached");

  // Without root, in a group delegated to the user that also holds another of its processes.
  const d = r.delegated;
  assert.equal(d.error, undefined, d.error);
  assert.equal(d.uid, 1000);
  assert.equal(d.ownInLeaf, true, "Flint moved itself to the leaf");
  assert.equal(d.leafCount, 2, "and the user's other process with it, so the group could hand its controllers down");
  assert.equal(d.under, true, "the environments' groups hang off the delegated group");
  assert.deepEqual(d.report.enforced, ["memory", "pids", "cpu", "freeze", "kill"], JSON.stringify(d.report.missing));
  assert.deepEqual(d.oom, { signal: "SIGKILL", counted: true }, "the memory limit holds there too");
});
