/**
 * What SQS and SNS give as text: epoch timestamps, queue URLs, topic and subscription ARNs, and a
 * subscription's endpoint (linked to its queue's or function's page when it has one).
 */
import { ArnLink } from "./arn";

/** SQS timestamps are epoch seconds (queues) or milliseconds (messages), as strings. */
export const epochSeconds = (raw: string | undefined) => (raw === undefined || raw === "" ? undefined : Number(raw) * 1000);
export const epochMillis = (raw: string | undefined) => (raw === undefined || raw === "" ? undefined : Number(raw));

/** The last `:`-separated part of an ARN: a queue's or topic's name, a subscription's id. */
export const arnName = (arn: string) => arn.slice(arn.lastIndexOf(":") + 1);

/** A queue's name from its URL (`…/<account>/<name>`). */
export const urlName = (url: string) => decodeURIComponent(url.replace(/\/+$/, "").split("/").pop() ?? url);

/** A subscription's endpoint: an SQS queue or Lambda function of this account and region links to its page; anything else is text. */
export function EndpointLink({ protocol, endpoint }: { protocol: string | undefined; endpoint: string | undefined }) {
  if (!endpoint) return <>—</>;
  if (protocol === "sqs" || protocol === "lambda") return <ArnLink arn={endpoint} show="name" />;
  return <span class="mono">{endpoint}</span>;
}

/** How often a queue page reads its depth and a redrive its tasks again. */
export const DEPTH_EVERY_MS = 5_000;
