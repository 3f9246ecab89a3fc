/**
 * What names a position in a DynamoDB stream: its one shard's id, derived from the stream's ARN
 * alone (so every node names it alike), sequence numbers (the store's per-stream integer, zero-padded
 * to 21 digits: they order as text and as values, and the model's minimum length is 21), and shard
 * iterators shaped as AWS's (`<stream ARN>|1|<opaque>`), HMAC-signed with a key derived from a secret
 * that outlives restarts, and good for 15 minutes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { dynamoError, validation } from "./dynamo-errors.js";

/** AWS: "A shard iterator expires 15 minutes after it is returned to the requester." */
export const ITERATOR_TTL_MS = 15 * 60_000;
const SEQUENCE_DIGITS = 21;
const MAC_BYTES = 16;

const invalidIterator = () => validation("Invalid ShardIterator");

// --- Names -------------------------------------------------------------------------------------

/** The sequence number of the store's per-stream integer. */
export const formatSequence = (n: number): string => String(n).padStart(SEQUENCE_DIGITS, "0");

/** The store's integer of a sequence number; undefined for anything not one of ours. */
export function parseSequence(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A stream label (`2026-12-05T22:51:30.123`, UTC) as epoch ms; NaN when it is not one. */
function labelMs(label: string): number {
  return Date.parse(`${label}Z`);
}

/** The stream's one shard: its ARN's creation time and 8 hex of its hash, so every node names it alike. */
export function shardIdOf(streamArn: string): string {
  const label = streamArn.slice(streamArn.lastIndexOf("/") + 1);
  const ms = labelMs(label);
  const digits = String(Number.isFinite(ms) ? ms : 0).padStart(20, "0");
  return `shardId-${digits}-${createHash("sha256").update(streamArn).digest("hex").slice(0, 8)}`;
}

// --- Shard iterators -----------------------------------------------------------------------------

export interface IteratorPosition {
  arn: string;
  shardId: string;
  /** Read records whose sequence is greater than this. */
  after: number;
  issuedAt: number;
}

export class IteratorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash("sha256").update(`flint dynamodb stream shard iterators\0${secret}`).digest();
  }

  private mac(arn: string, payload: Buffer): Buffer {
    return createHmac("sha256", this.key).update(arn).update("\0").update(payload).digest().subarray(0, MAC_BYTES);
  }

  /** `<stream ARN>|1|<base64 of MAC and payload>`, the shape AWS's iterators have. */
  encode(p: IteratorPosition): string {
    const payload = Buffer.from(JSON.stringify([p.shardId, p.after, p.issuedAt]), "utf8");
    return `${p.arn}|1|${Buffer.concat([this.mac(p.arn, payload), payload]).toString("base64")}`;
  }

  /** The position a token names; ValidationException when it is not one of ours, ExpiredIteratorException past 15 minutes. */
  decode(token: string, now: number): IteratorPosition {
    const parts = token.split("|");
    if (parts.length !== 3 || parts[1] !== "1") throw invalidIterator();
    const [arn, , opaque] = parts as [string, string, string];
    const raw = Buffer.from(opaque, "base64");
    if (raw.length <= MAC_BYTES || raw.toString("base64") !== opaque) throw invalidIterator();
    const payload = raw.subarray(MAC_BYTES);
    if (!timingSafeEqual(raw.subarray(0, MAC_BYTES), this.mac(arn, payload))) throw invalidIterator();
    const [shardId, after, issuedAt] = JSON.parse(payload.toString("utf8")) as [string, number, number];
    if (now - issuedAt > ITERATOR_TTL_MS) throw dynamoError("ExpiredIteratorException", "Shard iterator has expired");
    return { arn, shardId, after, issuedAt };
  }
}
