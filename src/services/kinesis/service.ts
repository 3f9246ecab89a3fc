/**
 * The Kinesis-compatible stream service: streams, their shards and records, as typed commands in
 * AWS's member names. It knows nothing about HTTP; api/kinesis decodes the JSON 1.1 protocol into
 * these calls, and event source pollers read shards in-process (streamByArn, readShard,
 * latestSequence, onAppend), on the same reading code as GetRecords.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Operations.html
 */
import { aloneBus, CacheSync, RELOAD_ALL, type ChangeBus } from "../../store/change-bus.js";
import type { Clock, Timer } from "../../clock/clock.js";
import { awsError } from "../../errors.js";
import type { StreamStore } from "../../store/stream-store.js";
import type { StreamRef } from "./inputs.js";
import { evenRanges, encodeSequence, shardIdOf } from "./keys.js";
import { STREAM_STATUS, type NewRecord, type ReadFrom, type ShardInfo, type ShardRecord, type Stream, type StreamMode, type StreamRecord } from "./model.js";
import { type Account, pageToken, parseStreamArn, readPageToken, shardNotFound, streamArn, streamNotFound } from "./names.js";
import { listedStream, streamDescription, streamSummary } from "./shapes.js";
import { APPENDED, ShardLog } from "./shard-log.js";
import { checkTags, MAX_TAGS, tagPage } from "./tags.js";

/** CREATING lasts this long (AWS: seconds); short, but long enough for `wait stream-exists` to see it. */
const ACTIVATION_MS = 50;
/** How often records past retention are deleted, in Flint time (reads hide them before that). */
const SWEEP_INTERVAL_MS = 60_000;
/** AWS's default shard quota per account and region (us-east-1 and a few others). */
const SHARD_LIMIT = 500;
const ON_DEMAND_SHARDS = 4;
const DEFAULT_RETENTION_HOURS = 24;
const MIN_RETENTION_HOURS = 24;
const MAX_RETENTION_HOURS = 8760;

export interface KinesisDeps {
  account: Account;
  store: StreamStore;
  clock: Clock;
  /** A secret that outlives restarts, from which shard iterators' signing key is derived. */
  iteratorSecret: string;
  /** The cluster's change bus (Store.changes): streams, and news of appends, are shared with the other nodes. */
  changes?: ChangeBus;
}

function page<T>(items: T[], after: (item: T) => boolean, limit: number): { items: T[]; more: boolean } {
  const start = items.findIndex(after);
  const rest = start < 0 ? [] : items.slice(start);
  return { items: rest.slice(0, limit), more: rest.length > limit };
}


export class KinesisService {
  private readonly streams = new Map<string, Stream>();
  private readonly sweeper: Timer;
  private readonly activations = new Set<Timer>();
  private readonly log: ShardLog;
  /** The streams map is a cache of the store, shared with the other nodes. */
  private readonly sync: CacheSync;

  private constructor(private readonly deps: KinesisDeps) {
    const changes = deps.changes ?? aloneBus();
    this.sync = new CacheSync(changes, "kinesis-streams", () => this.reload());
    this.log = new ShardLog(deps.store, deps.clock, deps.iteratorSecret, deps.account.accountId, changes);
    // Another node appended: this node's LATEST moves, and its pollers of the shard wake.
    changes.subscribe(APPENDED, async (key) => {
      const targets = key === RELOAD_ALL ? [...this.streams.values()].flatMap((st) => st.shards.map((sh) => [st, sh] as const)) : [this.shardOfKey(key)].filter((t) => t !== undefined);
      for (const [stream, shard] of targets) await this.log.appendedElsewhere(stream, shard);
    });
    this.sweeper = deps.clock.every(SWEEP_INTERVAL_MS, () => {
      this.sweep().catch((err) => console.error("flint: kinesis retention sweep failed:", err));
    });
  }

  static async create(deps: KinesisDeps): Promise<KinesisService> {
    const service = new KinesisService(deps);
    for (const stream of await deps.store.listStreams()) {
      service.streams.set(stream.name, stream);
      await service.log.load(stream);
      if (stream.status === STREAM_STATUS.CREATING) service.activateSoon(stream);
    }
    return service;
  }

  /**
   * Another node changed a stream: read them all again. A known stream keeps its object (timers and
   * readers hold it). Resolves once a new one's latest sequences are loaded, so a lookup that missed
   * never starts a LATEST iterator before them.
   */
  private async reload(): Promise<void> {
    const loads: Promise<void>[] = [];
    await this.sync.reread(
      () => this.deps.store.listStreams(),
      (streams) => {
        const gone = new Map(this.streams);
        for (const fresh of streams) {
          gone.delete(fresh.name);
          const known = this.streams.get(fresh.name);
          if (known) Object.assign(known, fresh);
          else {
            this.streams.set(fresh.name, fresh);
            loads.push(this.log.load(fresh).catch((err) => console.error(`flint: kinesis stream ${fresh.name}:`, err)));
          }
        }
        for (const stream of gone.values()) {
          this.streams.delete(stream.name);
          this.log.forget(stream);
        }
      },
    );
    await Promise.all(loads);
  }

  /** The stream and shard an APPENDED key names, if this node knows them. */
  private shardOfKey(key: string): readonly [Stream, ShardRecord] | undefined {
    const slash = key.lastIndexOf("/");
    const stream = this.streams.get(key.slice(0, slash));
    const shard = stream?.shards.find((s) => s.index === Number(key.slice(slash + 1)));
    return stream && shard ? [stream, shard] : undefined;
  }

  private get accountId() {
    return this.deps.account.accountId;
  }

  /** The stream name a request gives by StreamName or StreamARN (the ARN wins; both must agree). */
  private nameOf(ref: StreamRef): string {
    let name = ref.StreamName;
    if (ref.StreamARN !== undefined) {
      const arn = parseStreamArn(ref.StreamARN);
      if (!arn) throw awsError("InvalidArgumentException", `StreamARN ${ref.StreamARN} is invalid.`);
      if (arn.accountId !== this.accountId || arn.region !== this.deps.account.region) throw streamNotFound(arn.name, arn.accountId);
      if (name !== undefined && name !== arn.name) throw awsError("InvalidArgumentException", `StreamARN ${ref.StreamARN} and StreamName ${name} do not name the same stream.`);
      name = arn.name;
    }
    if (name === undefined) throw awsError("InvalidArgumentException", "Either StreamName or StreamARN must be specified.");
    return name;
  }

  /** The stream a request names, as this node knows it (in-process readers), or ResourceNotFoundException. */
  resolve(ref: StreamRef): Stream {
    const name = this.nameOf(ref);
    const stream = this.streams.get(name);
    if (!stream) throw streamNotFound(name, this.accountId);
    return stream;
  }

  /**
   * The stream a request names, for the request paths. A stream this node has not heard of, or holds
   * as CREATING, is read again from the store first: another node may have made it a moment ago, or
   * activated it (its timer), and told the client so before its news reached this node.
   */
  private async lookup(ref: StreamRef): Promise<Stream> {
    const name = this.nameOf(ref);
    const stream = await this.sync.lookUp(() => this.streams.get(name), (s) => s.status === STREAM_STATUS.CREATING);
    if (!stream) throw streamNotFound(name, this.accountId);
    return stream;
  }

  /** A stream that takes and serves records: not while CREATING or DELETING (AWS: ResourceNotFoundException). */
  private async active(ref: StreamRef): Promise<Stream> {
    const stream = await this.lookup(ref);
    if (stream.status !== STREAM_STATUS.ACTIVE && stream.status !== STREAM_STATUS.UPDATING) throw streamNotFound(stream.name, this.accountId);
    return stream;
  }

  private shard(stream: Stream, shardId: string): ShardRecord {
    const shard = stream.shards.find((s) => s.shardId === shardId);
    if (!shard) throw shardNotFound(shardId, stream.name, this.accountId);
    return shard;
  }

  private activateSoon(stream: Stream): void {
    const timer = this.deps.clock.after(ACTIVATION_MS, () => {
      this.activations.delete(timer);
      if (this.streams.get(stream.name) !== stream) return;
      stream.status = STREAM_STATUS.ACTIVE;
      this.save(stream).catch((err) => console.error(`flint: kinesis stream ${stream.name} could not be activated:`, err));
    });
    this.activations.add(timer);
  }

  // --- Control plane -------------------------------------------------------------------------

  async createStream(input: { StreamName: string; ShardCount?: number; StreamMode: StreamMode; Tags?: Record<string, string> }): Promise<void> {
    const { StreamName: name } = input;
    if (this.streams.has(name)) throw awsError("ResourceInUseException", `Stream ${name} under account ${this.accountId} already exists.`);
    const count = input.StreamMode === "ON_DEMAND" ? ON_DEMAND_SHARDS : input.ShardCount!;
    const current = [...this.streams.values()].reduce((n, s) => n + s.shards.length, 0);
    if (current + count > SHARD_LIMIT) {
      throw awsError(
        "LimitExceededException",
        `This request would exceed the shard limit for the account ${this.accountId} in ${this.deps.account.region}. Current shard count for the account: ${current}. Limit: ${SHARD_LIMIT}. Number of additional shards that would have resulted from this request: ${count}. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.`,
      );
    }
    if (input.Tags) checkTags(name, this.accountId, {}, input.Tags);
    const createdAt = this.deps.clock.now();
    const stream: Stream = {
      name,
      arn: streamArn(this.deps.account, name),
      mode: input.StreamMode,
      status: STREAM_STATUS.CREATING,
      retentionHours: DEFAULT_RETENTION_HOURS,
      createdAt,
      tags: { ...input.Tags },
      shards: evenRanges(count).map((range, index) => ({ index, shardId: shardIdOf(index), ...range, startingSequenceNumber: encodeSequence(index, 0) })),
    };
    const inserted = await this.sync.write(name, async () => {
      this.streams.set(name, stream);
      if (await this.deps.store.insertStream(stream)) return true;
      this.streams.delete(name);
      return false;
    });
    if (!inserted) throw awsError("ResourceInUseException", `Stream ${name} under account ${this.accountId} already exists.`);
    this.activateSoon(stream);
  }

  async deleteStream(ref: StreamRef): Promise<void> {
    const stream = await this.lookup(ref);
    await this.sync.write(stream.name, async () => {
      this.streams.delete(stream.name);
      this.log.forget(stream);
      await this.deps.store.deleteStream(stream.name);
    });
  }

  async describeStream(ref: StreamRef & { Limit?: number; ExclusiveStartShardId?: string }) {
    const stream = await this.lookup(ref);
    const start = ref.ExclusiveStartShardId;
    const { items, more } = page(stream.shards, (s) => start === undefined || s.shardId > start, ref.Limit ?? 100);
    return { StreamDescription: streamDescription(stream, items, more) };
  }

  async describeStreamSummary(ref: StreamRef) {
    return { StreamDescriptionSummary: streamSummary(await this.lookup(ref)) };
  }

  /**
   * ListShards: by stream, or by the NextToken of an earlier page (never both). Every shard is open
   * (no resharding yet), so the filters other than AFTER_SHARD_ID select them all.
   */
  async listShards(input: StreamRef & { NextToken?: string; ExclusiveStartShardId?: string; MaxResults?: number; ShardFilter?: { Type: string; ShardId?: string; Timestamp?: number } }) {
    const named = input.StreamName !== undefined || input.StreamARN !== undefined;
    if (named && input.NextToken !== undefined) throw awsError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
    if (!named && input.NextToken === undefined) throw awsError("InvalidArgumentException", "Either NextToken or StreamName should be provided.");
    let stream: Stream;
    let after = input.ExclusiveStartShardId;
    if (input.NextToken !== undefined) {
      const token = readPageToken(input.NextToken, "stream", "after");
      stream = await this.lookup({ StreamName: token.stream });
      after = token.after;
    } else {
      stream = await this.lookup(input);
    }
    const filter = input.ShardFilter;
    if (filter?.Type === "AFTER_SHARD_ID") {
      if (filter.ShardId === undefined) throw awsError("InvalidArgumentException", "ShardId must be specified for ShardFilter type AFTER_SHARD_ID.");
      if (after === undefined || filter.ShardId > after) after = filter.ShardId;
    }
    if ((filter?.Type === "AT_TIMESTAMP" || filter?.Type === "FROM_TIMESTAMP") && filter.Timestamp === undefined) {
      throw awsError("InvalidArgumentException", `Timestamp must be specified for ShardFilter type ${filter.Type}.`);
    }
    const { items, more } = page(stream.shards, (s) => after === undefined || s.shardId > after, input.MaxResults ?? 1000);
    const description = streamDescription(stream, items, more);
    return { Shards: description.Shards, ...(more ? { NextToken: pageToken({ stream: stream.name, after: items[items.length - 1]!.shardId }) } : {}) };
  }

  listStreams(input: { Limit?: number; ExclusiveStartStreamName?: string; NextToken?: string }) {
    let after = input.ExclusiveStartStreamName;
    if (input.NextToken !== undefined) {
      after = readPageToken(input.NextToken, "after").after;
    }
    const all = [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, more } = page(all, (s) => after === undefined || s.name > after, input.Limit ?? 100);
    return {
      StreamNames: items.map((s) => s.name),
      HasMoreStreams: more,
      StreamSummaries: items.map(listedStream),
      ...(more ? { NextToken: pageToken({ after: items[items.length - 1]!.name }) } : {}),
    };
  }

  async increaseRetention(ref: StreamRef & { RetentionPeriodHours: number }): Promise<void> {
    await this.setRetention(ref, "increase");
  }

  async decreaseRetention(ref: StreamRef & { RetentionPeriodHours: number }): Promise<void> {
    await this.setRetention(ref, "decrease");
  }

  private async setRetention(ref: StreamRef & { RetentionPeriodHours: number }, change: "increase" | "decrease"): Promise<void> {
    const stream = await this.lookup(ref);
    const hours = ref.RetentionPeriodHours;
    if (hours < MIN_RETENTION_HOURS) {
      throw awsError("InvalidArgumentException", `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`);
    }
    if (hours > MAX_RETENTION_HOURS) {
      throw awsError("InvalidArgumentException", `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`);
    }
    if (change === "increase" && hours < stream.retentionHours) {
      throw awsError(
        "InvalidArgumentException",
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    if (change === "decrease" && hours > stream.retentionHours) {
      throw awsError(
        "InvalidArgumentException",
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    stream.retentionHours = hours;
    await this.save(stream);
  }

  async addTags(ref: StreamRef, tags: Record<string, string>): Promise<void> {
    const stream = await this.lookup(ref);
    checkTags(stream.name, this.accountId, stream.tags, tags);
    Object.assign(stream.tags, tags);
    await this.save(stream);
  }

  async removeTags(ref: StreamRef, keys: string[]): Promise<void> {
    const stream = await this.lookup(ref);
    for (const key of keys) delete stream.tags[key];
    await this.save(stream);
  }

  async listTags(ref: StreamRef & { ExclusiveStartTagKey?: string; Limit?: number }) {
    return tagPage((await this.lookup(ref)).tags, ref.ExclusiveStartTagKey, ref.Limit ?? MAX_TAGS);
  }

  /** Store a stream changed in place, and tell the other nodes. */
  private save(stream: Stream): Promise<void> {
    return this.sync.write(stream.name, () => this.deps.store.putStream(stream));
  }

  /** Delete records past each stream's retention (reads already skip them). */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    for (const stream of this.streams.values()) await this.deps.store.trim(stream.name, now - stream.retentionHours * 3_600_000);
  }

  // --- Data plane ----------------------------------------------------------------------------

  async putRecord(input: Parameters<ShardLog["putRecord"]>[1] & StreamRef) {
    return this.log.putRecord(await this.active(input), input);
  }

  async putRecords(input: StreamRef & { records: NewRecord[] }) {
    return this.log.putRecords(await this.active(input), input.records);
  }

  async getShardIterator(input: StreamRef & { ShardId: string } & Parameters<ShardLog["getShardIterator"]>[2]) {
    const stream = await this.active(input);
    return this.log.getShardIterator(stream, this.shard(stream, input.ShardId), input);
  }

  async getRecords(input: { ShardIterator: string; Limit?: number; StreamARN?: string }) {
    // An iterator issued on another node may name a stream this node has not heard of yet, or a newer one of its name.
    return this.log.getRecords(input, (name, createdAt) => this.sync.lookUp(() => this.streams.get(name), (s) => s.createdAt !== createdAt));
  }

  /** Whether the stream an ARN names exists, read again from the store when this node does not know it (a mapping's source check). */
  async exists(arn: string): Promise<boolean> {
    return (await this.sync.lookUp(() => this.streamByArn(arn))) !== undefined;
  }

  // --- For event source pollers (in-process) -------------------------------------------------

  streamByArn(arn: string): { arn: string; name: string; status: string; shards: ShardInfo[]; retentionHours: number } | undefined {
    const parsed = parseStreamArn(arn);
    const stream = parsed && this.streams.get(parsed.name);
    if (!stream || stream.arn !== arn) return undefined;
    const shards = stream.shards.map((s) => ({
      shardId: s.shardId,
      ...(s.parentShardId ? { parentShardId: s.parentShardId } : {}),
      startingHashKey: s.startingHashKey,
      endingHashKey: s.endingHashKey,
    }));
    return { arn: stream.arn, name: stream.name, status: stream.status, shards, retentionHours: stream.retentionHours };
  }

  /** Up to `limit` records of a shard from a position, oldest first, within retention. */
  async readShard(arn: string, shardId: string, from: ReadFrom, limit: number): Promise<{ records: StreamRecord[]; millisBehindLatest: number }> {
    const stream = this.resolve({ StreamARN: arn });
    return this.log.readFrom(stream, this.shard(stream, shardId), from, limit);
  }

  /**
   * The highest sequence number in the shard now (where LATEST starts); undefined when nothing was
   * ever appended to it. Records past retention still count: LATEST starts after them.
   */
  latestSequence(arn: string, shardId: string): string | undefined {
    const stream = this.resolve({ StreamARN: arn });
    return this.log.latestSequence(stream, this.shard(stream, shardId));
  }

  /** A stream's tags, for IAM's aws:ResourceTag conditions. */
  tagsOf(arn: string): Record<string, string> | undefined {
    const parsed = parseStreamArn(arn);
    const stream = parsed && this.streams.get(parsed.name);
    return stream?.arn === arn ? stream.tags : undefined;
  }

  /** Called with a stream's ARN and shard after records appended to it are durable; returns unsubscribe. */
  onAppend(listener: (arn: string, shardId: string) => void): () => void {
    return this.log.onAppend(listener);
  }

  async close(): Promise<void> {
    this.sweeper.cancel();
    for (const t of this.activations) t.cancel();
    this.activations.clear();
  }
}
