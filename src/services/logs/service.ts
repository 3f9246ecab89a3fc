/**
 * CloudWatch Logs: groups, streams and their events, over the LogsStore (both stores; every node of
 * a cluster reads the same rows). Anyone may write to a stream at any time: sequence tokens are
 * accepted and ignored, as AWS has done since 2023, so concurrent writers all succeed.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/Welcome.html
 */
import { awsError } from "../../errors.js";
import type { Clock } from "../../clock/clock.js";
import type { EventCursor, LogGroupRow, LogsStore, LogStreamRow, StoredLogEvent } from "../../store/logs-store.js";
import { randomUUID } from "node:crypto";
import { KeyedLock } from "../../lib/keyed-lock.js";
import { compileFilterPattern } from "./filter-pattern.js";
import type * as inputs from "./inputs.js";
import { LiveTailSession } from "./live-tail.js";
import { type Account, groupNotFound, groupOf, groupOfArn, logGroupArn, logGroupWildcardArn, logStreamArn, streamNotFound } from "./names.js";
import { EVENT_OVERHEAD_BYTES, judgeBatch, MAX_BATCH_BYTES } from "./put-rules.js";
import { eventId, pageToken, readPageToken, readStreamToken, streamToken } from "./tokens.js";

const MAX_TAGS = 50;
/**
 * Stored events FilterLogEvents examines per call before it answers with what it found and a token
 * (CloudWatch's pages may be short, even empty): fewer when the pattern gives the store no literal
 * to check in SQL, so every event is parsed by the matcher (a JSON pattern parses ~120,000 a second).
 */
const FILTER_SCAN_LIMIT = 100_000;
const FILTER_SCAN_LIMIT_UNNARROWED = 20_000;
/** What one FilterLogEvents call may spend asking its pattern about messages before it ends the page early (CloudWatch returns short pages too). */
const MATCH_BUDGET = { ms: 100, bytes: 16 * 1024 * 1024 };
const DEFAULT_EVENTS_LIMIT = 10_000;
/**
 * Live Tail sessions open at once, as CloudWatch's quota "concurrent Live Tail sessions: 15 per
 * account" (on this node: each node counts its own).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */
const MAX_LIVE_TAIL_SESSIONS = 15;

export interface LogsServiceDeps {
  store: LogsStore;
  clock: Clock;
  account: Account;
}

export class LogsService {
  private readonly store: LogsStore;
  private readonly clock: Clock;
  readonly account: Account;
  private readonly sessions = new Set<LiveTailSession>();
  /**
   * A group's retention and tags change by read, modify, write of its row: one change at a time
   * per group on this node (two nodes changing one group's tags at once can still lose one).
   */
  private readonly changes = new KeyedLock();

  constructor(deps: LogsServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.account = deps.account;
  }

  /** Start a live tail; it polls until `release` (the client went) or the service closes. */
  async openLiveTail(input: inputs.StartLiveTailInput, requestId: string): Promise<{ session: LiveTailSession; release: () => void }> {
    const session = await LiveTailSession.open({ store: this.store, clock: this.clock, account: this.account }, input, randomUUID(), requestId);
    // Counted here, right before the add, so that sessions opening at once cannot pass the quota together.
    if (this.sessions.size >= MAX_LIVE_TAIL_SESSIONS) {
      session.close();
      throw awsError("LimitExceededException", `You have reached the maximum number of concurrent Live Tail sessions (${MAX_LIVE_TAIL_SESSIONS}) for this account.`);
    }
    this.sessions.add(session);
    return {
      session,
      release: () => {
        session.close();
        this.sessions.delete(session);
      },
    };
  }

  /** End every live tail (the server is stopping). */
  close(): void {
    for (const s of this.sessions) s.stop();
    this.sessions.clear();
  }

  // ---- groups

  async createLogGroup(input: inputs.CreateLogGroupInput): Promise<void> {
    const row: LogGroupRow = {
      name: input.logGroupName,
      createdAt: this.clock.now(),
      tags: input.tags ?? {},
      logGroupClass: input.logGroupClass ?? "STANDARD",
      ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
    };
    if (!(await this.store.createGroup(row))) throw awsError("ResourceAlreadyExistsException", "The specified log group already exists");
  }

  async deleteLogGroup(name: string): Promise<void> {
    if (!(await this.store.deleteGroup(name))) throw groupNotFound();
  }

  /** Groups in name order, `limit` (default 50) a page. */
  async describeLogGroups(input: inputs.DescribeLogGroupsInput): Promise<{ logGroups: Record<string, unknown>[]; nextToken?: string }> {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw awsError("InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    }
    const limit = input.limit ?? 50;
    let after = input.nextToken !== undefined ? readPageToken(input.nextToken, { after: "string" }).after : undefined;
    const wanted = input.logGroupIdentifiers?.map((id) => (id.startsWith("arn:") ? groupOfArn(this.account, id) : id));
    const found: LogGroupRow[] = [];
    // A class or identifier filter applies after the store's page: read on until a page is full.
    for (;;) {
      const page = await this.store.listGroups({ prefix: input.logGroupNamePrefix, contains: input.logGroupNamePattern || undefined, after, limit: limit + 1 });
      for (const g of page) {
        if (input.logGroupClass !== undefined && g.logGroupClass !== input.logGroupClass) continue;
        if (wanted && !wanted.includes(g.name)) continue;
        found.push(g);
      }
      if (found.length > limit || page.length <= limit) break;
      after = page[page.length - 1]!.name;
    }
    const more = found.length > limit;
    const groups = found.slice(0, limit);
    // With a pattern, AWS answers only these three members of each group.
    const shape = input.logGroupNamePattern !== undefined ? (g: LogGroupRow) => ({ logGroupName: g.name, creationTime: g.createdAt, arn: logGroupWildcardArn(this.account, g.name) }) : (g: LogGroupRow) => this.groupShape(g);
    return { logGroups: groups.map(shape), ...(more ? { nextToken: pageToken({ after: groups[groups.length - 1]!.name }) } : {}) };
  }

  private groupShape(g: LogGroupRow): Record<string, unknown> {
    return {
      logGroupName: g.name,
      creationTime: g.createdAt,
      ...(g.retentionDays !== undefined ? { retentionInDays: g.retentionDays } : {}),
      metricFilterCount: 0,
      arn: logGroupWildcardArn(this.account, g.name),
      storedBytes: 0,
      ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
      logGroupClass: g.logGroupClass,
      logGroupArn: logGroupArn(this.account, g.name),
    };
  }

  private async group(name: string): Promise<LogGroupRow> {
    const g = await this.store.getGroup(name);
    if (!g) throw groupNotFound();
    return g;
  }

  private update(name: string, change: (g: LogGroupRow) => LogGroupRow): Promise<void> {
    return this.changes.run(name, async () => {
      const g = await this.group(name);
      if (!(await this.store.updateGroup(change(g)))) throw groupNotFound();
    });
  }

  /** Set a retention period and apply it now to that group: its events older than it go at once. */
  async putRetentionPolicy(name: string, days: number): Promise<void> {
    await this.update(name, (g) => ({ ...g, retentionDays: days }));
    await this.store.expire(this.clock.now(), name);
  }

  async deleteRetentionPolicy(name: string): Promise<void> {
    await this.update(name, (g) => {
      const { retentionDays: _, ...rest } = g;
      return rest;
    });
  }

  // ---- tags (TagLogGroup and TagResource on a log group's ARN are one operation)

  /** The group a tagging operation's ARN names. */
  groupOfResource(arn: string): string {
    const name = groupOfArn(this.account, arn);
    if (name === undefined || arn.endsWith(":*")) throw awsError("LogsResourceNotFound", `The specified resource does not exist.`);
    return name;
  }

  tagGroup(name: string, tags: Record<string, string>): Promise<void> {
    return this.update(name, (g) => {
      const merged = { ...g.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw awsError("TooManyTagsException", `A resource can have no more than ${MAX_TAGS} tags.`, { resourceName: logGroupArn(this.account, name) });
      return { ...g, tags: merged };
    });
  }

  async untagGroup(name: string, keys: readonly string[]): Promise<void> {
    await this.update(name, (g) => ({ ...g, tags: Object.fromEntries(Object.entries(g.tags).filter(([k]) => !keys.includes(k))) }));
  }

  async listTags(name: string): Promise<Record<string, string>> {
    return (await this.group(name)).tags;
  }

  // ---- streams

  async createLogStream(group: string, stream: string): Promise<void> {
    await this.group(group);
    if (!(await this.store.createStream(group, stream, this.clock.now()))) throw awsError("ResourceAlreadyExistsException", "The specified log stream already exists");
  }

  async deleteLogStream(group: string, stream: string): Promise<void> {
    await this.group(group);
    if (!(await this.store.deleteStream(group, stream))) throw streamNotFound();
  }

  /** A group's streams by name or by last event time, ascending unless `descending`, 50 a page by default. */
  async describeLogStreams(input: inputs.DescribeLogStreamsInput): Promise<{ logStreams: Record<string, unknown>[]; nextToken?: string }> {
    const group = groupOf(this.account, input);
    const order = input.orderBy === "LastEventTime" ? "lastEvent" : "name";
    if (order === "lastEvent" && input.logStreamNamePrefix !== undefined) throw awsError("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
    await this.group(group);
    const limit = input.limit ?? 50;
    const after = input.nextToken !== undefined ? readPageToken(input.nextToken, { after: "string", order: "string" }) : undefined;
    if (after && after.order !== order) throw awsError("InvalidParameterException", "The specified nextToken is invalid.");
    const rows = await this.store.listStreams(group, { order, descending: input.descending ?? false, prefix: input.logStreamNamePrefix, after: after?.after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const position = (s: LogStreamRow) => (order === "name" ? s.name : `${s.lastEventTime ?? 0}:${s.name}`);
    return { logStreams: page.map((s) => this.streamShape(s)), ...(rows.length > limit && last ? { nextToken: pageToken({ after: position(last), order }) } : {}) };
  }

  private streamShape(s: LogStreamRow): Record<string, unknown> {
    return {
      logStreamName: s.name,
      creationTime: s.createdAt,
      ...(s.firstEventTime !== undefined ? { firstEventTimestamp: s.firstEventTime } : {}),
      ...(s.lastEventTime !== undefined ? { lastEventTimestamp: s.lastEventTime } : {}),
      ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
      uploadSequenceToken: sequenceToken(s.lastIngestionTime ?? s.createdAt),
      arn: logStreamArn(this.account, s.group, s.name),
      storedBytes: 0,
    };
  }

  // ---- events

  async putLogEvents(input: inputs.PutLogEventsInput): Promise<{ nextSequenceToken: string; rejectedLogEventsInfo?: Record<string, number> }> {
    const g = await this.group(input.logGroupName);
    if (!(await this.store.getStream(input.logGroupName, input.logStreamName))) throw streamNotFound();
    const now = this.clock.now();
    const { accepted, rejected } = judgeBatch(input.logEvents, now, g.retentionDays);
    if (accepted.length > 0) {
      // Checked again in the write: a DeleteLogGroup or DeleteLogStream since the reads above wins.
      const outcome = await this.store.appendBatches([{ group: input.logGroupName, stream: input.logStreamName, events: accepted }], now, "refuse");
      if (outcome === "noGroup") throw groupNotFound();
      if (outcome === "noStream") throw streamNotFound();
    }
    return { nextSequenceToken: sequenceToken(now), ...(rejected ? { rejectedLogEventsInfo: { ...rejected } } : {}) };
  }

  /**
   * One stream's events in time order, at most `limit` and 1 MB of them. Without a token: the
   * newest (or, with `startFromHead`, the oldest). A token reads on in its direction; at the end of the stream the
   * answer carries the token it was given back, so a client that stops on an unchanged token stops.
   */
  async getLogEvents(input: inputs.GetLogEventsInput): Promise<{ events: Record<string, unknown>[]; nextForwardToken: string; nextBackwardToken: string }> {
    const group = groupOf(this.account, input);
    await this.group(group);
    if (!(await this.store.getStream(group, input.logStreamName))) throw streamNotFound();
    const token = input.nextToken !== undefined ? readStreamToken(input.nextToken) : undefined;
    const backward = token ? token.direction === "b" : !input.startFromHead;
    const read = await this.store.readStream(group, input.logStreamName, { start: input.startTime, end: input.endTime, from: token?.at, backward, limit: input.limit ?? DEFAULT_EVENTS_LIMIT });
    // Reading backward, the events nearest the token are the newest.
    const events = backward ? withinResponseBytes(read.reverse()).reverse() : withinResponseBytes(read);
    const first = events[0];
    const last = events[events.length - 1];
    // With nothing read, both tokens stay where the read was: at the given token, or at the start of the stream.
    const here = token?.at ?? { timestamp: 0, seq: 0 };
    return {
      events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: last ? streamToken({ direction: "f", at: last }) : token?.direction === "f" ? input.nextToken! : streamToken({ direction: "f", at: here }),
      nextBackwardToken: first ? streamToken({ direction: "b", at: first }) : token?.direction === "b" ? input.nextToken! : streamToken({ direction: "b", at: here }),
    };
  }

  /**
   * A group's events interleaved in time order, narrowed by streams and a filter pattern. A page
   * ends at `limit` events, at 1 MB of them, or after examining a scan limit, with a token to read on; when the
   * range is read to its end there is no token (`aws logs tail --follow` polls until then).
   */
  async filterLogEvents(input: inputs.FilterLogEventsInput): Promise<{ events: Record<string, unknown>[]; searchedLogStreams: []; nextToken?: string }> {
    const group = groupOf(this.account, input);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw awsError("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    }
    const pattern = compileFilterPattern(input.filterPattern ?? "");
    await this.group(group);
    const after = input.nextToken !== undefined ? cursorOfToken(input.nextToken) : undefined;
    const limit = input.limit ?? DEFAULT_EVENTS_LIMIT;
    const page = await this.store.filter(group, {
      streams: input.logStreamNames,
      streamPrefix: input.logStreamNamePrefix,
      start: input.startTime,
      end: input.endTime === undefined ? undefined : input.endTime + 1,
      after,
      limit,
      mustContain: pattern.mustContain,
      ...(pattern.matchesAll ? {} : { match: (message: string) => pattern.match(message) }),
      scanLimit: pattern.matchesAll || pattern.mustContain.some((any) => any.length > 0) ? FILTER_SCAN_LIMIT : FILTER_SCAN_LIMIT_UNNARROWED,
      matchBudget: { bytes: MATCH_BUDGET.bytes, until: this.clock.now() + MATCH_BUDGET.ms, now: () => this.clock.now() },
    });
    const events = withinResponseBytes(page.events);
    const last = events[events.length - 1];
    const resume = events.length < page.events.length ? last : (page.scannedTo ?? (events.length >= limit ? last : undefined));
    return { events: events.map((e) => filteredEvent(e)), searchedLogStreams: [], ...(resume ? { nextToken: pageToken({ t: resume.timestamp, s: resume.seq }) } : {}) };
  }
}

/** The leading events that fit in one answer's 1 MB (each message's bytes and 26), at least one. */
function withinResponseBytes(events: StoredLogEvent[]): StoredLogEvent[] {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += Buffer.byteLength(events[i]!.message, "utf8") + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_BATCH_BYTES && i > 0) return events.slice(0, i);
  }
  return events;
}

function cursorOfToken(token: string): EventCursor {
  const { t, s } = readPageToken(token, { t: "number", s: "number" });
  return { timestamp: t, seq: s };
}

export const filteredEvent = (e: StoredLogEvent) => ({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: eventId(e) });

/** A sequence token of AWS's shape (56 digits); PutLogEvents ignores the ones it is given. */
const sequenceToken = (at: number) => String(at).padStart(56, "0");
