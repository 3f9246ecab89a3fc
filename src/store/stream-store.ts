/**
 * The Kinesis part of the persistence boundary: streams with their shards, and each shard's
 * append-only log of records numbered by a per-shard integer sequence. An append resolves only once
 * its records are durable (a PutRecord is acknowledged after that); reads see what is committed.
 */
import type { NewRecord, Stream, StoredRecord } from "../services/kinesis/model.js";

export interface StreamStore {
  listStreams(): Promise<Stream[]>;
  /** Insert a stream and its shards; resolves false when a stream of that name exists. */
  insertStream(stream: Stream): Promise<boolean>;
  /** Replace a stream's own fields (status, retention, tags); its shards do not change. */
  putStream(stream: Stream): Promise<void>;
  /** The stream, its shards and its records. */
  deleteStream(name: string): Promise<void>;

  /**
   * Append records to one shard in one write, each arriving at `arrival`, numbered after the shard's
   * highest sequence so far; resolves their sequences, in order, once durable.
   */
  append(stream: string, shardIndex: number, records: NewRecord[], arrival: number): Promise<number[]>;
  /**
   * Records of a shard with a sequence greater than `after` that arrived at or after `since`
   * (retention), in order: at most `limit`, and no more once `maxBytes` of data are reached (the
   * first record is always included).
   */
  read(stream: string, shardIndex: number, after: number, since: number, limit: number, maxBytes: number): Promise<StoredRecord[]>;
  /** The highest sequence of a shard and its arrival time; undefined when the shard is empty. */
  latest(stream: string, shardIndex: number): Promise<{ seq: number; arrival: number } | undefined>;
  /** The lowest sequence of a shard that arrived at or after `at`, if any. */
  firstAtOrAfter(stream: string, shardIndex: number, at: number): Promise<number | undefined>;
  /** Delete a stream's records that arrived before `before`; resolves how many. */
  trim(stream: string, before: number): Promise<number>;
}
