/**
 * Pick the sandbox driver: `strict` (bubblewrap) whenever this machine can do it, else the `none`
 * fallback with the reason, loudly. `--sandbox strict` refuses to start without isolation.
 */
import { existsSync } from "node:fs";
import { ConfigError } from "../config/config.js";
import { BwrapDriver } from "./bwrap-driver.js";
import { cgroupProblem } from "./cgroups.js";
import type { SandboxDriver } from "./driver.js";
import { ProcessDriver } from "./process-driver.js";

export type SandboxChoice = "auto" | "strict" | "none";

/** Why strict isolation is impossible here, or undefined. */
export function strictProblem(): string | undefined {
  if (process.getuid?.() !== 0) return "strict isolation needs root (mounts, cgroups, per-environment uids)";
  for (const [file, pkg] of [["/usr/bin/bwrap", "bubblewrap"], ["/usr/sbin/mkfs.ext4", "e2fsprogs"], ["/usr/bin/setpriv", "util-linux"], ["/usr/bin/socat", "socat"], ["/usr/bin/python3", "python3"]]) {
    if (!existsSync(file!)) return `${file} is missing (apt-get install -y ${pkg})`;
  }
  if (!existsSync("/dev/loop-control")) return "loop devices are unavailable (/dev/loop-control), needed for disk-backed /tmp";
  return cgroupProblem();
}

export async function selectDriver(choice: SandboxChoice, codeDir: string): Promise<SandboxDriver> {
  if (choice === "none") return new ProcessDriver("isolation turned off (--sandbox none)");
  const problem = strictProblem();
  if (problem) {
    if (choice === "strict") throw new ConfigError(`--sandbox strict: ${problem}`);
    return new ProcessDriver(`strict isolation unavailable: ${problem}`);
  }
  return BwrapDriver.create(codeDir, "bubblewrap namespaces, cgroup limits, a uid per environment, read-only code, disk-backed /tmp");
}
