/**
 * The one persistence boundary. Services talk to this interface; `sqlite.ts` implements it for the
 * embedded default (PostgreSQL joins later behind the same contract, see store.contract.test.ts).
 * Methods are async so that a networked implementation fits the same seam.
 */
import type { FunctionRecord } from "../services/lambda/model.js";
import type { AsyncEventStore } from "./async-store.js";
import type { QueueStore } from "./queue-store.js";
import type { SnsStore } from "./sns-store.js";
import type { IamStore } from "./iam-store.js";
import type { MappingStore } from "./mapping-store.js";
import type { StreamStore } from "./stream-store.js";
import type { FunctionUrlStore } from "./function-url-store.js";
import type { RestApiStore } from "./rest-api-store.js";
import type { HttpApiStore } from "./http-api-store.js";
import type { LeaseStore } from "./lease-store.js";
import type { BlobStore } from "./blob-store.js";
import type { LogsStore } from "./logs-store.js";
import type { SettingsStore } from "./settings-store.js";
import type { ChangeBus } from "./change-bus.js";
import type { SlotStore } from "./slot-store.js";
import type { DynamoStore } from "./dynamodb-store.js";
import type { MetricStore } from "./metric-store.js";

export interface Store {
  /**
   * This node's id, a random UUID made when the store opened: what its leases and claims are held
   * under. Nodes sharing one PostgreSQL database each have their own.
   */
  readonly nodeId: string;
  /** Tells the other nodes which cached records changed, and this node theirs (change-bus.ts). */
  readonly changes: ChangeBus;
  /** SQS queues and messages (queue-store.ts). */
  readonly queues: QueueStore;
  /** Accepted asynchronous invocations and their timelines (async-store.ts). */
  readonly asyncEvents: AsyncEventStore;
  /** SNS topics, subscriptions and pending deliveries (sns-store.ts). */
  readonly sns: SnsStore;
  /** IAM roles and customer managed policies (iam-store.ts). */
  readonly iam: IamStore;
  /** Event source mappings and their checkpoints (mapping-store.ts). */
  readonly mappings: MappingStore;
  /** Kinesis streams, shards and records (stream-store.ts). */
  readonly streams: StreamStore;
  /** DynamoDB tables, their items and index entries, and their streams' records (dynamodb-store.ts). */
  readonly dynamodb: DynamoStore;
  /** CloudWatch metric series and their data at each resolution (metric-store.ts). */
  readonly metrics: MetricStore;
  /** Function URL configs (function-url-store.ts). */
  readonly functionUrls: FunctionUrlStore;
  /** API Gateway REST APIs (rest-api-store.ts). */
  readonly restApis: RestApiStore;
  /** API Gateway HTTP APIs, each with its routes, integrations, stages and deployments (http-api-store.ts). */
  readonly httpApis: HttpApiStore;
  /** Leases on work one node at a time must do, held under `nodeId` (lease-store.ts). */
  readonly leases: LeaseStore;
  /**
   * What one node keeps in its data dir, kept in a store every node of a cluster shares: code
   * packages, the clock and the generated root credentials. Absent on the embedded store, where the
   * data dir's files stay what they are.
   */
  readonly blobs?: BlobStore;
  readonly settings?: SettingsStore;
  /** CloudWatch Logs: log groups, streams and events, function logs among them (logs-store.ts). */
  readonly logs: LogsStore;
  /** Concurrency slots leased to nodes (slot-store.ts); closing the store gives this node's back. */
  readonly slots: SlotStore;
  getFunction(name: string): Promise<FunctionRecord | undefined>;
  listFunctions(): Promise<FunctionRecord[]>;
  /** Insert or replace; `codeIds` are the code packages it references (`codeInUse`). */
  putFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<void>;
  /** Insert only; resolves false when a function of that name already exists. */
  insertFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<boolean>;
  deleteFunction(name: string): Promise<void>;
  /** Is a code package referenced by any function? */
  codeInUse(codeId: string): Promise<boolean>;
  close(): Promise<void>;
}
