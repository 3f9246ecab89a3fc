/**
 * Kinesis as a stream event source: its event record and on-failure batch info (the rest is the
 * stream poller's). Recorded: shared/reference/aws-recorded/esm-recorded.json (kinesis_event_records).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import type { StreamFlavour, StreamSource } from "./stream-poller.js";
import type { KinesisService } from "../services/kinesis/service.js";
import { kinesisFilterView } from "./filter.js";

export const KINESIS: StreamFlavour = {
  eventRecord: (m, shardId, r, role) => ({
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      data: r.data.toString("base64"),
      approximateArrivalTimestamp: r.approximateArrivalTimestamp / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${r.sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: role,
    awsRegion: m.eventSourceArn.split(":")[3],
    eventSourceARN: m.eventSourceArn,
  }),
  filterView: (event) => kinesisFilterView(event.kinesis as Parameters<typeof kinesisFilterView>[0]),
  batchInfoKey: "KinesisBatchInfo",
  readActions: ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
  missing: (arn) => `Stream not found: ${arn}`,
};

/** The Kinesis service as the stream poller reads it. */
export function kinesisReader(kinesis: Pick<KinesisService, "streamByArn" | "readShard" | "latestSequence" | "onAppend">): StreamSource {
  return {
    retentionMs: (arn) => (kinesis.streamByArn(arn)?.retentionHours ?? 24) * 3_600_000,
    shards: (arn) => kinesis.streamByArn(arn)?.shards,
    read: (arn, shardId, from, limit) => kinesis.readShard(arn, shardId, from, limit),
    latestSequence: (arn, shardId) => kinesis.latestSequence(arn, shardId),
    onAppend: (listener) => kinesis.onAppend(listener),
  };
}
