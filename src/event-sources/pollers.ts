/**
 * The event source mappings' pollers: one per enabled mapping, started, replaced and stopped as
 * the control plane (services/lambda/event-source-mappings.ts) tells of changes. What every source
 * shares (invoking as the mapping's function, acting with its execution role, reporting results,
 * filters, metrics, checkpoints, on-failure destinations) comes in `PollerDeps`, built once in
 * main.ts; how each source reads and retries is its poller's (sqs-poller.ts, stream-poller.ts).
 *
 * A mapping is polled by one node at a time: the one holding its lease `mapping:<uuid>` in the
 * store. A node renews the leases of the mappings it polls every third of the lease time, and
 * tries to take those of the enabled mappings it knows and does not poll; a poller whose lease is
 * gone (another node took it) stops. A node that dies stops renewing, so another takes its mappings
 * over once the lease time has passed and resumes from the checkpoints they left in the store; a
 * node that cannot reach the store stops its pollers before their leases can expire.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { ExecuteOutcome } from "../async/queue.js";
import type { MappingRecord, SourceKind } from "../services/lambda/event-source-mappings.js";
import type { MappingStore } from "../store/mapping-store.js";
import type { LeaseStore } from "../store/lease-store.js";
import { compileFilters, type RecordFilter } from "./filter.js";
import { SqsPoller, type SqsSource } from "./sqs-poller.js";
import { StreamPoller, type StreamFlavour, type StreamSource } from "./stream-poller.js";

/** What the pollers count (observability/ implements it: Prometheus and CloudWatch's event source mapping metrics). */
export interface MappingMetrics {
  polled(m: MappingRecord, records: number, filteredOut: number): void;
  /** A batch's invocation: how many events it carried and how many of them failed. */
  batch(m: MappingRecord, outcome: string, events: { invoked: number; failed: number }): void;
  /** Events deleted from the queue after they were processed successfully. */
  deleted(m: MappingRecord, records: number): void;
  discarded(m: MappingRecord, records: number): void;
  /** Records given up on, sent (or not: `delivered` false) to the mapping's on-failure destination. */
  onFailure(m: MappingRecord, records: number, delivered: boolean): void;
  iteratorAge(m: MappingRecord, shardId: string, ms: number): void;
}


/** How long a node holds a mapping it stops renewing: a dead node's mappings move after this. */
export const MAPPING_LEASE_MS = 10_000;

export interface PollerDeps {
  clock: Clock;
  /** Who polls which mapping, across nodes; absent: this node polls every mapping it knows. */
  leases?: LeaseStore;
  region: string;
  sqs: SqsSource;
  streams: Partial<Record<Exclude<SourceKind, "sqs">, { source: StreamSource; flavour: StreamFlavour }>>;
  checkpoints: MappingStore;
  metrics: MappingMetrics;
  /** Invoke the mapping's function (as its FunctionArn names it) synchronously with a batch. */
  execute(m: MappingRecord, requestId: string, payload: Buffer): Promise<ExecuteOutcome>;
  /** Throws (an AwsError) when the function's execution role may not do `action` on `resource`. */
  authorize(m: MappingRecord, action: string, resource: string): void;
  /** Send an on-failure record with the function's execution role. */
  deliver(m: MappingRecord, destination: string, body: string): Promise<void>;
  report(uuid: string, report: { lastProcessingResult?: string; stateTransitionReason?: string }): void;
  /** The function's execution role, its timeout (seconds), ARN and the version a qualifier runs. */
  roleOf(m: MappingRecord): string | undefined;
  functionTimeout(m: MappingRecord): number | undefined;
  functionArn(m: MappingRecord): string;
  executedVersion(m: MappingRecord): string;
  filterOf(m: MappingRecord): RecordFilter | undefined;
}

interface Poller {
  start(): void;
  stop(): Promise<void>;
}

export class EventSourcePollers {
  private readonly pollers = new Map<string, { poller: Poller; record: MappingRecord }>();
  /** The enabled mappings this node knows, polled here or not (their lease is another node's). */
  private readonly wanted = new Map<string, MappingRecord>();
  /** When each lease this node holds expires, as last taken or renewed. */
  private readonly expiries = new Map<string, number>();
  /** Each stream mapping's IteratorAge per shard, as last read (for `flint mappings`). */
  private readonly ages = new Map<string, Map<string, number>>();
  private readonly filters = new WeakMap<MappingRecord, RecordFilter | undefined>();
  /** Changes are applied one after another per mapping. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly leaseTimer?: Timer;
  /** How the last renewal of this node's leases went. */
  private renewal: "pending" | "done" | "failed" = "done";
  private readonly leaseMs = MAPPING_LEASE_MS;
  /** How often leases are renewed and free ones sought: a third of the lease time. */
  private readonly tickMs = Math.floor(MAPPING_LEASE_MS / 3);
  readonly deps: PollerDeps;

  constructor(deps: Omit<PollerDeps, "filterOf">) {
    this.deps = {
      ...deps,
      metrics: {
        ...deps.metrics,
        iteratorAge: (m, shardId, ms) => {
          (this.ages.get(m.uuid) ?? this.ages.set(m.uuid, new Map()).get(m.uuid)!).set(shardId, ms);
          deps.metrics.iteratorAge(m, shardId, ms);
        },
      },
      filterOf: (m) => {
        if (!m.filters) return undefined;
        if (!this.filters.has(m)) this.filters.set(m, compileFilters({ Filters: m.filters }));
        return this.filters.get(m);
      },
    };
    if (deps.leases) this.leaseTimer = deps.clock.every(this.tickMs, () => void this.tendLeases());
  }

  /** A mapping changed (undefined: deleted): stop its poller and, when it is enabled, start one with the new settings. */
  apply(uuid: string, record: MappingRecord | undefined): Promise<void> {
    return this.serially(uuid, async () => {
      await this.stopPoller(uuid);
      if (!record) this.ages.delete(uuid);
      if (!record || !record.enabled || !this.polls(record)) {
        this.wanted.delete(uuid);
        await this.release(uuid);
        return;
      }
      this.wanted.set(uuid, record);
      if (await this.take(uuid)) this.startPoller(record);
    });
  }

  /** Run `fn` after every change queued for the mapping before it. */
  private serially(uuid: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(uuid) ?? Promise.resolve()).then(fn);
    const settled = next.catch((err) => console.error(`flint: event source mapping ${uuid}:`, err));
    this.chains.set(uuid, settled);
    void settled.then(() => {
      if (this.chains.get(uuid) === settled) this.chains.delete(uuid);
    });
    return settled;
  }

  private startPoller(record: MappingRecord): void {
    const poller = this.create(record);
    if (!poller) return;
    this.pollers.set(record.uuid, { poller, record });
    poller.start();
  }

  private async stopPoller(uuid: string): Promise<void> {
    const current = this.pollers.get(uuid);
    if (!current) return;
    this.pollers.delete(uuid);
    await current.poller.stop();
  }

  /** Take (or extend) the mapping's lease for this node; true when it is this node's to poll. */
  private async take(uuid: string): Promise<boolean> {
    const leases = this.deps.leases;
    if (!leases) return true;
    const now = this.deps.clock.now();
    const held = await leases.acquire(leaseName(uuid), now, this.leaseMs).catch((err) => {
      console.error(`flint: event source mapping ${uuid}: taking its lease:`, err);
      return false;
    });
    if (held) this.expiries.set(uuid, now + this.leaseMs);
    else this.expiries.delete(uuid);
    return held;
  }

  private async release(uuid: string): Promise<void> {
    if (!this.expiries.delete(uuid)) return;
    await this.deps.leases?.release(leaseName(uuid)).catch((err) => console.error(`flint: event source mapping ${uuid}: releasing its lease:`, err));
  }

  /**
   * Every third of the lease time: renew this node's leases and stop the pollers whose lease another
   * node took; take the leases of known mappings polled nowhere. A poller whose lease has gone
   * unrenewed (the store unreachable, or slow to answer) stops while the lease still holds, since
   * once it expires another node may take the mapping.
   */
  private async tendLeases(): Promise<void> {
    const leases = this.deps.leases;
    if (!leases) return;
    const now = this.deps.clock.now();
    // The last renewal failed or has not answered yet: a lease renewed two ticks ago has about a
    // tick left, and the next renewal may come too late for it.
    if (this.renewal !== "done") {
      for (const [uuid, p] of this.pollers) if ((this.expiries.get(uuid) ?? 0) - now < 1.5 * this.tickMs) this.stopLost(uuid, p);
    }
    if (this.renewal === "pending") return;
    this.renewal = "pending";
    const held = [...this.pollers].map(([uuid, p]) => ({ uuid, p }));
    let kept: Set<string>;
    try {
      kept = new Set(await leases.renew(held.map((h) => leaseName(h.uuid)), now, this.leaseMs));
      this.renewal = "done";
    } catch (err) {
      this.renewal = "failed";
      console.error("flint: event source mappings: renewing their leases:", err);
      return;
    }
    for (const { uuid, p } of held) {
      if (kept.has(leaseName(uuid))) this.expiries.set(uuid, now + this.leaseMs);
      else this.stopLost(uuid, p);
    }
    for (const uuid of this.wanted.keys()) {
      if (this.pollers.has(uuid)) continue;
      void this.serially(uuid, async () => {
        const record = this.wanted.get(uuid);
        if (record && !this.pollers.has(uuid) && (await this.take(uuid))) this.startPoller(record);
      });
    }
  }

  /** Stop a poller whose lease is (or may soon be) another node's, unless a change replaced it meanwhile (taking the lease afresh). */
  private stopLost(uuid: string, p: { poller: Poller }): void {
    void this.serially(uuid, async () => {
      if (this.pollers.get(uuid) !== p) return;
      this.expiries.delete(uuid);
      await this.stopPoller(uuid);
    });
  }

  /** Can this node poll the mapping's kind of source? */
  private polls(m: MappingRecord): boolean {
    return m.source === "sqs" || this.deps.streams[m.source] !== undefined;
  }

  private create(m: MappingRecord): Poller | undefined {
    if (m.source === "sqs") return new SqsPoller(this.deps, m);
    const stream = this.deps.streams[m.source];
    return stream ? new StreamPoller(this.deps, stream.source, stream.flavour, m) : undefined;
  }

  /** The mappings being polled now, on this node. */
  running(): MappingRecord[] {
    return [...this.pollers.values()].map((p) => p.record);
  }

  /** A stream mapping's IteratorAge (ms) per shard as last read; empty before its first read. */
  iteratorAges(uuid: string): { shardId: string; ms: number }[] {
    return [...(this.ages.get(uuid) ?? [])].map(([shardId, ms]) => ({ shardId, ms }));
  }

  /** Stop polling, and give this node's leases up so that other nodes take the mappings over at once. */
  async close(): Promise<void> {
    this.leaseTimer?.cancel();
    this.wanted.clear();
    await Promise.all([...this.chains.values()]);
    await Promise.all([...this.pollers.values()].map((p) => p.poller.stop()));
    this.pollers.clear();
    await Promise.all([...this.expiries.keys()].map((uuid) => this.release(uuid)));
  }
}

function leaseName(uuid: string): string {
  return `mapping:${uuid}`;
}
