/**
 * A StartLiveTail session: the events stored from its start on in its groups (narrowed by stream
 * names or prefixes and a filter pattern), read from the store once a second (so every node's
 * writes show), for at most three hours, as CloudWatch ends a session then.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */
import { awsError } from "../../errors.js";
import type { Clock, Timer } from "../../clock/clock.js";
import type { LogsStore, TailedLogEvent } from "../../store/logs-store.js";
import { compileFilterPattern } from "./filter-pattern.js";
import type { StartLiveTailInput } from "./inputs.js";
import { type Account, groupNotFound, groupOfArn, logGroupArn } from "./names.js";

const POLL_MS = 1000;
const MAX_SESSION_MS = 3 * 3_600_000;
/** Events one poll reads at most: past it, the rest of that second is skipped (`sampled`), as CloudWatch samples past 500 events a second. */
const POLL_LIMIT = 500;
/** How long one poll may spend asking the filter pattern about events: past it, the rest of the poll's events are skipped (`sampled`). */
const MATCH_MS = 100;

export interface LiveTailResult {
  logStreamName: string;
  logGroupIdentifier: string;
  message: string;
  timestamp: number;
  ingestionTime: number;
}

/** What the session tells its client. */
export interface LiveTailListener {
  update(results: LiveTailResult[], sampled: boolean): void;
  /** The session ended: its time ran out or the store failed (`err`), or the service is stopping. */
  end(err?: Error): void;
}

export class LiveTailSession {
  private timer: Timer | undefined;
  private timeout: Timer | undefined;
  private reading = false;
  private closed = false;
  private listener: LiveTailListener | undefined;

  private constructor(
    private readonly store: LogsStore,
    private readonly clock: Clock,
    private readonly groups: Map<string, string>,
    private readonly keep: (e: TailedLogEvent) => boolean,
    private afterSeq: number,
    readonly start: Record<string, unknown>,
  ) {}

  /** Check the request and its groups, and mark where the session starts. */
  static async open(deps: { store: LogsStore; clock: Clock; account: Account }, input: StartLiveTailInput, sessionId: string, requestId: string): Promise<LiveTailSession> {
    if (input.logStreamNames && input.logStreamNamePrefixes) throw awsError("InvalidParameterException", "Only one of logStreamNames or logStreamNamePrefixes can be provided.");
    if ((input.logStreamNames || input.logStreamNamePrefixes) && input.logGroupIdentifiers.length > 1) {
      throw awsError("InvalidParameterException", "logStreamNames and logStreamNamePrefixes can only be used with a single log group.");
    }
    const pattern = compileFilterPattern(input.logEventFilterPattern ?? "");
    // Group name → the identifier the client gave, which each result names.
    const groups = new Map<string, string>();
    for (const id of input.logGroupIdentifiers) {
      const name = id.startsWith("arn:") ? groupOfArn(deps.account, id) : id;
      if (name === undefined || !(await deps.store.getGroup(name))) throw groupNotFound();
      groups.set(name, id);
    }
    const streams = input.logStreamNames;
    const prefixes = input.logStreamNamePrefixes;
    const keep = (e: TailedLogEvent) =>
      (!streams || streams.includes(e.stream)) && (!prefixes || prefixes.some((p) => e.stream.startsWith(p))) && (pattern.matchesAll || pattern.match(e.message));
    const start = {
      requestId,
      sessionId,
      logGroupIdentifiers: input.logGroupIdentifiers.map((id) => (id.startsWith("arn:") ? id : logGroupArn(deps.account, id))),
      ...(streams ? { logStreamNames: streams } : {}),
      ...(prefixes ? { logStreamNamePrefixes: prefixes } : {}),
      logEventFilterPattern: input.logEventFilterPattern ?? "",
    };
    return new LiveTailSession(deps.store, deps.clock, groups, keep, await deps.store.lastSeq(), start);
  }

  /** Poll until `close` (or the session's end, told to `listener`). */
  run(listener: LiveTailListener): void {
    this.listener = listener;
    this.timer = this.clock.every(POLL_MS, () => void this.poll(listener));
    this.timeout = this.clock.after(MAX_SESSION_MS, () => {
      this.close();
      listener.end(awsError("SessionTimeoutException", "Session timed out after 3 hours."));
    });
  }

  private async poll(listener: LiveTailListener): Promise<void> {
    if (this.reading || this.closed) return;
    this.reading = true;
    try {
      const upTo = await this.store.lastSeq();
      const events = await this.store.tail([...this.groups.keys()], this.afterSeq, upTo, POLL_LIMIT);
      const until = this.clock.now() + MATCH_MS;
      const kept: TailedLogEvent[] = [];
      let asked = 0;
      for (; asked < events.length && (asked === 0 || this.clock.now() < until); asked++) if (this.keep(events[asked]!)) kept.push(events[asked]!);
      const sampled = events.length >= POLL_LIMIT || asked < events.length;
      // Read up to upTo, or sampled and the rest skipped: the next poll starts past it either way, so
      // a tail on a quiet group never rereads what the store's busy groups wrote. (max: deletes can
      // lower the last seq.)
      this.afterSeq = Math.max(this.afterSeq, upTo);
      if (this.closed) return;
      const results = kept.map((e) => ({
        logStreamName: e.stream,
        logGroupIdentifier: this.groups.get(e.group) ?? e.group,
        message: e.message,
        timestamp: e.timestamp,
        ingestionTime: e.ingestionTime,
      }));
      if (results.length > 0) listener.update(results, sampled);
    } catch (err) {
      this.close();
      listener.end(err as Error);
    } finally {
      this.reading = false;
    }
  }

  /** End the session for the service's stop: its client's stream ends. */
  stop(): void {
    this.close();
    this.listener?.end();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timeout?.cancel();
  }
}
