/**
 * Pick the sandbox driver and say what it enforces. `auto` takes the strongest level that holds on
 * this host and names it: `strict` (bubblewrap, every limit), `partial` (bubblewrap, a limit the
 * host cannot enforce, named), or `none` (plain processes, the reason named). `--sandbox strict`
 * refuses to start unless every limit holds. Without root, bubblewrap runs in user namespaces and
 * the limits come from a cgroup v2 subtree delegated to the user.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ConfigError } from "../config/config.js";
import { BwrapDriver } from "./bwrap-driver.js";
import { hostLayout } from "./cgroups/host.js";
import { ownDir, type CgroupLayout } from "./cgroups/layout.js";
import { CgroupSetupError } from "./cgroups/tree.js";
import type { SandboxDriver } from "./driver.js";
import { ProcessDriver } from "./process-driver.js";

export type SandboxChoice = "auto" | "strict" | "none";

type Problem = { problem: string };

const isRoot = () => process.getuid?.() === 0;
const install = (pkg: string) => `${isRoot() ? "" : "sudo "}apt-get install -y ${pkg}`;

/** Can this user make the namespaces a sandbox needs? (A sandbox of nothing, ~5 ms.) */
function userNamespaceProblem(): string | undefined {
  try {
    execFileSync("/usr/bin/bwrap", ["--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "/bin/true"], { stdio: ["ignore", "ignore", "pipe"] });
    return undefined;
  } catch (err) {
    const said = String((err as { stderr?: Buffer }).stderr ?? "").trim() || (err as Error).message;
    return (
      `bubblewrap cannot create user namespaces without root (${said}); fix: ` +
      `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10 and later), ` +
      `sudo sysctl -w kernel.unprivileged_userns_clone=1 (older Debian kernels), or ` +
      `sudo sysctl -w user.max_user_namespaces=15000 where it is 0`
    );
  }
}

/** Why the strict driver cannot run here, or the host's cgroup layout for it. */
function strictProblem(): Problem | CgroupLayout {
  const needs: [string, string][] = [["/usr/bin/bwrap", "bubblewrap"], ["/usr/bin/socat", "socat"], ["/usr/bin/python3", "python3"]];
  if (isRoot()) needs.push(["/usr/sbin/mkfs.ext4", "e2fsprogs"], ["/usr/bin/setpriv", "util-linux"]);
  for (const [file, pkg] of needs) if (!existsSync(file)) return { problem: `${file} is missing (${install(pkg)})` };
  if (isRoot()) {
    if (!existsSync("/dev/loop-control")) return { problem: "loop devices are unavailable (/dev/loop-control), needed for disk-backed /tmp" };
  } else {
    const problem = userNamespaceProblem();
    if (problem) return { problem };
  }
  return hostLayout();
}

/** Why Flint cannot make its cgroups here, with the fix. */
function cgroupProblem(layout: CgroupLayout, err: Error): string {
  if (isRoot()) return `cannot make cgroups on the ${layout.label} layout (${err.message})`;
  return (
    `the cgroup Flint runs in (${ownDir(layout, "core")}) is not delegated to this user (${err.message}); ` +
    `fix: start Flint in a delegated scope, e.g. systemd-run --user --scope -p Delegate=yes -- npm start`
  );
}

export async function selectDriver(choice: SandboxChoice, codeDir: string): Promise<SandboxDriver> {
  if (choice === "none") return new ProcessDriver("isolation turned off (--sandbox none)");
  const refuse = (problem: string) => {
    if (choice === "strict") throw new ConfigError(`--sandbox strict: ${problem}`);
    return new ProcessDriver(`strict isolation unavailable: ${problem}`);
  };
  const layout = strictProblem();
  if ("problem" in layout) return refuse(layout.problem);
  let driver: BwrapDriver;
  try {
    driver = isRoot()
      ? await BwrapDriver.create(codeDir, "bubblewrap namespaces, cgroup limits, a uid per environment, read-only code, disk-backed /tmp", layout)
      : await BwrapDriver.create(codeDir, "without root: bubblewrap user namespaces, delegated cgroup limits, read-only code", layout, true);
  } catch (err) {
    if (!(err instanceof CgroupSetupError)) throw err;
    return refuse(cgroupProblem(layout, err));
  }
  const missing = driver.limits.missing;
  if (missing.length > 0 && choice === "strict") {
    await driver.close();
    throw new ConfigError(`--sandbox strict: ${missing.map((m) => `${m.limit} cannot be enforced: ${m.why}`).join("; ")}`);
  }
  return driver;
}
