/**
 * CloudWatch Logs-shaped storage: log groups hold log streams, streams hold timestamped events.
 * On the embedded store, one append-only JSON-lines file per stream under
 * `<data>/logs/<group>/<stream>.jsonl`. On a store nodes share, the store's log part, so that
 * `flint logs` on any node reads every node's lines; there events older than LOG_RETENTION_MS go.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";
import type { LogBatch, LogEvent, LogEventStore } from "../../store/log-event-store.js";

export type { LogEvent };

/** An event of a group, with the stream it is in. */
export interface GroupEvent extends LogEvent {
  stream: string;
}

/** How long log events may wait in memory before they are written. */
const FLUSH_MS = 20;
/** CloudWatch's per-event limit; longer lines are split. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Buffered bytes past which a producer is asked to pause (a file's or the store's writes behind). */
const HIGH_WATER = 1024 * 1024;
/** How long a shared store keeps log events (real time, as their timestamps are). */
export const LOG_RETENTION_MS = 7 * 24 * 3_600_000;
const EXPIRE_EVERY_MS = 3_600_000;

const enc = (s: string) => encodeURIComponent(s);

/** Where a stream's batches go: a file, or the shared store. */
interface Sink {
  write(events: LogEvent[]): void;
  /** Too much written that has not landed yet: the producer should wait for `onDrain`. */
  readonly behind: boolean;
  onDrain(fn: () => void): void;
  end(): Promise<void>;
}

function fileSink(file: string): Sink {
  const out: WriteStream = createWriteStream(file, { flags: "a" });
  out.on("error", (err) => console.error(`flint: log stream ${file}: ${err.message}`));
  return {
    write: (events) => void out.write(events.map((e) => `{"t":${e.timestamp},"m":${JSON.stringify(e.message)}}\n`).join("")),
    get behind() {
      return out.writableNeedDrain;
    },
    onDrain: (fn) => (out.writableNeedDrain ? out.once("drain", fn) : setImmediate(fn)),
    end: () => new Promise((resolve) => out.end(resolve)),
  };
}

/**
 * The shared store's writes: every stream's batches go out together, one INSERT at a time (what
 * arrives while one is in flight goes in the next), so busy environments cost the database a write
 * per round trip, not one per stream per flush, and each stream's batches stay in order.
 */
class StoreWrites {
  private pending: LogBatch[] = [];
  private writing = false;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private idle: (() => void)[] = [];

  constructor(private readonly store: LogEventStore) {}

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
      await this.store.appendBatches(batches).catch((err) => console.error(`flint: log events: ${(err as Error).message}`));
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

  constructor(private readonly sink: Sink) {}

  /** Append one event. Returns false when the caller should pause its producer until `onDrain`. */
  write(message: string, timestamp = Date.now()): boolean {
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
  private expiry: NodeJS.Timeout | undefined;
  private readonly writes: StoreWrites | undefined;

  private constructor(
    private readonly root: string,
    private readonly shared: LogEventStore | undefined,
  ) {
    this.writes = shared && new StoreWrites(shared);
  }

  /** `shared`: the shared store's log part, when nodes share one; without it logs are files in the data dir. */
  static async create(dataDir: string, shared?: LogEventStore): Promise<LogStore> {
    const root = path.join(dataDir, "logs");
    if (!shared) await mkdir(root, { recursive: true });
    return new LogStore(root, shared);
  }

  async openStream(group: string, stream: string): Promise<LogStreamWriter> {
    if (this.shared && this.writes) {
      this.keepRetention(this.shared);
      return new LogStreamWriter(this.writes.sink(group, stream));
    }
    const dir = path.join(this.root, enc(group));
    await mkdir(dir, { recursive: true });
    return new LogStreamWriter(fileSink(path.join(dir, `${enc(stream)}.jsonl`)));
  }

  /**
   * Reads a group as it grows: each `next()` resolves the events not returned before, oldest first;
   * `found` says whether the group has any stream yet.
   */
  reader(group: string): { next(): Promise<GroupEvent[]>; readonly found: boolean } {
    return this.shared ? storeReader(this.shared, group) : fileReader(this, group);
  }

  /** A node that writes to the shared store also expires what is past retention (readers never do). */
  private keepRetention(shared: LogEventStore): void {
    if (this.expiry) return;
    const expire = () => void shared.expire(Date.now() - LOG_RETENTION_MS).catch((err) => console.error(`flint: expiring logs: ${(err as Error).message}`));
    expire();
    this.expiry = setInterval(expire, EXPIRE_EVERY_MS);
    this.expiry.unref();
  }

  close(): void {
    clearInterval(this.expiry);
  }

  /** The group's streams in the data dir. */
  async listStreams(group: string): Promise<string[]> {
    try {
      return (await readdir(path.join(this.root, enc(group))))
        .filter((f) => f.endsWith(".jsonl"))
        .map((f) => decodeURIComponent(f.slice(0, -".jsonl".length)))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  /** The groups in the data dir (what `flint migrate` copies). */
  async listGroups(): Promise<string[]> {
    try {
      return (await readdir(this.root)).map((g) => decodeURIComponent(g)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async *readStream(group: string, stream: string): AsyncGenerator<LogEvent> {
    const file = path.join(this.root, enc(group), `${enc(stream)}.jsonl`);
    const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      try {
        const { t, m } = JSON.parse(line) as { t: number; m: string };
        yield { timestamp: t, message: m };
      } catch {
        // a torn last line after a crash: skip it
      }
    }
  }
}

const byTime = (a: GroupEvent, b: GroupEvent) => a.timestamp - b.timestamp;

function fileReader(logs: LogStore, group: string) {
  const seen = new Map<string, number>();
  return {
    get found() {
      return seen.size > 0;
    },
    async next(): Promise<GroupEvent[]> {
      const events: GroupEvent[] = [];
      for (const stream of await logs.listStreams(group)) {
        let i = 0;
        const skip = seen.get(stream) ?? 0;
        for await (const e of logs.readStream(group, stream)) if (i++ >= skip) events.push({ ...e, stream });
        seen.set(stream, i);
      }
      return events.sort(byTime);
    },
  };
}

function storeReader(store: LogEventStore, group: string) {
  let after = 0;
  return {
    get found() {
      return after > 0;
    },
    async next(): Promise<GroupEvent[]> {
      const events: GroupEvent[] = [];
      for (;;) {
        const page = await store.read(group, { after, limit: 10_000 });
        for (const e of page) events.push({ timestamp: e.timestamp, message: e.message, stream: e.stream });
        if (page.length) after = page.at(-1)!.seq;
        if (page.length < 10_000) return events.sort(byTime);
      }
    },
  };
}
