/**
 * StreamStore on PostgreSQL. As on SQLite (sqlite-streams.ts), a shard's records are keyed
 * (stream, shard, seq), reads and trimming walk that key, and a shard's newest record is never
 * deleted. Several nodes append to one shard at once, so an append takes its sequences from the
 * shard's row (`last_seq`, bumped by an UPDATE that holds the row's lock until the append's
 * transaction ends): appends to one shard queue on that row and number without gaps or repeats,
 * appends to different shards do not wait for each other.
 */
import type { PgDb, Sql } from "./pg-db.js";
import type { NewRecord, Stream, StoredRecord } from "../services/kinesis/model.js";
import type { StreamStore } from "./stream-store.js";
import { toStoredRecord, toStreams, type RecordRow, type ShardRow, type StreamRow } from "./stream-rows.js";

export const PG_STREAM_TABLES = `
  CREATE TABLE kinesis_streams (
    name text PRIMARY KEY,
    arn text NOT NULL,
    mode text NOT NULL,
    status text NOT NULL,
    retention_hours integer NOT NULL,
    created_at bigint NOT NULL,
    tags text NOT NULL
  );
  CREATE TABLE kinesis_shards (
    stream text NOT NULL,
    shard integer NOT NULL,
    shard_id text NOT NULL,
    parent_shard_id text,
    starting_hash_key text NOT NULL,
    ending_hash_key text NOT NULL,
    starting_sequence text NOT NULL,
    last_seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (stream, shard)
  );
  CREATE TABLE kinesis_records (
    stream text NOT NULL,
    shard integer NOT NULL,
    seq bigint NOT NULL,
    arrival bigint NOT NULL,
    partition_key text NOT NULL,
    data bytea NOT NULL,
    explicit_hash_key text,
    PRIMARY KEY (stream, shard, seq)
  );`;

export class PgStreamStore implements StreamStore {
  constructor(private readonly db: PgDb) {}

  async listStreams(): Promise<Stream[]> {
    const [streams, shardRows] = await Promise.all([
      this.db.query<StreamRow>('SELECT * FROM kinesis_streams ORDER BY name COLLATE "C"'),
      this.db.query<ShardRow>('SELECT * FROM kinesis_shards ORDER BY stream COLLATE "C", shard'),
    ]);
    return toStreams(streams, shardRows);
  }

  insertStream(stream: Stream): Promise<boolean> {
    return this.db.tx(async (sql) => {
      const inserted = await sql.run(
        "INSERT INTO kinesis_streams (name, arn, mode, status, retention_hours, created_at, tags) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING",
        [stream.name, stream.arn, stream.mode, stream.status, stream.retentionHours, stream.createdAt, JSON.stringify(stream.tags)],
      );
      if (inserted === 0) return false;
      const s = stream.shards;
      await sql.run(
        `INSERT INTO kinesis_shards (stream, shard, shard_id, parent_shard_id, starting_hash_key, ending_hash_key, starting_sequence)
         SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [stream.name, s.map((x) => x.index), s.map((x) => x.shardId), s.map((x) => x.parentShardId ?? null), s.map((x) => x.startingHashKey), s.map((x) => x.endingHashKey), s.map((x) => x.startingSequenceNumber)],
      );
      return true;
    });
  }

  async putStream(stream: Stream): Promise<void> {
    await this.db.run("UPDATE kinesis_streams SET status = $2, retention_hours = $3, tags = $4 WHERE name = $1", [stream.name, stream.status, stream.retentionHours, JSON.stringify(stream.tags)]);
  }

  async deleteStream(name: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.run("DELETE FROM kinesis_records WHERE stream = $1", [name]);
      await sql.run("DELETE FROM kinesis_shards WHERE stream = $1", [name]);
      await sql.run("DELETE FROM kinesis_streams WHERE name = $1", [name]);
    });
  }

  append(stream: string, shardIndex: number, records: NewRecord[], arrival: number): Promise<number[]> {
    if (records.length === 0) return Promise.resolve([]);
    return this.db.tx(async (sql) => {
      // The row stays locked until commit: the next append to this shard numbers after these.
      const [shard] = await sql.query<{ last_seq: number }>("UPDATE kinesis_shards SET last_seq = last_seq + $3 WHERE stream = $1 AND shard = $2 RETURNING last_seq", [stream, shardIndex, records.length]);
      if (!shard) throw new Error(`no shard ${shardIndex} in stream ${stream}`);
      const first = shard.last_seq - records.length + 1;
      const seqs = records.map((_, i) => first + i);
      await sql.run(
        `INSERT INTO kinesis_records (stream, shard, seq, arrival, partition_key, data, explicit_hash_key)
         SELECT $1, $2, u.seq, $3, u.pk, u.data, u.hash FROM unnest($4::bigint[], $5::text[], $6::bytea[], $7::text[]) AS u(seq, pk, data, hash)`,
        [stream, shardIndex, arrival, seqs, records.map((r) => r.partitionKey), records.map((r) => r.data), records.map((r) => r.explicitHashKey ?? null)],
      );
      return seqs;
    });
  }

  async read(stream: string, shardIndex: number, after: number, since: number, limit: number, maxBytes: number): Promise<StoredRecord[]> {
    // The byte budget is applied in the database, so records past it are never sent: a record is
    // returned while the running total (its own size included) fits, and the first one always.
    const rows = await this.db.query<RecordRow>(
      `SELECT seq, arrival, partition_key, data FROM (
         SELECT seq, arrival, partition_key, data,
                sum(octet_length(data)) OVER (ORDER BY seq) AS upto, row_number() OVER (ORDER BY seq) AS n
         FROM (SELECT * FROM kinesis_records WHERE stream = $1 AND shard = $2 AND seq > $3 AND arrival >= $4 ORDER BY seq LIMIT $5) r
       ) w WHERE n = 1 OR upto <= $6 ORDER BY seq`,
      [stream, shardIndex, after, since, limit, maxBytes],
    );
    return rows.map(toStoredRecord);
  }

  async latest(stream: string, shardIndex: number): Promise<{ seq: number; arrival: number } | undefined> {
    return latestOf(this.db, stream, shardIndex);
  }

  async firstAtOrAfter(stream: string, shardIndex: number, at: number): Promise<number | undefined> {
    return firstOf(this.db, stream, shardIndex, at);
  }

  trim(stream: string, before: number): Promise<number> {
    return this.db.tx(async (sql) => {
      let deleted = 0;
      for (const { shard } of await sql.query<{ shard: number }>("SELECT shard FROM kinesis_shards WHERE stream = $1", [stream])) {
        const keep = (await firstOf(sql, stream, shard, before)) ?? (await latestOf(sql, stream, shard))?.seq;
        if (keep !== undefined) deleted += await sql.run("DELETE FROM kinesis_records WHERE stream = $1 AND shard = $2 AND seq < $3", [stream, shard, keep]);
      }
      return deleted;
    });
  }
}

async function latestOf(sql: Sql, stream: string, shard: number): Promise<{ seq: number; arrival: number } | undefined> {
  const [row] = await sql.query<{ seq: number; arrival: number }>("SELECT seq, arrival FROM kinesis_records WHERE stream = $1 AND shard = $2 ORDER BY seq DESC LIMIT 1", [stream, shard]);
  return row;
}

async function firstOf(sql: Sql, stream: string, shard: number, at: number): Promise<number | undefined> {
  const [row] = await sql.query<{ seq: number }>("SELECT seq FROM kinesis_records WHERE stream = $1 AND shard = $2 AND arrival >= $3 ORDER BY seq LIMIT 1", [stream, shard, at]);
  return row?.seq;
}
