/**
 * Pick the sandbox driver and say what it enforces. `auto` takes the strongest level that holds on
 * this host and names it: `strict` (bubblewrap, every limit), `partial` (bubblewrap, a limit the
 * host cannot enforce, named), or `none` (plain processes, the reason named). `--sandbox strict`
 * refuses to start unless every limit holds.
 */
import { existsSync } from "node:fs";
import { ConfigError } from "../config/config.js";
import { BwrapDriver } from "./bwrap-driver.js";
import { hostLayout } from "./cgroups/host.js";
import type { CgroupLayout } from "./cgroups/layout.js";
import type { SandboxDriver } from "./driver.js";
import { ProcessDriver } from "./process-driver.js";

export type SandboxChoice = "auto" | "strict" | "none";

/** Why the strict driver cannot run here, or the host's cgroup layout for it. */
export function strictProblem(): { problem: string } | CgroupLayout {
  if (process.getuid?.() !== 0) return { problem: "strict isolation needs root (mounts, cgroups, per-environment uids)" };
  for (const [file, pkg] of [["/usr/bin/bwrap", "bubblewrap"], ["/usr/sbin/mkfs.ext4", "e2fsprogs"], ["/usr/bin/setpriv", "util-linux"], ["/usr/bin/socat", "socat"], ["/usr/bin/python3", "python3"]]) {
    if (!existsSync(file!)) return { problem: `${file} is missing (apt-get install -y ${pkg})` };
  }
  if (!existsSync("/dev/loop-control")) return { problem: "loop devices are unavailable (/dev/loop-control), needed for disk-backed /tmp" };
  return hostLayout();
}

export async function selectDriver(choice: SandboxChoice, codeDir: string): Promise<SandboxDriver> {
  if (choice === "none") return new ProcessDriver("isolation turned off (--sandbox none)");
  const layout = strictProblem();
  if ("problem" in layout) {
    if (choice === "strict") throw new ConfigError(`--sandbox strict: ${layout.problem}`);
    return new ProcessDriver(`strict isolation unavailable: ${layout.problem}`);
  }
  let driver: BwrapDriver;
  try {
    driver = await BwrapDriver.create(codeDir, "bubblewrap namespaces, cgroup limits, a uid per environment, read-only code, disk-backed /tmp", layout);
  } catch (err) {
    const problem = `cannot make cgroups on the ${layout.label} layout (${(err as Error).message})`;
    if (choice === "strict") throw new ConfigError(`--sandbox strict: ${problem}`);
    return new ProcessDriver(`strict isolation unavailable: ${problem}`);
  }
  const missing = driver.limits.missing;
  if (missing.length > 0 && choice === "strict") {
    await driver.close();
    throw new ConfigError(`--sandbox strict: ${missing.map((m) => `${m.limit} cannot be enforced: ${m.why}`).join("; ")}`);
  }
  return driver;
}
