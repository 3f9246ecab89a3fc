/**
 * An SQS event source mapping's pollers. Each poller long-polls the queue with the function's
 * execution role, forms a batch (BatchSize, MaximumBatchingWindowInSeconds, 6 MB), drops what the
 * filters refuse (deleting it, as AWS does), invokes, and deletes what succeeded. A failed batch
 * is left to reappear after the queue's visibility timeout, so the queue's own redrive policy
 * moves a message that keeps failing to its dead-letter queue. Pollers scale with the backlog:
 * a full batch while no other poller is waiting on the queue starts another, up to
 * ScalingConfig.MaximumConcurrency; an empty receive stops one (one always stays, long-polling, so
 * an idle queue is answered at once, and only it wakes when a message arrives).
 * FIFO order needs nothing more: the queue hands out no message of a group that has one in flight.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import type { ReceivedMessage } from "../services/sqs/inputs.js";
import type { QueueRecord } from "../services/sqs/model.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import { newRequestId } from "../lib/request-id.js";
import { AwsError } from "../errors.js";
import { batchEvents, batchResult, RESULT } from "./batch.js";
import { pause } from "../clock/clock.js";
import type { PollerDeps } from "./pollers.js";
import { type SqsMessageRecord, sqsFilterView } from "./filter.js";

/** The SQS service as a poller uses it (in-process; the role's permissions are checked by the poller). */
export interface SqsSource {
  findByArn(arn: string): QueueRecord | undefined;
  receiveMessage(arn: string, input: { MaxNumberOfMessages: number; WaitTimeSeconds: number; VisibilityTimeout: number; MessageSystemAttributeNames: string[]; MessageAttributeNames: string[] }, signal?: AbortSignal): Promise<ReceivedMessage[]>;
  deleteMessageBatch(arn: string, entries: { Id: string; ReceiptHandle: string }[]): Promise<unknown>;
}

/** AWS's default when ScalingConfig is not set: up to 1,000 batches in flight. */
const DEFAULT_MAX_CONCURRENCY = 1000;
const MAX_PAYLOAD = 6 * 1024 * 1024;
/** What an SQS event record adds to a message's body, in bytes (ids, receipt handle, attributes, ARN). */
const RECORD_OVERHEAD = 1024;
/** A throttled batch stops being retried this long before its messages become visible again. */
const THROTTLE_MARGIN_MS = 1000;
/** How long a poller waits after a problem (a missing queue, a refused role) before it tries again. */
const PROBLEM_BACKOFF_MS = 5_000;

export class SqsPoller {
  private readonly abort = new AbortController();
  private workers = 0;
  /** Pollers waiting on an empty queue now: while one is, the queue has no backlog to scale for. */
  private waiting = 0;
  /** The last invocation was throttled: no more pollers until one is not. */
  private throttled = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: PollerDeps,
    private readonly m: MappingRecord,
  ) {}

  start(): void {
    this.spawn();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.running);
  }

  private get cap(): number {
    return this.m.maximumConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  }

  private spawn(): void {
    this.workers++;
    const run = this.work()
      .catch((err) => console.error(`flint: event source mapping ${this.m.uuid}:`, err))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async work(): Promise<void> {
    const signal = this.abort.signal;
    // A poller is counted out in the same turn as it decides to leave: pollers whose long polls end
    // together (same clock, same wait) would otherwise each see another one staying, and all leave.
    try {
      while (!signal.aborted) {
        let batch: { messages: ReceivedMessage[]; visibleAgainAt: number };
        try {
          batch = await this.collect(signal);
        } catch (err) {
          if (signal.aborted) return;
          this.problem(err);
          // One poller is enough to find out when the problem is over.
          if (this.workers > 1) return;
          await pause(this.deps.clock, PROBLEM_BACKOFF_MS, signal);
          continue;
        }
        if (batch.messages.length === 0) {
          if (this.workers > 1) return;
          continue;
        }
        // A full batch with nobody left waiting on the queue: there is a backlog, so one more poller
        // (unless the function is throttled: more batches in flight would only wait longer).
        if (batch.messages.length >= Math.min(this.m.batchSize, 10) && this.waiting === 0 && !this.throttled && this.workers < this.cap) this.spawn();
        try {
          await this.process(batch.messages, batch.visibleAgainAt, signal);
        } catch (err) {
          // Unexpected (the store, the invoke path): the batch returns to the queue by its visibility timeout.
          console.error(`flint: event source mapping ${this.m.uuid}:`, err);
          await pause(this.deps.clock, PROBLEM_BACKOFF_MS, signal);
        }
      }
    } finally {
      this.workers--;
    }
  }

  /**
   * Receive up to a batch: one receive, or, with a batching window, until the batch is full or the
   * window ends; and when its first messages become visible again.
   */
  private async collect(signal: AbortSignal): Promise<{ messages: ReceivedMessage[]; visibleAgainAt: number }> {
    const { deps, m } = this;
    const q = deps.sqs.findByArn(m.eventSourceArn);
    if (!q) throw new SourceGone(NON_EXISTENT_QUEUE);
    deps.authorize(m, "sqs:ReceiveMessage", m.eventSourceArn);
    // Messages stay invisible while their batch runs: the window, the function's timeout and 30 s more when that outlasts the queue's own.
    const windowS = m.maximumBatchingWindowInSeconds;
    const timeoutS = deps.functionTimeout(m) ?? 3;
    const visibility = windowS + timeoutS > q.settings.visibilityTimeout ? windowS + timeoutS + 30 : q.settings.visibilityTimeout;
    const batch: ReceivedMessage[] = [];
    let visibleAgainAt = Infinity;
    let bytes = 0;
    // Set by the first message when there is a window; without one a batch is one receive.
    let deadline: number | undefined;
    // Another receive could bring 10 messages of the queue's largest size: stop before the event could pass 6 MB.
    const room = () => bytes + 10 * (q.settings.maximumMessageSize + RECORD_OVERHEAD) <= MAX_PAYLOAD;
    while (!signal.aborted && batch.length < m.batchSize && (batch.length === 0 || room())) {
      let wait = 20;
      if (batch.length > 0) {
        if (deadline === undefined) break;
        const left = deadline - deps.clock.now();
        if (left <= 0) break;
        wait = Math.min(20, Math.ceil(left / 1000));
      }
      if (batch.length === 0) this.waiting++;
      const got = await deps.sqs
        .receiveMessage(
          m.eventSourceArn,
          { MaxNumberOfMessages: Math.min(10, m.batchSize - batch.length), WaitTimeSeconds: wait, VisibilityTimeout: Math.min(visibility, 43_200), MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] },
          signal,
        )
        .catch((err: unknown) => {
          // Deleted while a batching window was open: the same problem as a queue missing at the start.
          throw err instanceof AwsError && err.code === "QueueDoesNotExist" ? new SourceGone(NON_EXISTENT_QUEUE) : err;
        })
        .finally(() => {
          if (batch.length === 0) this.waiting--;
        });
      if (got.length === 0) {
        if (batch.length === 0) return { messages: batch, visibleAgainAt };
        continue;
      }
      if (batch.length === 0) visibleAgainAt = deps.clock.now() + Math.min(visibility, 43_200) * 1000;
      for (const msg of got) {
        bytes += Buffer.byteLength(msg.Body) + RECORD_OVERHEAD;
        batch.push(msg);
      }
      if (deadline === undefined && windowS > 0) deadline = deps.clock.now() + windowS * 1000;
    }
    return { messages: batch, visibleAgainAt };
  }

  private async process(batch: ReceivedMessage[], visibleAgainAt: number, signal: AbortSignal): Promise<void> {
    const { deps, m } = this;
    const records = batch.map((msg) => eventRecord(msg, m.eventSourceArn, deps.region));
    const filter = deps.filterOf(m);
    const keep = filter ? records.filter((r) => filter.matches(sqsFilterView(r))) : records;
    deps.metrics.polled(m, batch.length, batch.length - keep.length);
    if (keep.length < records.length) {
      const kept = new Set(keep.map((r) => r.messageId));
      await this.delete(batch.filter((msg) => !kept.has(msg.MessageId)));
    }
    if (keep.length === 0) return;
    const ids = new Set(keep.map((r) => r.messageId));
    const payload = Buffer.from(JSON.stringify({ Records: keep }));
    const reportFailures = m.functionResponseTypes.includes("ReportBatchItemFailures");
    for (let attempt = 0; !signal.aborted; attempt++) {
      const outcome = await deps.execute(m, newRequestId(), payload);
      const result = batchResult(outcome, reportFailures, ids);
      deps.metrics.batch(m, result.kind, batchEvents(result, ids.size));
      this.throttled = result.kind === "throttled";
      if (result.kind === "throttled") {
        deps.report(m.uuid, { lastProcessingResult: RESULT.throttled });
        // Back off and try again while the messages are still ours; once they are about to be
        // visible again, leave them to the queue (another receive would hand them out twice).
        const delay = Math.min(1000, 20 * 2 ** attempt);
        if (deps.clock.now() + delay >= visibleAgainAt - THROTTLE_MARGIN_MS) return;
        await pause(deps.clock, delay, signal);
        continue;
      }
      if (result.kind === "gone") {
        deps.report(m.uuid, { lastProcessingResult: RESULT.functionGone });
        await pause(deps.clock, PROBLEM_BACKOFF_MS, signal);
        return;
      }
      if (result.kind === "failed") {
        deps.report(m.uuid, { lastProcessingResult: RESULT.functionFailed });
        return;
      }
      const failed = result.kind === "partial" ? new Set(result.failed) : undefined;
      const succeeded = batch.filter((msg) => ids.has(msg.MessageId) && !failed?.has(msg.MessageId));
      await this.delete(succeeded);
      deps.metrics.deleted(m, succeeded.length);
      deps.report(m.uuid, { lastProcessingResult: RESULT.ok });
      return;
    }
  }

  private async delete(messages: ReceivedMessage[]): Promise<void> {
    const { deps, m } = this;
    for (let i = 0; i < messages.length; i += 10) {
      const entries = messages.slice(i, i + 10).map((msg, n) => ({ Id: String(n), ReceiptHandle: msg.ReceiptHandle }));
      try {
        await deps.sqs.deleteMessageBatch(m.eventSourceArn, entries);
      } catch (err) {
        // The queue went away under the batch: its messages went with it.
        if (!(err instanceof AwsError)) throw err;
      }
    }
  }

  /** What keeps a poller from reading, reported; it tries again after a pause (a poller never dies of it). */
  private problem(err: unknown): void {
    if (err instanceof SourceGone) this.deps.report(this.m.uuid, { lastProcessingResult: RESULT.sourceGone(err.message), stateTransitionReason: err.message });
    else if (err instanceof AwsError) this.deps.report(this.m.uuid, { lastProcessingResult: RESULT.permission(err.message), stateTransitionReason: err.message });
    else console.error(`flint: event source mapping ${this.m.uuid}: receiving from ${this.m.eventSourceArn}:`, err);
  }
}

class SourceGone extends Error {}

/** What AWS shows (LastProcessingResult, StateTransitionReason) for a mapping whose queue is gone. */
const NON_EXISTENT_QUEUE = "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.";

/** Lambda's SQS event record: the message as filters see it, with what the mapping adds. */
export interface SqsEventRecord extends SqsMessageRecord {
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfMessageAttributes: string | null;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

/** The system attributes an SQS event record carries, in AWS's order (FIFO's after). */
const RECORD_ATTRIBUTES = ["ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp", "SequenceNumber", "MessageGroupId", "SenderId", "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp", "DeadLetterQueueSourceArn"];

/** A received message as Lambda's SQS event record. */
export function eventRecord(msg: ReceivedMessage, arn: string, region: string): SqsEventRecord {
  const attributes: Record<string, string> = {};
  for (const name of RECORD_ATTRIBUTES) if (msg.Attributes?.[name] !== undefined) attributes[name] = msg.Attributes[name]!;
  const messageAttributes: SqsEventRecord["messageAttributes"] = {};
  for (const [name, v] of Object.entries(msg.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: msg.MessageId,
    receiptHandle: msg.ReceiptHandle,
    body: msg.Body,
    attributes,
    messageAttributes,
    md5OfMessageAttributes: msg.MD5OfMessageAttributes ?? null,
    md5OfBody: msg.MD5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: region,
  };
}
