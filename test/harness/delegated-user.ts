/**
 * An unprivileged user with a cgroup subtree delegated to it, as systemd's `Delegate=` gives one:
 * a group in each hierarchy owned by the user (the directory and its cgroup.procs,
 * cgroup.subtree_control and cgroup.threads), for starting `flint serve` without root. Made by the
 * root test process; removed, with everything in it, by `remove()`.
 * https://systemd.io/CGROUP_DELEGATION/
 */
import { chownSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { hostLayout } from "../../src/sandbox/cgroups/host.js";
import { ROLES, ownDir } from "../../src/sandbox/cgroups/layout.js";

export interface DelegatedUser {
  uid: number;
  /** The cgroup.procs files a process joins to run in the delegated groups. */
  procs: string[];
  /** A data dir the user owns. */
  dataDir: string;
  layout: string;
  remove(): Promise<void>;
}

/** Is this process able to make one? (root, a cgroup layout Flint knows) */
export function delegationProblem(): string | undefined {
  if (process.getuid?.() !== 0) return "making a delegated user needs root";
  const layout = hostLayout();
  return "problem" in layout ? layout.problem : undefined;
}

/**
 * Remove a group tree deepest first. Its processes have ended, but on a loaded host a v1 group can
 * stay busy for a moment after its last one exits (EBUSY): tried again for a few seconds.
 */
async function removeTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // already gone
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(path.join(dir, e.name));
  for (let tries = 0; ; tries++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || tries >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Delegated groups made by this process: each gets a name of its own, so one left behind cannot block the next. */
let made = 0;

export async function delegatedUser(): Promise<DelegatedUser> {
  const layout = hostLayout();
  if ("problem" in layout) throw new Error(layout.problem);
  // Outside the range Flint's sandboxes take (61000-65095) and the host's own users.
  const uid = 70_000 + (process.pid % 10_000);
  const name = `flint-delegated-${process.pid}-${++made}`;
  // On the unified layout a group with processes cannot hand controllers to children, so the
  // delegated group hangs off the root (whose controllers systemd has enabled); v1 hierarchies have
  // no such rule and it hangs off this process's own group.
  const dirs = [...new Set(ROLES.map((r) => path.join(layout.kind === "unified" ? layout.mounts[r] : ownDir(layout, r), name)))];
  for (const dir of dirs) {
    mkdirSync(dir);
    for (const f of [".", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]) {
      try {
        chownSync(path.join(dir, f), uid, uid);
      } catch {
        // v1 hierarchies have no subtree_control
      }
    }
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "flint-rootless-"));
  chownSync(dataDir, uid, uid);
  return {
    uid,
    procs: dirs.map((d) => path.join(d, "cgroup.procs")),
    dataDir,
    layout: layout.label,
    async remove() {
      for (const dir of dirs) {
        // Anything left (there should be nothing) is killed first.
        try {
          writeFileSync(path.join(dir, "cgroup.kill"), "1");
        } catch {
          // v1 hierarchy, or already empty
        }
        await removeTree(dir);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
