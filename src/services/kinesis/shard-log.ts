/**
 * The data plane of a stream's shards: appending records where their hash key routes them, and
 * reading a shard from a position. GetShardIterator/GetRecords and the in-process readers (event
 * source pollers) share one reading path: a position is "after per-shard sequence N", whatever
 * named it (TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP), and a read returns the
 * records after it within retention, at most `limit` and about 10 MB.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
import type { Clock } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { StreamStore } from "../../store/stream-store.js";
import { CoalescedPublisher, type ChangeBus } from "../../store/change-bus.js";
import type { IteratorType } from "./inputs.js";
import { IteratorCodec } from "./iterators.js";
import { MAX_HASH_KEY, decodeSequence, encodeSequence, hashKeyOf, shardIdOf } from "./keys.js";
import type { NewRecord, ReadFrom, ShardRecord, Stream, StreamRecord } from "./model.js";
import { shardNotFound } from "./names.js";
import { seconds } from "./shapes.js";

/** GetRecords returns at most 10 MB (AWS: "up to 10 MiB of data" per call). */
export const MAX_READ_BYTES = 10 * 1024 * 1024;
const MAX_READ_RECORDS = 10_000;
const HOUR_MS = 3_600_000;

const key = (stream: string, index: number) => `${stream}\0${index}`;

/** The change bus topic of appends, keyed `stream/shard index`: other nodes' readers of the shard look again. */
export const APPENDED = "kinesis-appended";

export class ShardLog {
  /** Each shard's highest durable sequence: where LATEST starts (a cache of the store, kept on append). */
  private readonly latest = new Map<string, number>();
  private readonly listeners = new Set<(arn: string, shardId: string) => void>();
  private readonly codec: IteratorCodec;
  /** Each stream's shards' ending hash keys, parsed once. */
  private readonly endings = new WeakMap<Stream, bigint[]>();
  private readonly others: CoalescedPublisher;

  constructor(
    private readonly store: StreamStore,
    private readonly clock: Clock,
    iteratorSecret: string,
    private readonly accountId: string,
    changes: ChangeBus,
  ) {
    this.codec = new IteratorCodec(iteratorSecret);
    this.others = new CoalescedPublisher(changes, APPENDED);
  }

  async load(stream: Stream): Promise<void> {
    for (const shard of stream.shards) {
      const last = await this.store.latest(stream.name, shard.index);
      // An append heard while this read was on its way may already have moved it further.
      const k = key(stream.name, shard.index);
      if (last) this.latest.set(k, Math.max(this.latest.get(k) ?? 0, last.seq));
    }
  }

  forget(stream: Stream): void {
    for (const shard of stream.shards) this.latest.delete(key(stream.name, shard.index));
  }

  onAppend(listener: (arn: string, shardId: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  latestSequence(stream: Stream, shard: ShardRecord): string | undefined {
    const seq = this.latest.get(key(stream.name, shard.index));
    return seq === undefined ? undefined : encodeSequence(shard.index, seq);
  }

  // --- Writing -------------------------------------------------------------------------------

  /** The shard whose hash-key range holds the record's ExplicitHashKey, or its partition key's MD5. */
  private route(stream: Stream, record: NewRecord): ShardRecord {
    let hash: bigint;
    if (record.explicitHashKey !== undefined) {
      hash = BigInt(record.explicitHashKey);
      if (hash > MAX_HASH_KEY) {
        throw awsError("InvalidArgumentException", `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${record.explicitHashKey}`);
      }
    } else {
      hash = hashKeyOf(record.partitionKey);
    }
    let endings = this.endings.get(stream);
    if (!endings) this.endings.set(stream, (endings = stream.shards.map((s) => BigInt(s.endingHashKey))));
    const i = endings.findIndex((end) => hash <= end);
    return stream.shards[i]!;
  }

  /** Append to one shard; resolves the sequences once durable, then tells the listeners. */
  private async append(stream: Stream, shard: ShardRecord, records: NewRecord[]): Promise<number[]> {
    const seqs = await this.store.append(stream.name, shard.index, records, this.clock.now());
    const k = key(stream.name, shard.index);
    this.latest.set(k, Math.max(this.latest.get(k) ?? 0, seqs[seqs.length - 1]!));
    this.others.publish(`${stream.name}/${shard.index}`);
    this.tell(stream, shard);
    return seqs;
  }

  /** Another node appended to the shard: read its newest sequence, and tell this node's listeners. */
  async appendedElsewhere(stream: Stream, shard: ShardRecord): Promise<void> {
    const last = await this.store.latest(stream.name, shard.index);
    const k = key(stream.name, shard.index);
    if (last) this.latest.set(k, Math.max(this.latest.get(k) ?? 0, last.seq));
    this.tell(stream, shard);
  }

  private tell(stream: Stream, shard: ShardRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(stream.arn, shard.shardId);
      } catch (err) {
        console.error("flint: kinesis append listener failed:", err);
      }
    }
  }

  async putRecord(stream: Stream, input: { record: NewRecord; SequenceNumberForOrdering?: string }) {
    const shard = this.route(stream, input.record);
    // Sequences only grow within a shard, so any of ours orders; a number that is not one of ours is refused.
    if (input.SequenceNumberForOrdering !== undefined && !decodeSequence(input.SequenceNumberForOrdering)) {
      throw awsError(
        "InvalidArgumentException",
        `ExclusiveMinimumSequenceNumber ${input.SequenceNumberForOrdering} used in PutRecord on stream ${stream.name} under account ${this.accountId} is invalid.`,
      );
    }
    const [seq] = await this.append(stream, shard, [input.record]);
    // EncryptionType is sent only for encrypted streams (AWS's examples of unencrypted ones omit it).
    return { ShardId: shard.shardId, SequenceNumber: encodeSequence(shard.index, seq!) };
  }

  /**
   * PutRecords: each shard's records are appended in one write of their own, so a shard whose write
   * fails fails only its entries (ErrorCode InternalFailure) while the rest are stored, as AWS
   * reports partial failures. Entries keep the request's order within each shard.
   */
  async putRecords(stream: Stream, records: NewRecord[]) {
    const routed = records.map((r) => this.route(stream, r));
    const byShard = new Map<ShardRecord, number[]>();
    routed.forEach((shard, i) => {
      const entries = byShard.get(shard);
      if (entries) entries.push(i);
      else byShard.set(shard, [i]);
    });
    const results: ({ SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string })[] = new Array(records.length);
    await Promise.all(
      [...byShard].map(async ([shard, entries]) => {
        try {
          const seqs = await this.append(stream, shard, entries.map((i) => records[i]!));
          entries.forEach((i, n) => (results[i] = { SequenceNumber: encodeSequence(shard.index, seqs[n]!), ShardId: shard.shardId }));
        } catch (err) {
          console.error(`flint: kinesis append to ${stream.name}/${shard.shardId} failed:`, err);
          for (const i of entries) results[i] = { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." };
        }
      }),
    );
    return { FailedRecordCount: results.filter((r) => "ErrorCode" in r).length, Records: results };
  }

  // --- Positions -----------------------------------------------------------------------------

  /** The per-shard sequence of a sequence number used on `shard`, refused as AWS refuses it. */
  private sequenceOn(stream: Stream, shard: ShardRecord, sequenceNumber: string): number {
    const decoded = decodeSequence(sequenceNumber);
    if (!decoded) {
      throw awsError(
        "InvalidArgumentException",
        `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${this.accountId} is invalid.`,
      );
    }
    if (decoded.shardIndex !== shard.index) {
      throw awsError("InvalidArgumentException", `Invalid StartingSequenceNumber. It encodes ${shardIdOf(decoded.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`);
    }
    return decoded.seq;
  }

  /** Where a read from `from` starts: after this per-shard sequence. */
  private async positionOf(stream: Stream, shard: ShardRecord, from: ReadFrom | "latest"): Promise<number> {
    const latest = this.latest.get(key(stream.name, shard.index)) ?? 0;
    if (from === "latest") return latest;
    if ("trimHorizon" in from) return 0;
    if ("after" in from) return this.sequenceOn(stream, shard, from.after);
    if ("at" in from) return this.sequenceOn(stream, shard, from.at) - 1;
    const first = await this.store.firstAtOrAfter(stream.name, shard.index, from.atTimestampMs);
    return first === undefined ? latest : first - 1;
  }

  /** The records after `after`, within retention: at most `limit`, about 10 MB. */
  private async readAfter(stream: Stream, shard: ShardRecord, after: number, limit: number) {
    const now = this.clock.now();
    const rows = await this.store.read(stream.name, shard.index, after, now - stream.retentionHours * HOUR_MS, Math.min(limit, MAX_READ_RECORDS), MAX_READ_BYTES);
    const last = rows.length > 0 ? rows[rows.length - 1]! : undefined;
    const latest = this.latest.get(key(stream.name, shard.index)) ?? 0;
    const records: StreamRecord[] = rows.map((r) => ({ sequenceNumber: encodeSequence(shard.index, r.seq), approximateArrivalTimestamp: r.arrival, data: r.data, partitionKey: r.partitionKey }));
    // How far the last record returned is from the tip: none when the read reached it.
    const millisBehindLatest = last && last.seq < latest ? Math.max(0, now - last.arrival) : 0;
    return { records, next: last ? last.seq : after, millisBehindLatest };
  }

  async readFrom(stream: Stream, shard: ShardRecord, from: ReadFrom, limit: number): Promise<{ records: StreamRecord[]; millisBehindLatest: number }> {
    const { records, millisBehindLatest } = await this.readAfter(stream, shard, await this.positionOf(stream, shard, from), limit);
    return { records, millisBehindLatest };
  }

  // --- Iterators -----------------------------------------------------------------------------

  async getShardIterator(stream: Stream, shard: ShardRecord, input: { ShardIteratorType: IteratorType; StartingSequenceNumber?: string; Timestamp?: number }) {
    const type = input.ShardIteratorType;
    const seq = input.StartingSequenceNumber;
    const bySequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
    const rule = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber.";
    if (bySequence && seq === undefined) throw awsError("InvalidArgumentException", `${rule} Request specified ${type} and no StartingSequenceNumber.`);
    if ((type === "TRIM_HORIZON" || type === "LATEST") && seq !== undefined) throw awsError("InvalidArgumentException", `${rule} Request specified ${type} and also a StartingSequenceNumber.`);
    const now = this.clock.now();
    let from: ReadFrom | "latest";
    if (type === "AT_TIMESTAMP") {
      if (input.Timestamp === undefined) {
        throw awsError("InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
      }
      if (input.Timestamp > now) {
        throw awsError("InvalidArgumentException", `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${input.Timestamp}, currentTimestampInMillis: ${now}`);
      }
      from = { atTimestampMs: input.Timestamp };
    } else {
      from = type === "TRIM_HORIZON" ? { trimHorizon: true } : type === "LATEST" ? "latest" : type === "AT_SEQUENCE_NUMBER" ? { at: seq! } : { after: seq! };
    }
    const after = await this.positionOf(stream, shard, from);
    return { ShardIterator: this.codec.encode({ stream: stream.name, streamCreatedAt: stream.createdAt, shardIndex: shard.index, after, issuedAt: now }) };
  }

  /**
   * GetRecords: read from an iterator's position; the next iterator continues after what was
   * returned. `streamOf` finds the stream the iterator was issued for (its name, made at `createdAt`).
   */
  async getRecords(input: { ShardIterator: string; Limit?: number; StreamARN?: string }, streamOf: (name: string, createdAt: number) => Promise<Stream | undefined>) {
    const now = this.clock.now();
    const position = this.codec.decode(input.ShardIterator, now);
    const stream = await streamOf(position.stream, position.streamCreatedAt);
    const shard = stream?.createdAt === position.streamCreatedAt ? stream.shards[position.shardIndex] : undefined;
    if (!stream || !shard) throw shardNotFound(shardIdOf(position.shardIndex), position.stream, this.accountId);
    if (input.StreamARN !== undefined && input.StreamARN !== stream.arn) throw awsError("InvalidArgumentException", "Invalid ShardIterator.");
    const { records, next, millisBehindLatest } = await this.readAfter(stream, shard, position.after, input.Limit ?? MAX_READ_RECORDS);
    return {
      Records: records.map((r) => ({ SequenceNumber: r.sequenceNumber, ApproximateArrivalTimestamp: seconds(r.approximateArrivalTimestamp), Data: r.data.toString("base64"), PartitionKey: r.partitionKey })),
      NextShardIterator: this.codec.encode({ ...position, after: next, issuedAt: now }),
      MillisBehindLatest: millisBehindLatest,
    };
  }
}
