/**
 * Stream ARNs, and the messages AWS gives when a stream or shard is not there.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescription.html
 */
import { awsError } from "../../errors.js";

export interface Account {
  region: string;
  accountId: string;
}

export const streamArn = (a: Account, name: string) => `arn:aws:kinesis:${a.region}:${a.accountId}:stream/${name}`;

/** The region, account and stream name of a stream ARN, or undefined for anything else. */
export function parseStreamArn(arn: string): (Account & { name: string }) | undefined {
  const m = /^arn:aws[\w-]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

export const streamNotFound = (name: string, accountId: string) => awsError("StreamNotFound", `Stream ${name} under account ${accountId} not found.`);

export const shardNotFound = (shardId: string, stream: string, accountId: string) =>
  awsError("StreamNotFound", `Shard ${shardId} in stream ${stream} under account ${accountId} does not exist`);

/** A list operation's NextToken: an opaque page position (AWS's are opaque too). */
export const pageToken = (value: Record<string, string>) => Buffer.from(JSON.stringify(value)).toString("base64");

/** What a NextToken holds, or InvalidArgumentException. */
export function readPageToken(token: string, ...fields: string[]): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    value = undefined;
  }
  const ok = typeof value === "object" && value !== null && fields.every((f) => typeof (value as Record<string, unknown>)[f] === "string");
  if (!ok) throw awsError("InvalidArgumentException", "NextToken is invalid.");
  return value as Record<string, string>;
}
