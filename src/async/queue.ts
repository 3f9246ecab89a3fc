/**
 * Asynchronous invocation: `InvocationType: Event` hands an event over; it is stored durably before
 * the 202, then run through the same concurrency rules as synchronous invokes, retried on function
 * errors (about 1, then 2 minutes later), retried with backoff while throttled, and finally sent to
 * its OnSuccess/OnFailure destination or dead-letter queue, or discarded with a log line and metric.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 *
 * Delivery is at least once: an event is removed only after its outcome was recorded, so a crash
 * between running it and recording that runs it again after the restart. All times are Flint time
 * (clock/), so `--time-scale` speeds retries and expiry up without changing them.
 *
 * Work is claimed, not copied: each stored event is held by one node (async-store.ts). The node
 * that accepts an event holds it and runs it; every third of the lease time it renews what it holds
 * and claims events whose lease expired (a node died, or an event fell due that nobody holds), and
 * runs those as if recovered. A node that lost an event (it stalled past its lease) drops it at its
 * next write, so an event runs twice at most while a node dies or stalls with it in flight.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { AsyncEvent, AsyncEventStore, TimelineEntry } from "../store/async-store.js";
import { type Condition, deadLetterMessage, errorMessageOf, invocationRecord, type MessageAttribute } from "./records.js";

/** What running an event once came to. */
export type ExecuteOutcome =
  | { kind: "completed"; executedVersion: string; functionArn: string; payload: Buffer; functionError?: string; deadLetterTargetArn?: string }
  | { kind: "throttled"; reason: string; /** reserved concurrency 0: events go straight to failure handling */ disabled: boolean; deadLetterTargetArn?: string; functionArn: string }
  | { kind: "gone"; message: string };

export interface AsyncSettings {
  maximumRetryAttempts: number;
  maximumEventAgeMs: number;
  onSuccess?: string;
  onFailure?: string;
  /** DeadLetterConfig.TargetArn of the version the qualifier names now. */
  deadLetterTargetArn?: string;
}

export interface AsyncDeps {
  store: AsyncEventStore;
  clock: Clock;
  /** Run the event once through the invoke path (concurrency gate, pool). */
  execute(functionName: string, qualifier: string | undefined, requestId: string, payload: Buffer): Promise<ExecuteOutcome>;
  /** The settings for the function and qualifier it was invoked with; undefined once the function is gone. */
  settings(functionName: string, qualifier: string | undefined): AsyncSettings | undefined;
  /**
   * Send a message to an SQS queue, SNS topic or Lambda function by ARN, on behalf of the function
   * the event was for (with its execution role, as Lambda does); rejects when it cannot.
   */
  deliver(targetArn: string, body: string, attributes: Record<string, MessageAttribute> | undefined, from: { functionName: string; qualifier?: string }): Promise<void>;
  /** Events run at once per function (they also obey reserved and account concurrency). */
  concurrencyPerFunction: number;
  metrics?: AsyncMetrics;
  /** How long an event stays held by this node without a renewal (Flint ms); default DEFAULT_LEASE_TTL_MS. */
  leaseTtlMs?: number;
}

export type FinalOutcome = "succeeded" | "delivered" | "discarded";

/** What the queue counts (observability/ implements it: Prometheus and CloudWatch's asynchronous invocation metrics). */
export interface AsyncMetrics {
  /** An event was queued (AsyncEventsReceived). */
  received(functionName: string, qualifier: string | undefined): void;
  /** An event is about to run, this long after it was queued (AsyncEventAge). */
  attempted(functionName: string, qualifier: string | undefined, ageMs: number): void;
  ended(functionName: string, qualifier: string | undefined, outcome: FinalOutcome): void;
  /** Sending to a destination or the dead-letter queue failed (DestinationDeliveryFailures, DeadLetterErrors). */
  sendFailed(functionName: string, qualifier: string | undefined, kind: "destination" | "dead-letter"): void;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_EVENT_AGE_S = 21_600;
/** 1 minute before the first retry, 2 before the second (AWS), plus up to 10% jitter. */
const RETRY_DELAYS_MS = [60_000, 120_000];
const THROTTLE_BACKOFF_MS = { first: 1_000, max: 300_000 };
/** Timelines are kept this long (Flint time) after their event ended. */
const TIMELINE_RETENTION_MS = 24 * 3_600_000;
/** A dead node's events are claimed by the others within about this long (plus a third of it). */
export const DEFAULT_LEASE_TTL_MS = 10_000;
/** Events claimed per claim; `tend` claims again while batches come back full and this node has fewer than CLAIM_BACKLOG waiting. */
const CLAIM_BATCH = 256;
/** A node with this many events of its own waiting leaves the rest to the other nodes for now. */
const CLAIM_BACKLOG = 2_048;

interface FunctionQueue {
  ready: AsyncEvent[];
  running: number;
}

export class AsyncInvocations {
  private readonly queues = new Map<string, FunctionQueue>();
  private readonly timers = new Map<string, Timer>();
  private readonly pruner: Timer;
  private readonly leases: Timer;
  private readonly leaseTtlMs: number;
  /** Events this node holds and has not ended: waiting, ready or running. */
  private readonly held = new Set<string>();
  private tending = false;
  private closed = false;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: AsyncDeps) {
    this.leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.pruner = deps.clock.every(3_600_000, () => void deps.store.pruneTimelines(deps.clock.now() - TIMELINE_RETENTION_MS));
    this.leases = deps.clock.every(this.leaseTtlMs / 3, () => void this.tend());
  }

  /** Pick up what a previous run left (at-least-once): on a shared store, what no live node holds. */
  async recover(): Promise<number> {
    const now = this.deps.clock.now();
    const events = await this.deps.store.recover(now, now + this.leaseTtlMs);
    await Promise.all(events.map((event) => this.take(event)));
    return events.length;
  }

  /** Renew the leases of what this node holds, then claim what nobody holds any more. */
  async tend(): Promise<void> {
    if (this.tending) return;
    this.tending = true;
    try {
      const now = this.deps.clock.now();
      await this.deps.store.renew(now + this.leaseTtlMs);
      // Closing: keep what still runs here, take nothing new.
      if (this.closed) return;
      while (!this.closed && this.pendingCount() < CLAIM_BACKLOG) {
        const claimed = await this.deps.store.claim(now, now + this.leaseTtlMs, CLAIM_BATCH);
        // Their `recovered` entries written at once: one group commit on SQLite, parallel on PostgreSQL.
        await Promise.all(claimed.map((event) => this.take(event)));
        if (claimed.length < CLAIM_BATCH) break;
      }
    } catch (err) {
      console.error("flint: async event leases:", (err as Error).message);
    } finally {
      this.tending = false;
    }
  }

  /** Run an event this node just took from the store as one a restart found. */
  private async take(event: AsyncEvent): Promise<void> {
    if (this.held.has(event.requestId)) return;
    this.held.add(event.requestId);
    if (await this.deps.store.update(event, [{ at: this.deps.clock.now(), kind: "recovered", detail: { attempts: event.attempts } }])) this.schedule(event);
    else this.held.delete(event.requestId);
  }

  /** Store an event durably (held by this node), then queue it. Resolves once it is safe to answer 202. */
  async accept(functionName: string, qualifier: string | undefined, requestId: string, payload: Buffer): Promise<void> {
    const now = this.deps.clock.now();
    const event: AsyncEvent = { requestId, functionName, ...(qualifier !== undefined ? { qualifier } : {}), payload, receivedAt: now, attempts: 0, throttles: 0, dueAt: now };
    await this.deps.store.accept(event, { at: now, kind: "accepted", detail: { functionName, ...(qualifier !== undefined ? { qualifier } : {}), bytes: payload.length } }, now + this.leaseTtlMs);
    this.held.add(requestId);
    this.deps.metrics?.received(functionName, qualifier);
    this.schedule(event);
  }

  timeline(requestId: string): Promise<TimelineEntry[]> {
    return this.deps.store.timeline(requestId);
  }

  /** Events accepted and not ended, per function (for health and tests). */
  pendingCount(): number {
    let n = this.timers.size;
    for (const q of this.queues.values()) n += q.ready.length + q.running;
    return n;
  }

  private schedule(event: AsyncEvent): void {
    if (this.closed) return;
    const wait = event.dueAt - this.deps.clock.now();
    if (wait <= 0) return this.enqueue(event);
    this.timers.set(
      event.requestId,
      this.deps.clock.after(wait, () => {
        this.timers.delete(event.requestId);
        this.enqueue(event);
      }),
    );
  }

  private enqueue(event: AsyncEvent): void {
    let q = this.queues.get(event.functionName);
    if (!q) this.queues.set(event.functionName, (q = { ready: [], running: 0 }));
    q.ready.push(event);
    this.pump(event.functionName, q);
  }

  private pump(name: string, q: FunctionQueue): void {
    while (!this.closed && q.running < this.deps.concurrencyPerFunction && q.ready.length) {
      const event = q.ready.shift()!;
      q.running++;
      const run = this.run(event)
        .catch((err) => console.error(`flint: async event ${event.requestId} of ${name}:`, err))
        .finally(() => {
          this.inFlight.delete(run);
          q.running--;
          if (q.running === 0 && q.ready.length === 0) this.queues.delete(name);
          else this.pump(name, q);
        });
      this.inFlight.add(run);
    }
  }

  private async run(event: AsyncEvent): Promise<void> {
    const { clock, store } = this.deps;
    const settings = this.deps.settings(event.functionName, event.qualifier);
    if (!settings) return this.end(event, "discarded", [{ at: clock.now(), kind: "dropped", detail: { reason: "FunctionNotFound" } }]);
    if (clock.now() - event.receivedAt > settings.maximumEventAgeMs) return this.fail(event, settings, "EventAgeExceeded", undefined);

    this.deps.metrics?.attempted(event.functionName, event.qualifier, clock.now() - event.receivedAt);
    const outcome = await this.deps.execute(event.functionName, event.qualifier, event.requestId, event.payload);
    const now = clock.now();
    switch (outcome.kind) {
      case "gone":
        return this.end(event, "discarded", [{ at: now, kind: "dropped", detail: { reason: "FunctionNotFound", message: outcome.message } }]);
      case "throttled": {
        if (outcome.disabled) {
          // Reserved concurrency 0: AWS sends new events to the failure targets without retrying.
          return this.fail(event, settings, "RetriesExhausted", outcome.deadLetterTargetArn, outcome.functionArn, `Function is throttled: ${outcome.reason}`);
        }
        event.throttles++;
        const backoff = Math.min(THROTTLE_BACKOFF_MS.max, THROTTLE_BACKOFF_MS.first * 2 ** (event.throttles - 1));
        event.dueAt = now + jitter(backoff);
        if (!(await store.update(event, [{ at: now, kind: "throttled", detail: { reason: outcome.reason, retryAt: event.dueAt } }]))) return this.lost(event);
        return this.schedule(event);
      }
      case "completed": {
        if (outcome.deadLetterTargetArn === undefined) delete settings.deadLetterTargetArn;
        event.attempts++;
        event.throttles = 0;
        const payload = outcome.payload.toString("utf8");
        const attempt: TimelineEntry = {
          at: now,
          kind: "attempt",
          detail: { attempt: event.attempts, executedVersion: outcome.executedVersion, ...(outcome.functionError ? { functionError: outcome.functionError, error: errorMessageOf(payload, "").slice(0, 256) } : {}) },
        };
        if (!outcome.functionError) {
          const entries = [attempt];
          if (settings.onSuccess) {
            const record = invocationRecord({
              requestId: event.requestId, functionArn: outcome.functionArn, condition: "Success", approximateInvokeCount: event.attempts,
              requestPayload: event.payload, response: { executedVersion: outcome.executedVersion, payload }, at: now,
            });
            entries.push(await this.send(event, settings.onSuccess, "destination", record));
          }
          return this.end(event, "succeeded", entries);
        }
        event.lastError = { executedVersion: outcome.executedVersion, functionArn: outcome.functionArn, payload, functionError: outcome.functionError };
        if (event.attempts <= settings.maximumRetryAttempts) {
          const delay = RETRY_DELAYS_MS[Math.min(event.attempts - 1, RETRY_DELAYS_MS.length - 1)]!;
          // A retry due after the event's maximum age is tried when it expires instead (and fails as EventAgeExceeded).
          event.dueAt = Math.min(now + jitter(delay), event.receivedAt + settings.maximumEventAgeMs + 1);
          if (!(await store.update(event, [attempt, { at: now, kind: "retry", detail: { retryAt: event.dueAt } }]))) return this.lost(event);
          return this.schedule(event);
        }
        if (!(await store.update(event, [attempt]))) return this.lost(event);
        return this.fail(event, settings, "RetriesExhausted", outcome.deadLetterTargetArn);
      }
    }
  }

  /** Failure handling: OnFailure destination and dead-letter queue, or discard. */
  private async fail(event: AsyncEvent, settings: AsyncSettings, condition: Exclude<Condition, "Success">, dlq: string | undefined, functionArn?: string, reason?: string): Promise<void> {
    const now = this.deps.clock.now();
    const last = event.lastError;
    const entries: TimelineEntry[] = [];
    if (condition === "EventAgeExceeded") console.error(`flint: async event ${event.requestId} of ${event.functionName} expired after ${event.attempts} attempt(s)`);
    if (settings.onFailure) {
      const record = invocationRecord({
        requestId: event.requestId, functionArn: last?.functionArn ?? functionArn ?? event.functionName, condition, approximateInvokeCount: event.attempts,
        requestPayload: event.payload, response: last ? { executedVersion: last.executedVersion, payload: last.payload, functionError: last.functionError } : undefined, at: now,
      });
      entries.push(await this.send(event, settings.onFailure, "destination", record));
    }
    const deadLetter = dlq ?? settings.deadLetterTargetArn;
    if (deadLetter) {
      const message = deadLetterMessage(event.requestId, event.payload, errorMessageOf(last?.payload, reason ?? condition));
      entries.push(await this.send(event, deadLetter, "dead-letter", message.body, message.attributes));
    }
    const delivered = entries.some((e) => e.detail.ok === true);
    if (!delivered) console.error(`flint: async event ${event.requestId} of ${event.functionName} discarded (${condition}, ${event.attempts} attempt(s))`);
    return this.end(event, delivered ? "delivered" : "discarded", [...entries, { at: this.deps.clock.now(), kind: "failed", detail: { condition, attempts: event.attempts, ...(reason ? { reason } : {}) } }]);
  }

  private async send(event: AsyncEvent, target: string, kind: "destination" | "dead-letter", body: string, attributes?: Record<string, MessageAttribute>): Promise<TimelineEntry> {
    try {
      await this.deps.deliver(target, body, attributes, { functionName: event.functionName, ...(event.qualifier !== undefined ? { qualifier: event.qualifier } : {}) });
      return { at: this.deps.clock.now(), kind, detail: { target, ok: true } };
    } catch (err) {
      console.error(`flint: could not send to ${target}: ${(err as Error).message}`);
      this.deps.metrics?.sendFailed(event.functionName, event.qualifier, kind);
      return { at: this.deps.clock.now(), kind, detail: { target, ok: false, error: (err as Error).message } };
    }
  }

  private async end(event: AsyncEvent, outcome: FinalOutcome, entries: TimelineEntry[]): Promise<void> {
    const owned = await this.deps.store.finish(event.requestId, [...entries, { at: this.deps.clock.now(), kind: "ended", detail: { outcome } }]);
    if (!owned) return this.lost(event);
    this.held.delete(event.requestId);
    this.deps.metrics?.ended(event.functionName, event.qualifier, outcome);
  }

  /** Another node took the event while this one had it (it stalled past the lease): that node ends it. */
  private lost(event: AsyncEvent): void {
    this.held.delete(event.requestId);
    console.error(`flint: async event ${event.requestId} of ${event.functionName} was taken over by another node`);
  }

  /**
   * Stop taking events; those running finish (their leases renewed meanwhile), then everything
   * else this node held is given up: other nodes claim it at once, or the next start does.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.pruner.cancel();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
    this.leases.cancel();
    while (this.tending) await new Promise((r) => setImmediate(r));
    await this.deps.store.release().catch((err) => console.error("flint: async event leases:", (err as Error).message));
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.1));
}
