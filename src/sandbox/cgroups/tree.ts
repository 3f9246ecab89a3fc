/**
 * Per-environment control groups on either layout (layout.ts): a `flint-<pid>` subtree made at
 * start and removed at close, a group per environment made ahead of need, each with its limits,
 * freeze, kill, OOM and peak-memory files. Nothing here asks which layout it runs on; the layout's
 * table says where each file is.
 *
 * Where the subtree goes on the unified layout: cgroup2 lets a group hand controllers to its
 * children only while it has no processes of its own ("no internal processes", except the root).
 * As root, Flint's subtree hangs off the hierarchy's root, as Docker's cgroupfs driver does. Without
 * root it hangs off the group Flint runs in, which must be delegated to its user (systemd's
 * `Delegate=`); the processes in it (Flint, and the npm or shell that started it) first move to a
 * `flint-leaf` child so that it may enable its controllers, as crun and podman do.
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#no-internal-process-constraint
 * https://systemd.io/CGROUP_DELEGATION/
 */
import { closeSync, openSync, readSync } from "node:fs";
import path from "node:path";
import type { CgroupFs } from "./cgroup-fs.js";
import { ROLES, ownDir, type CgroupFile, type CgroupLayout, type Role } from "./layout.js";

export const LIMITS = ["memory", "pids", "cpu", "freeze", "kill"] as const;
export type LimitName = (typeof LIMITS)[number];

/** Which limits hold on this host, and why each of the others does not. */
export interface CgroupReport {
  layout: string;
  enforced: LimitName[];
  missing: { limit: LimitName; why: string }[];
}

/** Flint could not make its subtree: the layout's groups are not Flint's to change. */
export class CgroupSetupError extends Error {}

export interface Limits {
  memoryMb: number;
  pids: number;
}

const CONTROLLERS = ["memory", "pids", "cpu"] as const;
const LEAF = "flint-leaf";
/** Empty groups kept made ahead of need: making one is ~2 ms on a cold start's path. */
const MADE_AHEAD = 2;

type Dirs = Record<Role, string>;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;
const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);
const unique = (dirs: Dirs) => [...new Set(Object.values(dirs))];
const at = (dirs: Dirs, f: CgroupFile) => path.join(dirs[f.role], f.name);

/** rmdir a group, retrying while the kernel reaps its last tasks. */
async function removeWhenEmpty(fs: CgroupFs, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fs.rmdir(dir);
    } catch (err) {
      if (errno(err) === "ENOENT") return;
      if (errno(err) !== "EBUSY" || attempt > 200) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/**
 * The unified group Flint's subtree hangs off, with the memory, pids and cpu controllers handed to
 * its children where the host allows it (what it does not allow shows in the report).
 */
async function unifiedParent(layout: CgroupLayout, fs: CgroupFs, isRoot: boolean): Promise<string> {
  const own = ownDir(layout, "core");
  const parent = isRoot ? layout.mounts.core : path.basename(own) === LEAF ? path.dirname(own) : own;
  const available = words(fs.read(path.join(parent, "cgroup.controllers")));
  const enabled = () => words(fs.read(path.join(parent, "cgroup.subtree_control")));
  const wanted = () => CONTROLLERS.filter((c) => available.includes(c) && !enabled().includes(c));
  if (wanted().length === 0) return parent;
  try {
    fs.write(path.join(parent, "cgroup.subtree_control"), wanted().map((c) => `+${c}`).join(" "));
  } catch (err) {
    if (errno(err) !== "EBUSY") throw err;
    // Processes in the parent: move them to a leaf of their own, then enable.
    const leaf = path.join(parent, LEAF);
    await fs.mkdir(leaf).catch((e) => (errno(e) === "EEXIST" ? undefined : Promise.reject(e)));
    for (const pid of words(fs.read(path.join(parent, "cgroup.procs")))) {
      try {
        fs.write(path.join(leaf, "cgroup.procs"), pid);
      } catch (e) {
        if (errno(e) !== "ESRCH") throw e;
      }
    }
    fs.write(path.join(parent, "cgroup.subtree_control"), wanted().map((c) => `+${c}`).join(" "));
  }
  return parent;
}

/** The group of each role that Flint's subtrees hang off. */
async function parents(layout: CgroupLayout, fs: CgroupFs, isRoot: boolean): Promise<Dirs> {
  if (layout.kind === "unified") {
    const parent = await unifiedParent(layout, fs, isRoot);
    return { memory: parent, pids: parent, cpu: parent, core: parent };
  }
  return { memory: ownDir(layout, "memory"), pids: ownDir(layout, "pids"), cpu: ownDir(layout, "cpu"), core: ownDir(layout, "core") };
}

/** Why a limit does not hold: the layout's file is missing from a new group. */
function whyMissing(layout: CgroupLayout, fs: CgroupFs, parent: string, limit: LimitName, isRoot: boolean): string {
  if (limit === "freeze") return `${layout.files.freeze.name} is missing: freezing idle environments needs Linux 5.2 or later`;
  if (limit === "kill") return `${layout.files.kill.name} is missing: killing a whole environment needs Linux 5.14 or later`;
  if (layout.kind === "hybrid") return `${layout.files[limit === "memory" ? "memoryMax" : limit === "pids" ? "pidsMax" : "cpuWeight"].name} is missing in the cgroup v1 ${limit} hierarchy`;
  const available = words(fs.read(path.join(parent, "cgroup.controllers")));
  if (available.includes(limit)) return `the ${limit} controller could not be enabled in ${parent}/cgroup.subtree_control`;
  const fix = isRoot
    ? `enable it in every ancestor's cgroup.subtree_control (echo +${limit} > ${layout.mounts.core}/cgroup.subtree_control)`
    : `delegate it to your user: a systemd drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=cpu memory pids, then systemctl daemon-reload and log in again`;
  return `the ${limit} controller is not available to ${parent} (its cgroup.controllers: ${available.join(" ") || "none"}); fix: ${fix}`;
}

export class CgroupTree {
  private readonly ahead: Promise<Dirs>[] = [];
  private made = 0;
  private closed = false;

  /** Which limits hold here: set once, by create(). */
  readonly report: CgroupReport;

  private constructor(
    private readonly layout: CgroupLayout,
    private readonly fs: CgroupFs,
    private readonly bases: Dirs,
  ) {
    this.report = { layout: layout.label, enforced: [], missing: [] };
  }

  /** Make the subtree `name`, and find out which limits hold in it. */
  static async create(layout: CgroupLayout, fs: CgroupFs, name: string, isRoot: boolean): Promise<CgroupTree> {
    let parent: Dirs, tree: CgroupTree, first: Dirs;
    try {
      parent = await parents(layout, fs, isRoot);
      const bases = Object.fromEntries(ROLES.map((r) => [r, path.join(parent[r], name)])) as Dirs;
      for (const dir of unique(bases)) await fs.mkdir(dir);
      if (layout.kind === "unified") {
        const available = words(fs.read(path.join(bases.core, "cgroup.controllers")));
        const wanted = CONTROLLERS.filter((c) => available.includes(c));
        if (wanted.length) fs.write(path.join(bases.core, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
      }
      tree = new CgroupTree(layout, fs, bases);
      // The first group made tells which limits hold: each needs its files in it.
      first = await tree.make();
    } catch (err) {
      throw new CgroupSetupError((err as Error).message);
    }
    const { files } = layout;
    const needs: Record<LimitName, CgroupFile[]> = { memory: [files.memoryMax], pids: [files.pidsMax], cpu: [files.cpuWeight, files.cpuQuota], freeze: [files.freeze], kill: [files.kill] };
    for (const limit of LIMITS) {
      if (needs[limit].every((f) => fs.exists(at(first, f)))) tree.report.enforced.push(limit);
      else tree.report.missing.push({ limit, why: whyMissing(layout, fs, parent.core, limit, isRoot) });
    }
    tree.ahead.push(Promise.resolve(first));
    tree.makeAhead();
    return tree;
  }

  private enforced(limit: LimitName): boolean {
    return this.report.enforced.includes(limit);
  }

  private async make(): Promise<Dirs> {
    const name = `g${++this.made}`;
    const dirs = Object.fromEntries(ROLES.map((r) => [r, path.join(this.bases[r], name)])) as Dirs;
    await Promise.all(unique(dirs).map((d) => this.fs.mkdir(d)));
    return dirs;
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
    const cgroup = new Cgroup(this.layout, this.fs, dirs);
    const { files } = this.layout;
    try {
      if (this.enforced("memory")) {
        this.fs.write(at(dirs, files.memoryMax), String(limits.memoryMb * 1024 * 1024));
        // Without swap.max (swap accounting off) a group has no swap of its own to use.
        if (files.swapMax && this.fs.exists(at(dirs, files.swapMax))) this.fs.write(at(dirs, files.swapMax), "0");
      }
      if (this.enforced("pids")) this.fs.write(at(dirs, files.pidsMax), String(limits.pids));
      if (this.enforced("cpu")) this.fs.write(at(dirs, files.cpuWeight), this.layout.cpuWeight(limits.memoryMb));
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
      if (dirs) await new Cgroup(this.layout, this.fs, dirs).remove().catch(() => undefined);
    }
    for (const dir of unique(this.bases)) await this.fs.rmdir(dir).catch(() => undefined);
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === "EPERM";
  }
};

/**
 * Remove the `<prefix><pid>` subtrees that Flint servers which died without closing (kill -9) left:
 * kill what still runs in them, then remove the groups.
 */
export async function sweepCgroups(layout: CgroupLayout, fs: CgroupFs, prefix: string, isRoot: boolean): Promise<void> {
  const parent = await parents(layout, fs, isRoot).catch(() => undefined);
  if (!parent) return;
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  for (const role of ROLES) {
    if (role !== "core" && parent[role] === parent.core) continue;
    for (const name of await fs.children(parent[role]).catch(() => [] as string[])) {
      const m = pattern.exec(name);
      if (!m || pidAlive(Number(m[1]))) continue;
      const tree = path.join(parent[role], name);
      for (const child of await fs.children(tree).catch(() => [] as string[])) {
        if (role === "core") {
          try {
            fs.write(path.join(tree, child, layout.files.kill.name), "1");
          } catch {
            // no cgroup.kill (old kernel) or already empty
          }
        }
        await removeWhenEmpty(fs, path.join(tree, child)).catch(() => undefined);
      }
      await fs.rmdir(tree).catch(() => undefined);
    }
  }
}

const PEAK_BUF = Buffer.alloc(32);

/** One environment's group (on the hybrid layout, one directory per hierarchy). */
export class Cgroup {
  private oomKills = 0;
  private peakFd: number | undefined;

  constructor(
    private readonly layout: CgroupLayout,
    private readonly fs: CgroupFs,
    readonly dirs: Dirs,
  ) {}

  private file(f: CgroupFile): string {
    return at(this.dirs, f);
  }

  /** The `cgroup.procs` files a process must join (written by the sandbox launcher before it execs). */
  procsFiles(): string[] {
    return unique(this.dirs).map((d) => path.join(d, this.layout.files.procs.name));
  }

  /**
   * Cap CPU time in proportion to memory, as Lambda allocates it: 1,769 MB is one full core per
   * period (larger functions get more than one core).
   */
  limitCpu(memoryMb: number): void {
    try {
      this.fs.write(this.file(this.layout.files.cpuQuota), this.layout.cpuQuota(memoryMb));
    } catch {
      // the group is gone, or the host has no cpu controller for it (the report says so)
    }
  }

  freeze(frozen: boolean): void {
    this.fs.write(this.file(this.layout.files.freeze), frozen ? "1" : "0");
  }

  /** Kill every process in the group, frozen or not, detached or not. */
  kill(): void {
    try {
      this.fs.write(this.file(this.layout.files.kill), "1");
    } catch {
      // already gone
    }
  }

  /** Peak memory charged to the group, in bytes (read after every invocation: the file stays open). */
  peakBytes(): number {
    try {
      this.peakFd ??= openSync(this.file(this.layout.files.memoryPeak), "r");
      return Number(PEAK_BUF.toString("latin1", 0, readSync(this.peakFd, PEAK_BUF, 0, PEAK_BUF.length, 0)));
    } catch {
      return 0;
    }
  }

  /** Host pids in the group. */
  pids(): number[] {
    try {
      return words(this.fs.read(this.file(this.layout.files.procs))).map(Number);
    } catch {
      return [];
    }
  }

  /** Did the kernel OOM-kill something in this group since the last call? (memory.failcnt stays 0 on v1.) */
  oomKilledSinceLastCheck(): boolean {
    try {
      const m = /^oom_kill (\d+)$/m.exec(this.fs.read(this.file(this.layout.files.oomEvents)));
      const n = m ? Number(m[1]) : 0;
      const grew = n > this.oomKills;
      this.oomKills = n;
      return grew;
    } catch {
      return false;
    }
  }

  memoryBytes(): number {
    try {
      return Number(this.fs.read(this.file(this.layout.files.memoryCurrent)));
    } catch {
      return 0;
    }
  }

  /** Remove the group once it is empty. */
  async remove(): Promise<void> {
    if (this.peakFd !== undefined) closeSync(this.peakFd);
    this.peakFd = undefined;
    for (const dir of unique(this.dirs)) await removeWhenEmpty(this.fs, dir);
  }
}
