/**
 * Shard iterators: opaque tokens that say which stream (by name and creation time, so a recreated
 * stream does not accept its predecessor's), which shard and after which per-shard sequence to read,
 * and when they were issued. They are HMAC-signed with a key derived from a secret that outlives
 * restarts, so an iterator issued before a restart still works; a token that does not verify is
 * "Invalid ShardIterator." and one older than 300 s has expired, as AWS words both.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { awsError } from "../../errors.js";

/** AWS: "A shard iterator expires 5 minutes after it is returned to the requester." */
export const ITERATOR_TTL_MS = 300_000;
const MAC_BYTES = 16;

export interface IteratorPosition {
  stream: string;
  streamCreatedAt: number;
  shardIndex: number;
  /** Read records whose per-shard sequence is greater than this. */
  after: number;
  issuedAt: number;
}

/** "Thu Jan 22 01:22:02 UTC 2015", the date format of AWS's ExpiredIteratorException. */
function amzUtc(ms: number): string {
  const [, day, date, month, year, time] = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString())!;
  return `${day} ${month} ${date} ${time} UTC ${year}`;
}

const invalid = () => awsError("InvalidArgumentException", "Invalid ShardIterator.");

export class IteratorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash("sha256").update(`flint kinesis shard iterators\0${secret}`).digest();
  }

  private mac(payload: Buffer): Buffer {
    return createHmac("sha256", this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }

  encode(p: IteratorPosition): string {
    const payload = Buffer.from(JSON.stringify([p.stream, p.streamCreatedAt, p.shardIndex, p.after, p.issuedAt]), "utf8");
    return Buffer.concat([this.mac(payload), payload]).toString("base64");
  }

  /** The position a token names; throws InvalidArgumentException or, past 300 s, ExpiredIteratorException. */
  decode(token: string, now: number): IteratorPosition {
    const raw = Buffer.from(token, "base64");
    if (raw.length <= MAC_BYTES || raw.toString("base64") !== token) throw invalid();
    const payload = raw.subarray(MAC_BYTES);
    if (!timingSafeEqual(raw.subarray(0, MAC_BYTES), this.mac(payload))) throw invalid();
    const [stream, streamCreatedAt, shardIndex, after, issuedAt] = JSON.parse(payload.toString("utf8")) as [string, number, number, number, number];
    if (now - issuedAt > ITERATOR_TTL_MS) {
      throw awsError(
        "ExpiredIteratorException",
        `Iterator expired. The iterator was created at time ${amzUtc(issuedAt)} while right now it is ${amzUtc(now)} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      );
    }
    return { stream, streamCreatedAt, shardIndex, after, issuedAt };
  }
}

/** The stream an iterator names, read without verifying it (for deciding what a GetRecords asks). */
export function iteratorStream(token: string): string | undefined {
  try {
    const [stream] = JSON.parse(Buffer.from(token, "base64").subarray(MAC_BYTES).toString("utf8")) as unknown[];
    return typeof stream === "string" ? stream : undefined;
  } catch {
    return undefined;
  }
}
