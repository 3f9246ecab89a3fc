/**
 * Every DynamoDB operation Flint serves (`DynamoDB_20120810.<Op>`, JSON 1.0): request members →
 * decoded, validated input → one service call → result members. The control plane is the tables
 * service's; the item operations are the items service's, which takes the members as they come.
 */
import * as inputs from "../../services/dynamodb/table-inputs.js";
import type { TablesService } from "../../services/dynamodb/tables.js";

type Members = Record<string, unknown>;

/** The item operations (services/dynamodb/items.ts' ItemsService): AWS members in, members out. */
export interface ItemOperations {
  putItem(m: Members): Promise<Members>;
  getItem(m: Members): Promise<Members>;
  updateItem(m: Members): Promise<Members>;
  deleteItem(m: Members): Promise<Members>;
  query(m: Members): Promise<Members>;
  scan(m: Members): Promise<Members>;
  batchGetItem(m: Members): Promise<Members>;
  batchWriteItem(m: Members): Promise<Members>;
  transactWriteItems(m: Members): Promise<Members>;
  transactGetItems(m: Members): Promise<Members>;
}

export interface DynamoServices {
  tables: TablesService;
  items: ItemOperations;
  /** The host the request was sent to (DescribeEndpoints answers it). */
  host: string;
}

export type Operation = (s: DynamoServices, m: Members) => Promise<Members> | Members;

export const OPERATIONS: Record<string, Operation> = {
  CreateTable: (s, m) => s.tables.createTable(inputs.decodeCreateTable(m)),
  DescribeTable: (s, m) => s.tables.describeTable(inputs.decodeTableRef(m)),
  UpdateTable: (s, m) => s.tables.updateTable(inputs.decodeUpdateTable(m)),
  DeleteTable: (s, m) => s.tables.deleteTable(inputs.decodeTableRef(m)),
  ListTables: (s, m) => s.tables.listTables(inputs.decodeListTables(m)),
  UpdateTimeToLive: (s, m) => s.tables.updateTimeToLive(inputs.decodeUpdateTimeToLive(m)),
  DescribeTimeToLive: (s, m) => s.tables.describeTimeToLive(inputs.decodeTableRef(m)),
  TagResource: (s, m) => s.tables.tagResource(inputs.decodeTagResource(m)),
  UntagResource: (s, m) => s.tables.untagResource(inputs.decodeUntagResource(m)),
  ListTagsOfResource: (s, m) => s.tables.listTagsOfResource(inputs.decodeListTags(m)),
  DescribeContinuousBackups: (s, m) => s.tables.describeContinuousBackups(inputs.decodeTableRef(m)),
  UpdateContinuousBackups: (s, m) => s.tables.updateContinuousBackups(inputs.decodeUpdateContinuousBackups(m)),
  DescribeLimits: (s) => s.tables.describeLimits(),
  DescribeEndpoints: (s) => s.tables.describeEndpoints(s.host),
  PutItem: (s, m) => s.items.putItem(m),
  GetItem: (s, m) => s.items.getItem(m),
  UpdateItem: (s, m) => s.items.updateItem(m),
  DeleteItem: (s, m) => s.items.deleteItem(m),
  Query: (s, m) => s.items.query(m),
  Scan: (s, m) => s.items.scan(m),
  BatchGetItem: (s, m) => s.items.batchGetItem(m),
  BatchWriteItem: (s, m) => s.items.batchWriteItem(m),
  TransactWriteItems: (s, m) => s.items.transactWriteItems(m),
  TransactGetItems: (s, m) => s.items.transactGetItems(m),
};
