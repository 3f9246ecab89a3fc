/**
 * Provisioned concurrency on several nodes: one node at a time keeps a function's provisioned
 * environments, the holder of the lease `provisioned:<name>`, so three nodes do not start three times
 * the configured count. The others keep none for it and report the holder's progress, which the
 * holder records in the store's settings on each tick. When the holder dies, another node takes the
 * lease after the lease time and provisions. With one node (the embedded store) this is not used:
 * every function's provisioned environments are that node's.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import type { ProvisionedProgress } from "../services/lambda/concurrency.js";
import type { LeaseStore } from "../store/lease-store.js";
import type { SettingsStore } from "../store/settings-store.js";

export const PROVISIONED_LEASE_MS = 10_000;

export interface ProvisionedLeaseDeps {
  leases: LeaseStore;
  settings: SettingsStore;
  clock: Clock;
  /** Every function this node knows (the registry, a cache of the store). */
  records(): Iterable<FunctionRecord>;
  /** Make this node's provisioned environments match `record` (with no configurations: none). */
  reconcile(record: FunctionRecord): void;
  /** This node's own provisioned environments of a version. */
  local(functionName: string, version: string): ProvisionedProgress;
}

const leaseName = (fn: string) => `provisioned:${fn}`;
const progressKey = (fn: string, qualifier: string) => `provisioned-progress:${fn}:${qualifier}`;
const NONE: ProvisionedProgress = { allocated: 0, available: 0 };

export class ProvisionedLeases {
  private readonly held = new Set<string>();
  /** The holders' progress as last read, by function and qualifier, for functions this node does not hold. */
  private readonly remote = new Map<string, ProvisionedProgress>();
  private timer?: Timer;
  private ticking?: Promise<void>;

  constructor(private readonly deps: ProvisionedLeaseDeps) {}

  /** `record` as this node should provision it: its configurations if it holds the function's lease, else none. */
  view(record: FunctionRecord): FunctionRecord {
    return this.held.has(record.name) ? record : { ...record, provisioned: {} };
  }

  /** A configuration's progress: this node's environments if it holds the lease, else what the holder last recorded. */
  progress(functionName: string, qualifier: string, version: string | undefined): ProvisionedProgress {
    if (this.held.has(functionName)) return version ? this.deps.local(functionName, version) : NONE;
    return this.remote.get(progressKey(functionName, qualifier)) ?? NONE;
  }

  /** Tick every third of the lease time, on the Flint clock the leases are timed by (`--time-scale`). */
  start(): void {
    this.timer = this.deps.clock.every(Math.round(PROVISIONED_LEASE_MS / 3), () => void this.tick());
    void this.tick();
  }

  /** Renew held leases, take free ones, give up those of functions that no longer provision, publish and read progress. */
  tick(): Promise<void> {
    return (this.ticking ??= this.run().finally(() => (this.ticking = undefined)));
  }

  private async run(): Promise<void> {
    const { leases, settings, clock } = this.deps;
    try {
      const now = clock.now();
      const wanted = new Map<string, FunctionRecord>();
      for (const r of this.deps.records()) if (Object.keys(r.provisioned).length > 0) wanted.set(r.name, r);
      // Functions that stopped provisioning (or were deleted): give their leases up.
      for (const name of [...this.held]) {
        if (wanted.has(name)) continue;
        this.held.delete(name);
        await leases.release(leaseName(name));
      }
      const kept = new Set(await leases.renew([...this.held].map(leaseName), now, PROVISIONED_LEASE_MS));
      for (const name of [...this.held]) {
        if (kept.has(leaseName(name))) continue;
        this.held.delete(name);
        const r = wanted.get(name);
        if (r) this.deps.reconcile(this.view(r));
      }
      for (const [name, r] of wanted) {
        if (this.held.has(name)) continue;
        if (await leases.acquire(leaseName(name), now, PROVISIONED_LEASE_MS)) {
          this.held.add(name);
          this.deps.reconcile(r);
        }
      }
      for (const [name, r] of wanted) {
        for (const config of Object.values(r.provisioned)) {
          const key = progressKey(name, config.qualifier);
          if (this.held.has(name)) {
            const version = /^\d+$/.test(config.qualifier) ? config.qualifier : r.aliases[config.qualifier]?.functionVersion;
            await settings.put(key, JSON.stringify(version ? this.deps.local(name, version) : NONE));
          } else {
            const stored = await settings.get(key);
            this.remote.set(key, stored ? (JSON.parse(stored) as ProvisionedProgress) : NONE);
          }
        }
      }
    } catch (err) {
      console.error("flint: provisioned concurrency leases:", (err as Error).message);
    }
  }

  /** Stop, giving every lease up so another node provisions at once. */
  async close(): Promise<void> {
    this.timer?.cancel();
    await this.ticking;
    for (const name of this.held) await this.deps.leases.release(leaseName(name)).catch(() => {});
    this.held.clear();
  }
}
