/** `flint logs <function>`: read a function's log streams straight from the data dir. */
import { resolveConfig } from "../config/config.js";
import { LogStore } from "../services/logs/log-store.js";
import { dataDirToRead } from "./running-servers.js";

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
  const dataDir = await dataDirToRead(resolveConfig(rest.filter((a) => a !== name)));
  if (!dataDir) return 1;
  const store = await LogStore.create(dataDir);
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
  };
  await printNew();
  // A function that never ran has no log streams: `aws logs tail` fails on a log group that does not
  // exist (ResourceNotFoundException), and so does this. Following, the first run's logs are awaited.
  if (seen.size === 0) {
    process.stderr.write(`flint: no logs for ${name} in ${dataDir}: it has not run yet, or no function has that name${follow ? "; waiting for them" : ""}\n`);
  }
  if (!follow) return seen.size === 0 ? 1 : 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    await printNew();
  }
}
