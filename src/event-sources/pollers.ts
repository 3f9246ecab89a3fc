/**
 * The event source mappings' pollers: one per enabled mapping, started, replaced and stopped as
 * the control plane (services/lambda/event-source-mappings.ts) tells of changes. What every source
 * shares (invoking as the mapping's function, acting with its execution role, reporting results,
 * filters, metrics, checkpoints, on-failure destinations) comes in `PollerDeps`, built once in
 * main.ts; how each source reads and retries is its poller's (sqs-poller.ts, stream-poller.ts).
 */
import type { Clock } from "../clock/clock.js";
import type { ExecuteOutcome } from "../async/queue.js";
import type { MappingRecord, SourceKind } from "../services/lambda/event-source-mappings.js";
import type { MappingStore } from "../store/mapping-store.js";
import { compileFilters, type RecordFilter } from "./filter.js";
import { SqsPoller, type SqsSource } from "./sqs-poller.js";
import { StreamPoller, type StreamFlavour, type StreamSource } from "./stream-poller.js";

/** What the pollers count (observability/metrics.ts implements it). */
export interface MappingMetrics {
  polled(m: MappingRecord, records: number, filteredOut: number): void;
  batch(m: MappingRecord, outcome: string): void;
  discarded(m: MappingRecord, records: number): void;
  iteratorAge(m: MappingRecord, shardId: string, ms: number): void;
}

export interface PollerDeps {
  clock: Clock;
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
  /** Each stream mapping's IteratorAge per shard, as last read (for `flint mappings`). */
  private readonly ages = new Map<string, Map<string, number>>();
  private readonly filters = new WeakMap<MappingRecord, RecordFilter | undefined>();
  /** Changes are applied one after another per mapping. */
  private readonly chains = new Map<string, Promise<void>>();
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
  }

  /** A mapping changed (undefined: deleted): stop its poller and, when it is enabled, start one with the new settings. */
  apply(uuid: string, record: MappingRecord | undefined): Promise<void> {
    const next = (this.chains.get(uuid) ?? Promise.resolve()).then(async () => {
      const current = this.pollers.get(uuid);
      if (current) {
        this.pollers.delete(uuid);
        await current.poller.stop();
      }
      if (!record) this.ages.delete(uuid);
      if (!record || !record.enabled) return;
      const poller = this.create(record);
      if (!poller) return;
      this.pollers.set(uuid, { poller, record });
      poller.start();
    });
    const settled = next.catch((err) => console.error(`flint: event source mapping ${uuid}:`, err));
    this.chains.set(uuid, settled);
    void settled.then(() => {
      if (this.chains.get(uuid) === settled) this.chains.delete(uuid);
    });
    return settled;
  }

  private create(m: MappingRecord): Poller | undefined {
    if (m.source === "sqs") return new SqsPoller(this.deps, m);
    const stream = this.deps.streams[m.source];
    return stream ? new StreamPoller(this.deps, stream.source, stream.flavour, m) : undefined;
  }

  /** The mappings being polled now. */
  running(): MappingRecord[] {
    return [...this.pollers.values()].map((p) => p.record);
  }

  /** A stream mapping's IteratorAge (ms) per shard as last read; empty before its first read. */
  iteratorAges(uuid: string): { shardId: string; ms: number }[] {
    return [...(this.ages.get(uuid) ?? [])].map(([shardId, ms]) => ({ shardId, ms }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.chains.values()]);
    await Promise.all([...this.pollers.values()].map((p) => p.poller.stop()));
    this.pollers.clear();
  }
}
