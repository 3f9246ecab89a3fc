/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";
import { changesContract } from "./changes.js";

/**
 * A new, empty store, closed when the test `t` ends; given `sameAs`, another node of `sameAs`'s
 * cluster instead (the same data, the same change bus, its own node id).
 */
export type FreshStore = (t: TestContext, sameAs?: Store) => Promise<Store>;

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [functionsContract, changesContract];
