import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FakeCgroup2, type FakeOptions } from "../../../test/harness/fake-cgroup2.js";
import { detectLayout, type CgroupLayout } from "./layout.js";
import { CgroupTree, sweepCgroups } from "./tree.js";

const FLINT = 4242;
const NPM = 4200;
const read = (file: string) => readFileSync(file, "utf8").trim();

/** A unified host whose Flint runs in `group`, with `pids` (its own and its parent's) in it. */
async function unifiedHost(group: string, options: FakeOptions = {}): Promise<{ fake: FakeCgroup2; layout: CgroupLayout; own: string }> {
  const fake = new FakeCgroup2(options);
  // systemd enables the controllers down to the slices it manages.
  fake.write(path.join(fake.unified, "cgroup.subtree_control"), "+memory +pids" + ((options.controllers ?? ["cpu"]).includes("cpu") ? " +cpu" : ""));
  const own = await fake.place(group, [NPM, FLINT]);
  const layout = detectLayout(fake.procMounts(), `0::/${group}\n`);
  assert.ok(!("problem" in layout), "a unified layout");
  return { fake, layout, own };
}

test("the layout is read from the mount table: unified, hybrid (this machine kind's), and v1 without cgroup2 refused with the fix", () => {
  const unified = detectLayout("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n", "0::/user.slice/user-1000.slice/session-2.scope\n");
  assert.ok(!("problem" in unified));
  assert.equal(unified.kind, "unified");
  assert.deepEqual(new Set(Object.values(unified.mounts)), new Set(["/sys/fs/cgroup"]));
  assert.equal(unified.own.memory, "/user.slice/user-1000.slice/session-2.scope");
  assert.equal(unified.files.memoryMax.name, "memory.max");

  const hybrid = detectLayout(
    [
      "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0",
      "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0",
      "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
      "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0",
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0",
    ].join("\n"),
    "4:memory:/process_api/abc\n3:pids:/\n1:cpu,cpuacct:/\n0::/\n",
  );
  assert.ok(!("problem" in hybrid));
  assert.equal(hybrid.kind, "hybrid");
  assert.deepEqual(hybrid.mounts, { memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids", cpu: "/sys/fs/cgroup/cpu,cpuacct", core: "/sys/fs/cgroup/unified" });
  assert.equal(hybrid.own.memory, "/process_api/abc");
  assert.equal(hybrid.files.memoryMax.name, "memory.limit_in_bytes");

  const v1only = detectLayout("cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n", "4:memory:/\n");
  assert.ok("problem" in v1only);
  assert.match(v1only.problem, /mount -t cgroup2/);
});

test("as root on the unified layout, Flint's subtree hangs off the root with every limit, and an environment's group gets AWS's proportions", async () => {
  const { fake, layout, own } = await unifiedHost("user.slice/user-0.slice/session-1.scope");
  try {
    const tree = await CgroupTree.create(layout, fake, `flint-${FLINT}`, true);
    assert.deepEqual(tree.report.enforced, ["memory", "pids", "cpu", "freeze", "kill"]);
    assert.deepEqual(tree.report.missing, []);
    const base = path.join(fake.unified, `flint-${FLINT}`);
    assert.deepEqual(read(path.join(base, "cgroup.subtree_control")).split(" ").sort(), ["cpu", "memory", "pids"]);
    assert.deepEqual(fake.procs(own), [NPM, FLINT], "nobody was moved: the root may have processes and controllers at once");

    const group = await tree.group({ memoryMb: 128, pids: 1024 });
    const dir = group.dirs.core;
    assert.equal(path.dirname(dir), base);
    assert.deepEqual(group.procsFiles(), [path.join(dir, "cgroup.procs")], "one hierarchy, one file to join");
    assert.equal(read(path.join(dir, "memory.max")), String(128 * 1024 * 1024));
    assert.equal(read(path.join(dir, "memory.swap.max")), "0", "no swap beyond the memory limit");
    assert.equal(read(path.join(dir, "pids.max")), "1024");
    assert.equal(read(path.join(dir, "cpu.weight")), "7", "128/1769 of the weight a full core has (100)");
    assert.equal(read(path.join(dir, "cpu.max")), "max 100000", "init runs unthrottled");
    group.limitCpu(128);
    assert.equal(read(path.join(dir, "cpu.max")), "7236 100000", "after init: 128/1769 of each 100 ms");
    const big = await tree.group({ memoryMb: 3538, pids: 1024 });
    assert.equal(read(path.join(big.dirs.core, "cpu.weight")), "200");
    big.limitCpu(3538);
    assert.equal(read(path.join(big.dirs.core, "cpu.max")), "200000 100000", "two cores at 3,538 MB");

    // A runtime, a child and a detached grandchild join the group (as the launcher writes them).
    for (const pid of [501, 502, 503]) fake.write(group.procsFiles()[0]!, String(pid));
    assert.deepEqual(group.pids(), [501, 502, 503]);
    group.freeze(true);
    assert.match(read(path.join(dir, "cgroup.events")), /^frozen 1$/m);
    group.freeze(false);
    assert.match(read(path.join(dir, "cgroup.events")), /^frozen 0$/m);

    assert.equal(group.oomKilledSinceLastCheck(), false);
    fake.oomKill(dir);
    assert.equal(group.oomKilledSinceLastCheck(), true, "memory.events counted an OOM kill");
    assert.equal(group.oomKilledSinceLastCheck(), false, "and only once");

    writeFileSync(path.join(dir, "memory.peak"), "52428800");
    assert.equal(group.peakBytes(), 52428800);
    writeFileSync(path.join(dir, "memory.current"), "1048576");
    assert.equal(group.memoryBytes(), 1048576);

    group.kill();
    assert.deepEqual(fake.killed, [501, 502, 503], "the whole tree, detached grandchild included");
    await group.remove();
    await big.remove();
    await tree.remove();
    assert.equal(fake.exists(base), false, "the subtree is gone at close");
  } finally {
    fake.close();
  }
});

test("without root, in a delegated group that lacks cpu, processes move to a leaf, memory and pids hold and cpu is named with its fix", async () => {
  const group = "user.slice/user-1000.slice/user@1000.service/app.slice/run-flint.scope";
  const { fake, layout, own } = await unifiedHost(group, { controllers: ["memory", "pids"] });
  try {
    const tree = await CgroupTree.create(layout, fake, `flint-${FLINT}`, false);
    assert.deepEqual(fake.procs(path.join(own, "flint-leaf")), [NPM, FLINT], "the scope's processes moved to a leaf");
    assert.deepEqual(fake.procs(own), []);
    assert.ok(fake.exists(path.join(own, `flint-${FLINT}`, "cgroup.procs")), "the subtree hangs off the delegated group");
    assert.deepEqual(tree.report.enforced, ["memory", "pids", "freeze", "kill"]);
    assert.equal(tree.report.missing.length, 1);
    assert.equal(tree.report.missing[0]!.limit, "cpu");
    assert.match(tree.report.missing[0]!.why, /Delegate=cpu memory pids/);
    const g = await tree.group({ memoryMb: 256, pids: 1024 });
    assert.equal(read(path.join(g.dirs.core, "memory.max")), String(256 * 1024 * 1024));
    assert.equal(fake.exists(path.join(g.dirs.core, "cpu.weight")), false);
    g.limitCpu(256); // nothing to cap: must not throw
    await g.remove();
    await tree.remove();

    // Flint started again from the leaf (its shell is there now) uses the same delegated group.
    const again = detectLayout(fake.procMounts(), `0::/${group}/flint-leaf\n`) as CgroupLayout;
    const second = await CgroupTree.create(again, fake, `flint-${FLINT + 1}`, false);
    assert.ok(fake.exists(path.join(own, `flint-${FLINT + 1}`)), "beside the leaf, not inside it");
    await second.remove();
  } finally {
    fake.close();
  }
});

test("a kernel without cgroup.kill, or a host without swap accounting, is reported, not guessed", async () => {
  const { fake, layout } = await unifiedHost("system.slice/flint.service", { noKill: true, noSwap: true });
  try {
    const tree = await CgroupTree.create(layout, fake, `flint-${FLINT}`, true);
    assert.deepEqual(tree.report.missing.map((m) => m.limit), ["kill"]);
    assert.match(tree.report.missing[0]!.why, /Linux 5\.14/);
    const g = await tree.group({ memoryMb: 128, pids: 1024 });
    assert.equal(fake.exists(path.join(g.dirs.core, "memory.swap.max")), false, "no swap.max written where there is none");
    await g.remove();
    await tree.remove();
  } finally {
    fake.close();
  }
});

test("the hybrid layout writes v1 limits in each controller's hierarchy and freezes and kills through cgroup2", async () => {
  const fake = new FakeCgroup2({ controllers: ["hugetlb"] });
  try {
    for (const c of ["memory", "pids", "cpu"]) fake.mountV1(c);
    const layout = detectLayout(fake.procMounts(), "3:memory:/\n2:pids:/\n1:cpu:/\n0::/\n") as CgroupLayout;
    assert.equal(layout.kind, "hybrid");
    const tree = await CgroupTree.create(layout, fake, `flint-${FLINT}`, true);
    assert.deepEqual(tree.report.missing, []);
    const g = await tree.group({ memoryMb: 1769, pids: 1024 });
    assert.equal(g.procsFiles().length, 4, "a process joins four hierarchies");
    assert.equal(read(path.join(g.dirs.memory, "memory.limit_in_bytes")), String(1769 * 1024 * 1024));
    assert.equal(read(path.join(g.dirs.pids, "pids.max")), "1024");
    assert.equal(read(path.join(g.dirs.cpu, "cpu.shares")), "1024", "one core's weight at 1,769 MB");
    g.limitCpu(1769);
    assert.equal(read(path.join(g.dirs.cpu, "cpu.cfs_quota_us")), "100000");
    g.freeze(true);
    assert.equal(read(path.join(g.dirs.core, "cgroup.freeze")), "1");
    fake.write(path.join(g.dirs.core, "cgroup.procs"), "77");
    g.kill();
    assert.deepEqual(fake.killed, [77]);
    await g.remove();
    await tree.remove();
  } finally {
    fake.close();
  }
});

test("a server killed without closing leaves a subtree that the next start kills and removes; a live server's stays", async () => {
  const { fake, layout } = await unifiedHost("system.slice/flint.service");
  try {
    const dead = await CgroupTree.create(layout, fake, "flint-99999999", true);
    const left = await dead.group({ memoryMb: 128, pids: 1024 });
    fake.write(left.procsFiles()[0]!, "600");
    const live = await CgroupTree.create(layout, fake, `flint-${process.pid}`, true);
    await sweepCgroups(layout, fake, "flint-", true);
    assert.deepEqual(fake.killed, [600], "what still ran there was killed");
    assert.equal(fake.exists(path.join(fake.unified, "flint-99999999")), false);
    assert.equal(fake.exists(path.join(fake.unified, `flint-${process.pid}`)), true);
    await live.remove();
  } finally {
    fake.close();
  }
});
