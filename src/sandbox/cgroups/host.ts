/**
 * This host's cgroups: its layout, read once at start, and the one mount option that makes joining
 * a group cheap.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { detectLayout, type CgroupLayout } from "./layout.js";

export function hostLayout(): CgroupLayout | { problem: string } {
  return detectLayout(readFileSync("/proc/mounts", "utf8"), readFileSync("/proc/self/cgroup", "utf8"));
}

/**
 * Moving a task into a cgroup (v1 or v2) waits for an RCU grace period on recent kernels: ~15 ms per
 * new environment. The cgroup2 mount option `favordynmods` keeps the lock that needs it in its slow
 * mode, making moves ~0.1 ms at a small cost to fork and exit machine-wide; container runtimes on
 * recent systemd do the same. Flint turns it on for the strict driver (root only) and says so.
 */
export async function favorDynamicModifications(layout: CgroupLayout): Promise<string> {
  const mount = layout.mounts.core;
  const line = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .find((l) => l.split(" ")[1] === mount && l.split(" ")[2] === "cgroup2");
  if (line?.split(" ")[3]!.split(",").includes("favordynmods")) return "cgroup2 favordynmods on";
  try {
    await promisify(execFile)("mount", ["-o", "remount,favordynmods", mount]);
    return "cgroup2 favordynmods turned on (fast cgroup moves)";
  } catch (err) {
    return `cgroup2 favordynmods unavailable (${(err as Error).message.split("\n")[0]}): each new environment pays ~15 ms to join its cgroups`;
  }
}
