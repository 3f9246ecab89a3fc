/**
 * DynamoDB Streams: the read side of the change records the items service appends with each write
 * (ListStreams, DescribeStream, GetShardIterator, GetRecords, in AWS's member names), and the same
 * reading code in-process for the event source pollers (streamByArn, readShard, latestSequence,
 * onAppend).
 *
 * - Every stream has one shard, `shardId-<20 digits>-<8 hex>`, derived from the stream's ARN alone,
 *   so every node names it alike. It is open while the stream is enabled and closed (it has an
 *   EndingSequenceNumber, GetRecords stops giving a NextShardIterator at its end) once disabled.
 * - A SequenceNumber is the store's per-stream integer, zero-padded to 21 digits: the numbers order
 *   as text and as values, and AWS's clients accept them (the model's minimum length is 21).
 * - Shard iterators look like AWS's (`<stream ARN>|1|<opaque>`) and are HMAC-signed with a key
 *   derived from a secret that outlives restarts; they expire 15 minutes after they are issued.
 * - Records are kept 24 hours: reads hide older ones, and a sweeper deletes them. A position older
 *   than that is TrimmedDataAccessException; a disabled stream is listed and readable for 24 hours.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 */
import type { Clock, Timer } from "../../clock/clock.js";
import { aloneBus, CoalescedPublisher, RELOAD_ALL, type ChangeBus } from "../../store/change-bus.js";
import type { DynamoStore, StoredStreamRecord } from "../../store/dynamodb-store.js";
import { dynamoError, tableNotFound, validation } from "./dynamo-errors.js";
import { formatSequence, IteratorCodec, parseSequence, shardIdOf } from "./stream-iterators.js";
import type { KeySchemaElement, StoredStreamBody, StreamViewType, TableRecord, TableStream } from "./model.js";

export { formatSequence, ITERATOR_TTL_MS, parseSequence, shardIdOf } from "./stream-iterators.js";

/** Records are kept this long (AWS: 24 hours, not configurable). */
export const RETENTION_MS = 24 * 3_600_000;
/** GetRecords: at most 1000 records (the default) and 1 MB. */
export const MAX_RECORDS = 1000;
export const MAX_READ_BYTES = 1024 * 1024;
/** How often records past retention are deleted, in Flint time (reads hide them before that). */
const SWEEP_INTERVAL_MS = 60_000;
/** The change bus topic of appends, keyed by stream ARN: other nodes' readers of the stream look again. */
export const DYNAMODB_APPENDED = "dynamodb-stream-appended";

/**
 * What the streams read of the tables service (TablesService satisfies it). The tables are a cache
 * of the store: `lookup` and `resolveStream` read it again before they answer undefined, since
 * another node may have made the table or its stream a moment ago; `byStreamArn` does not.
 */
export interface StreamTables {
  lookup(nameOrArn: string, stale?: (t: TableRecord) => boolean): Promise<TableRecord | undefined>;
  all(): TableRecord[];
  byStreamArn(arn: string): { table: TableRecord; stream: TableStream } | undefined;
  resolveStream(arn: string): Promise<{ table: TableRecord; stream: TableStream } | undefined>;
}

export interface DynamoStreamsDeps {
  tables: StreamTables;
  store: DynamoStore;
  clock: Clock;
  region: string;
  /** A secret that outlives restarts, from which shard iterators' signing key is derived. */
  iteratorSecret: string;
  /** The cluster's change bus (Store.changes): news of appends reach the other nodes' pollers. */
  changes?: ChangeBus;
}

export type StreamStatus = "ENABLING" | "ENABLED" | "DISABLING" | "DISABLED";
export type ShardIteratorType = "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";

/** A GetRecords record, member for member (the event record of a Lambda event adds `eventSourceARN`). */
export interface StreamsRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: StoredStreamBody["dynamodb"]["Keys"];
    NewImage?: StoredStreamBody["dynamodb"]["NewImage"];
    OldImage?: StoredStreamBody["dynamodb"]["OldImage"];
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  /** The Streams API model's Identity shape (PrincipalId, Type), not the Lambda event's lowercase one. */
  userIdentity?: { PrincipalId: string; Type: string };
}

// --- Errors --------------------------------------------------------------------------------------

const streamNotFound = (arn: string) => dynamoError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`);
const shardNotFound = () => dynamoError("ResourceNotFoundException", "Requested resource not found: Shard does not exist");
const trimmed = () => dynamoError("TrimmedDataAccessException", "The data you are trying to access has been trimmed");

// --- Requests ------------------------------------------------------------------------------------

export interface ListStreamsInput {
  TableName?: string;
  Limit?: number;
  ExclusiveStartStreamArn?: string;
}

export interface DescribeStreamInput {
  StreamArn: string;
  Limit?: number;
  ExclusiveStartShardId?: string;
}

export interface GetShardIteratorInput {
  StreamArn: string;
  ShardId: string;
  ShardIteratorType: ShardIteratorType;
  SequenceNumber?: string;
}

export interface GetRecordsInput {
  ShardIterator: string;
  Limit?: number;
}

/** Where an in-process read starts (the pollers' positions). */
export type ReadFrom = { after: string } | { trimHorizon: true } | { atTimestampMs: number };

/** A record as the pollers read it: `data` is the JSON of its GetRecords record. */
export interface ReadRecord {
  sequenceNumber: string;
  /** Epoch ms. */
  approximateArrivalTimestamp: number;
  data: Buffer;
  partitionKey: string;
}

/** The stream as the pollers see it. */
export interface StreamInfo {
  arn: string;
  tableName: string;
  label: string;
  status: StreamStatus;
  viewType: StreamViewType;
  shards: { shardId: string }[];
  retentionHours: number;
}

const seconds = (ms: number) => ms / 1000;

export class DynamoStreamsService {
  /** Each stream's highest durable sequence: where LATEST starts (a cache of the store, kept on append). */
  private readonly latest = new Map<string, number>();
  private readonly listeners = new Set<(arn: string, shardId: string) => void>();
  private readonly codec: IteratorCodec;
  private readonly others: CoalescedPublisher;
  private readonly sweeper: Timer;
  /** Resolves once every known stream's newest sequence is loaded. */
  readonly ready: Promise<void>;

  constructor(private readonly deps: DynamoStreamsDeps) {
    const changes = deps.changes ?? aloneBus();
    this.codec = new IteratorCodec(deps.iteratorSecret);
    this.others = new CoalescedPublisher(changes, DYNAMODB_APPENDED);
    // Another node appended: this node's LATEST moves, and its pollers of the stream wake.
    changes.subscribe(DYNAMODB_APPENDED, async (key) => {
      const arns = key === RELOAD_ALL ? this.knownStreams().map((s) => s.stream.arn) : [key];
      for (const arn of arns) await this.appendedElsewhere(arn);
    });
    this.sweeper = deps.clock.every(SWEEP_INTERVAL_MS, () => {
      this.sweep().catch((err) => console.error("flint: dynamodb streams retention sweep failed:", err));
    });
    // A stream whose newest sequence could not be read starts LATEST at its beginning until its next append.
    this.ready = this.loadAll().catch((err) => console.error("flint: loading dynamodb streams' newest sequences:", err));
  }

  /** A service whose streams' newest sequences are loaded. */
  static async create(deps: DynamoStreamsDeps): Promise<DynamoStreamsService> {
    const service = new DynamoStreamsService(deps);
    await service.ready;
    return service;
  }

  async close(): Promise<void> {
    this.sweeper.cancel();
  }

  private async loadAll(): Promise<void> {
    for (const { stream } of this.knownStreams()) await this.load(stream.arn);
  }

  private async load(arn: string): Promise<void> {
    const last = await this.deps.store.latestInStream(arn);
    if (last) this.latest.set(arn, Math.max(this.latest.get(arn) ?? 0, last.sequence));
  }

  /** Delete records past retention (each stream's newest is kept: LATEST and closed shards' ends need it). */
  async sweep(): Promise<void> {
    await this.deps.store.trimStreams(this.deps.clock.now() - RETENTION_MS);
  }

  // --- Streams ---------------------------------------------------------------------------------

  /** Every stream of every table that is still listed: enabled ones, and disabled ones for 24 hours. */
  private knownStreams(): { table: TableRecord; stream: TableStream }[] {
    const now = this.deps.clock.now();
    return this.deps.tables.all().flatMap((table) => table.streams.filter((s) => this.live(s, now)).map((stream) => ({ table, stream })));
  }

  private live(stream: TableStream, now: number): boolean {
    return stream.disabledAt === undefined || now - stream.disabledAt < RETENTION_MS;
  }

  /** The stream an ARN names while it is listed, as this node knows it. */
  private found(arn: string): { table: TableRecord; stream: TableStream } | undefined {
    return this.listed(this.deps.tables.byStreamArn(arn));
  }

  private listed(hit: { table: TableRecord; stream: TableStream } | undefined) {
    return hit && this.live(hit.stream, this.deps.clock.now()) ? hit : undefined;
  }

  /** The stream an ARN names while it is listed (the store read again when this node knows no such stream), or ResourceNotFoundException. */
  private async require(arn: string): Promise<{ table: TableRecord; stream: TableStream }> {
    const hit = this.listed(await this.deps.tables.resolveStream(arn));
    if (!hit) throw streamNotFound(arn);
    return hit;
  }

  private status(table: TableRecord, stream: TableStream): StreamStatus {
    if (stream.disabledAt !== undefined) return "DISABLED";
    return table.status === "CREATING" ? "ENABLING" : "ENABLED";
  }

  // --- Reading ---------------------------------------------------------------------------------

  /** The GetRecords record of a stored one. */
  private record(row: StoredStreamRecord): StreamsRecord {
    const body = JSON.parse(row.record) as StoredStreamBody;
    const d = body.dynamodb;
    return {
      eventID: body.eventID,
      eventName: body.eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: this.deps.region,
      dynamodb: {
        ApproximateCreationDateTime: d.ApproximateCreationDateTime,
        Keys: d.Keys,
        ...(d.NewImage ? { NewImage: d.NewImage } : {}),
        ...(d.OldImage ? { OldImage: d.OldImage } : {}),
        SequenceNumber: formatSequence(row.sequence),
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType,
      },
      ...(body.userIdentity ? { userIdentity: { PrincipalId: body.userIdentity.principalId, Type: body.userIdentity.type } } : {}),
    };
  }

  /**
   * Whether records after `after` were trimmed: the first stored after it is past retention (not
   * yet swept), or records between it and the oldest stored one are gone (sequences are dense).
   */
  private async trimmedAfter(arn: string, after: number, first: StoredStreamRecord | undefined): Promise<boolean> {
    if (!first) return false;
    if (first.at < this.deps.clock.now() - RETENTION_MS) return true;
    if (first.sequence <= after + 1) return false;
    const [oldest] = await this.deps.store.readStream(arn, 0, 0, 1);
    return oldest !== undefined && oldest.sequence === first.sequence;
  }

  /** Records after `after` within retention: at most `limit`, about 1 MB (at least one). */
  private async readAfter(arn: string, after: number, limit: number, refuseTrimmed: boolean): Promise<{ records: { row: StoredStreamRecord; record: StreamsRecord; bytes: Buffer }[]; next: number }> {
    const rows = await this.deps.store.readStream(arn, after, refuseTrimmed ? 0 : this.deps.clock.now() - RETENTION_MS, limit);
    if (refuseTrimmed && (await this.trimmedAfter(arn, after, rows[0]))) throw trimmed();
    const records: { row: StoredStreamRecord; record: StreamsRecord; bytes: Buffer }[] = [];
    let total = 0;
    for (const row of rows) {
      const record = this.record(row);
      const bytes = Buffer.from(JSON.stringify(record), "utf8");
      if (records.length > 0 && total + bytes.length > MAX_READ_BYTES) break;
      total += bytes.length;
      records.push({ row, record, bytes });
    }
    const last = records[records.length - 1];
    return { records, next: last ? last.row.sequence : after };
  }

  // --- The API ---------------------------------------------------------------------------------

  async listStreams(input: ListStreamsInput): Promise<{ Streams: { StreamArn: string; TableName: string; StreamLabel: string }[]; LastEvaluatedStreamArn?: string }> {
    let streams = this.knownStreams();
    if (input.TableName !== undefined) {
      const name = input.TableName;
      streams = streams.filter((s) => s.table.name === name);
      if (streams.length === 0) {
        // A table another node made a moment ago, or whose stream it turned on, is read from the store.
        const table = await this.deps.tables.lookup(name, () => true);
        if (!table) throw tableNotFound(name);
        streams = this.knownStreams().filter((s) => s.table.name === name);
      }
    }
    streams.sort((a, b) => (a.stream.arn < b.stream.arn ? -1 : a.stream.arn > b.stream.arn ? 1 : 0));
    if (input.ExclusiveStartStreamArn !== undefined) {
      const start = input.ExclusiveStartStreamArn;
      streams = streams.filter((s) => s.stream.arn > start);
    }
    const limit = input.Limit ?? 100;
    const page = streams.slice(0, limit);
    return {
      Streams: page.map((s) => ({ StreamArn: s.stream.arn, TableName: s.table.name, StreamLabel: s.stream.label })),
      ...(streams.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1]!.stream.arn } : {}),
    };
  }

  async describeStream(input: DescribeStreamInput) {
    const { table, stream } = await this.require(input.StreamArn);
    await this.ready;
    const shardId = shardIdOf(stream.arn);
    const range: { StartingSequenceNumber: string; EndingSequenceNumber?: string } = { StartingSequenceNumber: formatSequence(1) };
    if (stream.disabledAt !== undefined) {
      const last = await this.deps.store.latestInStream(stream.arn);
      range.EndingSequenceNumber = formatSequence(last?.sequence ?? 1);
    }
    const shards = input.ExclusiveStartShardId !== undefined && input.ExclusiveStartShardId >= shardId ? [] : [{ ShardId: shardId, SequenceNumberRange: range }];
    return {
      StreamDescription: {
        StreamArn: stream.arn,
        StreamLabel: stream.label,
        StreamStatus: this.status(table, stream),
        StreamViewType: stream.viewType,
        CreationRequestDateTime: seconds(stream.createdAt),
        TableName: table.name,
        KeySchema: table.keySchema.map((k): KeySchemaElement => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
        Shards: shards.slice(0, input.Limit ?? 100),
      },
    };
  }

  async getShardIterator(input: GetShardIteratorInput): Promise<{ ShardIterator: string }> {
    const { stream } = await this.require(input.StreamArn);
    const shardId = shardIdOf(stream.arn);
    if (input.ShardId !== shardId) throw shardNotFound();
    await this.ready;
    const type = input.ShardIteratorType;
    const bySequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
    if (bySequence && input.SequenceNumber === undefined) {
      throw validation(`Must provide a SequenceNumber for ShardIteratorType ${type}`);
    }
    if (!bySequence && input.SequenceNumber !== undefined) {
      throw validation(`Must not provide a SequenceNumber for ShardIteratorType ${type}`);
    }
    const now = this.deps.clock.now();
    let after: number;
    if (type === "LATEST") after = this.latest.get(stream.arn) ?? 0;
    else if (type === "TRIM_HORIZON") {
      const [oldest] = await this.deps.store.readStream(stream.arn, 0, now - RETENTION_MS, 1);
      after = oldest ? oldest.sequence - 1 : (this.latest.get(stream.arn) ?? 0);
    } else {
      const n = parseSequence(input.SequenceNumber!);
      if (n === undefined || n < 1) throw validation(`Invalid SequenceNumber: ${input.SequenceNumber}`);
      after = type === "AT_SEQUENCE_NUMBER" ? n - 1 : n;
      const [first] = await this.deps.store.readStream(stream.arn, after, 0, 1);
      if (await this.trimmedAfter(stream.arn, after, first)) throw trimmed();
    }
    return { ShardIterator: this.codec.encode({ arn: stream.arn, shardId, after, issuedAt: now }) };
  }

  async getRecords(input: GetRecordsInput): Promise<{ Records: StreamsRecord[]; NextShardIterator?: string }> {
    const now = this.deps.clock.now();
    const position = this.codec.decode(input.ShardIterator, now);
    const { stream } = await this.require(position.arn);
    if (position.shardId !== shardIdOf(stream.arn)) throw shardNotFound();
    const { records, next } = await this.readAfter(stream.arn, position.after, input.Limit ?? MAX_RECORDS, true);
    let closed = false;
    if (stream.disabledAt !== undefined) {
      // A disabled stream's shard is closed: once read to its end, there is no next iterator.
      const last = await this.deps.store.latestInStream(stream.arn);
      closed = next >= (last?.sequence ?? 0);
    }
    return {
      Records: records.map((r) => r.record),
      ...(closed ? {} : { NextShardIterator: this.codec.encode({ ...position, after: next, issuedAt: now }) }),
    };
  }

  // --- Appends ---------------------------------------------------------------------------------

  /** Called by the items service once a write with a stream record is durable. */
  appended(streamArn: string, sequence: number): void {
    this.latest.set(streamArn, Math.max(this.latest.get(streamArn) ?? 0, sequence));
    this.others.publish(streamArn);
    this.tell(streamArn);
  }

  /** Another node appended to the stream: read its newest sequence, and tell this node's listeners. */
  private async appendedElsewhere(arn: string): Promise<void> {
    await this.load(arn);
    this.tell(arn);
  }

  private tell(arn: string): void {
    const shardId = shardIdOf(arn);
    for (const listener of this.listeners) {
      try {
        listener(arn, shardId);
      } catch (err) {
        console.error("flint: dynamodb stream append listener failed:", err);
      }
    }
  }

  // --- For event source pollers (in-process) -------------------------------------------------

  streamByArn(arn: string): StreamInfo | undefined {
    const hit = this.found(arn);
    if (!hit) return undefined;
    const { table, stream } = hit;
    return {
      arn: stream.arn,
      tableName: table.name,
      label: stream.label,
      status: this.status(table, stream),
      viewType: stream.viewType,
      shards: [{ shardId: shardIdOf(stream.arn) }],
      retentionHours: RETENTION_MS / 3_600_000,
    };
  }

  /**
   * Up to `limit` records of the shard from a position, oldest first, within retention (a position
   * older than that reads on from the oldest record kept). Each record's `data` is the JSON of its
   * GetRecords record.
   */
  async readShard(arn: string, shardId: string, from: ReadFrom, limit: number): Promise<{ records: ReadRecord[]; millisBehindLatest: number }> {
    const { stream } = await this.require(arn);
    if (shardId !== shardIdOf(stream.arn)) throw shardNotFound();
    await this.ready;
    let after: number;
    if ("trimHorizon" in from) after = 0;
    else if ("after" in from) {
      const n = parseSequence(from.after);
      if (n === undefined) throw validation(`Invalid SequenceNumber: ${from.after}`);
      after = n;
    } else {
      const [first] = await this.deps.store.readStream(stream.arn, 0, Math.max(from.atTimestampMs, this.deps.clock.now() - RETENTION_MS), 1);
      after = first ? first.sequence - 1 : (this.latest.get(stream.arn) ?? 0);
    }
    const { records } = await this.readAfter(stream.arn, after, Math.min(limit, MAX_RECORDS), false);
    const latest = this.latest.get(stream.arn) ?? 0;
    const last = records[records.length - 1];
    // How far the last record returned is from the tip: none when the read reached it.
    const millisBehindLatest = last && last.row.sequence < latest ? Math.max(0, this.deps.clock.now() - last.row.at) : 0;
    return {
      records: records.map(({ row, bytes }) => ({
        sequenceNumber: formatSequence(row.sequence),
        approximateArrivalTimestamp: row.at,
        data: bytes,
        partitionKey: row.partitionKey,
      })),
      millisBehindLatest,
    };
  }

  /** The highest sequence number in the shard now (where LATEST starts); undefined when nothing was appended. */
  latestSequence(arn: string, shardId: string): string | undefined {
    if (shardId !== shardIdOf(arn)) return undefined;
    const seq = this.latest.get(arn);
    return seq === undefined ? undefined : formatSequence(seq);
  }

  /** Called with a stream's ARN and shard after records appended to it are durable; returns unsubscribe. */
  onAppend(listener: (arn: string, shardId: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
