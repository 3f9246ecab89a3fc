/**
 * A table as Flint keeps it: the fields DescribeTable reports, in AWS's member names where they are
 * AWS's, plus what Flint needs (the id its items are stored under, its streams, its TTL setting).
 * Stored whole, as JSON, one row per table (store/dynamodb-store.ts).
 */
import type { KeyType } from "./types.js";

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: KeyType;
}

export interface Projection {
  ProjectionType: "ALL" | "KEYS_ONLY" | "INCLUDE";
  NonKeyAttributes?: string[];
}

export interface ProvisionedThroughput {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

export type IndexStatus = "CREATING" | "UPDATING" | "DELETING" | "ACTIVE";

export interface IndexRecord {
  IndexName: string;
  kind: "global" | "local";
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  /** Global indexes only. */
  IndexStatus?: IndexStatus;
  ProvisionedThroughput?: ProvisionedThroughput;
}

export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

/** One stream a table has had: the current one, or a disabled one kept for its retention (24 h). */
export interface TableStream {
  arn: string;
  /** The ARN's last part, an ISO timestamp (`2026-12-05T22:51:30.123`). */
  label: string;
  viewType: StreamViewType;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms, once StreamEnabled went false (or the table was deleted). */
  disabledAt?: number;
}

export type TableStatus = "CREATING" | "UPDATING" | "DELETING" | "ACTIVE";

export interface TableRecord {
  name: string;
  /** `TableId`: a UUID made at creation; items are stored under it, so a re-created table starts empty. */
  id: string;
  arn: string;
  /** Epoch ms. */
  createdAt: number;
  status: TableStatus;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  provisionedThroughput?: ProvisionedThroughput;
  indexes: IndexRecord[];
  /** Every stream the table has had, newest last; the current one has no `disabledAt`. */
  streams: TableStream[];
  ttl?: { attributeName: string; enabled: boolean };
  tags: Record<string, string>;
  deletionProtection: boolean;
  tableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
}

/**
 * A stream record as the store keeps it (NewStreamRecord.record, JSON): what GetRecords returns
 * less what the reader adds (eventVersion "1.1", eventSource "aws:dynamodb", awsRegion and
 * `dynamodb.SequenceNumber`, from the stored sequence).
 */
export interface StoredStreamBody {
  /** 32 hex digits, random. */
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  /** TTL deletions: `{ type: "Service", principalId: "dynamodb.amazonaws.com" }`. */
  userIdentity?: { type: "Service"; principalId: "dynamodb.amazonaws.com" };
  dynamodb: {
    /** Epoch seconds (a whole number, as AWS sends it). */
    ApproximateCreationDateTime: number;
    Keys: import("./types.js").Item;
    NewImage?: import("./types.js").Item;
    OldImage?: import("./types.js").Item;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
}
