/**
 * A cgroup2 file system in a temporary directory, with the kernel's rules that Flint's backend
 * depends on (https://docs.kernel.org/admin-guide/cgroup-v2.html):
 *
 * - a new group's `cgroup.controllers` is its parent's `cgroup.subtree_control`, and a controller's
 *   interface files (`memory.max`, `pids.max`, `cpu.weight`, …) exist only where it is enabled;
 *   `cgroup.freeze` and `cgroup.kill` exist in every group but the root;
 * - a controller can be enabled in `cgroup.subtree_control` only if it is in `cgroup.controllers`,
 *   and not while the group (other than the root) has processes ("no internal processes": EBUSY);
 *   nor can a process join a group whose subtree_control has a controller;
 * - a process is in exactly one group; writing its pid to `cgroup.procs` moves it;
 * - a file that does not exist cannot be created by writing it; a group with processes or children
 *   cannot be removed (EBUSY);
 * - `cgroup.freeze` shows in `cgroup.events` (`frozen 1`); `cgroup.kill` kills every process of
 *   the group and its descendants; an OOM kill counts in `memory.events` (`oom_kill N`).
 *
 * It can also lay out cgroup v1 hierarchies (every controller file present in every group) for the
 * hybrid layout.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CgroupFs } from "../../src/sandbox/cgroups/cgroup-fs.js";

const fail = (code: string, what: string): never => {
  throw Object.assign(new Error(`${code}: ${what}`), { code });
};

const V2_FILES: Record<string, Record<string, string>> = {
  memory: {
    "memory.max": "max",
    "memory.swap.max": "max",
    "memory.current": "0",
    "memory.peak": "0",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
  },
  pids: { "pids.max": "max", "pids.current": "0" },
  cpu: { "cpu.weight": "100", "cpu.max": "max 100000" },
};

const V1_FILES: Record<string, Record<string, string>> = {
  memory: { "memory.limit_in_bytes": "9223372036854771712", "memory.usage_in_bytes": "0", "memory.max_usage_in_bytes": "0", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n" },
  pids: { "pids.max": "max" },
  cpu: { "cpu.shares": "1024", "cpu.cfs_quota_us": "-1" },
};

export interface FakeOptions {
  /** The root's `cgroup.controllers`. */
  controllers?: string[];
  /** Kernels before 5.14 have no `cgroup.kill`. */
  noKill?: boolean;
  /** Swap accounting off: no `memory.swap.max`. */
  noSwap?: boolean;
}

export class FakeCgroup2 implements CgroupFs {
  readonly root: string;
  /** pid -> group directory it is in. */
  private readonly where = new Map<number, string>();
  /** Processes killed by cgroup.kill, in order. */
  readonly killed: number[] = [];
  /** v1 hierarchies (name -> directory), for the hybrid layout. */
  private readonly v1 = new Map<string, string>();

  constructor(private readonly options: FakeOptions = {}) {
    this.root = mkdtempSync(path.join(tmpdir(), "flint-fake-cgroup-"));
    const unified = path.join(this.root, "unified");
    mkdirSync(unified);
    writeFileSync(path.join(unified, "cgroup.controllers"), (options.controllers ?? ["cpuset", "cpu", "io", "memory", "hugetlb", "pids"]).join(" ") + "\n");
    writeFileSync(path.join(unified, "cgroup.subtree_control"), "\n");
    writeFileSync(path.join(unified, "cgroup.procs"), "");
  }

  /** The cgroup2 hierarchy's mount point. */
  get unified(): string {
    return path.join(this.root, "unified");
  }

  /** Mount a cgroup v1 hierarchy for `controller` beside cgroup2 (the hybrid layout). */
  mountV1(controller: string): string {
    const dir = path.join(this.root, controller);
    mkdirSync(dir);
    this.v1.set(controller, dir);
    this.createFiles(dir, { "cgroup.procs": "", ...V1_FILES[controller] });
    return dir;
  }

  /** A /proc/mounts text for what is mounted here. */
  procMounts(): string {
    const lines = [`cgroup2 ${this.unified} cgroup2 rw,nosuid,nodev,noexec,relatime 0 0`];
    for (const [c, dir] of this.v1) lines.push(`cgroup ${dir} cgroup rw,nosuid,nodev,noexec,relatime,${c} 0 0`);
    return lines.join("\n") + "\n";
  }

  /**
   * Make a group (and its ancestors) as systemd does, every controller its parent has handed down
   * enabled on the way (a slice passes them on to what it contains), and put processes in it.
   */
  async place(group: string, pids: number[], hierarchy = this.unified): Promise<string> {
    let dir = hierarchy;
    const parts = group.split("/").filter(Boolean);
    for (const [i, part] of parts.entries()) {
      dir = path.join(dir, part);
      if (!existsSync(dir)) await this.mkdir(dir);
      const available = this.list(path.join(dir, "cgroup.controllers"));
      if (i < parts.length - 1 && available.length) this.write(path.join(dir, "cgroup.subtree_control"), available.map((c) => `+${c}`).join(" "));
    }
    for (const pid of pids) this.write(path.join(dir, "cgroup.procs"), String(pid));
    return dir;
  }

  /** The kernel OOM-killed a process of this group. */
  oomKill(dir: string): void {
    const events = path.join(dir, "memory.events");
    const text = readFileSync(events, "utf8");
    writeFileSync(events, text.replace(/^oom_kill (\d+)$/m, (_, n) => `oom_kill ${Number(n) + 1}`));
  }

  procs(dir: string): number[] {
    return [...this.where].filter(([, d]) => d === dir).map(([pid]) => pid);
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private hierarchyOf(dir: string): { v1?: string; root: string } {
    for (const [c, root] of this.v1) if (dir === root || dir.startsWith(root + path.sep)) return { v1: c, root };
    return { root: this.unified };
  }

  private createFiles(dir: string, files: Record<string, string>): void {
    for (const [name, value] of Object.entries(files)) writeFileSync(path.join(dir, name), value);
  }

  private controllerFiles(c: string): Record<string, string> {
    const files = { ...V2_FILES[c] };
    if (c === "memory" && this.options.noSwap) delete files["memory.swap.max"];
    return files;
  }

  private list(file: string): string[] {
    return readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean);
  }

  private syncProcs(dir: string): void {
    writeFileSync(path.join(dir, "cgroup.procs"), this.procs(dir).map((p) => `${p}\n`).join(""));
  }

  read(file: string): string {
    return readFileSync(file, "latin1");
  }

  exists(file: string): boolean {
    return existsSync(file);
  }

  async children(dir: string): Promise<string[]> {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  }

  async mkdir(dir: string): Promise<void> {
    if (existsSync(dir)) fail("EEXIST", dir);
    const parent = path.dirname(dir);
    if (!existsSync(path.join(parent, "cgroup.procs"))) fail("ENOENT", parent);
    mkdirSync(dir);
    const { v1 } = this.hierarchyOf(dir);
    if (v1) return this.createFiles(dir, { "cgroup.procs": "", ...V1_FILES[v1] });
    const enabled = this.list(path.join(parent, "cgroup.subtree_control"));
    this.createFiles(dir, {
      "cgroup.controllers": enabled.join(" ") + "\n",
      "cgroup.subtree_control": "\n",
      "cgroup.procs": "",
      "cgroup.events": "populated 0\nfrozen 0\n",
      "cgroup.freeze": "0\n",
      ...(this.options.noKill ? {} : { "cgroup.kill": "" }),
    });
    for (const c of enabled) this.createFiles(dir, this.controllerFiles(c));
  }

  async rmdir(dir: string): Promise<void> {
    if (!existsSync(dir)) fail("ENOENT", dir);
    if (this.procs(dir).length > 0 || readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory())) fail("EBUSY", dir);
    rmSync(dir, { recursive: true });
  }

  write(file: string, value: string): void {
    if (!existsSync(file)) fail("ENOENT", `${file} (interface files cannot be created)`);
    const dir = path.dirname(file);
    const name = path.basename(file);
    const { v1, root } = this.hierarchyOf(dir);
    if (name === "cgroup.procs") return this.join(dir, Number(value), v1 === undefined && dir !== root);
    if (name === "cgroup.subtree_control") return this.control(dir, value, dir === root);
    if (name === "cgroup.kill") return this.kill(dir);
    if (name === "cgroup.freeze") {
      if (value !== "0" && value !== "1") fail("EINVAL", file);
      writeFileSync(file, `${value}\n`);
      return writeFileSync(path.join(dir, "cgroup.events"), `populated ${this.procs(dir).length ? 1 : 0}\nfrozen ${value}\n`);
    }
    if (/^(memory\.(max|swap\.max)|pids\.max)$/.test(name) && !/^(\d+|max)$/.test(value)) fail("EINVAL", `${file}: ${value}`);
    if (name === "cpu.weight" && !(Number(value) >= 1 && Number(value) <= 10_000)) fail("ERANGE", `${file}: ${value}`);
    if (name === "cpu.max" && !/^(\d+|max)( \d+)?$/.test(value)) fail("EINVAL", `${file}: ${value}`);
    writeFileSync(file, value);
  }

  private join(dir: string, pid: number, checkInternal: boolean): void {
    if (!Number.isInteger(pid) || pid <= 0) fail("EINVAL", `pid ${pid}`);
    if (checkInternal && this.list(path.join(dir, "cgroup.subtree_control")).length > 0) fail("EBUSY", `${dir} hands controllers to its children`);
    const from = this.where.get(pid);
    this.where.set(pid, dir);
    if (from) this.syncProcs(from);
    this.syncProcs(dir);
  }

  private control(dir: string, value: string, isRoot: boolean): void {
    const available = this.list(path.join(dir, "cgroup.controllers"));
    const enabled = new Set(this.list(path.join(dir, "cgroup.subtree_control")));
    for (const token of value.trim().split(/\s+/)) {
      const c = token.slice(1);
      if (token[0] === "+") {
        if (!available.includes(c)) fail("ENOENT", `${c} is not in ${dir}/cgroup.controllers`);
        if (!isRoot && this.procs(dir).length > 0) fail("EBUSY", `${dir} has processes`);
        enabled.add(c);
      } else if (token[0] === "-") enabled.delete(c);
      else fail("EINVAL", token);
    }
    writeFileSync(path.join(dir, "cgroup.subtree_control"), [...enabled].join(" ") + "\n");
    for (const child of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const childDir = path.join(dir, child.name);
      writeFileSync(path.join(childDir, "cgroup.controllers"), [...enabled].join(" ") + "\n");
      for (const c of enabled) for (const [f, v] of Object.entries(this.controllerFiles(c))) if (!existsSync(path.join(childDir, f))) writeFileSync(path.join(childDir, f), v);
    }
  }

  private kill(dir: string): void {
    for (const [pid, d] of [...this.where]) {
      if (d !== dir && !d.startsWith(dir + path.sep)) continue;
      this.where.delete(pid);
      this.killed.push(pid);
      this.syncProcs(d);
    }
  }
}
