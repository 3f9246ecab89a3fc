/**
 * Message move tasks: dead-letter queue redrive (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask). A task moves the messages of a dead-letter queue, oldest first, to a queue
 * it names or, without one, each back to the queue it was dead-lettered from (the
 * `deadLetterSourceArn` a redrive policy's move records), at most MaxNumberOfMessagesPerSecond.
 * A moved message is a new message there (new id, sent now, received never; body, attributes and,
 * FIFO, its group kept) appended in the same store transaction that deletes it from the source, so
 * nothing is lost or doubled. Tasks are kept on the source queue's record, its ten most recent.
 *
 * A task runs on the node that started it; a node that starts (a restart) resumes the RUNNING tasks
 * it finds, as AWS shows a task running on through its own restarts (an interrupted step was one
 * transaction: it moved all of its messages or none).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
import { randomUUID } from "node:crypto";
import type { Timer } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { MoveTaskRecord, MoveTaskStatus, NewMessage, QueueRecord, StoredMessage } from "./model.js";
import type { QueueRegistry } from "./queues.js";

/** ListMessageMoveTasks returns at most 10; a queue keeps no more. */
export const MAX_LISTED_TASKS = 10;
const MAX_RATE = 500;
/** A task's rate when none is given ("system optimized"): the highest a caller may ask for. */
const DEFAULT_RATE = MAX_RATE;
/** A task moves in steps, at most this many a second, each of rate/STEPS_PER_SECOND messages (at least one). */
const STEPS_PER_SECOND = 10;
/** How often a running task's count is written to its queue's record (others read it from there). */
const SAVE_EVERY_MS = 1000;

const NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue";
const NO_SOURCE = "CouldNotDetermineMessageSource";

export interface StartMessageMoveTaskInput {
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
}

export interface MessageMoveTaskEntry {
  TaskHandle?: string;
  Status: MoveTaskStatus;
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
}

/** A task handle, as AWS forms it: base64 of `{"taskId":…,"sourceArn":…}`. */
export const taskHandle = (taskId: string, sourceArn: string): string => Buffer.from(JSON.stringify({ taskId, sourceArn })).toString("base64");

function parseHandle(handle: string): { taskId: string; sourceArn: string } {
  const invalid = () => awsError("InvalidParameterValue", "Value for parameter TaskHandle is invalid.");
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(handle, "base64").toString("utf8"));
  } catch {
    throw invalid();
  }
  const { taskId, sourceArn } = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof taskId !== "string" || typeof sourceArn !== "string" || !taskId || !sourceArn) throw invalid();
  return { taskId, sourceArn };
}

const notFound = (parameter: string) => awsError("SqsResourceNotFound", `The resource that you specified for the ${parameter} parameter doesn't exist.`);
const active = (t: MoveTaskRecord) => t.status === "RUNNING" || t.status === "CANCELLING";

/** The message a moved one becomes in `to`: new, sent now; body, attributes, sender and trace kept. */
function redriven(m: StoredMessage, to: QueueRecord, now: number): NewMessage {
  const n: NewMessage = {
    queue: to.name,
    messageId: randomUUID(),
    body: m.body,
    attributes: m.attributes,
    md5OfBody: m.md5OfBody,
    sentAt: now,
    visibleAt: now + to.settings.delaySeconds * 1000,
    receiveCount: 0,
    senderId: m.senderId,
  };
  if (m.md5OfAttributes) n.md5OfAttributes = m.md5OfAttributes;
  if (m.md5OfSystemAttributes) n.md5OfSystemAttributes = m.md5OfSystemAttributes;
  if (m.traceHeader !== undefined) n.traceHeader = m.traceHeader;
  // FIFO keeps the group; its deduplication id is the dead-lettered message's id, as AWS gives a
  // message in a FIFO dead-letter queue (it is moved, not sent: no deduplication applies).
  if (to.fifo) {
    if (m.groupId !== undefined) n.groupId = m.groupId;
    n.dedupId = m.messageId;
  }
  return n;
}

class Runner {
  moved: number;
  cancelled = false;
  timer?: Timer;
  step?: Promise<void>;
  savedAt: number;

  constructor(
    readonly queue: string,
    readonly task: MoveTaskRecord,
    now: number,
  ) {
    this.moved = task.moved;
    this.savedAt = now;
  }
}

export class MoveTasks {
  private readonly runners = new Map<string, Runner>();
  private closed = false;

  constructor(private readonly reg: QueueRegistry) {}

  /** Resume the tasks the store holds as RUNNING; finish those a cancel left CANCELLING. */
  resume(): void {
    for (const q of this.reg.all()) {
      for (const t of q.moveTasks ?? []) {
        if (t.status === "RUNNING") this.run(q.name, t);
        else if (t.status === "CANCELLING") void this.finish(q.name, t.taskId, "CANCELLED", t.moved);
      }
    }
  }

  async start(input: StartMessageMoveTaskInput): Promise<{ TaskHandle: string }> {
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && (rate < 1 || rate > MAX_RATE)) {
      throw awsError("InvalidParameterValue", `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and ${MAX_RATE}.`);
    }
    const source = await this.reg.findByArn(input.SourceArn);
    if (!source) throw notFound("SourceArn");
    const sourceArn = this.reg.arn(source);
    const isDeadLetterQueue = () => this.reg.all().some((q) => q.settings.redrivePolicy?.deadLetterTargetArn === sourceArn);
    // The queue that names it may have been made or changed on another node a moment ago.
    if (!isDeadLetterQueue() && !(await this.reg.refresh(), isDeadLetterQueue())) {
      throw awsError("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.");
    }
    if (input.DestinationArn !== undefined) {
      const destination = await this.reg.findByArn(input.DestinationArn);
      if (!destination) throw notFound("DestinationArn");
      if (destination.name === source.name) throw awsError("InvalidParameterValue", "Source queue arn and destination queue arn cannot be the same.");
      if (destination.fifo !== source.fifo) throw awsError("InvalidParameterValue", "The source queue and destination queue must be of the same queue type.");
    }
    return this.reg.lock.run(source.name, async () => {
      const current = this.reg.get(source.name);
      if (!current) throw notFound("SourceArn");
      if ((current.moveTasks ?? []).some(active)) {
        throw awsError("InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
      }
      const now = this.reg.clock.now();
      const counts = await this.reg.store.counts(current.name, now, now - current.settings.messageRetentionPeriod * 1000);
      const task: MoveTaskRecord = { taskId: randomUUID(), status: "RUNNING", moved: 0, toMove: counts.visible, started: now };
      if (input.DestinationArn !== undefined) task.destinationArn = input.DestinationArn;
      if (rate !== undefined) task.maxPerSecond = rate;
      await this.reg.save({ ...current, moveTasks: [task, ...(current.moveTasks ?? [])].slice(0, MAX_LISTED_TASKS) });
      this.run(current.name, task);
      return { TaskHandle: taskHandle(task.taskId, sourceArn) };
    });
  }

  list(sourceArn: string, maxResults?: number): MessageMoveTaskEntry[] {
    if (maxResults !== undefined && (maxResults < 1 || maxResults > MAX_LISTED_TASKS)) {
      throw awsError("InvalidParameterValue", `Value ${maxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and ${MAX_LISTED_TASKS}.`);
    }
    const source = this.reg.byArn(sourceArn);
    if (!source) throw notFound("SourceArn");
    const arn = this.reg.arn(source);
    return (source.moveTasks ?? []).slice(0, maxResults ?? 1).map((t) => {
      // This node's runner knows a newer count than the record's.
      const moved = this.runners.get(t.taskId)?.moved ?? t.moved;
      const e: MessageMoveTaskEntry = { Status: t.status, SourceArn: arn, ApproximateNumberOfMessagesMoved: moved, ApproximateNumberOfMessagesToMove: t.toMove, StartedTimestamp: t.started };
      if (t.status === "RUNNING") e.TaskHandle = taskHandle(t.taskId, arn);
      if (t.destinationArn !== undefined) e.DestinationArn = t.destinationArn;
      if (t.maxPerSecond !== undefined) e.MaxNumberOfMessagesPerSecond = t.maxPerSecond;
      if (t.status === "FAILED" && t.failureReason !== undefined) e.FailureReason = t.failureReason;
      // Fields in AWS's order, as its responses list them.
      return {
        ...(e.TaskHandle !== undefined ? { TaskHandle: e.TaskHandle } : {}),
        Status: e.Status,
        SourceArn: e.SourceArn,
        ...(e.DestinationArn !== undefined ? { DestinationArn: e.DestinationArn } : {}),
        ...(e.MaxNumberOfMessagesPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: e.MaxNumberOfMessagesPerSecond } : {}),
        ApproximateNumberOfMessagesMoved: e.ApproximateNumberOfMessagesMoved,
        ApproximateNumberOfMessagesToMove: e.ApproximateNumberOfMessagesToMove,
        ...(e.FailureReason !== undefined ? { FailureReason: e.FailureReason } : {}),
        StartedTimestamp: e.StartedTimestamp,
      };
    });
  }

  /** Only a RUNNING task is cancelled: it becomes CANCELLING, and CANCELLED once its step ends. */
  async cancel(handle: string): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    const { taskId, sourceArn } = parseHandle(handle);
    const source = await this.reg.findByArn(sourceArn);
    if (!source) throw notFound("SourceArn");
    const moved = await this.reg.lock.run(source.name, async () => {
      const current = this.reg.get(source.name);
      const task = current?.moveTasks?.find((t) => t.taskId === taskId);
      if (!current || !task || task.status !== "RUNNING") throw awsError("SqsResourceNotFound", "Task does not exist.");
      const runner = this.runners.get(taskId);
      const count = runner?.moved ?? task.moved;
      await this.reg.save({ ...current, moveTasks: current.moveTasks!.map((t) => (t.taskId === taskId ? { ...t, status: "CANCELLING" as const, moved: count } : t)) });
      return count;
    });
    const runner = this.runners.get(taskId);
    if (runner) {
      runner.cancelled = true;
      // A runner between steps stops now; one in a step stops when the step ends.
      if (!runner.step) {
        runner.timer?.cancel();
        await this.finish(runner.queue, taskId, "CANCELLED", runner.moved);
      }
    }
    return { ApproximateNumberOfMessagesMoved: moved };
  }

  /** Every step in progress, ended (tests; closing). */
  async settled(): Promise<void> {
    for (;;) {
      const steps = [...this.runners.values()].flatMap((r) => (r.step ? [r.step] : []));
      if (!steps.length) return;
      await Promise.all(steps);
    }
  }

  /** Stop every runner after its step; the tasks stay RUNNING in the store, for the next start to resume. */
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.runners.values()) r.timer?.cancel();
    await this.settled();
    // The count so far, for the node that resumes them.
    for (const r of this.runners.values()) await this.update(r.queue, r.task.taskId, (t) => (t.status === "RUNNING" ? { ...t, moved: r.moved } : t));
    this.runners.clear();
  }

  private run(queue: string, task: MoveTaskRecord): void {
    if (this.closed || this.runners.has(task.taskId)) return;
    const runner = new Runner(queue, task, this.reg.clock.now());
    this.runners.set(task.taskId, runner);
    this.schedule(runner, 0);
  }

  private schedule(runner: Runner, ms: number): void {
    const go = () => {
      runner.timer = undefined;
      runner.step = this.step(runner)
        .catch((err: unknown) => {
          console.error("flint: sqs message move task step failed:", err);
          return this.finish(runner.queue, runner.task.taskId, "FAILED", runner.moved, "InternalError");
        })
        .finally(() => (runner.step = undefined));
    };
    if (ms <= 0) go();
    else runner.timer = this.reg.clock.after(ms, go);
  }

  private async step(runner: Runner): Promise<void> {
    const { task } = runner;
    const q = this.reg.get(runner.queue);
    const stored = q?.moveTasks?.find((t) => t.taskId === task.taskId);
    // The source queue was deleted (its tasks with it), or another node finished the task.
    if (!q || !stored || !active(stored)) return void this.runners.delete(task.taskId);
    if (runner.cancelled || stored.status === "CANCELLING") return this.finish(runner.queue, task.taskId, "CANCELLED", runner.moved);
    if (this.closed) return;
    const left = task.toMove - runner.moved;
    if (left <= 0) return this.finish(runner.queue, task.taskId, "COMPLETED", runner.moved);
    const destination = task.destinationArn === undefined ? undefined : this.reg.byArn(task.destinationArn);
    if (task.destinationArn !== undefined && !destination) return this.finish(runner.queue, task.taskId, "FAILED", runner.moved, NON_EXISTENT_QUEUE);

    const rate = task.maxPerSecond ?? DEFAULT_RATE;
    const batch = Math.ceil(rate / STEPS_PER_SECOND);
    const want = Math.min(batch, left);
    const now = this.reg.clock.now();
    const result = await this.reg.store.moveMessages(q.name, now, now - q.settings.messageRetentionPeriod * 1000, want, (m) => {
      const to = destination ?? (m.deadLetterSourceArn === undefined ? undefined : this.reg.byArn(m.deadLetterSourceArn));
      if (!to) return { failure: m.deadLetterSourceArn === undefined ? NO_SOURCE : NON_EXISTENT_QUEUE };
      return { message: redriven(m, to, now) };
    });
    runner.moved += result.moved;
    for (const name of result.queues) this.reg.waiters.notify(name);
    if (result.failure !== undefined) return this.finish(runner.queue, task.taskId, "FAILED", runner.moved, result.failure);
    // Nothing more to move now (what is left is in flight, or went away): the task is done.
    if (result.moved < want || runner.moved >= task.toMove) return this.finish(runner.queue, task.taskId, "COMPLETED", runner.moved);
    if (runner.cancelled) return this.finish(runner.queue, task.taskId, "CANCELLED", runner.moved);
    if (this.reg.clock.now() - runner.savedAt >= SAVE_EVERY_MS) await this.update(runner.queue, task.taskId, (t) => (t.status === "RUNNING" ? { ...t, moved: runner.moved } : t));
    runner.savedAt = this.reg.clock.now();
    this.schedule(runner, Math.max(1, Math.round((want * 1000) / rate)));
  }

  private async finish(queue: string, taskId: string, status: MoveTaskStatus, moved: number, failureReason?: string): Promise<void> {
    this.runners.get(taskId)?.timer?.cancel();
    // The runner stays listed until the record says how it ended (settled() waits for that).
    await this.update(queue, taskId, (t) => {
      const done: MoveTaskRecord = { ...t, status, moved };
      if (failureReason !== undefined) done.failureReason = failureReason;
      return done;
    }).finally(() => this.runners.delete(taskId));
  }

  private update(queue: string, taskId: string, change: (t: MoveTaskRecord) => MoveTaskRecord): Promise<void> {
    return this.reg.lock.run(queue, async () => {
      const current = this.reg.get(queue);
      if (!current?.moveTasks?.some((t) => t.taskId === taskId)) return;
      await this.reg.save({ ...current, moveTasks: current.moveTasks.map((t) => (t.taskId === taskId ? change(t) : t)) });
    });
  }
}
