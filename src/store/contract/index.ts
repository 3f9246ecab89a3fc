/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";
import { slotsContract } from "./slots.js";

/**
 * A new, empty store, closed when the test `t` ends; `node(t, store)` opens another node on the same
 * database as `store` (for parts shared across nodes), also closed when `t` ends.
 */
export type FreshStore = ((t: TestContext) => Promise<Store>) & { node?: (t: TestContext, of: Store) => Promise<Store> };

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [functionsContract, slotsContract];
