/** `flint logs <function>`: read a function's log group from the node's store (--store, or the data dir's). */
import { resolveConfig } from "../config/config.js";
import { groupReader } from "../services/logs/log-store.js";
import { storeToRead } from "./store-to-read.js";

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
    process.stderr.write("usage: flint logs <function> [--data-dir DIR | --store URL] [--follow]\n");
    return 2;
  }
  const found = await storeToRead(resolveConfig(rest.filter((a) => a !== name)));
  if (!found) return 1;
  const { store, where } = found;
  const reader = groupReader(store.logs, `/aws/lambda/${name}`);
  const printNew = async () => {
    for (const e of await reader.next()) process.stdout.write(`${new Date(e.timestamp).toISOString()} ${e.message.replace(/\r/g, "\n")}\n`);
  };
  await printNew();
  // A function that never ran has no log streams: `aws logs tail` fails on a log group that does not
  // exist (ResourceNotFoundException), and so does this. Following, the first run's logs are awaited.
  if (!reader.found) {
    process.stderr.write(`flint: no logs for ${name} in ${where}: it has not run yet, or no function has that name${follow ? "; waiting for them" : ""}\n`);
  }
  if (!follow) {
    await store.close();
    return reader.found ? 0 : 1;
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    await printNew();
  }
}
