/**
 * What the function and invoke pages share: where a function logs, and links from the ARNs a
 * function's configuration names (destinations, roles, event sources) to their console pages.
 */
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { Link, seg } from "../router";
import { requireSession } from "../session";

/** The function's log group: its LoggingConfig's, or Lambda's default `/aws/lambda/<name>`. */
export function logGroupOf(name: string, config?: FunctionConfiguration): string {
  return config?.LoggingConfig?.LogGroup || `/aws/lambda/${name}`;
}

/** The unqualified ARN of a function in the signed-in account and region. */
export function functionArnOf(name: string): string {
  if (name.startsWith("arn:")) return name;
  const s = requireSession();
  return `arn:aws:lambda:${s.region}:${s.accountId}:function:${name}`;
}

/** The qualifier at the end of a qualified function ARN (`...:function:f:live` → `live`), or "$LATEST"/"(unqualified)". */
export function qualifierOf(arn: string | undefined): string {
  if (!arn) return "—";
  const parts = arn.split(":");
  return parts.length > 7 ? parts.slice(7).join(":") : "(unqualified)";
}

/** A console path for an ARN Flint has a page for: an SQS queue, an SNS topic, a Lambda function, an IAM role, a Kinesis stream, a DynamoDB table. */
export function pathOfArn(arn: string): string | undefined {
  const p = arn.split(":");
  if (p[0] !== "arn" || p.length < 6) return undefined;
  const service = p[2];
  const resource = p.slice(5).join(":");
  switch (service) {
    case "sqs":
      return `/queues/${seg(resource)}`;
    case "sns":
      return p.length === 6 ? `/topics/${seg(arn)}` : undefined;
    case "lambda":
      return resource.startsWith("function:") ? `/functions/${seg(resource.split(":")[1]!)}` : undefined;
    case "iam":
      return resource.startsWith("role/") ? `/iam/roles/${seg(resource.split("/").pop()!)}` : undefined;
    case "kinesis":
      return resource.startsWith("stream/") ? `/streams/${seg(resource.split("/")[1]!)}` : undefined;
    case "dynamodb":
      return resource.startsWith("table/") ? `/tables/${seg(resource.split("/")[1]!)}` : undefined;
    default:
      return undefined;
  }
}

/** An ARN as a link to its console page when there is one, else as text. */
export function ArnLink({ arn, label }: { arn: string | undefined; label?: string }) {
  if (!arn) return <>—</>;
  const to = pathOfArn(arn);
  return to ? (
    <Link to={to} title={arn}>
      {label ?? arn}
    </Link>
  ) : (
    <span class="mono">{label ?? arn}</span>
  );
}

/** An alias's routing: "2: 90%, 3: 10%" (its version's share first), or just the version. */
export function routingText(version: string | undefined, weights: Record<string, number> | undefined): string {
  const extra = Object.entries(weights ?? {});
  if (extra.length === 0) return `${version ?? "—"}: 100%`;
  const pct = (w: number) => `${Math.round(w * 1000) / 10}%`;
  const rest = extra.reduce((a, [, w]) => a + w, 0);
  return [`${version}: ${pct(Math.max(0, 1 - rest))}`, ...extra.map(([v, w]) => `${v}: ${pct(w)}`)].join(", ");
}
