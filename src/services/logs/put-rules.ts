/**
 * PutLogEvents' rules for a batch: at most 1,048,576 bytes (each message's UTF-8 bytes plus 26),
 * events in chronological order, spanning at most 24 hours (a batch breaking these is refused
 * whole); events more than 2 hours ahead, older than 14 days, or older than the group's retention
 * are left out and reported in `rejectedLogEventsInfo`, the rest are stored.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 */
import { awsError } from "../../errors.js";
import type { LogEvent } from "../../store/logs-store.js";

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface JudgedBatch {
  accepted: LogEvent[];
  rejected?: RejectedLogEventsInfo;
}

/** Refuse a batch that breaks a rule, or split it into what is stored and what is rejected. */
export function judgeBatch(events: readonly LogEvent[], now: number, retentionDays: number | undefined): JudgedBatch {
  let bytes = 0;
  for (const e of events) bytes += Buffer.byteLength(e.message, "utf8") + EVENT_OVERHEAD_BYTES;
  if (bytes > MAX_BATCH_BYTES) throw awsError("InvalidParameterException", `Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) throw awsError("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.");
  }
  const tooOld = now - 14 * DAY;
  const expired = retentionDays === undefined ? -Infinity : now - retentionDays * DAY;
  const tooNew = now + 2 * HOUR;
  // The 24 hours are measured over the valid events only (14 days back to 2 hours ahead), as AWS's
  // API reference says: a batch of one 15-day-old event and one of now stores the second.
  const valid = events.filter((e) => e.timestamp >= tooOld && e.timestamp <= tooNew);
  if (valid.length > 0 && valid[valid.length - 1]!.timestamp - valid[0]!.timestamp > DAY) {
    throw awsError("InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  // Sorted by time, the rejected events are a run at each end.
  let first = 0;
  while (first < events.length && (events[first]!.timestamp < tooOld || events[first]!.timestamp < expired)) first++;
  let end = first;
  while (end < events.length && events[end]!.timestamp <= tooNew) end++;
  const rejected: RejectedLogEventsInfo = {};
  // AWS: the start index is inclusive, the end indexes exclusive (one past the last rejected event).
  const endOfOlder = (limit: number) => {
    let i = 0;
    while (i < events.length && events[i]!.timestamp < limit) i++;
    return i;
  };
  if (events[0] && events[0].timestamp < tooOld) rejected.tooOldLogEventEndIndex = endOfOlder(tooOld);
  if (events[0] && events[0].timestamp < expired) rejected.expiredLogEventEndIndex = endOfOlder(expired);
  if (end < events.length) rejected.tooNewLogEventStartIndex = end;
  return { accepted: events.slice(first, end), ...(Object.keys(rejected).length > 0 ? { rejected } : {}) };
}
