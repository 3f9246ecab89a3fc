/**
 * What Flint keeps of a Kinesis data stream, and the shapes the in-process readers (event source
 * pollers) use. Hash keys are decimal strings of 128-bit integers, as on the wire.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescription.html
 */

export const STREAM_STATUS = { CREATING: "CREATING", ACTIVE: "ACTIVE", UPDATING: "UPDATING", DELETING: "DELETING" } as const;
export type StreamStatus = (typeof STREAM_STATUS)[keyof typeof STREAM_STATUS];

export const STREAM_MODES = ["PROVISIONED", "ON_DEMAND"] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
  startingHashKey: string;
  endingHashKey: string;
}

/** A shard as stored: its place in the stream and the sequence number it starts at. */
export interface ShardRecord extends ShardInfo {
  index: number;
  startingSequenceNumber: string;
}

export interface Stream {
  name: string;
  arn: string;
  mode: StreamMode;
  status: StreamStatus;
  retentionHours: number;
  /** Epoch ms. */
  createdAt: number;
  tags: Record<string, string>;
  shards: ShardRecord[];
}

/** One record of a shard, as readers get it. */
export interface StreamRecord {
  sequenceNumber: string;
  /** Epoch ms. */
  approximateArrivalTimestamp: number;
  data: Buffer;
  partitionKey: string;
}

/** Where a read starts: after or at a sequence number, at the oldest retained record, or at a time. */
export type ReadFrom = { after: string } | { at: string } | { trimHorizon: true } | { atTimestampMs: number };

/** A record to append to one shard. */
export interface NewRecord {
  partitionKey: string;
  data: Buffer;
  explicitHashKey?: string;
}

/** A stored record with its per-shard integer sequence. */
export interface StoredRecord {
  seq: number;
  arrival: number;
  partitionKey: string;
  data: Buffer;
}
