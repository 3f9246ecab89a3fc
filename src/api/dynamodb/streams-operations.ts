/**
 * Every DynamoDB Streams operation Flint serves (`DynamoDBStreams_20120810.<Op>`, JSON 1.0):
 * request members → input checked as AWS's model constrains it (the tables' `Checks`: a member of
 * the wrong JSON type is a SerializationException, every constraint violation of a request goes in
 * one ValidationException) → one service call → result members.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 */
import type { DynamoStreamsService, ShardIteratorType } from "../../services/dynamodb/streams.js";
import { Checks, TABLE_NAME_PATTERN } from "../../services/dynamodb/table-inputs.js";

type Members = Record<string, unknown>;

export type StreamsOperation = (streams: DynamoStreamsService, m: Members) => Promise<Members>;

const ITERATOR_TYPES: readonly ShardIteratorType[] = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];
/** The model's lengths of a stream ARN and a shard id. */
const STREAM_ARN = { min: 37, max: 1024 };
const SHARD_ID = { min: 28, max: 65 };

export const STREAMS_OPERATIONS: Record<string, StreamsOperation> = {
  ListStreams: async (s, m) => {
    const c = Checks.root(m);
    const TableName = c.string("TableName", { min: 3, max: 255, pattern: TABLE_NAME_PATTERN });
    const Limit = c.int("Limit", { min: 1 });
    const ExclusiveStartStreamArn = c.string("ExclusiveStartStreamArn", STREAM_ARN);
    c.done();
    // AWS returns at most 100 streams a call, whatever the Limit.
    return s.listStreams({ TableName, Limit: Limit === undefined ? undefined : Math.min(Limit, 100), ExclusiveStartStreamArn });
  },
  DescribeStream: async (s, m) => {
    const c = Checks.root(m);
    const StreamArn = c.string("StreamArn", { required: true, ...STREAM_ARN });
    const Limit = c.int("Limit", { min: 1 });
    const ExclusiveStartShardId = c.string("ExclusiveStartShardId", SHARD_ID);
    c.done();
    return s.describeStream({ StreamArn: StreamArn!, Limit, ExclusiveStartShardId });
  },
  GetShardIterator: async (s, m) => {
    const c = Checks.root(m);
    const StreamArn = c.string("StreamArn", { required: true, ...STREAM_ARN });
    const ShardId = c.string("ShardId", { required: true, ...SHARD_ID });
    const ShardIteratorType = c.string("ShardIteratorType", { required: true, oneOf: ITERATOR_TYPES }) as ShardIteratorType | undefined;
    const SequenceNumber = c.string("SequenceNumber", { min: 21, max: 40 });
    c.done();
    return s.getShardIterator({ StreamArn: StreamArn!, ShardId: ShardId!, ShardIteratorType: ShardIteratorType!, SequenceNumber });
  },
  GetRecords: async (s, m) => {
    const c = Checks.root(m);
    const ShardIterator = c.string("ShardIterator", { required: true, min: 1, max: 2048 });
    const Limit = c.int("Limit", { min: 1, max: 1000 });
    c.done();
    return s.getRecords({ ShardIterator: ShardIterator!, Limit });
  },
};
