/**
 * Execution environments per function version: warm ones are reused (most recently used first),
 * parallel invocations get parallel environments, idle ones expire, and a broken or outdated
 * environment is destroyed instead of being returned.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { FunctionVersion } from "../services/lambda/model.js";
import type { NetworkMode } from "../sandbox/driver.js";
import { EnvState, Environment, shapeOf, type EnvironmentDeps, type InitType } from "./environment.js";
import { SparePool, startUnbound } from "./spares.js";

export interface PoolDeps extends Omit<EnvironmentDeps, "codeDir" | "network"> {
  codeDir(version: FunctionVersion): string;
  spares?: SparePool;
}

/** A function in a VPC (VpcConfig with subnets) gets no network but its Runtime API, like a VPC without egress. */
export function networkOf(version: FunctionVersion): NetworkMode {
  return version.vpcConfig?.SubnetIds.length ? "isolated" : "default";
}

interface Slot {
  idle: Environment[];
  all: Set<Environment>;
}

/** A leased environment; `release()` must be called exactly once, in `finally`. */
export interface Lease {
  env: Environment;
  release(): Promise<void>;
}

const keyOf = (v: FunctionVersion) => `${v.functionName}:${v.version}`;

export class EnvironmentPool {
  private readonly slots = new Map<string, Slot>();
  private readonly lastUsed = new WeakMap<Environment, number>();
  private readonly reaper: Timer;
  private closed = false;

  constructor(
    private readonly deps: PoolDeps,
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
  ) {
    this.reaper = clock.every(Math.min(30_000, Math.max(50, idleTimeoutMs / 4)), () => this.reap());
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { idle: [], all: new Set() }));
    return s;
  }

  /** A warm environment for this exact configuration, or a new one (cold start). */
  async acquire(version: FunctionVersion, initType: InitType = "on-demand"): Promise<Lease> {
    if (this.closed) throw new Error("pool is shut down");
    const slot = this.slot(keyOf(version));
    let env: Environment | undefined;
    while ((env = slot.idle.pop())) {
      if (env.state === EnvState.Idle && env.version.revisionId === version.revisionId && !env.retired) break;
      void env.destroy();
    }
    if (!env) {
      const network = networkOf(version);
      const shape = shapeOf(version, network);
      const spare = SparePool.fits(shape, version.environment) ? (this.deps.spares?.take(shape) ?? (await startUnbound(this.deps.driver, shape))) : undefined;
      env = await Environment.start(version, initType, { ...this.deps, network, codeDir: this.deps.codeDir(version) }, (dead) => this.forget(dead), spare);
      slot.all.add(env);
    }
    const leased = env;
    return { env: leased, release: () => this.release(leased) };
  }

  private async release(env: Environment): Promise<void> {
    if (env.state === EnvState.Destroyed) return;
    if (env.retired || this.closed) {
      await env.destroy();
      return;
    }
    await env.park();
    this.lastUsed.set(env, this.clock.now());
    this.slot(keyOf(env.version)).idle.push(env);
  }

  private forget(env: Environment): void {
    const key = keyOf(env.version);
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.all.delete(env);
    const i = slot.idle.indexOf(env);
    if (i >= 0) slot.idle.splice(i, 1);
    if (slot.all.size === 0) this.slots.delete(key);
  }

  /** The function changed or was deleted: idle environments go now, busy ones when they finish. */
  retire(functionName: string, keepRevision?: string): void {
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(`${functionName}:`)) continue;
      for (const env of slot.all) {
        if (keepRevision !== undefined && env.version.revisionId === keepRevision) continue;
        env.retired = true;
        if (env.state === EnvState.Idle) void env.destroy();
      }
    }
  }

  private reap(): void {
    const cutoff = this.clock.now() - this.idleTimeoutMs;
    for (const slot of this.slots.values()) {
      for (const env of [...slot.idle]) {
        if ((this.lastUsed.get(env) ?? 0) <= cutoff) void env.destroy();
      }
    }
  }

  /** Environments by state, for health and metrics. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const slot of this.slots.values()) for (const env of slot.all) out[env.state] = (out[env.state] ?? 0) + 1;
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
