/**
 * The SandboxDriver seam: how an execution environment's process tree is created and destroyed.
 * The invoke path only sees this interface; drivers are picked by name in config.
 */
import type { Readable } from "node:stream";
import type { RuntimeFamily } from "../services/lambda/runtimes.js";
import type { Peer } from "../runtime-api/peer.js";
import type { CgroupReport } from "./cgroups/tree.js";

/**
 * `strict`: sandboxed, and every limit holds; `partial`: sandboxed, but the host cannot enforce some
 * limit (the driver's `limits` name it); `none`: plain processes.
 */
export type Isolation = "strict" | "partial" | "none";

/** `isolated`: no network but the Runtime API (a VPC without egress); `default`: loopback and outbound. */
export type NetworkMode = "default" | "isolated";

/** What a sandbox is sized and built for; spare sandboxes are kept per shape. */
export interface SandboxShape {
  runtime: string;
  family: RuntimeFamily;
  memoryMb: number;
  ephemeralStorageMb: number;
  network: NetworkMode;
}

export interface SandboxSpec extends SandboxShape {
  /** Unique id of the environment (used in paths and cgroup names). */
  id: string;
  /**
   * Host path of the unpacked function package. Absent for a spare sandbox: its runtime starts,
   * then waits for `bind()` and for its binding through the Runtime API.
   */
  codeDir?: string;
  /** The Lambda-defined environment (for a spare: only what does not depend on the function). Nothing from the host. */
  env: Record<string, string>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The kernel killed it for exceeding its memory limit. */
  oom: boolean;
}

export interface Sandbox {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the environment's main process has exited. */
  readonly exited: Promise<ExitInfo>;
  readonly frozen: boolean;
  /**
   * Make a spare sandbox's task root the function's package. Returns the variables that depend on
   * where it now is (for the runtime's binding).
   */
  bind(codeDir: string): Promise<Record<string, string>>;
  /**
   * Init is over: from now on the environment gets its steady CPU allowance (during init it may use
   * more, as Lambda boosts CPU during initialisation).
   */
  initialized(): void;
  /** Peak memory in MB (for REPORT's Max Memory Used). */
  maxMemoryUsedMb(): number;
  /** Memory the sandbox holds right now, in bytes (for accounting spares). */
  memoryBytes(): Promise<number>;
  /** Stop every process of the environment from running (between invocations). */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Kill the whole process tree and remove everything the sandbox created. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Where an environment's Runtime API listens. `tcp` is what AWS_LAMBDA_RUNTIME_API names (custom
 * runtimes speak to it); `socket`, when a driver offers one, is a unix socket Flint's own bootstraps
 * use because it is cheaper per request.
 */
export interface RuntimeApiTargets {
  tcp: { host: string; port: number; peer?: Peer };
  socket?: { path: string };
}

/** The listeners' addresses as the runtime must use them. */
export interface RuntimeApiAddresses {
  /** host:port for AWS_LAMBDA_RUNTIME_API. */
  tcp: string;
  /** Path of the unix socket on the host. */
  socket?: string;
}

export interface SandboxDriver {
  readonly name: string;
  readonly isolation: Isolation;
  /** Why this driver and isolation level are in force (for the start-up banner and health). */
  readonly reason: string;
  /** The host's cgroup layout, the limits in force and why any other does not hold. */
  readonly limits: CgroupReport;
  /** Can a sandbox start before its package is known (`bind()` later)? Spare sandboxes need it. */
  readonly bindsLater: boolean;
  /** Where the Runtime API for environment `id` must listen. */
  runtimeApiTargets(id: string, shape: SandboxShape): RuntimeApiTargets;
  /**
   * Start the runtime process, telling it how to reach its Runtime API. The API may still be
   * opening (a promise): the driver prepares the sandbox meanwhile.
   */
  create(spec: SandboxSpec, runtimeApi: RuntimeApiAddresses | Promise<RuntimeApiAddresses>): Promise<Sandbox>;
  close(): Promise<void>;
}
