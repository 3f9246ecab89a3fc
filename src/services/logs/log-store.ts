/**
 * Function logs onto the logs store (store/logs-store.ts), on either store: each environment's
 * lines go to its log stream in batches, every stream's batches together in one write at a time, and
 * a producer that outruns the store is asked to pause. Also the retention sweeper (each group's
 * PutRetentionPolicy days) and the import of the older design's log files from the data dir.
 */
import { createReadStream } from "node:fs";
import { readdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";
import type { EventCursor, LogBatch, LogEvent, LogsStore, TailedLogEvent } from "../../store/logs-store.js";

export type { LogEvent };

/** How long log events may wait in memory before they are written. */
const FLUSH_MS = 20;
/** CloudWatch's per-event limit; longer lines are split. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Buffered bytes past which a producer is asked to pause (the store's writes are behind). */
const HIGH_WATER = 1024 * 1024;
/** How often retention is applied; AWS deletes expired events within days, not at once. */
const EXPIRE_EVERY_MS = 3_600_000;
/** Events per read of `reader` and per write of an import. */
const PAGE = 10_000;

/** Where a stream's batches go. */
interface Sink {
  write(events: LogEvent[]): void;
  /** Too much written that has not landed yet: the producer should wait for `onDrain`. */
  readonly behind: boolean;
  onDrain(fn: () => void): void;
  end(): Promise<void>;
}

/**
 * The store's writes: every stream's batches go out together, one append at a time (what arrives
 * while one is in flight goes in the next), so busy environments cost the database a write per round
 * trip, not one per stream per flush, and each stream's batches stay in order.
 */
class StoreWrites {
  private pending: LogBatch[] = [];
  private writing = false;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: LogsStore,
    private readonly now: () => number,
  ) {}

  sink(group: string, stream: string): Sink {
    const writes = this;
    return {
      write: (events) => writes.write({ group, stream, events }),
      get behind() {
        return writes.inFlight >= HIGH_WATER;
      },
      onDrain: (fn) => (writes.inFlight >= HIGH_WATER ? writes.waiters.push(fn) : setImmediate(fn)),
      end: () => writes.drained(),
    };
  }

  private write(batch: LogBatch): void {
    this.inFlight += batch.events.reduce((n, e) => n + e.message.length, 0);
    this.pending.push(batch);
    if (!this.writing) void this.run();
  }

  private async run(): Promise<void> {
    this.writing = true;
    while (this.pending.length) {
      const batches = this.pending;
      this.pending = [];
      const bytes = batches.reduce((n, b) => n + b.events.reduce((m, e) => m + e.message.length, 0), 0);
      await this.store.appendBatches(batches, this.now()).catch((err) => console.error(`flint: log events: ${(err as Error).message}`));
      this.inFlight -= bytes;
      if (this.inFlight < HIGH_WATER) for (const fn of this.waiters.splice(0)) fn();
    }
    this.writing = false;
    for (const fn of this.idle.splice(0)) fn();
  }

  /** Resolves once everything written so far is stored. */
  drained(): Promise<void> {
    return this.writing || this.pending.length ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }
}

export class LogStreamWriter {
  private closed = false;
  /** Events are gathered and written every FLUSH_MS (or at 64 KB): a write per batch, not per line. */
  private pending: LogEvent[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: Sink,
    private readonly now: () => number,
  ) {}

  /** Append one event. Returns false when the caller should pause its producer until `onDrain`. */
  write(message: string, timestamp = this.now()): boolean {
    if (this.closed) return true;
    for (let i = 0; i < message.length || i === 0; i += MAX_EVENT_BYTES) {
      this.pending.push({ timestamp, message: message.length > MAX_EVENT_BYTES ? message.slice(i, i + MAX_EVENT_BYTES) : message });
      this.pendingBytes += Math.min(message.length, MAX_EVENT_BYTES);
      if (message.length <= MAX_EVENT_BYTES) break;
    }
    if (this.pendingBytes >= 64 * 1024) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    return !this.sink.behind;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    this.sink.write(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
  }

  onDrain(fn: () => void): void {
    this.sink.onDrain(fn);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    return this.sink.end();
  }
}

export class LogStore {
  private readonly expiry: NodeJS.Timeout;
  private readonly writes: StoreWrites;

  private constructor(
    private readonly store: LogsStore,
    private readonly now: () => number,
  ) {
    this.writes = new StoreWrites(store, now);
    this.expiry = setInterval(() => void this.expire(), EXPIRE_EVERY_MS);
    this.expiry.unref();
  }

  /**
   * `now`: the clock log events are timestamped and expired by. A data dir written by an older
   * Flint (log files under `<data>/logs/`) has them imported into the store first, and the folder
   * renamed `logs.imported`, so they are imported once.
   */
  static async create(dataDir: string, store: LogsStore, now: () => number = Date.now): Promise<LogStore> {
    const old = path.join(dataDir, "logs");
    if (await stat(old).then((s) => s.isDirectory(), () => false)) {
      await importLogFiles(dataDir, store);
      await rename(old, path.join(dataDir, "logs.imported"));
    }
    const logs = new LogStore(store, now);
    await logs.expire();
    return logs;
  }

  /** Every node applies retention, on start and hourly: deleting what expired is idempotent. */
  private async expire(): Promise<void> {
    await this.store.expire(this.now()).catch((err) => console.error(`flint: expiring logs: ${(err as Error).message}`));
  }

  async openStream(group: string, stream: string): Promise<LogStreamWriter> {
    return new LogStreamWriter(this.writes.sink(group, stream), this.now);
  }

  close(): void {
    clearInterval(this.expiry);
  }
}

/**
 * Reads a group as it grows (`flint logs`): the first `next()` resolves what the group holds, in
 * time order; each later one the events stored since, in stored order. `found` says whether the
 * group exists yet. (What is there is read by time, through the group's index, rather than by
 * tailing from seq 0, which would walk every group's events.)
 */
export function groupReader(store: LogsStore, group: string): { next(): Promise<TailedLogEvent[]>; readonly found: boolean } {
  let after: number | undefined;
  let found = false;
  return {
    get found() {
      return found;
    },
    async next(): Promise<TailedLogEvent[]> {
      found ||= (await store.getGroup(group)) !== undefined;
      const events: TailedLogEvent[] = [];
      if (after === undefined) {
        const upTo = await store.lastSeq();
        let from: EventCursor | undefined;
        for (;;) {
          const page = await store.filter(group, { limit: PAGE, ...(from && { after: from }) });
          // Stored after upTo: the tail below reads it.
          for (const e of page.events) if (e.seq <= upTo) events.push({ ...e, group });
          if (!page.scannedTo) break;
          from = page.scannedTo;
        }
        after = upTo;
      }
      const upTo = Math.max(after, await store.lastSeq());
      for (;;) {
        const page = await store.tail([group], after, upTo, PAGE);
        events.push(...page);
        // A short page read everything up to upTo: the next call starts there, not at the group's
        // last event, so following a quiet group never rereads a busy store's newer events.
        after = page.length < PAGE ? upTo : page.at(-1)!.seq;
        if (page.length < PAGE) return events;
      }
    },
  };
}

/**
 * Copy the log files an older Flint kept in `<dataDir>/logs/<group>/<stream>.jsonl` (names
 * URI-encoded, one `{"t":…,"m":…}` per line) into `store`; the files are only read. Resolves how
 * many events were copied.
 */
export async function importLogFiles(dataDir: string, store: LogsStore): Promise<number> {
  const root = path.join(dataDir, "logs");
  const list = (dir: string) => readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? [] : Promise.reject(err)));
  let copied = 0;
  for (const g of (await list(root)).sort()) {
    const group = decodeURIComponent(g);
    for (const file of (await list(path.join(root, g))).filter((f) => f.endsWith(".jsonl")).sort()) {
      const stream = decodeURIComponent(file.slice(0, -".jsonl".length));
      const lines = readline.createInterface({ input: createReadStream(path.join(root, g, file)), crlfDelay: Infinity });
      let events: LogEvent[] = [];
      const flush = async () => {
        // The files kept no ingestion time: the last event's timestamp stands for it.
        if (events.length) await store.appendBatches([{ group, stream, events }], events.at(-1)!.timestamp);
        copied += events.length;
        events = [];
      };
      for await (const line of lines) {
        if (!line) continue;
        try {
          const { t, m } = JSON.parse(line) as { t: number; m: string };
          events.push({ timestamp: t, message: m });
        } catch {
          // a torn last line after a crash: skip it
        }
        if (events.length >= PAGE) await flush();
      }
      await flush();
    }
  }
  return copied;
}
