/**
 * Which cgroup layout this host has, and where each limit lives in it. Two layouts, one table each,
 * so that the rest of the sandbox never asks which one it runs on:
 *
 * - `unified`: one cgroup2 hierarchy (usually at /sys/fs/cgroup) with the memory, pids and cpu
 *   controllers, enabled per subtree through `cgroup.subtree_control`; what most hosts have (systemd
 *   on Debian 12, Ubuntu 22.04+, Fedora, Docker Desktop's VM, CI runners).
 *   https://docs.kernel.org/admin-guide/cgroup-v2.html
 * - `hybrid`: cgroup v1 memory, pids and cpu controllers each on its own hierarchy, and cgroup2
 *   (with no controllers) beside them for freezing and killing: v1-frozen tasks ignore SIGKILL,
 *   while `cgroup.kill` empties even a frozen cgroup2 group (linux-sandbox.md).
 *
 * A v1-only host (no cgroup2 mounted at all) is refused with the one command that mounts it.
 */
import path from "node:path";

/** What an environment's group is for: a limit's controller, or `core` (procs, freeze, kill). */
export const ROLES = ["memory", "pids", "cpu", "core"] as const;
export type Role = (typeof ROLES)[number];

export interface CgroupFile {
  role: Role;
  name: string;
}

export type LayoutKind = "unified" | "hybrid";

export interface CgroupLayout {
  readonly kind: LayoutKind;
  /** How the start-up banner and benchmarks name it. */
  readonly label: string;
  /** Where each role's hierarchy is mounted (all four the same on the unified layout). */
  readonly mounts: Record<Role, string>;
  /** Where this process sits in each role's hierarchy, relative to its mount. */
  readonly own: Record<Role, string>;
  readonly files: {
    memoryMax: CgroupFile;
    /** Swap the group may use on top of memoryMax: none (v2 only; v1 without memsw has no such knob). */
    swapMax?: CgroupFile;
    pidsMax: CgroupFile;
    cpuWeight: CgroupFile;
    cpuQuota: CgroupFile;
    /** Has a line `oom_kill N`. */
    oomEvents: CgroupFile;
    memoryPeak: CgroupFile;
    memoryCurrent: CgroupFile;
    freeze: CgroupFile;
    kill: CgroupFile;
    procs: CgroupFile;
  };
  /** The CPU weight of a function of this size: Lambda gives one full core at 1,769 MB. */
  cpuWeight(memoryMb: number): string;
  /** Its CPU time per 100 ms period, in the same proportion. */
  cpuQuota(memoryMb: number): string;
}

const CPU_PERIOD_US = 100_000;
const FULL_CORE_MB = 1769;
const quotaUs = (memoryMb: number) => Math.max(1000, Math.round((CPU_PERIOD_US * memoryMb) / FULL_CORE_MB));

const file = (role: Role, name: string): CgroupFile => ({ role, name });

interface Mount {
  dir: string;
  type: string;
  options: string[];
}

/** The cgroup mounts of a /proc/mounts text. */
function cgroupMounts(mounts: string): Mount[] {
  return mounts
    .split("\n")
    .map((line) => line.split(" "))
    .filter((f) => f[2] === "cgroup" || f[2] === "cgroup2")
    .map((f) => ({ dir: f[1]!.replace(/\\040/g, " "), type: f[2]!, options: (f[3] ?? "").split(",") }));
}

/** `/proc/self/cgroup`: the v2 path under `unified`, each v1 controller's under its name. */
export function ownPaths(procSelfCgroup: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of procSelfCgroup.trim().split("\n")) {
    const [, controllers = "", p = "/"] = line.split(":");
    if (controllers === "") out.unified = p;
    for (const c of controllers.split(",")) if (c) out[c] = p;
  }
  return out;
}

const same = <T>(value: T): Record<Role, T> => ({ memory: value, pids: value, cpu: value, core: value });

/**
 * The layout of a host, from its /proc/mounts and this process's /proc/self/cgroup, or why no
 * layout Flint can use is there.
 */
export function detectLayout(procMounts: string, procSelfCgroup: string): CgroupLayout | { problem: string } {
  const mounts = cgroupMounts(procMounts);
  const own = ownPaths(procSelfCgroup);
  const v2 = mounts.find((m) => m.type === "cgroup2");
  const v1 = (controller: string) => mounts.find((m) => m.type === "cgroup" && m.options.includes(controller));
  if (!v2) {
    return { problem: "cgroup2 is not mounted (Flint freezes and kills environments through it): mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified" };
  }
  const memory = v1("memory");
  if (!memory) {
    return {
      kind: "unified",
      label: `unified cgroup v2 (${v2.dir})`,
      mounts: same(v2.dir),
      own: same(own.unified ?? "/"),
      files: {
        memoryMax: file("memory", "memory.max"),
        swapMax: file("memory", "memory.swap.max"),
        pidsMax: file("pids", "pids.max"),
        cpuWeight: file("cpu", "cpu.weight"),
        cpuQuota: file("cpu", "cpu.max"),
        oomEvents: file("memory", "memory.events"),
        memoryPeak: file("memory", "memory.peak"),
        memoryCurrent: file("memory", "memory.current"),
        freeze: file("core", "cgroup.freeze"),
        kill: file("core", "cgroup.kill"),
        procs: file("core", "cgroup.procs"),
      },
      // cpu.weight 100 is what every other group has by default, as cpu.shares 1024 is on v1.
      cpuWeight: (mb) => String(Math.min(10_000, Math.max(1, Math.round((100 * mb) / FULL_CORE_MB)))),
      cpuQuota: (mb) => `${quotaUs(mb)} ${CPU_PERIOD_US}`,
    };
  }
  const pids = v1("pids");
  const cpu = v1("cpu");
  if (!pids || !cpu) return { problem: `the cgroup v1 ${!pids ? "pids" : "cpu"} controller is not mounted (the memory controller is, on cgroup v1)` };
  return {
    kind: "hybrid",
    label: `hybrid (cgroup v1 controllers, cgroup2 at ${v2.dir})`,
    mounts: { memory: memory.dir, pids: pids.dir, cpu: cpu.dir, core: v2.dir },
    own: { memory: own.memory ?? "/", pids: own.pids ?? "/", cpu: own.cpu ?? "/", core: own.unified ?? "/" },
    files: {
      memoryMax: file("memory", "memory.limit_in_bytes"),
      pidsMax: file("pids", "pids.max"),
      cpuWeight: file("cpu", "cpu.shares"),
      cpuQuota: file("cpu", "cpu.cfs_quota_us"),
      oomEvents: file("memory", "memory.oom_control"),
      memoryPeak: file("memory", "memory.max_usage_in_bytes"),
      memoryCurrent: file("memory", "memory.usage_in_bytes"),
      freeze: file("core", "cgroup.freeze"),
      kill: file("core", "cgroup.kill"),
      procs: file("core", "cgroup.procs"),
    },
    cpuWeight: (mb) => String(Math.max(2, Math.round((1024 * mb) / FULL_CORE_MB))),
    cpuQuota: (mb) => String(quotaUs(mb)),
  };
}

/** The directory of `role`'s hierarchy that this process sits in. */
export const ownDir = (layout: CgroupLayout, role: Role) => path.join(layout.mounts[role], layout.own[role]);
