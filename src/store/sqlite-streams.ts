/**
 * StreamStore on the SQLite database of `sqlite.ts` (same file, same handle, tables from its
 * migrations). A shard's records are keyed (stream, shard, seq): reads walk that key in order from a
 * position, and so does trimming, which deletes a shard's oldest records up to the first one inside
 * retention (records arrive in sequence order, so no index on arrival time is needed). A shard's
 * newest record is never deleted, only hidden by the retention filter of reads, so that the next
 * append numbers after it and a sequence is never used twice.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { NewRecord, Stream, StoredRecord } from "../services/kinesis/model.js";
import type { StreamStore } from "./stream-store.js";
import { toStoredRecord, toStreams, type RecordRow, type ShardRow, type StreamRow } from "./stream-rows.js";

export const STREAM_TABLES = `
  CREATE TABLE kinesis_streams (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    retention_hours INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    tags TEXT NOT NULL
  );
  CREATE TABLE kinesis_shards (
    stream TEXT NOT NULL,
    shard INTEGER NOT NULL,
    shard_id TEXT NOT NULL,
    parent_shard_id TEXT,
    starting_hash_key TEXT NOT NULL,
    ending_hash_key TEXT NOT NULL,
    starting_sequence TEXT NOT NULL,
    PRIMARY KEY (stream, shard)
  );
  CREATE TABLE kinesis_records (
    stream TEXT NOT NULL,
    shard INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    arrival INTEGER NOT NULL,
    partition_key TEXT NOT NULL,
    data BLOB NOT NULL,
    explicit_hash_key TEXT,
    PRIMARY KEY (stream, shard, seq)
  );`;

export class SqliteStreamStore implements StreamStore {
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.stmts = {
      streams: db.prepare<[], StreamRow>("SELECT * FROM kinesis_streams ORDER BY name"),
      shards: db.prepare<[], ShardRow>("SELECT * FROM kinesis_shards ORDER BY stream, shard"),
      insertStream: db.prepare(
        "INSERT INTO kinesis_streams (name, arn, mode, status, retention_hours, created_at, tags) VALUES (@name, @arn, @mode, @status, @retention_hours, @created_at, @tags) ON CONFLICT(name) DO NOTHING",
      ),
      putStream: db.prepare("UPDATE kinesis_streams SET status = @status, retention_hours = @retention_hours, tags = @tags WHERE name = @name"),
      insertShard: db.prepare(
        "INSERT INTO kinesis_shards (stream, shard, shard_id, parent_shard_id, starting_hash_key, ending_hash_key, starting_sequence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      deleteStream: db.prepare("DELETE FROM kinesis_streams WHERE name = ?"),
      deleteShards: db.prepare("DELETE FROM kinesis_shards WHERE stream = ?"),
      deleteRecords: db.prepare("DELETE FROM kinesis_records WHERE stream = ?"),
      insertRecord: db.prepare("INSERT INTO kinesis_records (stream, shard, seq, arrival, partition_key, data, explicit_hash_key) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      latest: db.prepare<[string, number], { seq: number; arrival: number }>("SELECT seq, arrival FROM kinesis_records WHERE stream = ? AND shard = ? ORDER BY seq DESC LIMIT 1"),
      read: db.prepare<[string, number, number, number, number], RecordRow>(
        "SELECT seq, arrival, partition_key, data FROM kinesis_records WHERE stream = ? AND shard = ? AND seq > ? AND arrival >= ? ORDER BY seq LIMIT ?",
      ),
      firstAtOrAfter: db.prepare<[string, number, number], { seq: number }>(
        "SELECT seq FROM kinesis_records WHERE stream = ? AND shard = ? AND arrival >= ? ORDER BY seq LIMIT 1",
      ),
      shardIndexes: db.prepare<[string], { shard: number }>("SELECT shard FROM kinesis_shards WHERE stream = ?"),
      trimBelow: db.prepare("DELETE FROM kinesis_records WHERE stream = ? AND shard = ? AND seq < ?"),
    };
  }

  async listStreams(): Promise<Stream[]> {
    const shards = this.stmts.shards.all();
    return toStreams(this.stmts.streams.all(), shards);
  }

  private row(s: Stream) {
    return { name: s.name, arn: s.arn, mode: s.mode, status: s.status, retention_hours: s.retentionHours, created_at: s.createdAt, tags: JSON.stringify(s.tags) };
  }

  insertStream(stream: Stream): Promise<boolean> {
    return this.commits.run(() => {
      if (this.stmts.insertStream.run(this.row(stream)).changes === 0) return false;
      for (const s of stream.shards) {
        this.stmts.insertShard.run(stream.name, s.index, s.shardId, s.parentShardId ?? null, s.startingHashKey, s.endingHashKey, s.startingSequenceNumber);
      }
      return true;
    });
  }

  putStream(stream: Stream): Promise<void> {
    return this.commits.run(() => void this.stmts.putStream.run(this.row(stream)));
  }

  deleteStream(name: string): Promise<void> {
    return this.commits.run(() => {
      this.stmts.deleteRecords.run(name);
      this.stmts.deleteShards.run(name);
      this.stmts.deleteStream.run(name);
    });
  }

  append(stream: string, shardIndex: number, records: NewRecord[], arrival: number): Promise<number[]> {
    return this.commits.run(() => {
      // Numbered inside the group transaction, after what this same transaction may have appended.
      let seq = this.stmts.latest.get(stream, shardIndex)?.seq ?? 0;
      return records.map((r) => {
        seq += 1;
        this.stmts.insertRecord.run(stream, shardIndex, seq, arrival, r.partitionKey, r.data, r.explicitHashKey ?? null);
        return seq;
      });
    });
  }

  async read(stream: string, shardIndex: number, after: number, since: number, limit: number, maxBytes: number): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let bytes = 0;
    for (const r of this.stmts.read.iterate(stream, shardIndex, after, since, limit)) {
      if (out.length > 0 && bytes + r.data.length > maxBytes) break;
      bytes += r.data.length;
      out.push(toStoredRecord(r));
    }
    return out;
  }

  async latest(stream: string, shardIndex: number): Promise<{ seq: number; arrival: number } | undefined> {
    return this.stmts.latest.get(stream, shardIndex);
  }

  async firstAtOrAfter(stream: string, shardIndex: number, at: number): Promise<number | undefined> {
    return this.stmts.firstAtOrAfter.get(stream, shardIndex, at)?.seq;
  }

  trim(stream: string, before: number): Promise<number> {
    return this.commits.run(() => {
      let deleted = 0;
      for (const { shard } of this.stmts.shardIndexes.all(stream)) {
        const keep = this.stmts.firstAtOrAfter.get(stream, shard, before)?.seq ?? this.stmts.latest.get(stream, shard)?.seq;
        if (keep !== undefined) deleted += this.stmts.trimBelow.run(stream, shard, keep).changes;
      }
      return deleted;
    });
  }
}
