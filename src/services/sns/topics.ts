/**
 * Every topic and subscription, in memory and in the store, plus the per-topic lock that serialises
 * what reads then writes a topic (create, delete, subscribe, FIFO deduplication). Subscriptions
 * keep their parsed filter policy, so a Publish only evaluates it. The maps are a cache of the
 * store: each write tells the other nodes, and their writes reload both maps here.
 */
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import { KeyedLock } from "../../lib/keyed-lock.js";
import type { SnsStore } from "../../store/sns-store.js";
import { CacheSync, type ChangeBus } from "../../store/change-bus.js";
import { subscriptionFilter } from "./attributes.js";
import { FilterPolicyError, type FilterPolicy, MATCHES_NOTHING } from "./filter-policy.js";
import type { Delivery, NewDelivery, SubscriptionRecord, TopicRecord } from "./model.js";
import { type Account, checkSubscriptionArn, checkTopicArn } from "./names.js";

export interface Subscription {
  record: SubscriptionRecord;
  filter?: FilterPolicy;
}

export class TopicRegistry {
  private readonly topics = new Map<string, TopicRecord>();
  /** Subscriptions by ARN, in creation order. */
  private readonly subscriptions = new Map<string, Subscription>();
  readonly lock = new KeyedLock();
  private readonly sync: CacheSync;

  private constructor(
    readonly account: Account,
    readonly store: SnsStore,
    readonly clock: Clock,
    changes: ChangeBus,
  ) {
    this.sync = new CacheSync(changes, "sns", () => this.reload());
  }

  static async load(account: Account, store: SnsStore, clock: Clock, changes: ChangeBus): Promise<TopicRegistry> {
    const reg = new TopicRegistry(account, store, clock, changes);
    for (const t of await store.listTopics()) reg.topics.set(t.arn, t);
    for (const s of await store.listSubscriptions()) reg.subscriptions.set(s.arn, { record: s, filter: storedFilter(s) });
    return reg;
  }

  /** Another node changed a topic or subscription: read both again (an unchanged subscription keeps its parsed filter). */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => Promise.all([this.store.listTopics(), this.store.listSubscriptions()]),
      ([topics, subscriptions]) => {
        this.topics.clear();
        for (const t of topics) this.topics.set(t.arn, t);
        const before = new Map(this.subscriptions);
        this.subscriptions.clear();
        for (const record of subscriptions) {
          const known = before.get(record.arn);
          const same = known && JSON.stringify(known.record) === JSON.stringify(record);
          this.subscriptions.set(record.arn, same ? known : { record, filter: storedFilter(record) });
        }
      },
    );
  }

  get(arn: string): TopicRecord | undefined {
    return this.topics.get(arn);
  }

  /** The topic a TopicArn names as this node knows it, or NotFound. */
  require(arn: string, parameter = "TopicArn"): TopicRecord {
    const t = this.topics.get(checkTopicArn(this.account, arn, parameter));
    if (!t) throw awsError("NotFoundException", "Topic does not exist");
    return t;
  }

  /** The topic `arn`, read again from the store when this node does not know it. */
  find(arn: string): Promise<TopicRecord | undefined> {
    return this.sync.lookUp(() => this.topics.get(arn));
  }

  /**
   * The topic a TopicArn names, or NotFound once the store was read again: a topic another node
   * made a moment ago is found even before its news arrives.
   */
  async resolve(arn: string, parameter = "TopicArn"): Promise<TopicRecord> {
    await this.find(checkTopicArn(this.account, arn, parameter));
    return this.require(arn, parameter);
  }

  all(): TopicRecord[] {
    return [...this.topics.values()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  }

  saveTopic(t: TopicRecord): Promise<void> {
    return this.sync.write(t.arn, async () => {
      await this.store.putTopic(t);
      this.topics.set(t.arn, t);
    });
  }

  removeTopic(arn: string): Promise<void> {
    return this.sync.write(arn, async () => {
      await this.store.deleteTopic(arn);
      this.topics.delete(arn);
      for (const [subArn, s] of this.subscriptions) if (s.record.topicArn === arn) this.subscriptions.delete(subArn);
    });
  }

  subscription(arn: string): Subscription | undefined {
    return this.subscriptions.get(arn);
  }

  /** The subscription a SubscriptionArn names as this node knows it, or NotFound. */
  requireSubscription(arn: string): Subscription {
    checkSubscriptionArn(this.account, arn);
    const s = this.subscriptions.get(arn);
    if (!s) throw awsError("NotFoundException", "Subscription does not exist");
    return s;
  }

  /** The subscription `arn`, read again from the store when this node does not know it. */
  findSubscription(arn: string): Promise<Subscription | undefined> {
    return this.sync.lookUp(() => this.subscriptions.get(arn));
  }

  /** The subscription a SubscriptionArn names, or NotFound once the store was read again. */
  async resolveSubscription(arn: string): Promise<Subscription> {
    checkSubscriptionArn(this.account, arn);
    await this.findSubscription(arn);
    return this.requireSubscription(arn);
  }

  subscriptionsOf(topicArn?: string): Subscription[] {
    const all = [...this.subscriptions.values()];
    return topicArn === undefined ? all : all.filter((s) => s.record.topicArn === topicArn);
  }

  /**
   * The first subscription to `topicArn` that `test` accepts, read again from the store when none
   * does (one another node made a moment ago: confirmed by its token, or subscribed again).
   */
  findSubscriptionOf(topicArn: string, test: (s: SubscriptionRecord) => boolean): Promise<SubscriptionRecord | undefined> {
    return this.sync.lookUp(() => this.subscriptionsOf(topicArn).find((s) => test(s.record))?.record);
  }

  /** Store a subscription (and a delivery made with it, held by this node until `leaseUntil`, in one transaction). */
  saveSubscription(record: SubscriptionRecord, delivery?: NewDelivery, leaseUntil?: number): Promise<Delivery | undefined> {
    const filter = storedFilter(record);
    return this.sync.write(record.arn, async () => {
      const stored = await this.store.putSubscription(record, delivery, leaseUntil);
      this.subscriptions.set(record.arn, { record, filter });
      return stored;
    });
  }

  removeSubscription(arn: string): Promise<void> {
    return this.sync.write(arn, async () => {
      await this.store.deleteSubscription(arn);
      this.subscriptions.delete(arn);
    });
  }
}

/**
 * The filter of a stored subscription. Its policy was checked when it was set, but an older Flint
 * accepted some that today's rules refuse (nested MessageBody policies over AWS's depth-weighted
 * count): such a subscription matches no message until its FilterPolicy is set again, rather than
 * stopping the server from loading its subscriptions.
 */
function storedFilter(record: SubscriptionRecord): FilterPolicy | undefined {
  try {
    return subscriptionFilter(record.attributes);
  } catch (err) {
    if (!(err instanceof FilterPolicyError)) throw err;
    console.error(`flint: sns subscription ${record.arn} has a FilterPolicy Flint now refuses (${err.message}); it matches no message until its FilterPolicy is set again`);
    return MATCHES_NOTHING;
  }
}
