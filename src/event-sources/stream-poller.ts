/**
 * A stream event source mapping (Kinesis or DynamoDB streams: they differ only in their
 * `StreamFlavour`). One worker per shard reads in order from its checkpoint, forms batches
 * (BatchSize, MaximumBatchingWindowInSeconds), drops what the filters refuse, and invokes.
 * - ParallelizationFactor > 1 splits what is read into lanes by partition key; lanes run at once,
 *   each in order, and the checkpoint moves when all of them are done.
 * - A failing batch blocks its lane: it is retried (BisectBatchOnFunctionError splits it first,
 *   which does not count as a retry) until MaximumRetryAttempts or MaximumRecordAgeInSeconds give
 *   up on it; then the OnFailure destination gets AWS's record of it and the lane moves on.
 * - ReportBatchItemFailures resumes from the lowest failed sequence number.
 * - TumblingWindowInSeconds passes `state` from one invocation to the next within a window and
 *   ends each window with a final invocation.
 * Checkpoints (and a window's state) are stored after every batch: after a crash, at most the
 * batches in flight are repeated.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import { createHash } from "node:crypto";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { Checkpoint } from "../store/mapping-store.js";
import { newRequestId } from "../lib/request-id.js";
import { AwsError, awsError } from "../errors.js";
import { batchEvents, batchResult, type BatchResult, RESULT } from "./batch.js";
import { pause } from "../clock/clock.js";
import type { PollerDeps } from "./pollers.js";

export interface StreamRecord {
  sequenceNumber: string;
  /** Epoch ms. */
  approximateArrivalTimestamp: number;
  data: Buffer;
  partitionKey: string;
}

export type StreamPosition = { after: string } | { trimHorizon: true } | { atTimestampMs: number };

/** A stream service as the pollers read it (in-process). */
export interface StreamSource {
  /** The stream's shards in order, or undefined when the stream is gone. */
  shards(arn: string): { shardId: string }[] | undefined;
  read(arn: string, shardId: string, from: StreamPosition, limit: number): Promise<{ records: StreamRecord[]; millisBehindLatest: number }>;
  /** The highest sequence number in the shard now; undefined when it is empty. */
  latestSequence(arn: string, shardId: string): string | undefined;
  /** How long the stream keeps a record (ms): a batch that keeps failing is given up on when its records expire. */
  retentionMs(arn: string): number;
  /** Called once appended records are durable; returns the unsubscribe. */
  onAppend(listener: (arn: string, shardId: string) => void): () => void;
}

/** What differs between stream sources: their event records, filter view and failure record. */
export interface StreamFlavour {
  /** The event record of one stream record. */
  eventRecord(m: MappingRecord, shardId: string, r: StreamRecord, role: string): Record<string, unknown>;
  /** What the filters see of a record. */
  filterView(eventRecord: Record<string, unknown>): Record<string, unknown>;
  /**
   * Whether a stream deleted and made again gets the same ARN (Kinesis: its name), so that a
   * checkpoint past the shard's end means a new stream; absent: true. A DynamoDB stream's ARN ends
   * in its creation time: a checkpoint is always of the stream it names.
   */
  arnReused?: boolean;
  /** What one record weighs in an event (the 6 MB payload limit); absent: Kinesis's measure, base64 data. */
  eventBytes?(r: StreamRecord): number;
  /** `KinesisBatchInfo` / `DDBStreamBatchInfo`. */
  batchInfoKey: string;
  /** An arrival time (epoch ms) as the batch info gives it; absent: ISO 8601 with milliseconds, as Kinesis's. */
  arrivalTime?(ms: number): string;
  /** The actions the execution role needs to read the stream. */
  readActions: string[];
  /** Why a missing stream cannot be polled. */
  missing(arn: string): string;
}

const MAX_PAYLOAD = 6 * 1024 * 1024;
/** What one Kinesis record weighs in an event: its data in base64, and its ids, ARNs and keys (~525 bytes). */
const kinesisEventBytes = (r: StreamRecord) => Math.ceil(r.data.length / 3) * 4 + r.partitionKey.length + 768;
/** Orders sequence numbers: decimal strings, by value. */
const compareSequences = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);
const IDLE_POLL_MS = 1_000;
const PROBLEM_BACKOFF_MS = 5_000;
/** AWS retries a failed stream batch after a short backoff that grows. */
const retryDelay = (attempt: number) => Math.min(1_000, 50 * 2 ** attempt);

/** A checkpoint's sequence for "from the start of the shard" (nothing processed yet, TRIM_HORIZON). */
const FROM_START = "";

/** What a batch's records went through before: their invocations and the last answer to them. */
interface Tried {
  last?: { result: BatchResult; requestId: string };
  invokes: number;
}

interface WindowState {
  start: number;
  state: unknown;
}

export class StreamPoller {
  private readonly abort = new AbortController();
  private readonly shardWorkers = new Map<string, Promise<void>>();
  private wake = new Map<string, () => void>();
  private unsubscribe: () => void = () => {};
  private shardTimer: { cancel(): void } | undefined;

  constructor(
    private readonly deps: PollerDeps,
    private readonly source: StreamSource,
    private readonly flavour: StreamFlavour,
    private readonly m: MappingRecord,
  ) {}

  start(): void {
    this.unsubscribe = this.source.onAppend((arn, shardId) => {
      if (arn === this.m.eventSourceArn) this.wake.get(shardId)?.();
    });
    const discover = () => this.discover().catch((err) => console.error(`flint: event source mapping ${this.m.uuid}: reading ${this.m.eventSourceArn}'s shards:`, err));
    void discover();
    this.shardTimer = this.deps.clock.every(10_000, () => void discover());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.unsubscribe();
    this.shardTimer?.cancel();
    for (const w of this.wake.values()) w();
    await Promise.all(this.shardWorkers.values());
  }

  /** Start a worker for every shard not yet worked on. */
  private async discover(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const shards = this.source.shards(this.m.eventSourceArn);
    if (!shards) {
      const reason = this.flavour.missing(this.m.eventSourceArn);
      this.deps.report(this.m.uuid, { lastProcessingResult: RESULT.sourceGone(reason), stateTransitionReason: reason });
      return;
    }
    const checkpoints = await this.deps.checkpoints.checkpoints(this.m.uuid);
    for (const { shardId } of shards) {
      if (this.shardWorkers.has(shardId) || this.abort.signal.aborted) continue;
      // A worker that fails unexpectedly is forgotten, so the next discovery starts the shard again from its checkpoint.
      const run = this.work(shardId, checkpoints.get(shardId))
        .catch((err) => console.error(`flint: event source mapping ${this.m.uuid} ${shardId}:`, err))
        .finally(() => this.shardWorkers.delete(shardId));
      this.shardWorkers.set(shardId, run);
    }
  }

  /** Where a shard's reading starts: its checkpoint, or the mapping's StartingPosition (LATEST is fixed, durably, now). */
  private async initial(shardId: string, saved: Checkpoint | undefined): Promise<{ position: StreamPosition; window?: WindowState }> {
    const window = saved?.extra ? (JSON.parse(saved.extra) as WindowState) : undefined;
    const m = this.m;
    if (saved?.sequence !== undefined) {
      // A checkpoint past the shard's newest record is a stream deleted and made again under the
      // same name (its mappings outlive it, as on AWS): the new one is read from its start. Only
      // where a new stream can have the old one's ARN (not DynamoDB's).
      const pastEnd = () => {
        const latest = this.source.latestSequence(m.eventSourceArn, shardId);
        return latest === undefined || compareSequences(latest, saved.sequence!) < 0;
      };
      const recreated = this.flavour.arnReused !== false && saved.sequence !== FROM_START && pastEnd();
      if (recreated) return { position: { trimHorizon: true } };
      return { position: saved.sequence === FROM_START ? { trimHorizon: true } : { after: saved.sequence }, ...(window ? { window } : {}) };
    }
    if (m.startingPosition === "AT_TIMESTAMP") return { position: { atTimestampMs: (m.startingPositionTimestamp ?? 0) * 1000 } };
    if (m.startingPosition === "TRIM_HORIZON") return { position: { trimHorizon: true } };
    // LATEST: what is in the shard when the mapping starts is behind it, even after a restart.
    const latest = this.source.latestSequence(m.eventSourceArn, shardId);
    await this.deps.checkpoints.putCheckpoint(m.uuid, shardId, { sequence: latest ?? FROM_START });
    return { position: latest === undefined ? { trimHorizon: true } : { after: latest } };
  }

  /** Resolves when the shard has news (an append), after `ms`, or on stop. */
  private idle(shardId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        timer.cancel();
        this.wake.delete(shardId);
        resolve();
      };
      const timer = this.deps.clock.after(ms, done);
      this.wake.set(shardId, done);
      if (signal.aborted) done();
    });
  }

  private async work(shardId: string, saved: Checkpoint | undefined): Promise<void> {
    const { deps, m, source } = this;
    const signal = this.abort.signal;
    let { position, window } = await this.initial(shardId, saved);
    const factor = m.parallelizationFactor ?? 1;
    while (!signal.aborted) {
      let read;
      try {
        for (const action of this.flavour.readActions) deps.authorize(m, action, m.eventSourceArn);
        if (!source.shards(m.eventSourceArn)) throw awsError("ResourceNotFoundException", this.flavour.missing(m.eventSourceArn));
        read = await this.collect(shardId, position, m.batchSize * factor, signal);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        // A stream deleted under the mapping is reported as discover() reports a missing one, not as a refused permission.
        if (err.code === "ResourceNotFoundException") {
          const reason = this.flavour.missing(m.eventSourceArn);
          deps.report(m.uuid, { lastProcessingResult: RESULT.sourceGone(reason), stateTransitionReason: reason });
        } else deps.report(m.uuid, { lastProcessingResult: RESULT.permission(err.message), stateTransitionReason: err.message });
        await pause(deps.clock, PROBLEM_BACKOFF_MS, signal);
        continue;
      }
      if (window) window = await this.closeWindowIfDue(shardId, window, read.records[0]?.approximateArrivalTimestamp, position);
      if (read.records.length === 0) {
        deps.metrics.iteratorAge(m, shardId, read.millisBehindLatest);
        await this.idle(shardId, window ? Math.max(1, Math.min(IDLE_POLL_MS, window.start + (m.tumblingWindowInSeconds ?? 0) * 1000 - deps.clock.now())) : IDLE_POLL_MS);
        continue;
      }
      const last = read.records[read.records.length - 1]!;
      deps.metrics.iteratorAge(m, shardId, Math.max(read.millisBehindLatest, deps.clock.now() - last.approximateArrivalTimestamp));
      let records = read.records;
      if (m.tumblingWindowInSeconds) {
        // A batch never spans windows: what belongs to a later window waits for the next read.
        const size = m.tumblingWindowInSeconds * 1000;
        const start = Math.floor(records[0]!.approximateArrivalTimestamp / size) * size;
        records = records.filter((r) => r.approximateArrivalTimestamp < start + size);
        if (!window || window.start !== start) window = { start, state: {} };
      }
      const role = deps.roleOf(m) ?? "";
      const events = records.map((r) => ({ r, event: this.flavour.eventRecord(m, shardId, r, role) }));
      const filter = deps.filterOf(m);
      const kept = filter ? events.filter((e) => filter.matches(this.flavour.filterView(e.event))) : events;
      deps.metrics.polled(m, records.length, records.length - kept.length);
      if (kept.length > 0) {
        const lanes = factor === 1 ? [kept] : splitLanes(kept, factor);
        const windowed = window;
        const states = await Promise.all(lanes.map((lane) => this.runLane(shardId, lane, windowed, signal)));
        if (signal.aborted) return;
        if (window) window = { start: window.start, state: states.find((s) => s !== undefined) ?? window.state };
      }
      const done = records[records.length - 1]!.sequenceNumber;
      position = { after: done };
      await deps.checkpoints.putCheckpoint(m.uuid, shardId, { sequence: done, ...(window ? { extra: JSON.stringify(window) } : {}) });
    }
  }

  /** Read up to `limit` records, waiting out the batching window for more when the first read is short. */
  private async collect(shardId: string, from: StreamPosition, limit: number, signal: AbortSignal) {
    const { deps, m, source } = this;
    const first = await source.read(m.eventSourceArn, shardId, from, Math.min(limit, 10_000));
    if (m.maximumBatchingWindowInSeconds === 0 || first.records.length === 0 || first.records.length >= limit) return first;
    const deadline = deps.clock.now() + m.maximumBatchingWindowInSeconds * 1000;
    const records = [...first.records];
    let behind = first.millisBehindLatest;
    let bytes = records.reduce((n, r) => n + r.data.length, 0);
    while (!signal.aborted && records.length < limit && bytes < MAX_PAYLOAD && deps.clock.now() < deadline) {
      await this.idle(shardId, Math.max(1, deadline - deps.clock.now()));
      const more = await source.read(m.eventSourceArn, shardId, { after: records[records.length - 1]!.sequenceNumber }, Math.min(limit - records.length, 10_000));
      records.push(...more.records);
      behind = more.millisBehindLatest;
      bytes += more.records.reduce((n, r) => n + r.data.length, 0);
    }
    return { records, millisBehindLatest: behind };
  }

  /** Run one lane's records in batches of BatchSize (and 6 MB), each until it succeeds or is given up on. Returns the window state the last batch returned. */
  private async runLane(shardId: string, lane: { r: StreamRecord; event: Record<string, unknown> }[], window: WindowState | undefined, signal: AbortSignal): Promise<unknown> {
    let state = window?.state;
    const eventBytes = this.flavour.eventBytes ?? kinesisEventBytes;
    for (let i = 0; i < lane.length && !signal.aborted; ) {
      let bytes = 0;
      let j = i;
      while (j < lane.length && j - i < this.m.batchSize && (j === i || bytes + eventBytes(lane[j]!.r) <= MAX_PAYLOAD)) bytes += eventBytes(lane[j++]!.r);
      const out = await this.runBatch(shardId, lane.slice(i, j), window ? { start: window.start, state } : undefined, 0, signal);
      if (out !== undefined) state = out;
      i = j;
    }
    return state;
  }

  /**
   * Invoke with a batch until it succeeds or is given up on (retries, record age), bisecting on
   * error when asked. Returns the window state the function returned, if any. `attempts` counts
   * against MaximumRetryAttempts (a bisection does not); `tried` is what the records already went
   * through as part of a larger batch (its invocations and last answer), which their on-failure
   * record reports (approximateInvokeCount, responseContext).
   */
  private async runBatch(shardId: string, batch: { r: StreamRecord; event: Record<string, unknown> }[], window: WindowState | undefined, attempts: number, signal: AbortSignal, tried: Tried = { invokes: 0 }): Promise<unknown> {
    const { deps, m } = this;
    const reportFailures = m.functionResponseTypes.includes("ReportBatchItemFailures");
    let { last, invokes } = tried;
    while (batch.length > 0 && !signal.aborted) {
      {
        // MaximumRecordAgeInSeconds -1: until the stream itself lets the records go.
        const maxAge = (m.maximumRecordAgeInSeconds ?? -1) >= 0 ? m.maximumRecordAgeInSeconds! * 1000 : this.source.retentionMs(m.eventSourceArn);
        const oldest = deps.clock.now() - maxAge;
        const expired = batch.filter((e) => e.r.approximateArrivalTimestamp < oldest);
        if (expired.length > 0) {
          await this.giveUp(shardId, expired, "RecordAgeExceeded", last, invokes);
          batch = batch.filter((e) => e.r.approximateArrivalTimestamp >= oldest);
          if (batch.length === 0) return undefined;
        }
      }
      const requestId = newRequestId();
      const payload: Record<string, unknown> = { Records: batch.map((e) => e.event) };
      if (window) {
        const size = (m.tumblingWindowInSeconds ?? 0) * 1000;
        Object.assign(payload, {
          window: { start: new Date(window.start).toISOString(), end: new Date(window.start + size).toISOString() },
          state: window.state ?? {},
          shardId,
          eventSourceARN: m.eventSourceArn,
          isFinalInvokeForWindow: false,
          isWindowTerminatedEarly: false,
        });
      }
      const ids = new Set(batch.map((e) => e.r.sequenceNumber));
      const outcome = await deps.execute(m, requestId, Buffer.from(JSON.stringify(payload)));
      const result = batchResult(outcome, reportFailures, ids, window !== undefined);
      deps.metrics.batch(m, result.kind, batchEvents(result, ids.size));
      if (result.kind === "ok") {
        deps.report(m.uuid, { lastProcessingResult: RESULT.ok });
        return window ? result.response?.state : undefined;
      }
      if (result.kind === "throttled" || result.kind === "gone") {
        deps.report(m.uuid, { lastProcessingResult: result.kind === "gone" ? RESULT.functionGone : RESULT.throttled });
        await pause(deps.clock, result.kind === "gone" ? PROBLEM_BACKOFF_MS : retryDelay(attempts), signal);
        continue;
      }
      // Only an answer of the function counts as an invocation: a throttle never ran it.
      last = { result, requestId };
      invokes++;
      deps.report(m.uuid, { lastProcessingResult: RESULT.functionFailed });
      attempts++;
      if (result.kind === "partial") {
        // Everything before the lowest failed sequence number succeeded.
        const lowest = batch.findIndex((e) => result.failed.includes(e.r.sequenceNumber));
        const rest = batch.slice(Math.max(0, lowest));
        if (m.bisectBatchOnFunctionError && rest.length > 1 && rest.length === batch.length) return this.bisect(shardId, rest, window, attempts - 1, signal, { last, invokes });
        batch = rest;
      } else if (m.bisectBatchOnFunctionError && batch.length > 1) {
        return this.bisect(shardId, batch, window, attempts - 1, signal, { last, invokes });
      }
      const max = m.maximumRetryAttempts ?? -1;
      if (max >= 0 && attempts > max) {
        await this.giveUp(shardId, batch, "RetryAttemptsExhausted", last, invokes);
        return undefined;
      }
      await pause(deps.clock, retryDelay(attempts), signal);
    }
    return undefined;
  }

  private async bisect(shardId: string, batch: { r: StreamRecord; event: Record<string, unknown> }[], window: WindowState | undefined, attempts: number, signal: AbortSignal, tried: Tried): Promise<unknown> {
    const half = Math.ceil(batch.length / 2);
    const first = await this.runBatch(shardId, batch.slice(0, half), window, attempts, signal, tried);
    const next = window ? { start: window.start, state: first ?? window.state } : undefined;
    const second = await this.runBatch(shardId, batch.slice(half), next, attempts, signal, tried);
    return second ?? first;
  }

  /** Records given up on go to the OnFailure destination as AWS describes them (not the records themselves). */
  private async giveUp(shardId: string, batch: { r: StreamRecord }[], condition: "RetryAttemptsExhausted" | "RecordAgeExceeded", last: Tried["last"], invokes: number): Promise<void> {
    const { deps, m } = this;
    deps.metrics.discarded(m, batch.length);
    if (!m.onFailure) return;
    const failed = last?.result.kind === "failed" ? last.result : undefined;
    const arrival = this.flavour.arrivalTime ?? ((ms: number) => new Date(ms).toISOString());
    const record = {
      requestContext: { requestId: last?.requestId ?? newRequestId(), functionArn: deps.functionArn(m), condition, approximateInvokeCount: invokes },
      ...(last ? { responseContext: { statusCode: 200, executedVersion: failed?.executedVersion ?? deps.executedVersion(m), functionError: failed ? failed.functionError : null } } : {}),
      version: "1.0",
      timestamp: new Date(deps.clock.now()).toISOString(),
      [this.flavour.batchInfoKey]: {
        shardId,
        startSequenceNumber: batch[0]!.r.sequenceNumber,
        endSequenceNumber: batch[batch.length - 1]!.r.sequenceNumber,
        approximateArrivalOfFirstRecord: arrival(batch[0]!.r.approximateArrivalTimestamp),
        approximateArrivalOfLastRecord: arrival(batch[batch.length - 1]!.r.approximateArrivalTimestamp),
        batchSize: batch.length,
        streamArn: m.eventSourceArn,
      },
    };
    try {
      await deps.deliver(m, m.onFailure, JSON.stringify(record));
      deps.metrics.onFailure(m, batch.length, true);
    } catch (err) {
      deps.metrics.onFailure(m, batch.length, false);
      console.error(`flint: event source mapping ${m.uuid}: on-failure destination ${m.onFailure}:`, err instanceof Error ? err.message : err);
    }
  }

  /**
   * A tumbling window the shard has moved past (its next record is of a later window, or its end
   * has passed with nothing more to read) gets its final invocation, with the state so far and no
   * records; the next window starts with an empty state.
   */
  private async closeWindowIfDue(shardId: string, window: WindowState, nextArrival: number | undefined, position: StreamPosition): Promise<WindowState | undefined> {
    const { deps, m } = this;
    const size = (m.tumblingWindowInSeconds ?? 0) * 1000;
    const end = window.start + size;
    // Records are read in order: the window ends once the shard has moved past it, or once its time
    // is up with nothing of it left unread.
    const due = nextArrival !== undefined ? nextArrival >= end : deps.clock.now() >= end;
    if (!due) return window;
    const payload = {
      Records: [],
      window: { start: new Date(window.start).toISOString(), end: new Date(end).toISOString() },
      state: window.state ?? {},
      shardId,
      eventSourceARN: m.eventSourceArn,
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    };
    const maxRetries = m.maximumRetryAttempts ?? -1;
    for (let attempt = 0, failures = 0; !this.abort.signal.aborted; attempt++) {
      const outcome = await deps.execute(m, newRequestId(), Buffer.from(JSON.stringify(payload)));
      const result = batchResult(outcome, false, new Set());
      if (result.kind === "ok") break;
      // A throttle or a missing function is waited out; a failure counts against the retries (-1: no limit).
      if (result.kind === "failed" && maxRetries >= 0 && ++failures > maxRetries) break;
      await pause(deps.clock, result.kind === "gone" ? PROBLEM_BACKOFF_MS : retryDelay(attempt), this.abort.signal);
    }
    // Stopped before the window was closed: its state stays in the checkpoint for the next poller.
    if (this.abort.signal.aborted) return window;
    if ("after" in position) await deps.checkpoints.putCheckpoint(m.uuid, shardId, { sequence: position.after });
    return undefined;
  }
}

/** Records split into lanes by partition key (MD5, as shards are chosen), each lane in stream order. */
function splitLanes<T extends { r: StreamRecord }>(records: T[], factor: number): T[][] {
  const lanes: T[][] = Array.from({ length: factor }, () => []);
  for (const e of records) lanes[createHash("md5").update(e.r.partitionKey).digest().readUInt32BE(0) % factor]!.push(e);
  return lanes.filter((l) => l.length > 0);
}
