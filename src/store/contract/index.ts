/** Every part's contract suite; `store.contract.test.ts` runs each against every Store implementation. */
import { test, type TestContext } from "node:test";
import type { Store } from "../store.js";
import { functionsContract } from "./functions.js";
import { streamsContract } from "./streams.js";
import { mappingsContract } from "./mappings.js";
import { leasesContract } from "./leases.js";
import { blobsContract } from "./blobs.js";
import { logsContract } from "./logs.js";
import { settingsContract } from "./kv.js";
import { changesContract } from "./changes.js";
import { slotsContract } from "./slots.js";
import { queuesContract } from "./queues.js";
import { queuesAcrossNodesContract } from "./queues-nodes.js";
import { iamContract } from "./iam.js";
import { functionUrlsContract } from "./function-urls.js";
import { restApisContract } from "./rest-apis.js";
import { httpApisContract } from "./http-apis.js";
import { asyncContract } from "./async.js";
import { snsContract } from "./sns.js";
import { dynamodbContract } from "./dynamodb.js";
import { metricsContract } from "./metrics.js";

/** A new, empty store, closed when the test `t` ends. */
export interface FreshStore {
  /** Given `sameAs`: another node of `sameAs`'s cluster instead (the same data, the same change bus, its own node id). */
  (t: TestContext, sameAs?: Store): Promise<Store>;
  /** Close `store` and open its database again (what a restart sees); closed when `t` ends. */
  reopen(t: TestContext, store: Store): Promise<Store>;
  /**
   * Where several nodes share one database (PostgreSQL): open another store on `store`'s database
   * beside it, as a second node would; closed when `t` ends.
   */
  nextNode?: (t: TestContext, store: Store) => Promise<Store>;
  /**
   * Another store opened on `store`'s database (closed when `t` ends): a second node beside it, or
   * `store` reopened after it closed.
   */
  another(t: TestContext, store: Store): Promise<Store>;
}

export const CONTRACTS: ((fresh: FreshStore) => void)[] = [
  functionsContract,
  queuesContract,
  queuesAcrossNodesContract,
  iamContract,
  functionUrlsContract,
  restApisContract,
  httpApisContract,
  streamsContract,
  mappingsContract,
  leasesContract,
  blobsContract,
  logsContract,
  settingsContract,
  changesContract,
  slotsContract,
  asyncContract,
  snsContract,
  dynamodbContract,
  metricsContract,
];

/**
 * `test` for what only a store several nodes share has (PostgreSQL: a second node on the database,
 * and the blobs, logs and settings parts); on the embedded store such a test is not registered.
 */
export function sharedTest(fresh: FreshStore): typeof test {
  return fresh.nextNode ? test : ((() => {}) as unknown as typeof test);
}
