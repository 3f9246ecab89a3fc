/** `flint logs <function>`: read a function's log streams straight from the data dir. */
import { resolveConfig } from "../config/config.js";
import { LogStore } from "../services/logs/log-store.js";

export async function logs(argv: string[]): Promise<number> {
  // `flint logs f | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  const follow = argv.includes("--follow") || argv.includes("-f");
  const rest = argv.filter((a) => a !== "--follow" && a !== "-f");
  const name = rest.find((a, i) => !a.startsWith("--") && (i === 0 || !rest[i - 1]!.startsWith("--")));
  if (!name) {
    process.stderr.write("usage: flint logs <function> [--data-dir DIR] [--follow]\n");
    return 2;
  }
  const config = resolveConfig(rest.filter((a) => a !== name));
  const store = await LogStore.create(config.dataDir);
  const group = `/aws/lambda/${name}`;
  const seen = new Map<string, number>();
  const printNew = async () => {
    const events: { timestamp: number; stream: string; message: string }[] = [];
    for (const stream of await store.listStreams(group)) {
      let i = 0;
      const skip = seen.get(stream) ?? 0;
      for await (const e of store.readStream(group, stream)) {
        if (i++ >= skip) events.push({ ...e, stream });
      }
      seen.set(stream, i);
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of events) process.stdout.write(`${new Date(e.timestamp).toISOString()} ${e.message.replace(/\r/g, "\n")}\n`);
    return events.length;
  };
  const n = await printNew();
  if (!follow) {
    if (n === 0 && seen.size === 0) process.stderr.write(`flint: no logs for ${name} in ${config.dataDir}\n`);
    return 0;
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    await printNew();
  }
}
