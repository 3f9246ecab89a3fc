/** `flint events <request-id>`: an asynchronous event's timeline, read straight from the data dir. */
import { resolveConfig } from "../config/config.js";
import { SqliteStore } from "../store/sqlite.js";
import { dataDirToRead } from "./running-servers.js";

export async function events(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const rest = argv.filter((a) => a !== "--json");
  const id = rest.find((a, i) => !a.startsWith("--") && (i === 0 || !rest[i - 1]!.startsWith("--")));
  if (!id) {
    process.stderr.write("usage: flint events <request-id> [--data-dir DIR] [--json]\n");
    return 2;
  }
  const dataDir = await dataDirToRead(resolveConfig(rest.filter((a) => a !== id)));
  if (!dataDir) return 1;
  const store = SqliteStore.open(dataDir);
  try {
    const timeline = await store.asyncEvents.timeline(id);
    if (timeline.length === 0) {
      process.stderr.write(`flint: no asynchronous event ${id} in ${dataDir}\n`);
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
