/**
 * Words for what SQS and SNS give as numbers and ARNs: durations in seconds, sizes in bytes, epoch
 * seconds, and the names inside queue, topic and function ARNs (for links to their pages).
 */
import { Link, seg } from "../router";
import { session } from "../session";

const UNITS: [number, string][] = [
  [86_400, "day"],
  [3_600, "hour"],
  [60, "minute"],
  [1, "second"],
];

/** 345600 → "4 days", 90 → "1 minute 30 seconds", 0 → "0 seconds". */
export function fmtSeconds(raw: string | number | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let s = Number(raw);
  if (!Number.isFinite(s)) return String(raw);
  if (s === 0) return "0 seconds";
  const parts: string[] = [];
  for (const [size, unit] of UNITS) {
    const n = Math.floor(s / size);
    if (n > 0) {
      parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
      s -= n * size;
    }
  }
  return parts.join(" ");
}

/** 262144 → "256 KiB (262,144 bytes)". */
export function fmtSize(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  const plain = `${n.toLocaleString("en-US")} bytes`;
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB (${plain})` : plain;
}

/** SQS timestamps are epoch seconds (queues) or milliseconds (messages), as strings. */
export const epochSeconds = (raw: string | undefined) => (raw === undefined || raw === "" ? undefined : Number(raw) * 1000);
export const epochMillis = (raw: string | undefined) => (raw === undefined || raw === "" ? undefined : Number(raw));

/** The last `:`-separated part of an ARN: a queue's or topic's name. */
export const arnName = (arn: string) => arn.slice(arn.lastIndexOf(":") + 1);

/** A queue's name from its URL (`…/<account>/<name>`). */
export const urlName = (url: string) => decodeURIComponent(url.replace(/\/+$/, "").split("/").pop() ?? url);

/** Is this region and account the signed-in session's (so the console's pages show the resource)? */
function ours(region: string, account: string): boolean {
  const s = session();
  return !s || (s.region === region && s.accountId === account);
}

/** The function an ARN of this account and region names (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`), or undefined. */
export function functionOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([^:]*):(\d{12}):function:([^:]+)(?::[^:]+)?$/.exec(arn);
  return m && ours(m[1]!, m[2]!) ? m[3] : undefined;
}

/** An SQS queue ARN of this account and region as a link to its page; any other ARN as text. */
export function QueueArnLink({ arn }: { arn: string }) {
  const m = /^arn:aws[a-zA-Z-]*:sqs:([^:]*):(\d{12}):[^:]+$/.exec(arn);
  if (!m || !ours(m[1]!, m[2]!)) return <span class="mono">{arn}</span>;
  const name = arnName(arn);
  return (
    <Link to={`/queues/${seg(name)}`} title={arn}>
      {name}
    </Link>
  );
}

/** A subscription's endpoint: SQS queues link to their queue page, Lambda functions to their function page. */
export function EndpointLink({ protocol, endpoint }: { protocol: string | undefined; endpoint: string | undefined }) {
  if (!endpoint) return <>—</>;
  if (protocol === "sqs" && endpoint.startsWith("arn:")) return <QueueArnLink arn={endpoint} />;
  if (protocol === "lambda") {
    const fn = functionOfArn(endpoint);
    if (fn) {
      return (
        <Link to={`/functions/${seg(fn)}`} title={endpoint}>
          {endpoint.slice(endpoint.indexOf(":function:") + ":function:".length)}
        </Link>
      );
    }
  }
  return <span class="mono">{endpoint}</span>;
}
