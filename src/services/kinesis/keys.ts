/**
 * Hash keys and sequence numbers. A partition key's MD5, read as a 128-bit big-endian integer, picks
 * the shard whose hash-key range holds it; a new stream's shards split 0..2^128-1 evenly, the last
 * taking the remainder, as AWS does.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 *
 * Sequence numbers have AWS's shape (56 decimal digits, starting `49`) and a fixed width, so that
 * comparing them as strings orders them: `49`, the shard's index in 6 digits, then the record's
 * per-shard integer sequence in 48. A number so encodes the shard it came from, which lets
 * GetShardIterator refuse one used on another shard, as AWS does.
 */
import { createHash } from "node:crypto";

export const MAX_HASH_KEY = (1n << 128n) - 1n;

export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

/** The hash-key ranges of `count` new shards, as decimal strings. */
export function evenRanges(count: number): { startingHashKey: string; endingHashKey: string }[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    startingHashKey: (width * BigInt(i)).toString(),
    endingHashKey: (i === count - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n).toString(),
  }));
}

export const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, "0")}`;

/** The index of a well-formed shard id (`shardId-000000000003` → 3), else undefined. */
export function shardIndexOf(shardId: string): number | undefined {
  const m = /^shardId-(\d{12})$/.exec(shardId);
  return m ? Number(m[1]) : undefined;
}

const PREFIX = "49";
const SHARD_DIGITS = 6;
const SEQ_DIGITS = 48;
export const SEQUENCE_LENGTH = PREFIX.length + SHARD_DIGITS + SEQ_DIGITS;

export function encodeSequence(shardIndex: number, seq: number): string {
  return PREFIX + String(shardIndex).padStart(SHARD_DIGITS, "0") + String(seq).padStart(SEQ_DIGITS, "0");
}

/** The shard index and integer sequence a sequence number of ours encodes; undefined for any other string. */
export function decodeSequence(s: string): { shardIndex: number; seq: number } | undefined {
  if (s.length !== SEQUENCE_LENGTH || !s.startsWith(PREFIX) || !/^\d+$/.test(s)) return undefined;
  const seq = BigInt(s.slice(PREFIX.length + SHARD_DIGITS));
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { shardIndex: Number(s.slice(PREFIX.length, PREFIX.length + SHARD_DIGITS)), seq: Number(seq) };
}

/** Orders sequence numbers (negative, zero, positive); ours compare as strings, any decimal by value. */
export function compareSequence(a: string, b: string): number {
  if (a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
