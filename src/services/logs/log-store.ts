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

/** CloudWatch's per-event limit; longer lines are split. */
const MAX_EVENT_BYTES = 256 * 1024;

const enc = (s: string) => encodeURIComponent(s);

export class LogStreamWriter {
  private readonly out: WriteStream;
  private closed = false;

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: "a" });
    this.out.on("error", (err) => console.error(`flint: log stream ${file}: ${err.message}`));
  }

  /** Append one event. Returns false when the caller should pause its producer until `onDrain`. */
  write(message: string, timestamp = Date.now()): boolean {
    if (this.closed) return true;
    let ok = true;
    for (let i = 0; i < message.length; i += MAX_EVENT_BYTES) {
      ok = this.out.write(`{"t":${timestamp},"m":${JSON.stringify(message.slice(i, i + MAX_EVENT_BYTES))}}\n`) && ok;
      if (message.length === 0) break;
    }
    return ok;
  }

  onDrain(fn: () => void): void {
    this.out.once("drain", fn);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
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
