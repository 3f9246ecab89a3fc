/**
 * DynamoDB Streams as a stream event source: its event record, filter view and on-failure batch
 * info (the rest, batching, retries, bisection, windows, checkpoints, is the stream poller's).
 * A stream record's `data` is the JSON of the record GetRecords returns; the Lambda event record is
 * that record with `eventSourceARN` added, in the order AWS sends its members.
 * Recorded: shared/reference/aws-recorded/esm-recorded.json (dynamodb_event_*, dynamodb_onfailure_*).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import type { StreamFlavour, StreamPosition, StreamRecord, StreamSource } from "./stream-poller.js";

/** DynamoDB Streams keeps a record 24 hours. */
const RETENTION_MS = 24 * 3_600_000;

/** The record GetRecords returns (its members as AWS names them). */
interface GetRecordsRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb?: Record<string, unknown>;
  /** The Streams API's Identity shape: `{ PrincipalId, Type }`. */
  userIdentity?: { PrincipalId?: string; Type?: string };
}

export const DYNAMODB: StreamFlavour = {
  eventRecord: (m, _shardId, r) => {
    const record = JSON.parse(r.data.toString("utf8")) as GetRecordsRecord;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? "1.1",
      eventSource: record.eventSource ?? "aws:dynamodb",
      awsRegion: record.awsRegion ?? m.eventSourceArn.split(":")[3],
      dynamodb: record.dynamodb,
      // TTL deletions. GetRecords spells it { PrincipalId, Type } (the Streams API model); the Lambda
      // event spells it { type: "Service", principalId: "dynamodb.amazonaws.com" }.
      ...(record.userIdentity !== undefined ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
      eventSourceARN: m.eventSourceArn,
    };
  },
  // Lambda adds eventSourceARN after filtering: the rest of the record is what a pattern sees (in
  // practice `dynamodb` and `eventName`, the only keys AWS documents filtering on).
  filterView: (event) => {
    const { eventSourceARN: _arn, ...view } = event;
    return view;
  },
  // The record is JSON in the event as in the stream, plus the ARN and a little punctuation.
  eventBytes: (r) => r.data.length + 256,
  // A table's new stream has a new label: a checkpoint never belongs to an older stream of the same
  // ARN (and a node's cached newest sequence may lag another node's appends).
  arnReused: false,
  batchInfoKey: "DDBStreamBatchInfo",
  // DynamoDB's on-failure records give arrival times in whole seconds (`2022-07-13T13:48:01Z`).
  arrivalTime: (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z"),
  readActions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
  missing: (arn) => `Stream not found: ${arn}`,
};

/** What the pollers need of the DynamoDB Streams service (services/dynamodb/streams.ts). */
export interface DynamoStreamsReader {
  /** The stream and its shards (one per stream in Flint), or undefined when there is no such stream. */
  streamByArn(arn: string): { shards: { shardId: string }[] } | undefined;
  readShard(arn: string, shardId: string, from: StreamPosition, limit: number): Promise<{ records: StreamRecord[]; millisBehindLatest: number }>;
  latestSequence(arn: string, shardId: string): string | undefined;
  onAppend(listener: (arn: string, shardId: string) => void): () => void;
}

/** The DynamoDB Streams service as the stream poller reads it. */
export function dynamodbReader(streams: DynamoStreamsReader): StreamSource {
  return {
    retentionMs: () => RETENTION_MS,
    shards: (arn) => streams.streamByArn(arn)?.shards,
    read: (arn, shardId, from, limit) => streams.readShard(arn, shardId, from, limit),
    latestSequence: (arn, shardId) => streams.latestSequence(arn, shardId),
    onAppend: (listener) => streams.onAppend(listener),
  };
}
