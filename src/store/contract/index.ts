/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import type { TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";

/** A new, empty store, closed when the test `t` ends. */
export type FreshStore = (t: TestContext) => Promise<Store>;

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [functionsContract];
