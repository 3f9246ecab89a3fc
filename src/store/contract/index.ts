/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";
import { streamsContract } from "./streams.js";
import { mappingsContract } from "./mappings.js";
import { leasesContract } from "./leases.js";
import { blobsContract } from "./blobs.js";
import { logsContract } from "./logs.js";
import { settingsContract } from "./kv.js";

export interface FreshStore {
  /** A new, empty store, closed when the test `t` ends. */
  (t: TestContext): Promise<Store>;
  /**
   * Another store opened on `store`'s database (closed when `t` ends): a second node beside it, or
   * `store` reopened after it closed.
   */
  another(t: TestContext, store: Store): Promise<Store>;
}

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [functionsContract, streamsContract, mappingsContract, leasesContract, blobsContract, logsContract, settingsContract];
