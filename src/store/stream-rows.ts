/**
 * The rows of the Kinesis tables as both stores read them (sqlite-streams.ts, pg-streams.ts: the
 * same columns on SQLite and PostgreSQL), and how they become the model.
 */
import type { Stream, StoredRecord } from "../services/kinesis/model.js";

export interface StreamRow {
  name: string;
  arn: string;
  mode: string;
  status: string;
  retention_hours: number;
  created_at: number;
  tags: string;
}

export interface ShardRow {
  stream: string;
  shard: number;
  shard_id: string;
  parent_shard_id: string | null;
  starting_hash_key: string;
  ending_hash_key: string;
  starting_sequence: string;
}

export interface RecordRow {
  seq: number;
  arrival: number;
  partition_key: string;
  data: Buffer;
}

/** The streams of `streams`, each with its shards from `shardRows` (in the order given). */
export function toStreams(streams: StreamRow[], shardRows: Iterable<ShardRow>): Stream[] {
  const shards = new Map<string, ShardRow[]>();
  for (const s of shardRows) {
    const list = shards.get(s.stream);
    if (list) list.push(s);
    else shards.set(s.stream, [s]);
  }
  return streams.map((r) => ({
    name: r.name,
    arn: r.arn,
    mode: r.mode as Stream["mode"],
    status: r.status as Stream["status"],
    retentionHours: r.retention_hours,
    createdAt: r.created_at,
    tags: JSON.parse(r.tags) as Record<string, string>,
    shards: (shards.get(r.name) ?? []).map((s) => ({
      index: s.shard,
      shardId: s.shard_id,
      ...(s.parent_shard_id !== null ? { parentShardId: s.parent_shard_id } : {}),
      startingHashKey: s.starting_hash_key,
      endingHashKey: s.ending_hash_key,
      startingSequenceNumber: s.starting_sequence,
    })),
  }));
}

export function toStoredRecord(r: RecordRow): StoredRecord {
  return { seq: r.seq, arrival: r.arrival, partitionKey: r.partition_key, data: r.data };
}
