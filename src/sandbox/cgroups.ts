/**
 * Per-environment control groups on this machine kind's hybrid hierarchy: cgroup v1 `memory`,
 * `pids` and `cpu` controllers for limits, and a cgroup v2 (unified) group for freezing and killing
 * (v1-frozen tasks ignore SIGKILL; `cgroup.kill` empties even a frozen v2 group).
 * Groups live under the cgroup Flint itself runs in, in a `flint-<pid>` subtree removed at close.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { mkdir, readFile, readdir, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const ROOT = "/sys/fs/cgroup";
const V1 = ["memory", "pids", "cpu"] as const;
type V1Controller = (typeof V1)[number];

/** Where this process sits in each hierarchy, from /proc/self/cgroup. */
function ownPaths(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
    const [, controllers, p] = line.split(":") as [string, string, string];
    if (controllers === "") out.unified = p;
    for (const c of controllers.split(",")) if (c) out[c] = p;
  }
  return out;
}

/** Why cgroups cannot be used here, or undefined when they can. */
export function cgroupProblem(): string | undefined {
  for (const c of [...V1, "unified"]) {
    if (!existsSync(path.join(ROOT, c, "cgroup.procs"))) return `cgroup hierarchy ${ROOT}/${c} is not mounted`;
  }
  return undefined;
}

/**
 * Moving a task into a cgroup (v1 or v2) waits for an RCU grace period on this kernel: ~15 ms per
 * new environment. The cgroup2 mount option `favordynmods` keeps the lock that needs it in its slow
 * mode, making moves ~0.1 ms at a small cost to fork and exit machine-wide; container runtimes on
 * recent systemd do the same. Flint turns it on for the strict driver and says so.
 */
export async function favorDynamicModifications(): Promise<string> {
  const line = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .find((l) => l.split(" ")[1] === path.join(ROOT, "unified"));
  if (!line) return "cgroup2 not mounted: cgroup moves stay slow";
  if (line.split(" ")[3]!.split(",").includes("favordynmods")) return "cgroup2 favordynmods on";
  try {
    await promisify(execFile)("mount", ["-o", "remount,favordynmods", path.join(ROOT, "unified")]);
    return "cgroup2 favordynmods turned on (fast cgroup moves)";
  } catch (err) {
    return `cgroup2 favordynmods unavailable (${(err as Error).message.split("\n")[0]}): each new environment pays ~15 ms to join its cgroups`;
  }
}

export interface Limits {
  memoryMb: number;
  pids: number;
  /** cpu.shares: 1024 is one full core's weight. */
  cpuShares: number;
}

/** rmdir a cgroup, retrying while the kernel reaps its last tasks. */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt > 200) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Remove the `<prefix><pid>` trees a Flint server that died without closing (kill -9) left in this
 * process's cgroups: kill what still runs there, then remove the groups.
 */
export async function sweepCgroups(prefix: string): Promise<void> {
  const own = ownPaths();
  for (const c of [...V1, "unified"] as const) {
    const parent = path.join(ROOT, c, own[c] ?? "/");
    let entries: string[];
    try {
      entries = await readdir(parent);
    } catch {
      continue;
    }
    for (const name of entries) {
      const m = new RegExp(`^${prefix}(\\d+)$`).exec(name);
      if (!m || pidAlive(Number(m[1]))) continue;
      const tree = path.join(parent, name);
      for (const child of await readdir(tree, { withFileTypes: true }).catch(() => [])) {
        if (!child.isDirectory()) continue;
        if (c === "unified") await writeFile(path.join(tree, child.name, "cgroup.kill"), "1").catch(() => undefined);
        await removeWhenEmpty(path.join(tree, child.name)).catch(() => undefined);
      }
      await rmdir(tree).catch(() => undefined);
    }
  }
}

type Dirs = Record<V1Controller | "unified", string>;

/** Empty groups kept made ahead of need: making one (four mkdirs) is ~2 ms on a cold start's path. */
const MADE_AHEAD = 2;

export class CgroupTree {
  private readonly ahead: Promise<Dirs>[] = [];
  private made = 0;
  private closed = false;

  private constructor(private readonly bases: Dirs) {}

  static async create(name: string): Promise<CgroupTree> {
    const own = ownPaths();
    const bases = {} as Dirs;
    for (const c of [...V1, "unified"] as const) {
      bases[c] = path.join(ROOT, c, own[c] ?? "/", name);
      await mkdir(bases[c], { recursive: true });
    }
    const tree = new CgroupTree(bases);
    tree.makeAhead();
    return tree;
  }

  private make(): Promise<Dirs> {
    const dirs = {} as Dirs;
    const name = `g${++this.made}`;
    for (const c of [...V1, "unified"] as const) dirs[c] = path.join(this.bases[c], name);
    return Promise.all(Object.values(dirs).map((d) => mkdir(d))).then(() => dirs);
  }

  private makeAhead(): void {
    while (!this.closed && this.ahead.length < MADE_AHEAD) {
      const next = this.make();
      next.catch(() => undefined);
      this.ahead.push(next);
    }
  }

  /** A group of its own for an environment, with its limits set. */
  async group(limits: Limits): Promise<Cgroup> {
    const made = this.ahead.shift();
    this.makeAhead();
    const dirs = (await made?.catch(() => undefined)) ?? (await this.make());
    const cgroup = new Cgroup(dirs);
    try {
      await Promise.all([
        writeFile(path.join(dirs.memory, "memory.limit_in_bytes"), String(limits.memoryMb * 1024 * 1024)),
        writeFile(path.join(dirs.pids, "pids.max"), String(limits.pids)),
        writeFile(path.join(dirs.cpu, "cpu.shares"), String(limits.cpuShares)),
      ]);
    } catch (err) {
      await cgroup.remove().catch(() => undefined);
      throw err;
    }
    return cgroup;
  }

  async remove(): Promise<void> {
    this.closed = true;
    for (const made of this.ahead.splice(0)) {
      const dirs = await made.catch(() => undefined);
      if (dirs) await new Cgroup(dirs).remove().catch(() => undefined);
    }
    for (const dir of Object.values(this.bases)) await rmdir(dir).catch(() => undefined);
  }
}

const PEAK_BUF = Buffer.alloc(32);

export class Cgroup {
  private oomKills: number;
  private peakFd: number | undefined;

  constructor(readonly dirs: Dirs) {
    this.oomKills = 0;
  }

  /** The `cgroup.procs` files a process must join (written by the sandbox launcher before it execs). */
  procsFiles(): string[] {
    return Object.values(this.dirs).map((d) => path.join(d, "cgroup.procs"));
  }

  /**
   * Cap CPU time in proportion to memory, as Lambda allocates it: 1,769 MB is one full core
   * (cpu.cfs_quota_us per 100 ms period; larger functions get more than one core).
   */
  limitCpu(memoryMb: number): void {
    const quota = Math.max(1000, Math.round((100_000 * memoryMb) / 1769));
    try {
      writeFileSync(path.join(this.dirs.cpu, "cpu.cfs_quota_us"), String(quota));
    } catch {
      // the group is gone
    }
  }

  freeze(frozen: boolean): void {
    writeFileSync(path.join(this.dirs.unified, "cgroup.freeze"), frozen ? "1" : "0");
  }

  /** Kill every process in the group, frozen or not. */
  kill(): void {
    try {
      writeFileSync(path.join(this.dirs.unified, "cgroup.kill"), "1");
    } catch {
      // already gone
    }
  }

  /** Peak memory charged to the group, in bytes (read after every invocation: the file stays open). */
  peakBytes(): number {
    try {
      this.peakFd ??= openSync(path.join(this.dirs.memory, "memory.max_usage_in_bytes"), "r");
      return Number(PEAK_BUF.toString("latin1", 0, readSync(this.peakFd, PEAK_BUF, 0, PEAK_BUF.length, 0)));
    } catch {
      return 0;
    }
  }

  /** Host pids in the group. */
  pids(): number[] {
    try {
      return readFileSync(path.join(this.dirs.unified, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** Did the kernel OOM-kill something in this group since the last call? (memory.failcnt stays 0 here.) */
  oomKilledSinceLastCheck(): boolean {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(path.join(this.dirs.memory, "memory.oom_control"), "utf8"));
      const n = m ? Number(m[1]) : 0;
      const grew = n > this.oomKills;
      this.oomKills = n;
      return grew;
    } catch {
      return false;
    }
  }

  /** Remove the groups once they are empty. */
  async remove(): Promise<void> {
    if (this.peakFd !== undefined) closeSync(this.peakFd);
    this.peakFd = undefined;
    for (const dir of Object.values(this.dirs)) await removeWhenEmpty(dir);
  }

  async memoryUsageBytes(): Promise<number> {
    try {
      return Number(await readFile(path.join(this.dirs.memory, "memory.usage_in_bytes"), "utf8"));
    } catch {
      return 0;
    }
  }
}
