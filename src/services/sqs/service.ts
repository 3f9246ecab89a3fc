/**
 * The SQS-compatible service: queues and their messages, as typed commands in AWS's member names.
 * It knows nothing about HTTP; api/sqs decodes both wire protocols into these calls, and Flint's own
 * parts (asynchronous invoke, SNS, dead-letter queues, event sources) call it in-process, naming
 * queues by URL or ARN.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 */
import type { NamedPolicy } from "../../iam/types.js";
import type { Clock, Timer } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { QueueStore } from "../../store/queue-store.js";
import {
  DEFAULT_SETTINGS,
  applyAttributes,
  checkAttributeNames,
  differingAttribute,
  redriveAllowed,
  settingsAttributes,
} from "./attributes.js";
import { batchResult, checkBatch, eachEntry } from "./batch.js";
import type {
  BatchEntry,
  BatchResult,
  ChangeVisibilityEntry,
  CreateQueueInput,
  ListQueuesInput,
  ReceiveMessageInput,
  ReceivedMessage,
  SendMessageInput,
  SendMessageResult,
} from "./inputs.js";
import type { QueueRecord, QueueSettings } from "./model.js";
import { type Account, queueUrl, validateQueueName } from "./names.js";
import { QueueRegistry } from "./queues.js";
import { aloneBus, type ChangeBus } from "../../store/change-bus.js";
import { changeVisibility, deleteMessage, receiveMessages } from "./receive.js";
import { checkBatchSize, sendMessages } from "./send.js";
import { type MessageMoveTaskEntry, MoveTasks, type StartMessageMoveTaskInput } from "./move-tasks.js";

/** How often expired messages (MessageRetentionPeriod) and deduplication entries are swept, in Flint time. */
const SWEEP_INTERVAL_MS = 60_000;
/** AWS allows one PurgeQueue per queue every 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;
const MAX_TAGS = 50;

export interface Page {
  queues: QueueRecord[];
  nextToken?: string;
}

function page(all: QueueRecord[], maxResults: number | undefined, nextToken: string | undefined): Page {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
    throw awsError("InvalidParameterValue", `Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
  }
  let start = 0;
  if (nextToken) {
    const after = Buffer.from(nextToken, "base64").toString("utf8");
    start = all.findIndex((q) => q.name > after);
    if (start < 0) start = all.length;
  }
  const size = maxResults ?? 1000;
  const queues = all.slice(start, start + size);
  const more = maxResults !== undefined && start + size < all.length;
  return more ? { queues, nextToken: Buffer.from(queues[queues.length - 1]!.name).toString("base64") } : { queues };
}

function checkTags(tags: Record<string, string>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || value.length > 256) {
      throw awsError("InvalidParameterValue", `Tag key must be 1 to 128 characters and tag value at most 256 characters: '${key}'.`);
    }
  }
}

export class SqsService {
  private readonly lastPurge = new Map<string, number>();
  private readonly sweeper: Timer;
  private readonly moves: MoveTasks;

  private constructor(private readonly reg: QueueRegistry) {
    this.moves = new MoveTasks(reg);
    this.moves.resume();
    this.sweeper = reg.clock.every(SWEEP_INTERVAL_MS, () => {
      this.sweep().catch((err) => console.error("flint: sqs retention sweep failed:", err));
    });
  }

  /** `changes`: the cluster's change bus (Store.changes), so queues and long polls are shared with the other nodes. */
  static async create(account: Account, store: QueueStore, clock: Clock, changes: ChangeBus = aloneBus()): Promise<SqsService> {
    return new SqsService(await QueueRegistry.load(account, store, clock, changes));
  }

  get account(): Account {
    return this.reg.account;
  }

  /** A queue's URL for a client that reached Flint at `baseUrl` (`http://host:port`). */
  urlOf(q: QueueRecord, baseUrl: string): string {
    return queueUrl(baseUrl, this.reg.account, q.name);
  }

  arnOf(q: QueueRecord): string {
    return this.reg.arn(q);
  }

  /** The queue a QueueUrl or ARN names; QueueDoesNotExist otherwise. */
  queue(ref: string): QueueRecord {
    return this.reg.require(ref);
  }

  /** A queue's access policy (its `Policy` attribute), for authorization. */
  resourcePolicy(arn: string): NamedPolicy | undefined {
    const document = this.reg.byArn(arn)?.settings.policy;
    return document === undefined ? undefined : { name: `queue policy of ${arn}`, kind: "resource", document };
  }

  /** The queue an ARN names, if this node knows it (the authorizer's resource tags, the SQS pollers). */
  findByArn(arn: string): QueueRecord | undefined {
    return this.reg.byArn(arn);
  }

  /** The queue an ARN names, if it exists: a queue another node made a moment ago too (a request names it). */
  lookUpArn(arn: string): Promise<QueueRecord | undefined> {
    return this.reg.findByArn(arn);
  }

  private async checkRedrive(name: string, fifo: boolean, settings: QueueSettings): Promise<void> {
    const policy = settings.redrivePolicy;
    if (!policy) return;
    const reason = (r: string) => awsError("InvalidParameterValue", `Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: ${r}`);
    let dlq = await this.reg.findByArn(policy.deadLetterTargetArn);
    if (!dlq) throw reason("Dead letter target does not exist.");
    if (dlq.fifo !== fifo) throw reason("Dead-letter queue must be same type of queue as the source.");
    // Its RedriveAllowPolicy may have been changed on another node a moment ago: read it again before refusing.
    if (!redriveAllowed(dlq, this.reg.arn(name))) dlq = (await this.reg.refresh(), this.reg.byArn(policy.deadLetterTargetArn)) ?? dlq;
    if (!redriveAllowed(dlq, this.reg.arn(name))) {
      throw reason(`Queue ${this.reg.arn(name)} does not have permission to use ${policy.deadLetterTargetArn} as a dead-letter queue.`);
    }
  }

  async createQueue(input: CreateQueueInput): Promise<QueueRecord> {
    const attributes = input.Attributes ?? {};
    const fifo = attributes.FifoQueue === "true";
    validateQueueName(input.QueueName, fifo);
    const settings = applyAttributes(DEFAULT_SETTINGS, attributes, fifo, true);
    const tags = input.tags ?? {};
    checkTags(tags);
    if (Object.keys(tags).length > MAX_TAGS) throw awsError("InvalidParameterValue", `Too many tags added for queue ${input.QueueName}.`);
    return this.reg.lock.run(input.QueueName, async () => {
      const existing = this.reg.get(input.QueueName);
      if (existing) {
        const differs = existing.fifo !== fifo ? "FifoQueue" : differingAttribute(existing, settings, Object.keys(attributes));
        if (differs) throw awsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${differs}`);
        return existing;
      }
      await this.checkRedrive(input.QueueName, fifo, settings);
      const now = Math.floor(this.reg.clock.now() / 1000);
      const q: QueueRecord = { name: input.QueueName, fifo, created: now, lastModified: now, settings, tags };
      if (!(await this.reg.insert(q))) return this.reg.get(q.name)!;
      return q;
    });
  }

  async getQueueUrl(queueName: string, ownerAccountId?: string): Promise<QueueRecord> {
    const q = await this.reg.find(queueName);
    if (!q || (ownerAccountId !== undefined && ownerAccountId !== this.reg.account.accountId)) {
      throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
    }
    return q;
  }

  listQueues(input: ListQueuesInput = {}): Page {
    const prefix = input.QueueNamePrefix ?? "";
    return page(
      this.reg.all().filter((q) => q.name.startsWith(prefix)),
      input.MaxResults,
      input.NextToken,
    );
  }

  async listDeadLetterSourceQueues(ref: string, input: Pick<ListQueuesInput, "MaxResults" | "NextToken"> = {}): Promise<Page> {
    const arn = this.reg.arn(await this.reg.resolve(ref));
    return page(
      this.reg.all().filter((q) => q.settings.redrivePolicy?.deadLetterTargetArn === arn),
      input.MaxResults,
      input.NextToken,
    );
  }

  async deleteQueue(ref: string): Promise<void> {
    const q = await this.reg.resolve(ref);
    await this.reg.lock.run(q.name, () => this.reg.remove(q.name));
    this.lastPurge.delete(q.name);
  }

  async purgeQueue(ref: string): Promise<void> {
    const q = await this.reg.resolve(ref);
    const now = this.reg.clock.now();
    const last = this.lastPurge.get(q.name);
    if (last !== undefined && now - last < PURGE_INTERVAL_MS) {
      throw awsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`);
    }
    this.lastPurge.set(q.name, now);
    await this.reg.lock.run(q.name, () => this.reg.store.purge(q.name, now));
  }

  async getQueueAttributes(ref: string, names: string[] = []): Promise<Record<string, string>> {
    const q = await this.reg.resolve(ref);
    checkAttributeNames(names);
    if (names.length === 0) return {};
    const want = (n: string) => names.includes("All") || names.includes(n);
    const values: Record<string, string> = {
      QueueArn: this.reg.arn(q),
      CreatedTimestamp: String(q.created),
      LastModifiedTimestamp: String(q.lastModified),
      ...settingsAttributes(q),
    };
    if (want("ApproximateNumberOfMessages") || want("ApproximateNumberOfMessagesNotVisible") || want("ApproximateNumberOfMessagesDelayed")) {
      const now = this.reg.clock.now();
      const c = await this.reg.store.counts(q.name, now, now - q.settings.messageRetentionPeriod * 1000);
      values.ApproximateNumberOfMessages = String(c.visible);
      values.ApproximateNumberOfMessagesNotVisible = String(c.inflight);
      values.ApproximateNumberOfMessagesDelayed = String(c.delayed);
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) if (want(name)) out[name] = value;
    return out;
  }

  async setQueueAttributes(ref: string, attributes: Record<string, string>): Promise<void> {
    const q = await this.reg.resolve(ref);
    await this.reg.lock.run(q.name, async () => {
      const current = this.reg.get(q.name);
      if (!current) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
      const settings = applyAttributes(current.settings, attributes, current.fifo, false);
      await this.checkRedrive(current.name, current.fifo, settings);
      await this.reg.save({ ...current, settings, lastModified: Math.floor(this.reg.clock.now() / 1000) });
    });
    // A shorter wait or visibility may make a waiting receive's answer different.
    this.reg.waiters.notify(q.name);
  }

  async tagQueue(ref: string, tags: Record<string, string>): Promise<void> {
    checkTags(tags);
    const q = await this.reg.resolve(ref);
    await this.reg.lock.run(q.name, async () => {
      const current = this.reg.get(q.name);
      if (!current) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
      const merged = { ...current.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw awsError("InvalidParameterValue", `Too many tags added for queue ${q.name}.`);
      await this.reg.save({ ...current, tags: merged });
    });
  }

  async untagQueue(ref: string, keys: string[]): Promise<void> {
    const q = await this.reg.resolve(ref);
    await this.reg.lock.run(q.name, async () => {
      const current = this.reg.get(q.name);
      if (!current) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
      const tags = { ...current.tags };
      for (const k of keys) delete tags[k];
      await this.reg.save({ ...current, tags });
    });
  }

  async listQueueTags(ref: string): Promise<Record<string, string>> {
    return { ...(await this.reg.resolve(ref)).tags };
  }

  /** Resolves once the message is durably stored. */
  async sendMessage(ref: string, input: SendMessageInput): Promise<SendMessageResult> {
    const [outcome] = await sendMessages(this.reg, await this.reg.resolve(ref), [input]);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  async sendMessageBatch(ref: string, entries: BatchEntry<SendMessageInput>[]): Promise<BatchResult<SendMessageResult>> {
    const q = await this.reg.resolve(ref);
    checkBatch(entries, "SendMessageBatchRequestEntry");
    checkBatchSize(entries);
    return batchResult(entries, await sendMessages(this.reg, q, entries));
  }

  /** See receive.ts; `signal` ends a long poll early (the caller went away). */
  receiveMessage(ref: string, input: ReceiveMessageInput = {}, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    return receiveMessages(this.reg, ref, input, signal);
  }

  async deleteMessage(ref: string, receiptHandle: string): Promise<void> {
    await deleteMessage(this.reg, await this.reg.resolve(ref), receiptHandle);
  }

  async deleteMessageBatch(ref: string, entries: BatchEntry<{ ReceiptHandle: string }>[]): Promise<BatchResult<object>> {
    const q = await this.reg.resolve(ref);
    checkBatch(entries, "DeleteMessageBatchRequestEntry");
    return batchResult(entries, await eachEntry(entries, async (e) => (await deleteMessage(this.reg, q, e.ReceiptHandle), {})));
  }

  async changeMessageVisibility(ref: string, receiptHandle: string, visibilityTimeout: number): Promise<void> {
    await changeVisibility(this.reg, await this.reg.resolve(ref), receiptHandle, visibilityTimeout);
  }

  async changeMessageVisibilityBatch(ref: string, entries: BatchEntry<ChangeVisibilityEntry>[]): Promise<BatchResult<object>> {
    const q = await this.reg.resolve(ref);
    checkBatch(entries, "ChangeMessageVisibilityBatchRequestEntry");
    return batchResult(entries, await eachEntry(entries, async (e) => (await changeVisibility(this.reg, q, e.ReceiptHandle, e.VisibilityTimeout), {})));
  }

  /** Dead-letter queue redrive: see move-tasks.ts. */
  startMessageMoveTask(input: StartMessageMoveTaskInput): Promise<{ TaskHandle: string }> {
    return this.moves.start(input);
  }

  /** The source queue's most recent tasks, newest first (MaxResults, default 1, at most 10). */
  listMessageMoveTasks(sourceArn: string, maxResults?: number): MessageMoveTaskEntry[] {
    return this.moves.list(sourceArn, maxResults);
  }

  cancelMessageMoveTask(taskHandle: string): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    return this.moves.cancel(taskHandle);
  }

  /** Resolves when no message move task is in the middle of a step (tests move the clock, then wait). */
  moveTasksSettled(): Promise<void> {
    return this.moves.settled();
  }

  /** Delete messages past their queue's retention period and expired deduplication entries. */
  async sweep(): Promise<void> {
    const now = this.reg.clock.now();
    for (const q of this.reg.all()) {
      await this.reg.lock.run(q.name, () => this.reg.store.purge(q.name, now - q.settings.messageRetentionPeriod * 1000));
    }
    await this.reg.store.expireDedup(now);
  }

  /** Stop sweeping and end every long poll (with no messages); wait for work in progress. */
  async close(): Promise<void> {
    this.sweeper.cancel();
    await this.moves.close();
    this.reg.waiters.close();
    await this.reg.lock.idle();
  }
}
