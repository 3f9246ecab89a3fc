/**
 * CloudWatch Logs-shaped storage: log groups hold log streams, streams hold timestamped events.
 * One append-only JSON-lines file per stream under `<data>/logs/<group>/<stream>.jsonl`; the
 * CloudWatch Logs-compatible API reads the same files later.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";

export interface LogEvent {
  timestamp: number;
  message: string;
}

/** How long log events may wait in memory before they are written. */
const FLUSH_MS = 20;
/** CloudWatch's per-event limit; longer lines are split. */
const MAX_EVENT_BYTES = 256 * 1024;

const enc = (s: string) => encodeURIComponent(s);

export class LogStreamWriter {
  private readonly out: WriteStream;
  private closed = false;
  /** Events are gathered and written every FLUSH_MS (or at 64 KB): a write per batch, not per line. */
  private pending = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: "a" });
    this.out.on("error", (err) => console.error(`flint: log stream ${file}: ${err.message}`));
  }

  /** Append one event. Returns false when the caller should pause its producer until `onDrain`. */
  write(message: string, timestamp = Date.now()): boolean {
    if (this.closed) return true;
    for (let i = 0; i < message.length || i === 0; i += MAX_EVENT_BYTES) {
      this.pending += `{"t":${timestamp},"m":${JSON.stringify(message.length > MAX_EVENT_BYTES ? message.slice(i, i + MAX_EVENT_BYTES) : message)}}\n`;
      if (message.length <= MAX_EVENT_BYTES) break;
    }
    if (this.pending.length >= 64 * 1024) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    return !this.out.writableNeedDrain;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.out.write(this.pending);
    this.pending = "";
  }

  onDrain(fn: () => void): void {
    if (this.out.writableNeedDrain) this.out.once("drain", fn);
    else setImmediate(fn);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    return new Promise((resolve) => this.out.end(resolve));
  }
}

export class LogStore {
  private constructor(private readonly root: string) {}

  static async create(dataDir: string): Promise<LogStore> {
    const root = path.join(dataDir, "logs");
    await mkdir(root, { recursive: true });
    return new LogStore(root);
  }

  async openStream(group: string, stream: string): Promise<LogStreamWriter> {
    const dir = path.join(this.root, enc(group));
    await mkdir(dir, { recursive: true });
    return new LogStreamWriter(path.join(dir, `${enc(stream)}.jsonl`));
  }

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
