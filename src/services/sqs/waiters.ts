/**
 * Long polling: a ReceiveMessage with WaitTimeSeconds parks here until its queue may have something
 * (a send, a visibility change to 0, a message moved in by redrive), the next delayed or in-flight
 * message becomes visible, its wait ends, the caller goes away, or the service closes.
 * Time is the clock's, so `--time-scale` shortens waits too. A notification also reaches the other
 * nodes (the change bus), whose receives wait on the same queue in the same store.
 */
import type { Clock } from "../../clock/clock.js";
import { aloneBus, CoalescedPublisher, RELOAD_ALL, type ChangeBus } from "../../store/change-bus.js";

/** The change bus topic: a queue may have messages to receive. */
const TOPIC = "sqs-ready";

export class QueueWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Notifications so far per queue: a waiter that saw an older count missed one and does not sleep. */
  private readonly generations = new Map<string, number>();
  private readonly others: CoalescedPublisher;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    changes: ChangeBus = aloneBus(),
  ) {
    this.others = new CoalescedPublisher(changes, TOPIC);
    changes.subscribe(TOPIC, (queue) => {
      if (queue !== RELOAD_ALL) return this.wake(queue);
      for (const q of [...this.waiting.keys()]) this.wake(q);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Take this before looking at the queue, and pass it to `wait`, so no notification falls in between. */
  generation(queue: string): number {
    return this.generations.get(queue) ?? 0;
  }

  /** Wake everyone waiting on `queue`, on this node and the others. */
  notify(queue: string): void {
    this.wake(queue);
    this.others.publish(queue);
  }

  /** Wake everyone waiting on `queue` on this node. */
  wake(queue: string): void {
    this.generations.set(queue, this.generation(queue) + 1);
    const set = this.waiting.get(queue);
    if (!set) return;
    this.waiting.delete(queue);
    for (const wake of set) wake();
  }

  /** Resolves after `ms` of Flint time, or earlier when notified (also since `seen`), aborted or closed. */
  wait(queue: string, ms: number, seen: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || ms <= 0 || this.generation(queue) !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiting.get(queue);
      if (!set) this.waiting.set(queue, (set = new Set()));
      const wake = () => {
        timer.cancel();
        signal?.removeEventListener("abort", wake);
        this.waiting.get(queue)?.delete(wake);
        resolve();
      };
      const timer = this.clock.after(ms, wake);
      signal?.addEventListener("abort", wake, { once: true });
      set.add(wake);
    });
  }

  close(): void {
    this.closed = true;
    for (const queue of [...this.waiting.keys()]) this.wake(queue);
  }
}
