/**
 * The `none` isolation fallback: each environment is a plain child process in its own process group,
 * with a clean Lambda-defined environment and its code at a private path. It isolates nothing from
 * the host; Flint warns loudly when it has to use it.
 */
import { spawn } from "node:child_process";
import { access, constants, readFile } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RUNTIMES_DIR } from "../paths.js";
import type { ExitInfo, RuntimeApiAddresses, Sandbox, SandboxDriver, SandboxSpec } from "./driver.js";
import { PYTHON, layoutEnv, runtimeCommand, type Layout } from "./runtime-command.js";
import { SandboxStartError, bootstrapMissing } from "./errors.js";
import { PeakRss } from "./peak-rss.js";
import { hostLayout } from "./cgroups/host.js";
import { LIMITS, type CgroupReport } from "./cgroups/tree.js";

class ProcessSandbox implements Sandbox {
  readonly exited: Promise<ExitInfo>;
  private dead = false;
  frozen = false;
  private readonly peakRss = new PeakRss(() => this.pid);

  constructor(private readonly child: ReturnType<typeof spawn>) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.dead = true;
        this.peakRss.close();
        resolve({ code, signal, oom: false });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }
  get stdout() {
    return this.child.stdout!;
  }
  get stderr() {
    return this.child.stderr!;
  }

  maxMemoryUsedMb(): number {
    return this.dead ? 0 : Math.ceil(this.peakRss.bytes() / (1024 * 1024));
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.dead) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is already gone
    }
  }

  /** The package is at a host path: the runtime learns it (LAMBDA_TASK_ROOT) from its binding. */
  async bind(codeDir: string): Promise<Record<string, string>> {
    return { LAMBDA_TASK_ROOT: codeDir };
  }

  /** No cgroups here: nothing to limit. */
  initialized(): void {}

  async memoryBytes(): Promise<number> {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${this.pid}/status`, "latin1"));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  async freeze(): Promise<void> {
    if (!this.frozen) this.signalGroup("SIGSTOP");
    this.frozen = true;
  }

  async thaw(): Promise<void> {
    if (this.frozen) this.signalGroup("SIGCONT");
    this.frozen = false;
  }

  async destroy(): Promise<void> {
    this.signalGroup("SIGKILL");
    await this.exited;
  }
}

export class ProcessDriver implements SandboxDriver {
  readonly name = "process";
  readonly isolation = "none" as const;
  private readonly layoutBase = { runtimeDir: RUNTIMES_DIR, node: process.execPath, python: PYTHON };
  /** Unix sockets of the Runtime APIs; a short path, as socket paths are limited to 107 bytes. */
  private readonly socketDir = mkdtempSync(path.join(tmpdir(), "flint-run-"));

  readonly limits: CgroupReport;
  readonly bindsLater = true;

  constructor(readonly reason: string) {
    const layout = hostLayout();
    this.limits = {
      layout: "problem" in layout ? `unusable: ${layout.problem}` : layout.label,
      enforced: [],
      missing: LIMITS.map((limit) => ({ limit, why: "plain processes: no cgroup limits" })),
    };
  }

  runtimeApiTargets(id: string) {
    return { tcp: { host: "127.0.0.1", port: 0 }, socket: { path: path.join(this.socketDir, `${id}.sock`) } };
  }

  async create(spec: SandboxSpec, opening: RuntimeApiAddresses | Promise<RuntimeApiAddresses>): Promise<Sandbox> {
    const runtimeApi = await opening;
    const layout: Layout = { ...this.layoutBase, taskRoot: spec.codeDir ?? this.socketDir, socket: runtimeApi.socket };
    const { file, args } = runtimeCommand(spec, layout);
    if (spec.family === "provided") {
      try {
        await access(file, constants.X_OK);
      } catch (err) {
        throw bootstrapMissing(layout.taskRoot, err as NodeJS.ErrnoException);
      }
    }
    // setpriv --pdeathsig: if Flint dies (even by SIGKILL) the runtime dies with it, frozen or not.
    const child = spawn("/usr/bin/setpriv", ["--pdeathsig", "SIGKILL", "--", file, ...args], {
      cwd: spec.codeDir ?? this.socketDir,
      env: layoutEnv(spec, layout, runtimeApi),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => reject(new SandboxStartError("Runtime.InvalidEntrypoint", `fork/exec ${file}: ${err.message}`)));
    });
    return new ProcessSandbox(child);
  }

  async close(): Promise<void> {
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}

