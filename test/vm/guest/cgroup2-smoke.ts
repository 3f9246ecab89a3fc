/**
 * Runs inside the unified cgroup v2 VM (test/harness/vm.ts), as root in the root cgroup: makes
 * groups with plain file writes, runs children in them, and prints what the kernel did as one JSON
 * object for test/vm/cgroup2-smoke.test.ts to judge.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";

// It rewrites the root cgroup's subtree_control: never on a real host.
if (process.env.FLINT_VM_START_UPTIME === undefined) throw new Error("this script runs inside the test VM (test/harness/vm.ts), not on a host");

const CGROUP = "/sys/fs/cgroup";
const CONTROLLERS = "+memory +pids +cpu";

const uptimeMs = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
/** From just before the guest's init started node to this line. */
const nodeStartMs = uptimeMs() - Number(process.env.FLINT_VM_START_UPTIME) * 1000;

const read = (group: string, file: string) => readFileSync(`${group}/${file}`, "utf8").trim();
const write = (group: string, file: string, value: string) => writeFileSync(`${group}/${file}`, value);
/** A flat-keyed cgroup file (`memory.events`, `pids.events`, `cgroup.events`) as numbers. */
const keyed = (group: string, file: string) => Object.fromEntries(read(group, file).split("\n").map((l) => [l.split(" ")[0]!, Number(l.split(" ")[1])]));
const pidsOf = (group: string) => read(group, "cgroup.procs").split("\n").filter(Boolean).map(Number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sh arguments that move the shell into `group` before anything else, so all it starts is born there. */
const inGroup = (group: string, script: string) => ["-c", `echo $$ > ${group}/cgroup.procs && ${script}`];

interface Proc {
  pid: number;
  ppid: number;
  sid: number;
  state: string;
  comm: string;
}
function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid, , sid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(ppid), sid: Number(sid), state: state!, comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) };
  } catch {
    return undefined;
  }
}
const alive = (pid: number) => (proc(pid)?.state ?? "Z") !== "Z";

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(20)) if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
}

/** A child allocating (and touching) 100 MB under memory.max 32M with no swap. */
function oom(group: string) {
  write(group, "memory.max", "32M");
  write(group, "memory.swap.max", "0");
  const allocate = `process.stdout.write("allocating\\n"); const b = Buffer.alloc(100 * 2 ** 20, 1); process.stdout.write("allocated " + b.length + "\\n");`;
  const child = spawnSync("/bin/sh", [...inGroup(group, `exec "$0" -e "$1"`), process.execPath, allocate], { encoding: "utf8" });
  return {
    memoryMax: read(group, "memory.max"),
    swapMax: read(group, "memory.swap.max"),
    signal: child.signal,
    status: child.status,
    stdout: child.stdout,
    events: keyed(group, "memory.events"),
  };
}

/** A shell under pids.max 10 starting twenty background sleeps, one at a time. */
async function pids(group: string) {
  write(group, "pids.max", "10");
  const loop = `i=0; while [ $i -lt 20 ]; do sleep 600 >/dev/null 2>&1 & echo started; i=$((i + 1)); done`;
  const child = spawnSync("/bin/sh", inGroup(group, loop), { encoding: "utf8" });
  const seen = { started: child.stdout.split("\n").filter((l) => l === "started").length, status: child.status, stderr: child.stderr.trim(), current: Number(read(group, "pids.current")), events: keyed(group, "pids.events") };
  await killAll(group);
  return seen;
}

/** A tree whose grandchild detached itself (own session, reparented to init), then `cgroup.kill`. */
async function kill(group: string) {
  const tree = spawn("/bin/sh", inGroup(group, `(setsid sleep 600 >/dev/null 2>&1 &); sleep 600`), { stdio: "ignore" });
  const ended = new Promise<NodeJS.Signals | null>((resolve) => tree.once("exit", (_code, signal) => resolve(signal)));
  const members = () => pidsOf(group).map(proc).filter((p): p is Proc => p !== undefined);
  // In a session of its own, its parent gone: only the cgroup still ties it to the tree.
  const isDetached = (p: Proc) => p.comm === "sleep" && p.sid === p.pid && p.ppid === 1;
  await until(() => members().some(isDetached), "the detached grandchild to appear");
  const before = members();
  const killMs = await killAll(group);
  return { before, detached: before.find(isDetached), treeSignal: await ended, survivors: before.filter((p) => alive(p.pid)), killMs };
}

/** Write 1 to cgroup.kill and wait until the group is empty; how long that took. */
async function killAll(group: string): Promise<number> {
  const start = performance.now();
  write(group, "cgroup.kill", "1");
  await until(() => keyed(group, "cgroup.events").populated === 0, `${group} to empty after cgroup.kill`);
  return performance.now() - start;
}

const layout = {
  kernel: readFileSync("/proc/sys/kernel/osrelease", "utf8").trim(),
  cmdline: readFileSync("/proc/cmdline", "utf8").trim(),
  cpus: readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((l) => l.startsWith("processor")).length,
  /** [mount point, type, options] of every cgroup file system. */
  mounts: readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f[2] === "cgroup" || f[2] === "cgroup2")
    .map((f) => [f[1]!, f[2]!, f[3]!]),
  controllers: read(CGROUP, "cgroup.controllers").split(" "),
  ownCgroup: readFileSync("/proc/self/cgroup", "utf8").trim(),
};

write(CGROUP, "cgroup.subtree_control", CONTROLLERS);
const top = `${CGROUP}/flint-smoke`;
mkdirSync(top);
write(top, "cgroup.subtree_control", CONTROLLERS);
const group = (name: string) => {
  mkdirSync(`${top}/${name}`);
  return `${top}/${name}`;
};
const groups = { oom: group("oom"), pids: group("pids"), kill: group("kill") };
const report = {
  nodeStartMs,
  layout: { ...layout, subtreeControl: read(top, "cgroup.subtree_control").split(" "), leafControllers: read(groups.oom, "cgroup.controllers").split(" ") },
  oom: oom(groups.oom),
  pids: await pids(groups.pids),
  kill: await kill(groups.kill),
};
/** Groups rmdir refused: it does while a group has a process or a child group. */
const notRemoved = [...Object.values(groups), top].filter((g) => {
  try {
    rmdirSync(g);
    return false;
  } catch {
    return true;
  }
});
console.log(JSON.stringify({ ...report, notRemoved }));

export type Smoke = typeof report & { notRemoved: string[] };
