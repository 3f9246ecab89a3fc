/**
 * Streams and shards as the Kinesis API describes them (member names as on the wire; timestamps as
 * epoch seconds, which JSON 1.1 sends as numbers).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStream.html
 */
import type { ShardRecord, Stream } from "./model.js";

export const seconds = (ms: number) => ms / 1000;

export function shardShape(s: ShardRecord) {
  return {
    ShardId: s.shardId,
    ...(s.parentShardId ? { ParentShardId: s.parentShardId } : {}),
    HashKeyRange: { StartingHashKey: s.startingHashKey, EndingHashKey: s.endingHashKey },
    SequenceNumberRange: { StartingSequenceNumber: s.startingSequenceNumber },
  };
}

/** What DescribeStream and DescribeStreamSummary share. */
function common(s: Stream) {
  return {
    StreamName: s.name,
    StreamARN: s.arn,
    StreamStatus: s.status,
    StreamModeDetails: { StreamMode: s.mode },
    RetentionPeriodHours: s.retentionHours,
    StreamCreationTimestamp: seconds(s.createdAt),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: "NONE",
  };
}

export function streamDescription(s: Stream, shards: ShardRecord[], hasMoreShards: boolean) {
  return { ...common(s), Shards: shards.map(shardShape), HasMoreShards: hasMoreShards };
}

export function streamSummary(s: Stream) {
  return { ...common(s), OpenShardCount: s.shards.length, ConsumerCount: 0 };
}

export function listedStream(s: Stream) {
  return { StreamName: s.name, StreamARN: s.arn, StreamStatus: s.status, StreamModeDetails: { StreamMode: s.mode }, StreamCreationTimestamp: seconds(s.createdAt) };
}
