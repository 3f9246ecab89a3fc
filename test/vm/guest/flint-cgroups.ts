/**
 * Runs inside a guest booted with the unified cgroup v2 layout only (test/vm/cgroup2-backend.test.ts):
 * Flint's own cgroup backend, as the strict driver uses it, on a real kernel. Prints one JSON line
 * `FLINT-RESULT {...}` with what it saw; the test on the host judges it.
 */
import { spawn } from "node:child_process";
import { chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { realCgroupFs } from "../../../src/sandbox/cgroups/cgroup-fs.js";
import { hostLayout } from "../../../src/sandbox/cgroups/host.js";
import { CgroupTree, type Cgroup } from "../../../src/sandbox/cgroups/tree.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A shell that joins the group, then runs `script`; resolves with how it ended. */
function inGroup(group: Cgroup, script: string): { pid: number; ended: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const joins = group.procsFiles().map((f) => `echo $$ > ${f}`).join("; ");
  const child = spawn("/bin/sh", ["-c", `${joins}; ${script}`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return { pid: child.pid!, ended: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, out }))) };
}

async function main(): Promise<Record<string, unknown>> {
  const layout = hostLayout();
  if ("problem" in layout) return { problem: layout.problem };
  const tree = await CgroupTree.create(layout, realCgroupFs, `flint-${process.pid}`, true);
  const result: Record<string, unknown> = { layout: layout.kind, label: layout.label, report: tree.report };

  // Memory: a process that allocates 100 MB under a 32 MB limit is killed, and the kill is counted.
  const mem = await tree.group({ memoryMb: 32, pids: 64 });
  const dir = mem.dirs.core;
  result.memoryFiles = { max: readFileSync(`${dir}/memory.max`, "utf8").trim(), swapMax: readFileSync(`${dir}/memory.swap.max`, "utf8").trim(), weight: readFileSync(`${dir}/cpu.weight`, "utf8").trim() };
  const hog = inGroup(mem, `exec ${process.execPath} -e "const a = []; for (let i = 0; i < 100; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('allocated')"`);
  const hogEnd = await hog.ended;
  result.oom = { signal: hogEnd.signal, code: hogEnd.code, counted: mem.oomKilledSinceLastCheck(), again: mem.oomKilledSinceLastCheck(), peak: mem.peakBytes() };
  mem.limitCpu(128);
  result.cpuMax = readFileSync(`${dir}/cpu.max`, "utf8").trim();
  await mem.remove();

  // Tasks: forking past pids.max fails inside, and the group never holds more.
  const pids = await tree.group({ memoryMb: 256, pids: 64 });
  const spawner = `const {spawn}=require('child_process');let n=0;(function next(){const c=spawn('/bin/sleep',['30'],{stdio:'ignore',detached:true});c.on('error',e=>{console.log('refused after '+n+': '+e.code);process.exit(0)});c.on('spawn',()=>{if(++n>=200){console.log('started '+n);process.exit(0)}next()})})()`;
  const bomb = inGroup(pids, `exec ${process.execPath} -e "${spawner}"`);
  const bombEnd = await bomb.ended;
  result.pids = { out: bombEnd.out.trim(), inGroupAfter: pids.pids().length, max: readFileSync(`${pids.dirs.core}/pids.max`, "utf8").trim() };
  pids.kill();
  for (let i = 0; i < 100 && pids.pids().length > 0; i++) await sleep(10);
  await pids.remove();

  // Freeze and kill: a tree with a detached grandchild in its own session, frozen, then killed.
  const k = await tree.group({ memoryMb: 128, pids: 64 });
  const tree3 = inGroup(k, "setsid sleep 1000 & sleep 1000 & wait");
  for (let i = 0; i < 200 && k.pids().length < 3; i++) await sleep(10);
  const before = k.pids();
  k.freeze(true);
  for (let i = 0; i < 200 && !/^frozen 1$/m.test(readFileSync(`${k.dirs.core}/cgroup.events`, "utf8")); i++) await sleep(10);
  const frozen = /^frozen 1$/m.test(readFileSync(`${k.dirs.core}/cgroup.events`, "utf8"));
  k.kill();
  const shell = await tree3.ended;
  for (let i = 0; i < 200 && k.pids().length > 0; i++) await sleep(10);
  const alive = before.filter((p) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  });
  result.kill = { before: before.length, frozen, shellSignal: shell.signal, after: k.pids().length, alive: alive.length };
  await k.remove();
  await tree.remove();
  result.delegated = await delegated();
  return result;
}

const USER = 1000;
const DELEGATED = "/sys/fs/cgroup/user-delegated";

/**
 * Without root: a group delegated to a user, as systemd's Delegate= makes one (the directory and its
 * procs, subtree_control and threads files owned by the user), holding another process of the
 * user's (a shell that started Flint) besides Flint. A child joins it as root, then becomes the
 * user and makes its tree there.
 */
async function delegated(): Promise<unknown> {
  mkdirSync(DELEGATED);
  for (const f of [".", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]) chownSync(`${DELEGATED}/${f}`, USER, USER);
  const other = spawn("/bin/sh", ["-c", `echo $$ > ${DELEGATED}/cgroup.procs; exec sleep 1000`], { stdio: "ignore", uid: USER, gid: USER });
  // The shell cannot move itself (root owns the common ancestor's procs): root puts it there first.
  writeFileSync(`${DELEGATED}/cgroup.procs`, String(other.pid));
  const child = spawn(process.execPath, [process.argv[1]!, "--as-user"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((resolve) => child.on("exit", resolve));
  const seen = JSON.parse(/^USER-RESULT (.*)$/m.exec(out)?.[1] ?? "{}");
  other.kill("SIGKILL");
  await new Promise((resolve) => other.on("exit", resolve));
  return seen;
}

/** The child: in the delegated group, as the user. */
async function asUser(): Promise<Record<string, unknown>> {
  writeFileSync(`${DELEGATED}/cgroup.procs`, String(process.pid));
  process.setgid!(USER);
  process.setuid!(USER);
  const layout = hostLayout();
  if ("problem" in layout) return { problem: layout.problem };
  const tree = await CgroupTree.create(layout, realCgroupFs, `flint-${process.pid}`, false);
  const leaf = readFileSync(`${DELEGATED}/flint-leaf/cgroup.procs`, "utf8").trim().split("\n").map(Number);
  const g = await tree.group({ memoryMb: 32, pids: 64 });
  const hog = inGroup(g, `exec ${process.execPath} -e "const a = []; for (let i = 0; i < 100; i++) a.push(Buffer.alloc(1 << 20, 1))"`);
  const end = await hog.ended;
  const seen = { uid: process.getuid!(), report: tree.report, ownInLeaf: leaf.includes(process.pid), leafCount: leaf.length, under: g.dirs.core.startsWith(`${DELEGATED}/flint-${process.pid}/`), oom: { signal: end.signal, counted: g.oomKilledSinceLastCheck() } };
  await g.remove();
  await tree.remove();
  return seen;
}

if (process.argv.includes("--as-user")) {
  asUser().then(
    (r) => console.log(`USER-RESULT ${JSON.stringify(r)}`),
    (err) => console.log(`USER-RESULT ${JSON.stringify({ error: String(err?.stack ?? err) })}`),
  );
} else {
  main().then(
    (r) => console.log(`FLINT-RESULT ${JSON.stringify(r)}`),
    (err) => console.log(`FLINT-RESULT ${JSON.stringify({ error: String(err?.stack ?? err) })}`),
  );
}
