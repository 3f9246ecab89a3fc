/** Which store a reading command (`flint logs`, `flint events`) opens: the shared one it is given, else a data dir's. */
import type { FlintConfig } from "../config/config.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { dataDirToRead } from "./running-servers.js";

/** Undefined (having said why) when there is no data to read; `where` names it for messages, never a URL's password. */
export async function storeToRead(config: FlintConfig): Promise<{ store: Store; dataDir: string; where: string } | undefined> {
  if (config.store) return { store: await openStore(config), dataDir: config.dataDir, where: "the shared store" };
  const dataDir = await dataDirToRead(config);
  return dataDir ? { store: await openStore({ dataDir }), dataDir, where: dataDir } : undefined;
}
