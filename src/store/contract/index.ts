/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";
import { blobsContract } from "./blobs.js";
import { logsContract } from "./logs.js";
import { settingsContract } from "./kv.js";

/** A new, empty store, closed when the test `t` ends. */
export interface FreshStore {
  (t: TestContext): Promise<Store>;
  /** Another store on `store`'s database (a second node, or the first reopened), closed when `t` ends. */
  again(t: TestContext, store: Store): Promise<Store>;
}

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [functionsContract, blobsContract, logsContract, settingsContract];
