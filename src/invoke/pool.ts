/**
 * Execution environments per function version: warm ones are reused (most recently used first),
 * parallel invocations get parallel environments, idle ones expire, a broken or outdated environment
 * is destroyed instead of being returned, and provisioned ones are kept initialised and never expire.
 * New environments per function are bounded by a scaling rate (AWS: 1,000 every 10 seconds).
 */
import type { Clock, Timer } from "../clock/clock.js";
import { awsError } from "../errors.js";
import type { NetworkMode } from "../sandbox/driver.js";
import type { FunctionRecord, FunctionVersion } from "../services/lambda/model.js";
import { EnvState, Environment, shapeOf, type EnvironmentDeps, type InitType } from "./environment.js";
import { SparePool, startUnbound } from "./spares.js";

export interface PoolDeps extends Omit<EnvironmentDeps, "codeDir" | "network"> {
  codeDir(version: FunctionVersion): Promise<string>;
  spares?: SparePool;
  /** New environments one function may start per 10 seconds. */
  scalingRate: number;
}

/** A function in a VPC (VpcConfig with subnets) gets no network but its Runtime API, like a VPC without egress. */
export function networkOf(version: FunctionVersion): NetworkMode {
  return version.vpcConfig?.SubnetIds.length ? "isolated" : "default";
}

interface Slot {
  /** On-demand environments waiting for work, most recently used last. */
  idle: Environment[];
  /** Provisioned environments waiting for work. */
  provisionedIdle: Environment[];
  all: Set<Environment>;
  provisioned: Set<Environment>;
  /** How many provisioned environments this version should have. */
  provisionedTarget: number;
  /** Provisioned environments being started (not in `provisioned` yet). */
  provisioning: number;
  /** Why provisioning last failed, if it did. */
  failure?: string;
}

/** A leased environment; `release()` must be called exactly once, in `finally`. */
export interface Lease {
  env: Environment;
  release(): Promise<void>;
}

const keyOf = (name: string, version: string) => `${name}:${version}`;
const versionKey = (v: FunctionVersion) => keyOf(v.functionName, v.version);

class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** Environments older than this are replaced (Lambda recycles environments every few hours too). */
const MAX_ENVIRONMENT_AGE_MS = 4 * 3_600_000;

export class EnvironmentPool {
  private readonly slots = new Map<string, Slot>();
  private readonly lastUsed = new WeakMap<Environment, number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly reaper: Timer;
  private closed = false;
  /** Environments started so far (cold starts and provisioning), for metrics. */
  created = 0;

  constructor(
    private readonly deps: PoolDeps,
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
  ) {
    this.reaper = clock.every(Math.min(30_000, Math.max(50, idleTimeoutMs / 4)), () => this.reap());
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { idle: [], provisionedIdle: [], all: new Set(), provisioned: new Set(), provisionedTarget: 0, provisioning: 0 }));
    return s;
  }

  private usable(env: Environment, version: FunctionVersion): boolean {
    return env.state === EnvState.Idle && env.version.revisionId === version.revisionId && !env.retired;
  }

  /** A warm environment for this exact configuration (provisioned first), or a new one (cold start). */
  async acquire(version: FunctionVersion): Promise<Lease> {
    if (this.closed) throw new Error("pool is shut down");
    const slot = this.slot(versionKey(version));
    let env: Environment | undefined;
    while ((env = slot.provisionedIdle.pop()) && !this.usable(env, version)) void env.destroy();
    if (!env) {
      while ((env = slot.idle.pop()) && !this.usable(env, version)) void env.destroy();
    }
    if (!env) {
      if (!this.bucket(version.functionName).take(this.clock.now())) {
        throw awsError("TooManyRequestsException", "Rate Exceeded.", { Reason: "FunctionInvocationRateLimitExceeded" });
      }
      env = await this.start(version, "on-demand");
    }
    const leased = env;
    return { env: leased, release: () => this.release(leased) };
  }

  private bucket(name: string): TokenBucket {
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = new TokenBucket(this.deps.scalingRate, this.deps.scalingRate / 10_000, this.clock.now())));
    return b;
  }

  private async start(version: FunctionVersion, initType: InitType): Promise<Environment> {
    const network = networkOf(version);
    const shape = shapeOf(version, network);
    // The package first (on a shared store a node may fetch it), so a failure leaves no spare taken.
    const codeDir = await this.deps.codeDir(version);
    // A runtime started before its package is bound needs a driver that can bind it later.
    const spare = this.deps.driver.bindsLater && SparePool.fits(shape, version.environment) ? (this.deps.spares?.take(shape) ?? (await startUnbound(this.deps.driver, shape))) : undefined;
    const env = await Environment.start(version, initType, { ...this.deps, network, codeDir }, (dead) => this.forget(dead), spare);
    this.created++;
    env.createdAt = this.clock.now();
    this.slot(versionKey(version)).all.add(env);
    return env;
  }

  private async release(env: Environment): Promise<void> {
    if (env.state === EnvState.Destroyed) return;
    const slot = this.slot(versionKey(env.version));
    const provisioned = slot.provisioned.has(env);
    if (env.retired || this.closed || (provisioned && slot.provisioned.size > slot.provisionedTarget)) {
      await env.destroy();
      return;
    }
    await env.park();
    this.lastUsed.set(env, this.clock.now());
    (provisioned ? slot.provisionedIdle : slot.idle).push(env);
  }

  private forget(env: Environment): void {
    const key = versionKey(env.version);
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.all.delete(env);
    for (const list of [slot.idle, slot.provisionedIdle]) {
      const i = list.indexOf(env);
      if (i >= 0) list.splice(i, 1);
    }
    // A provisioned environment that died is replaced.
    if (slot.provisioned.delete(env) && !this.closed) void this.provision(env.version, slot.provisionedTarget);
    if (slot.all.size === 0 && slot.provisionedTarget === 0) this.slots.delete(key);
  }

  /** Keep `count` initialised provisioned environments for this version. */
  private async provision(version: FunctionVersion, count: number): Promise<void> {
    const slot = this.slot(versionKey(version));
    slot.provisionedTarget = count;
    for (const env of [...slot.provisionedIdle].slice(0, Math.max(0, slot.provisioned.size - count))) {
      slot.provisioned.delete(env);
      void env.destroy();
    }
    // Environments already starting count: a second reconcile while they start must not add more.
    const missing = count - slot.provisioned.size - slot.provisioning;
    await Promise.all(
      Array.from({ length: Math.max(0, missing) }, async () => {
        slot.provisioning++;
        let env: Environment | undefined;
        try {
          env = await this.start(version, "provisioned-concurrency");
        } catch (err) {
          slot.failure = `Provisioning failed: ${(err as Error).message}`;
          return;
        } finally {
          slot.provisioning--;
        }
        // The target may have dropped while it started.
        if (slot.provisioned.size >= slot.provisionedTarget) {
          void env.destroy();
          return;
        }
        slot.provisioned.add(env);
        try {
          if (!(await env.waitInit())) throw new Error("the function's init failed");
          if (slot.provisioned.has(env) && env.state === EnvState.Idle) slot.provisionedIdle.push(env);
          delete slot.failure;
        } catch (err) {
          slot.failure = `Provisioning failed: ${(err as Error).message}`;
        }
      }),
    );
  }

  /** Make provisioned environments match a function's provisioned concurrency configurations. */
  reconcile(record: FunctionRecord): void {
    const desired = new Map<string, { version: FunctionVersion; count: number }>();
    for (const config of Object.values(record.provisioned)) {
      const number = /^\d+$/.test(config.qualifier) ? config.qualifier : record.aliases[config.qualifier]?.functionVersion;
      const version = number === undefined ? undefined : record.versions[number];
      if (version) desired.set(versionKey(version), { version, count: config.requested });
    }
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(`${record.name}:`)) continue;
      const version = key.slice(record.name.length + 1);
      if (version !== "$LATEST" && !record.versions[version]) this.retire(record.name, undefined, version);
      if (slot.provisionedTarget > 0 && !desired.has(key)) void this.provision([...slot.all][0]?.version ?? record.versions[version]!, 0);
    }
    for (const { version, count } of desired.values()) void this.provision(version, count);
  }

  /** Provisioned environments of a version: created, and initialised and ready. */
  progress(functionName: string, version: string): { allocated: number; available: number; failed?: string } {
    const slot = this.slots.get(keyOf(functionName, version));
    if (!slot) return { allocated: 0, available: 0 };
    const available = [...slot.provisioned].filter((e) => e.state === EnvState.Idle || e.state === EnvState.Busy).length;
    return { allocated: slot.provisioned.size, available, ...(slot.failure && available < slot.provisionedTarget ? { failed: slot.failure } : {}) };
  }

  /**
   * The function changed or was deleted: idle environments go now, busy ones when they finish.
   * `keepRevision` spares environments of that configuration; `onlyVersion` limits it to one version.
   */
  retire(functionName: string, keepRevision?: string, onlyVersion?: string): void {
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(`${functionName}:`)) continue;
      if (onlyVersion !== undefined && key !== keyOf(functionName, onlyVersion)) continue;
      if (keepRevision === undefined) slot.provisionedTarget = 0;
      for (const env of slot.all) {
        if (keepRevision !== undefined && (env.version.revisionId === keepRevision || env.version.version !== "$LATEST")) continue;
        env.retired = true;
        if (env.state === EnvState.Idle) void env.destroy();
      }
    }
  }

  private reap(): void {
    const now = this.clock.now();
    const cutoff = now - this.idleTimeoutMs;
    for (const slot of this.slots.values()) {
      for (const env of [...slot.idle]) {
        if ((this.lastUsed.get(env) ?? 0) <= cutoff) void env.destroy();
      }
      // Environments are recycled after a few hours, well before their credentials expire; a
      // provisioned one is replaced when it goes.
      for (const env of slot.all) {
        if (now - env.createdAt < MAX_ENVIRONMENT_AGE_MS) continue;
        env.retired = true;
        if (env.state === EnvState.Idle) void env.destroy();
      }
    }
  }

  /** Environments by state (and how many are provisioned), for health and metrics. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const slot of this.slots.values()) {
      for (const env of slot.all) out[env.state] = (out[env.state] ?? 0) + 1;
      if (slot.provisioned.size) out.provisioned = (out.provisioned ?? 0) + slot.provisioned.size;
    }
    return out;
  }

  /** Per function version: environments by state, and provisioned ones. */
  byVersion(): { functionName: string; version: string; state: string; count: number }[] {
    const out: { functionName: string; version: string; state: string; count: number }[] = [];
    for (const [key, slot] of this.slots) {
      const i = key.lastIndexOf(":");
      const [functionName, version] = [key.slice(0, i), key.slice(i + 1)];
      const byState = new Map<string, number>();
      for (const env of slot.all) byState.set(env.state, (byState.get(env.state) ?? 0) + 1);
      byState.set("provisioned", slot.provisioned.size);
      for (const [state, count] of byState) out.push({ functionName, version, state, count });
    }
    return out;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.reaper.cancel();
    await this.deps.spares?.close();
    const all = [...this.slots.values()].flatMap((s) => [...s.all]);
    await Promise.all(all.map((env) => env.destroy()));
  }
}
