/**
 * Every queue record in memory (each request resolves one) and in the store, plus the per-queue lock
 * that serialises changes to a queue's record (attributes, tags, deletion) and purges. Message work
 * needs none: a send (with its FIFO deduplication), a receive, a delete or a visibility change each
 * reads and writes in one store transaction. The lock is this node's: across nodes, the map is a
 * cache of the store, reloaded when another node tells of a change to a queue record.
 */
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import { KeyedLock } from "../../lib/keyed-lock.js";
import type { QueueStore } from "../../store/queue-store.js";
import { CacheSync, type ChangeBus } from "../../store/change-bus.js";
import type { QueueRecord } from "./model.js";
import { type Account, nameFromArn, nameFromRef, queueArn } from "./names.js";
import { QueueWaiters } from "./waiters.js";

export class QueueRegistry {
  private readonly queues = new Map<string, QueueRecord>();
  readonly lock = new KeyedLock();
  readonly waiters: QueueWaiters;
  private readonly sync: CacheSync;

  private constructor(
    readonly account: Account,
    readonly store: QueueStore,
    readonly clock: Clock,
    changes: ChangeBus,
  ) {
    this.waiters = new QueueWaiters(clock, changes);
    this.sync = new CacheSync(changes, "sqs-queues", () => this.reload());
  }

  static async load(account: Account, store: QueueStore, clock: Clock, changes: ChangeBus): Promise<QueueRegistry> {
    const registry = new QueueRegistry(account, store, clock, changes);
    for (const q of await store.listQueues()) registry.queues.set(q.name, q);
    return registry;
  }

  /** Read every queue again; a deleted queue's waiting receives wake to find it gone. */
  private reload(): Promise<void> {
    return this.sync.reread(
      () => this.store.listQueues(),
      (queues) => {
        const gone = new Set(this.queues.keys());
        this.queues.clear();
        for (const q of queues) {
          this.queues.set(q.name, q);
          gone.delete(q.name);
        }
        for (const name of gone) this.waiters.wake(name);
      },
    );
  }

  arn(q: QueueRecord | string): string {
    return queueArn(this.account, typeof q === "string" ? q : q.name);
  }

  get(name: string): QueueRecord | undefined {
    return this.queues.get(name);
  }

  /** The queue a QueueUrl or ARN names as this node knows it, or QueueDoesNotExist. */
  require(ref: string): QueueRecord {
    const q = this.queues.get(nameFromRef(this.account, ref));
    if (!q) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
    return q;
  }

  /**
   * The queue a QueueUrl or ARN names, or QueueDoesNotExist once the store was read again: a queue
   * another node made a moment ago is found even before its news arrives.
   */
  async resolve(ref: string): Promise<QueueRecord> {
    const q = await this.find(nameFromRef(this.account, ref));
    if (!q) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
    return q;
  }

  /** The queue named `name`, read again from the store when this node does not know it. */
  find(name: string): Promise<QueueRecord | undefined> {
    return this.sync.lookUp(() => this.queues.get(name));
  }

  /** Read every queue again (a refusal that rests on what other queues say, such as a redrive's). */
  refresh(): Promise<void> {
    return this.sync.missed();
  }

  byArn(arn: string): QueueRecord | undefined {
    const name = nameFromArn(this.account, arn);
    return name === undefined ? undefined : this.queues.get(name);
  }

  /** The queue an ARN names, read again from the store when this node does not know it. */
  async findByArn(arn: string): Promise<QueueRecord | undefined> {
    const name = nameFromArn(this.account, arn);
    return name === undefined ? undefined : this.find(name);
  }

  all(): QueueRecord[] {
    return [...this.queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Insert a new queue; false when the name is taken. */
  async insert(q: QueueRecord): Promise<boolean> {
    if (this.queues.has(q.name)) return false;
    const inserted = await this.sync.write(q.name, async () => {
      if (!(await this.store.insertQueue(q))) return false;
      this.queues.set(q.name, q);
      return true;
    });
    // Another node made it and its news has not arrived yet: read it now.
    if (!inserted) await this.sync.missed();
    return inserted;
  }

  save(q: QueueRecord): Promise<void> {
    return this.sync.write(q.name, async () => {
      await this.store.putQueue(q);
      this.queues.set(q.name, q);
    });
  }

  remove(name: string): Promise<void> {
    return this.sync.write(name, async () => {
      await this.store.deleteQueue(name);
      this.queues.delete(name);
      this.waiters.notify(name);
    });
  }
}
