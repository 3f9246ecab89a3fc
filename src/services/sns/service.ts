/**
 * The SNS-compatible service: topics, subscriptions (Lambda, SQS, HTTP/S) and publishing, as typed
 * commands in AWS's member names. It knows nothing about HTTP; api/sns decodes the query protocol
 * into these calls, and Flint's own parts (asynchronous invoke's destinations and dead-letter
 * targets) publish in-process. Deliveries are stored with the message and made by `deliveries.ts`.
 * https://docs.aws.amazon.com/sns/latest/api/API_Operations.html
 */
import { aloneBus, type ChangeBus } from "../../store/change-bus.js";
import type { NamedPolicy } from "../../iam/types.js";
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock, Timer } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { SnsStore } from "../../store/sns-store.js";
import { batchResult } from "../sqs/batch.js";
import type { BatchResult } from "../sqs/inputs.js";
import { checkFilter, defaultPolicy, checkSubscriptionAttributes, checkTopicAttribute, subscriptionAttributes, topicAttributes } from "./attributes.js";
import { DeliveryQueue } from "./deliveries.js";
import { type DeliveryTargets, Dispatcher } from "./dispatch.js";
import type { CreateTopicInput, PublishBatchEntry, PublishInput, PublishResult, SubscribeInput, Tag } from "./inputs.js";
import { attributesSize } from "./message-attributes.js";
import { PROTOCOLS, type Protocol, type SubscriptionRecord, type TopicRecord } from "./model.js";
import { type Account, checkSubscriptionArn, checkTopicArn, topicArn, validateTopicName } from "./names.js";
import { MAX_MESSAGE_BYTES, type PublishContext, publishMessages } from "./publish.js";
import { MessageSigner } from "./signing.js";
import { TopicRegistry } from "./topics.js";

const PAGE_SIZE = 100;
const MAX_TAGS = 50;
const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** AWS deletes a subscription not confirmed within three days. */
const PENDING_TTL_MS = 3 * 24 * 3_600_000;
const SWEEP_INTERVAL_MS = 3_600_000;
/** Protocols AWS knows that Flint does not deliver to. */
const UNSUPPORTED = new Set(["email", "email-json", "sms", "application", "firehose"]);
const ENDPOINT_RE: Partial<Record<Protocol, [RegExp, string]>> = {
  sqs: [/^arn:aws[a-zA-Z-]*:sqs:[^:]+:\d{12}:[^:]+$/, "SQS endpoint ARN"],
  lambda: [/^arn:aws[a-zA-Z-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/, "Lambda endpoint ARN"],
};

export interface SubscriptionSummary {
  SubscriptionArn: string;
  Owner: string;
  Protocol: string;
  Endpoint: string;
  TopicArn: string;
}

export interface SnsDeps {
  targets: DeliveryTargets;
  /** Flint's base URL as subscribers reach it (links in messages). */
  endpoint: () => string;
  /** HTTP/S requests in flight at once (default 64); in-process deliveries are not limited. */
  httpConcurrency?: number;
  /** The cluster's change bus (Store.changes): topics and subscriptions are shared with the other nodes. */
  changes?: ChangeBus;
}

const invalid = (message: string) => awsError("InvalidParameterException", `Invalid parameter: ${message}`);
const sameMap = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** A page of at most 100, after the key a NextToken names. */
function page<T>(all: T[], key: (t: T) => string, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = Buffer.from(nextToken, "base64url").toString("utf8");
    if (!after) throw invalid("NextToken");
    start = all.findIndex((t) => key(t) > after);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + PAGE_SIZE);
  return start + PAGE_SIZE < all.length ? { items, nextToken: Buffer.from(key(items.at(-1)!)).toString("base64url") } : { items };
}

function checkTags(tags: Tag[]): void {
  for (const { Key, Value } of tags) {
    if (Key.length < 1 || Key.length > 128 || Value.length > 256) throw invalid("Tags Reason: Tag keys must be 1 to 128 characters and values at most 256");
  }
}

export class SnsService {
  private readonly queue: DeliveryQueue;
  private readonly publishing: PublishContext;
  private readonly sweeper: Timer;
  private lastSequence = 0n;

  private constructor(
    private readonly reg: TopicRegistry,
    private readonly signer: MessageSigner,
    deps: SnsDeps,
  ) {
    const dispatcher = new Dispatcher(reg, deps.targets, signer, deps.endpoint, deps.httpConcurrency ?? 64);
    this.queue = new DeliveryQueue({ store: reg.store, clock: reg.clock, attempt: dispatcher.attempt, giveUp: dispatcher.giveUp });
    this.publishing = { reg, enqueue: (d) => this.queue.add(d), leaseUntil: () => this.queue.leaseUntil(), sequenceNumber: (now) => this.sequenceNumber(now) };
    this.sweeper = reg.clock.every(SWEEP_INTERVAL_MS, () => void this.sweep().catch((err) => console.error("flint: sns sweep failed:", err)));
  }

  static async create(account: Account, store: SnsStore, clock: Clock, deps: SnsDeps): Promise<SnsService> {
    const reg = await TopicRegistry.load(account, store, clock, deps.changes ?? aloneBus());
    return new SnsService(reg, MessageSigner.load(store, clock.now()), deps);
  }

  /** Resume the deliveries a previous run left (at least once: an attempt the crash caught is made again). */
  recover(): Promise<number> {
    return this.queue.recover();
  }

  /** Deliveries not made yet. */
  pendingDeliveries(): number {
    return this.queue.pendingCount();
  }

  /** Resolves once no delivery attempt is running (what is due has been tried): for tests. */
  deliveriesIdle(): Promise<void> {
    return this.queue.idle();
  }

  /** The signing certificate (PEM) if `name` is its file name. */
  async certificate(name: string): Promise<string | undefined> {
    await this.signer.ready;
    return name === this.signer.certificateName ? this.signer.certificate : undefined;
  }

  /** FIFO sequence numbers: 20 digits, increasing (Flint time in microseconds, or one more than the last). */
  private sequenceNumber(now: number): string {
    const next = BigInt(now) * 1000n;
    this.lastSequence = next > this.lastSequence ? next : this.lastSequence + 1n;
    return this.lastSequence.toString().padStart(20, "0");
  }

  // Topics

  async createTopic(input: CreateTopicInput): Promise<TopicRecord> {
    const attributes = { ...input.Attributes };
    const fifo = /^true$/i.test(attributes.FifoTopic ?? "");
    validateTopicName(input.Name, fifo);
    for (const [name, value] of Object.entries(attributes)) checkTopicAttribute(name, value, fifo, true);
    delete attributes.FifoTopic;
    if (attributes.ContentBasedDeduplication) attributes.ContentBasedDeduplication = attributes.ContentBasedDeduplication.toLowerCase();
    const tags = input.Tags ?? [];
    checkTags(tags);
    if (tags.length > MAX_TAGS) throw awsError("TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded");
    const arn = topicArn(this.reg.account, input.Name);
    // A topic another node made a moment ago is answered as it is, not overwritten with a new one.
    await this.reg.find(arn);
    return this.reg.lock.run(arn, async () => {
      const existing = this.reg.get(arn);
      if (existing) {
        if (existing.fifo !== fifo || Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v)) {
          throw invalid("Attributes Reason: Topic already exists with different attributes");
        }
        if (input.Tags && !sameMap(Object.fromEntries(tags.map((t) => [t.Key, t.Value])), existing.tags)) throw invalid("Tags Reason: Topic already exists with different tags");
        return existing;
      }
      const t: TopicRecord = { arn, name: input.Name, fifo, attributes, tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])), deletedSubscriptions: 0 };
      await this.reg.saveTopic(t);
      return t;
    });
  }

  listTopics(nextToken?: string): { topics: TopicRecord[]; nextToken?: string } {
    const p = page(this.reg.all(), (t) => t.arn, nextToken);
    return { topics: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  /** Idempotent, as AWS's: deleting a topic that does not exist is not an error. */
  async deleteTopic(arn: string): Promise<void> {
    checkTopicArn(this.reg.account, arn);
    // A topic another node made a moment ago is deleted too, not skipped as unknown.
    await this.reg.find(arn);
    await this.reg.lock.run(arn, async () => {
      if (this.reg.get(arn)) await this.reg.removeTopic(arn);
    });
  }

  async getTopicAttributes(arn: string): Promise<Record<string, string>> {
    const t = await this.reg.resolve(arn);
    return topicAttributes(this.reg.account, t, this.reg.subscriptionsOf(t.arn).map((s) => s.record));
  }

  async setTopicAttributes(arn: string, name: string, value: string): Promise<void> {
    const t = await this.reg.resolve(arn);
    checkTopicAttribute(name, value, t.fifo, false);
    await this.reg.lock.run(t.arn, async () => {
      const current = this.reg.require(t.arn);
      const normalised = name === "ContentBasedDeduplication" ? value.toLowerCase() : value;
      await this.reg.saveTopic({ ...current, attributes: { ...current.attributes, [name]: normalised } });
    });
  }

  // Subscriptions

  private checkEndpoint(topic: TopicRecord, protocol: string, endpoint: string | undefined): Protocol {
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
      if (UNSUPPORTED.has(protocol)) throw invalid(`Flint does not deliver to ${protocol} endpoints`);
      throw invalid(`Amazon SNS does not support this protocol string: ${protocol}`);
    }
    const p = protocol as Protocol;
    if (!endpoint) throw invalid("Endpoint Reason: no value for required parameter");
    const rule = ENDPOINT_RE[p];
    if (rule && !rule[0].test(endpoint)) throw invalid(rule[1]);
    if ((p === "http" || p === "https") && (!endpoint.startsWith(`${p}://`) || !URL.canParse(endpoint))) throw invalid("Endpoint must match the specified protocol");
    const fifoQueue = p === "sqs" && endpoint.endsWith(".fifo");
    if (fifoQueue && !topic.fifo) throw invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
    if (topic.fifo && !fifoQueue) throw invalid("Invalid parameter: Endpoint Reason: Please use FIFO SQS queue");
    return p;
  }

  /** Resolves the subscription's ARN, or `pending confirmation` for an HTTP/S one unless ReturnSubscriptionArn. */
  async subscribe(input: SubscribeInput): Promise<string> {
    const topic = await this.reg.resolve(input.TopicArn);
    const protocol = this.checkEndpoint(topic, input.Protocol, input.Endpoint);
    const endpoint = input.Endpoint!;
    const attributes = checkSubscriptionAttributes(input.Attributes ?? {}, { protocol, topicArn: topic.arn }, true);
    checkFilter(attributes, true);
    const answer = (s: SubscriptionRecord) => (s.pending && !input.ReturnSubscriptionArn ? "pending confirmation" : s.arn);
    const same = (s: SubscriptionRecord) => s.protocol === protocol && s.endpoint === endpoint;
    // The same subscription another node made a moment ago is answered, not made twice.
    await this.reg.findSubscriptionOf(topic.arn, same);
    return this.reg.lock.run(topic.arn, async () => {
      if (!this.reg.get(topic.arn)) throw awsError("NotFoundException", "Topic does not exist");
      const existing = this.reg.subscriptionsOf(topic.arn).find((s) => same(s.record))?.record;
      if (existing) {
        if (input.Attributes && !sameMap(attributes, existing.attributes)) throw invalid("Attributes Reason: Subscription already exists with different attributes");
        return answer(existing);
      }
      const http = protocol === "http" || protocol === "https";
      const now = this.reg.clock.now();
      const record: SubscriptionRecord = {
        arn: `${topic.arn}:${randomUUID()}`,
        topicArn: topic.arn,
        protocol,
        endpoint,
        pending: http,
        ...(http ? { token: randomBytes(64).toString("hex") } : {}),
        createdAt: now,
        confirmationWasAuthenticated: !http,
        authenticateOnUnsubscribe: false,
        attributes,
      };
      const confirmation = http ? { kind: "confirmation" as const, subscriptionArn: record.arn, attempts: 0, dueAt: now } : undefined;
      const delivery = await this.reg.saveSubscription(record, confirmation, this.queue.leaseUntil());
      if (delivery) this.queue.add([delivery]);
      return answer(record);
    });
  }

  /** `authenticated`: the request was signed (an unsigned one comes from a SubscribeURL). */
  async confirmSubscription(topicArn: string, token: string, authenticateOnUnsubscribe: boolean, authenticated: boolean): Promise<string> {
    const topic = await this.reg.resolve(topicArn);
    // The SubscribeURL may reach this node before the news of the subscription another node made.
    await this.reg.findSubscriptionOf(topic.arn, (x) => x.token === token);
    return this.reg.lock.run(topic.arn, async () => {
      const s = this.reg.subscriptionsOf(topic.arn).find((x) => x.record.token === token)?.record;
      if (!s) throw invalid("Token");
      if (s.pending) {
        await this.reg.saveSubscription({ ...s, pending: false, confirmationWasAuthenticated: authenticated, authenticateOnUnsubscribe: authenticateOnUnsubscribe && authenticated });
      }
      return s.arn;
    });
  }

  /** Idempotent. An unsigned request (an UnsubscribeURL) is refused once the owner asked for authentication. */
  async unsubscribe(arn: string, authenticated: boolean): Promise<void> {
    checkSubscriptionArn(this.reg.account, arn);
    const s = (await this.reg.findSubscription(arn))?.record;
    if (!s) return;
    if (!authenticated && s.authenticateOnUnsubscribe) throw awsError("AuthorizationErrorException", "Unsubscribe must be authenticated for this subscription");
    await this.reg.lock.run(s.topicArn, async () => {
      if (!this.reg.subscription(arn)) return;
      await this.reg.removeSubscription(arn);
      const topic = this.reg.get(s.topicArn);
      if (topic) await this.reg.saveTopic({ ...topic, deletedSubscriptions: topic.deletedSubscriptions + 1 });
    });
  }

  private summaries(subs: SubscriptionRecord[], nextToken: string | undefined): { subscriptions: SubscriptionSummary[]; nextToken?: string } {
    const p = page(subs, (s) => s.arn, nextToken);
    const subscriptions = p.items.map((s) => ({
      SubscriptionArn: s.pending ? "PendingConfirmation" : s.arn,
      Owner: this.reg.account.accountId,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: s.topicArn,
    }));
    return { subscriptions, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  }

  listSubscriptions(nextToken?: string) {
    return this.summaries(this.sortedSubscriptions(), nextToken);
  }

  async listSubscriptionsByTopic(topicArn: string, nextToken?: string) {
    const topic = await this.reg.resolve(topicArn);
    return this.summaries(this.sortedSubscriptions(topic.arn), nextToken);
  }

  private sortedSubscriptions(topicArn?: string): SubscriptionRecord[] {
    return this.reg
      .subscriptionsOf(topicArn)
      .map((s) => s.record)
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  }

  async getSubscriptionAttributes(arn: string): Promise<Record<string, string>> {
    const s = (await this.reg.resolveSubscription(arn)).record;
    return subscriptionAttributes(this.reg.account, s, this.reg.get(s.topicArn));
  }

  async setSubscriptionAttributes(arn: string, name: string, value: string): Promise<void> {
    const s = (await this.reg.resolveSubscription(arn)).record;
    await this.reg.lock.run(s.topicArn, async () => {
      const current = this.reg.requireSubscription(arn).record;
      const attributes = { ...current.attributes };
      // An empty FilterPolicy removes the filter.
      if (name === "FilterPolicy" && value === "") delete attributes.FilterPolicy;
      else Object.assign(attributes, checkSubscriptionAttributes({ [name]: value }, current, false));
      checkFilter(attributes, false);
      await this.reg.saveSubscription({ ...current, attributes });
    });
  }

  // Publishing

  async publish(input: PublishInput): Promise<PublishResult> {
    const targets = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((t) => t !== undefined);
    if (targets.length === 0) throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
    if (targets.length > 1) throw invalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified");
    if (input.PhoneNumber !== undefined) throw invalid("PhoneNumber Reason: Flint does not send SMS messages");
    const topic = input.TopicArn !== undefined ? await this.reg.resolve(input.TopicArn) : await this.reg.resolve(input.TargetArn!, "TargetArn");
    const [outcome] = await publishMessages(this.publishing, topic, [input]);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  async publishBatch(topicArn: string, entries: PublishBatchEntry[]): Promise<BatchResult<PublishResult>> {
    const topic = await this.reg.resolve(topicArn);
    if (entries.length === 0) throw awsError("EmptyBatchRequestException", "The batch request doesn't contain any entries.");
    if (entries.length > MAX_BATCH_ENTRIES) throw awsError("TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible.");
    if (entries.some((e) => !BATCH_ENTRY_ID.test(e.Id))) throw awsError("InvalidBatchEntryIdException", "The Id of a batch entry in a batch request doesn't abide by the specification.");
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) throw awsError("BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id.");
    const total = entries.reduce((n, e) => n + Buffer.byteLength(e.Message) + attributesSize(e.MessageAttributes ?? {}), 0);
    if (total > MAX_MESSAGE_BYTES) throw awsError("BatchRequestTooLongException", "The length of all the messages put together is more than the limit.");
    return batchResult(entries, await publishMessages(this.publishing, topic, entries));
  }

  /** A topic's access policy (its `Policy` attribute, else the one AWS gives a new topic), for authorization. */
  resourcePolicy(arn: string): NamedPolicy | undefined {
    const t = this.reg.get(arn);
    if (!t) return undefined;
    return { name: `topic policy of ${arn}`, kind: "resource", document: t.attributes.Policy ?? defaultPolicy(this.reg.account, arn) };
  }

  /** A topic's tags (`aws:ResourceTag/*`), for authorization. */
  resourceTags(arn: string): Readonly<Record<string, string>> | undefined {
    return this.reg.get(arn)?.tags;
  }

  // Tags

  /** The topic a ResourceArn names as this node knows it, or ResourceNotFound. */
  private taggable(arn: string): TopicRecord {
    checkTopicArn(this.reg.account, arn, "ResourceArn");
    const t = this.reg.get(arn);
    if (!t) throw awsError("ResourceNotFound", "Resource does not exist");
    return t;
  }

  /** The topic a ResourceArn names, or ResourceNotFound once the store was read again. */
  private async resolveTaggable(arn: string): Promise<TopicRecord> {
    await this.reg.find(checkTopicArn(this.reg.account, arn, "ResourceArn"));
    return this.taggable(arn);
  }

  async tagResource(arn: string, tags: Tag[]): Promise<void> {
    checkTags(tags);
    await this.reg.lock.run((await this.resolveTaggable(arn)).arn, async () => {
      const t = this.taggable(arn);
      const merged = { ...t.tags, ...Object.fromEntries(tags.map((x) => [x.Key, x.Value])) };
      if (Object.keys(merged).length > MAX_TAGS) throw awsError("TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded");
      await this.reg.saveTopic({ ...t, tags: merged });
    });
  }

  async untagResource(arn: string, keys: string[]): Promise<void> {
    await this.reg.lock.run((await this.resolveTaggable(arn)).arn, async () => {
      const t = this.taggable(arn);
      const tags = { ...t.tags };
      for (const k of keys) delete tags[k];
      await this.reg.saveTopic({ ...t, tags });
    });
  }

  async listTagsForResource(arn: string): Promise<Tag[]> {
    return Object.entries((await this.resolveTaggable(arn)).tags).map(([Key, Value]) => ({ Key, Value }));
  }

  /** Forget unconfirmed subscriptions older than three days and expired deduplication entries. */
  async sweep(): Promise<void> {
    const now = this.reg.clock.now();
    for (const { record } of this.reg.subscriptionsOf()) {
      if (record.pending && now - record.createdAt > PENDING_TTL_MS) await this.reg.lock.run(record.topicArn, () => this.reg.removeSubscription(record.arn));
    }
    await this.reg.store.expireDedup(now);
  }

  /** Stop delivering; attempts in progress finish, the rest stay stored for the next start. */
  async close(): Promise<void> {
    this.sweeper.cancel();
    await this.queue.close();
    await this.reg.lock.idle();
  }
}
