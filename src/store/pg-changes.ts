/**
 * The change bus on PostgreSQL: NOTIFY on one channel per schema (two clusters in two schemas of one
 * database do not hear each other), the payload `{node, topic, key}`. A node drops its own
 * notifications. NOTIFY is sent when the publishing statement commits, and a notification raised
 * while this node's listening connection was down is lost: after the listener reconnects, every
 * subscriber hears RELOAD_ALL.
 */
import { createHash } from "node:crypto";
import type { PgDb } from "./pg-db.js";
import { RELOAD_ALL, Subscribers, type ChangeBus } from "./change-bus.js";

interface Change {
  node: string;
  topic: string;
  key: string;
}

export class PgChangeBus implements ChangeBus {
  private readonly subscribers = new Subscribers();

  private constructor(
    private readonly db: PgDb,
    private readonly node: string,
    private readonly channel: string,
  ) {}

  /** Start listening (resolves once LISTEN took effect, so nothing published after it is missed). */
  static async open(db: PgDb, node: string): Promise<PgChangeBus> {
    const [row] = await db.query<{ schema: string }>("SELECT current_schema() AS schema");
    const bus = new PgChangeBus(db, node, channelOf(row?.schema ?? "public"));
    await db.listen(bus.channel, (payload) => bus.heard(payload), () => bus.reloadAll());
    return bus;
  }

  async publish(topic: string, key: string): Promise<void> {
    await this.db.notify(this.channel, JSON.stringify({ node: this.node, topic, key } satisfies Change));
  }

  subscribe(topic: string, fn: (key: string) => void | Promise<void>): void {
    this.subscribers.add(topic, fn);
  }

  /** Resolves when everything delivered to this node so far has been applied. */
  idle(): Promise<void> {
    return this.subscribers.idle();
  }

  private heard(payload: string): void {
    let change: Change;
    try {
      change = JSON.parse(payload) as Change;
    } catch {
      return;
    }
    if (change.node !== this.node) this.subscribers.deliver(change.topic, change.key);
  }

  private reloadAll(): void {
    for (const topic of this.subscribers.topics) this.subscribers.deliver(topic, RELOAD_ALL);
  }
}

/** A channel name is an identifier of at most 63 bytes: a long schema name is hashed. */
function channelOf(schema: string): string {
  const name = `flint_changes.${schema}`;
  return Buffer.byteLength(name) <= 63 ? name : `flint_changes.${createHash("sha256").update(schema).digest("hex").slice(0, 32)}`;
}
