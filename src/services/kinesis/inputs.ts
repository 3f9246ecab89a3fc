/**
 * Kinesis requests decoded from their JSON members into typed inputs, validated as AWS validates
 * them (checks.ts). Every operation on a stream names it by StreamName or StreamARN.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Operations.html
 */
import { awsError } from "../../errors.js";
import { Checks, HASH_KEY, SEQUENCE_NUMBER, SHARD_ID, STREAM_ARN, STREAM_NAME, TAG_KEY } from "./checks.js";
import { STREAM_MODES, type NewRecord, type StreamMode } from "./model.js";

type Members = Record<string, unknown>;

export interface StreamRef {
  StreamName?: string;
  StreamARN?: string;
}

export const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] as const;
export type IteratorType = (typeof ITERATOR_TYPES)[number];
export const SHARD_FILTER_TYPES = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"] as const;

/** Data up to 1 MiB per record. */
export const MAX_DATA_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS = 500;

/**
 * Check a request's other members (`more`), then its StreamName and StreamARN, and throw what
 * failed. The order is AWS's (as kinesalite recorded it): the stream's name comes after the rest.
 */
function withRef<T>(m: Members, more: (c: Checks) => T): StreamRef & T {
  const c = new Checks(m);
  const rest = more(c);
  const ref: StreamRef = { StreamName: c.string("StreamName", STREAM_NAME), StreamARN: c.string("StreamARN", STREAM_ARN) };
  c.done();
  return { ...ref, ...rest };
}

export const decodeRef = (m: Members): StreamRef => withRef(m, () => ({}));

export function decodeCreateStream(m: Members) {
  const c = new Checks(m);
  const ShardCount = c.int("ShardCount", { min: 1 });
  const StreamName = c.string("StreamName", { required: true, ...STREAM_NAME })!;
  const details = c.map("StreamModeDetails");
  let StreamMode: StreamMode = "PROVISIONED";
  if (details) {
    const d = new Checks(details, "streamModeDetails.");
    StreamMode = d.string("StreamMode", { required: true, oneOf: STREAM_MODES }) as StreamMode;
    c.absorb(d);
  }
  // ShardCount may be left out only for an on-demand stream.
  if (StreamMode === "PROVISIONED" && ShardCount === undefined) c.int("ShardCount", { required: true });
  const Tags = decodeTags(c, "Tags", false);
  c.done();
  return { StreamName, ShardCount, StreamMode, Tags };
}

export const decodeDescribeStream = (m: Members) =>
  withRef(m, (c) => ({ Limit: c.int("Limit", { min: 1, max: 10000 }), ExclusiveStartShardId: c.string("ExclusiveStartShardId", SHARD_ID) }));

export function decodeListShards(m: Members) {
  return withRef(m, (c) => {
    const filter = c.map("ShardFilter");
    let ShardFilter: { Type: string; ShardId?: string; Timestamp?: number } | undefined;
    if (filter) {
      const f = new Checks(filter, "shardFilter.");
      ShardFilter = { Type: f.string("Type", { required: true, oneOf: SHARD_FILTER_TYPES })!, ShardId: f.string("ShardId", SHARD_ID), Timestamp: f.timestamp("Timestamp") };
      c.absorb(f);
    }
    return {
      ExclusiveStartShardId: c.string("ExclusiveStartShardId", SHARD_ID),
      MaxResults: c.int("MaxResults", { min: 1, max: 10000 }),
      NextToken: c.string("NextToken", { min: 1, max: 1048576 }),
      StreamCreationTimestamp: c.timestamp("StreamCreationTimestamp"),
      ShardFilter,
    };
  });
}

export function decodeListStreams(m: Members) {
  const c = new Checks(m);
  const out = { Limit: c.int("Limit", { min: 1, max: 10000 }), ExclusiveStartStreamName: c.string("ExclusiveStartStreamName", STREAM_NAME), NextToken: c.string("NextToken", { min: 1, max: 1048576 }) };
  c.done();
  return out;
}

export const decodeRetention = (m: Members) => withRef(m, (c) => ({ RetentionPeriodHours: c.int("RetentionPeriodHours", { required: true, min: 1, max: 8760 })! }));

/** Tags as a map (AddTagsToStream, CreateStream, TagResource). */
function decodeTags(c: Checks, name: string, required: boolean): Record<string, string> | undefined {
  const tags = c.map(name, { required, min: 1, max: 50 });
  if (!tags) return undefined;
  for (const [k, v] of Object.entries(tags)) if (typeof v !== "string") throw awsError("SerializationException", `Unexpected value type for tag '${k}': expected a string.`);
  return tags as Record<string, string>;
}

function decodeTagKeys(c: Checks): string[] {
  const keys = c.list("TagKeys", { required: true, min: 1, max: 50 }) ?? [];
  for (const k of keys) if (typeof k !== "string") throw awsError("SerializationException", "Unexpected value type in 'TagKeys': expected strings.");
  return keys as string[];
}

export const decodeAddTags = (m: Members) => withRef(m, (c) => ({ Tags: decodeTags(c, "Tags", true) ?? {} }));
export const decodeRemoveTags = (m: Members) => withRef(m, (c) => ({ TagKeys: decodeTagKeys(c) }));
export const decodeListTags = (m: Members) => withRef(m, (c) => ({ ExclusiveStartTagKey: c.string("ExclusiveStartTagKey", TAG_KEY), Limit: c.int("Limit", { min: 1, max: 50 }) }));

/** TagResource/UntagResource/ListTagsForResource name the stream by ResourceARN. */
function resourceRef(c: Checks): StreamRef {
  return { StreamARN: c.string("ResourceARN", { required: true, ...STREAM_ARN }) };
}
export function decodeTagResource(m: Members) {
  const c = new Checks(m);
  const out = { ...resourceRef(c), Tags: decodeTags(c, "Tags", true) ?? {} };
  c.done();
  return out;
}
export function decodeUntagResource(m: Members) {
  const c = new Checks(m);
  const out = { ...resourceRef(c), TagKeys: decodeTagKeys(c) };
  c.done();
  return out;
}
export function decodeResourceRef(m: Members): StreamRef {
  const c = new Checks(m);
  const out = resourceRef(c);
  c.done();
  return out;
}

function recordOf(c: Checks): NewRecord {
  const partitionKey = c.string("PartitionKey", { required: true, min: 1, max: 256 });
  const explicitHashKey = c.string("ExplicitHashKey", HASH_KEY);
  const data = c.blob("Data", { required: true, max: MAX_DATA_BYTES });
  return { data: data ?? Buffer.alloc(0), partitionKey: partitionKey ?? "", ...(explicitHashKey !== undefined ? { explicitHashKey } : {}) };
}

export const decodePutRecord = (m: Members) => withRef(m, (c) => ({ SequenceNumberForOrdering: c.string("SequenceNumberForOrdering", SEQUENCE_NUMBER), record: recordOf(c) }));

export function decodePutRecords(m: Members) {
  return withRef(m, (c) => {
    const list = c.list("Records", { required: true, min: 1, max: MAX_PUT_RECORDS, member: "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310" }) ?? [];
    const records = list.map((entry, i) => {
      if (typeof entry !== "object" || entry === null) throw awsError("SerializationException", "Unexpected value type in 'Records': expected structures.");
      const e = new Checks(entry as Members, `records.${i + 1}.member.`);
      const r = recordOf(e);
      c.absorb(e);
      return r;
    });
    return { records };
  });
}

export function decodeGetShardIterator(m: Members) {
  return withRef(m, (c) => ({
    ShardId: c.string("ShardId", { required: true, ...SHARD_ID })!,
    ShardIteratorType: c.string("ShardIteratorType", { required: true, oneOf: ITERATOR_TYPES }) as IteratorType,
    StartingSequenceNumber: c.string("StartingSequenceNumber", SEQUENCE_NUMBER),
    Timestamp: c.timestamp("Timestamp"),
  }));
}

export function decodeGetRecords(m: Members) {
  const c = new Checks(m);
  const out = { Limit: c.int("Limit", { min: 1, max: 10000 }), ShardIterator: c.string("ShardIterator", { required: true, min: 1, max: 512 })!, StreamARN: c.string("StreamARN", STREAM_ARN) };
  c.done();
  return out;
}
