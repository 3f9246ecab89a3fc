/** `flint events <request-id>`: an asynchronous event's timeline, read from the node's store (--store, or the data dir's). */
import { resolveConfig } from "../config/config.js";
import { storeToRead } from "./store-to-read.js";

export async function events(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const rest = argv.filter((a) => a !== "--json");
  const id = rest.find((a, i) => !a.startsWith("--") && (i === 0 || !rest[i - 1]!.startsWith("--")));
  if (!id) {
    process.stderr.write("usage: flint events <request-id> [--data-dir DIR | --store URL] [--json]\n");
    return 2;
  }
  const found = await storeToRead(resolveConfig(rest.filter((a) => a !== id)));
  if (!found) return 1;
  const { store, where } = found;
  try {
    const timeline = await store.asyncEvents.timeline(id);
    if (timeline.length === 0) {
      process.stderr.write(`flint: no asynchronous event ${id} in ${where}\n`);
      return 1;
    }
    if (json) {
      process.stdout.write(JSON.stringify(timeline.map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, ...e.detail })), null, 2) + "\n");
      return 0;
    }
    for (const e of timeline) {
      const detail = Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
      process.stdout.write(`${new Date(e.at).toISOString()}  ${e.kind.padEnd(11)} ${detail}\n`);
    }
    if (timeline.at(-1)!.kind !== "ended") process.stdout.write("(still pending)\n");
    return 0;
  } finally {
    await store.close();
  }
}
