/**
 * ARNs, and the console page each names. An ARN links to a console page only when the resource is
 * the signed-in account's and in Flint's region (IAM's global ARNs have no region): a queue of
 * another account or region with the same name is another queue, so it is shown as text, whole.
 */
import { Link, seg } from "../router";
import { session } from "../session";

export interface Arn {
  partition: string;
  service: string;
  /** Empty for global services (IAM). */
  region: string;
  /** Empty for some services (S3); "aws" for AWS managed IAM policies. */
  account: string;
  /** Everything after the fifth colon: `my-queue`, `function:f:live`, `role/path/name`. */
  resource: string;
}

/** `arn:partition:service:region:account:resource` in its parts, or undefined if it is not an ARN. */
export function parseArn(arn: string | undefined): Arn | undefined {
  if (!arn) return undefined;
  const p = arn.split(":");
  if (p.length < 6 || p[0] !== "arn" || !p[1] || !p[2]) return undefined;
  return { partition: p[1], service: p[2], region: p[3]!, account: p[4]!, resource: p.slice(5).join(":") };
}

/** Services whose ARNs name no region. */
const GLOBAL = new Set(["iam", "sts"]);

/** Is the resource the signed-in account's, in its region (or global), so the console's pages show it? */
export function isOurs(arn: Arn | string | undefined): boolean {
  const a = typeof arn === "string" ? parseArn(arn) : arn;
  const s = session();
  if (!a || !s) return false;
  // AWS managed policies (`arn:aws:iam::aws:policy/...`) are every account's.
  const account = a.account === s.accountId || (a.service === "iam" && a.account === "aws" && a.resource.startsWith("policy/"));
  const region = GLOBAL.has(a.service) ? a.region === "" : a.region === s.region;
  return account && region;
}

/** Where an ARN of this account and region goes in the console: the page, the resource's short name, and what kind of thing it is. */
export interface ArnTarget {
  path: string;
  name: string;
  kind: string;
}

/** The console page of an ARN Flint has a page for, when it is the signed-in account's and region's; else undefined. */
export function targetOf(arn: string | undefined): ArnTarget | undefined {
  const a = parseArn(arn);
  if (!a || !isOurs(a)) return undefined;
  const r = a.resource;
  const after = (prefix: string) => r.slice(prefix.length);
  switch (a.service) {
    case "sqs":
      return r && !r.includes(":") ? { path: `/queues/${seg(r)}`, name: r, kind: "SQS queue" } : undefined;
    case "sns":
      // A topic; a subscription's ARN (`topic:id`) has no page of its own.
      return r && !r.includes(":") ? { path: `/topics/${seg(arn!)}`, name: r, kind: "SNS topic" } : undefined;
    case "lambda": {
      if (r.startsWith("function:")) {
        const [name, qualifier] = after("function:").split(":");
        if (!name) return undefined;
        return { path: `/functions/${seg(name)}`, name: qualifier ? `${name}:${qualifier}` : name, kind: "Lambda function" };
      }
      if (r.startsWith("event-source-mapping:")) return { path: `/mappings/${seg(after("event-source-mapping:"))}`, name: after("event-source-mapping:"), kind: "event source mapping" };
      return undefined;
    }
    case "iam": {
      const name = r.split("/").pop()!;
      if (r.startsWith("role/")) return { path: `/iam/roles/${seg(name)}`, name, kind: "IAM role" };
      if (r.startsWith("user/")) return { path: `/iam/users/${seg(name)}`, name, kind: "IAM user" };
      if (r.startsWith("policy/")) return { path: `/iam/policies/${seg(arn!)}`, name, kind: "IAM policy" };
      return undefined;
    }
    case "kinesis": {
      // A stream, or one of its consumers (`stream/<name>/consumer/<consumer>:<time>`).
      const name = r.startsWith("stream/") ? after("stream/").split("/")[0] : undefined;
      return name ? { path: `/streams/${seg(name)}`, name, kind: "Kinesis stream" } : undefined;
    }
    case "dynamodb": {
      // A table, or its stream (`table/<name>/stream/<label>`).
      const [, name, sub] = r.split("/");
      if (!r.startsWith("table/") || !name) return undefined;
      return { path: `/tables/${seg(name)}`, name, kind: sub === "stream" ? "DynamoDB stream of table" : "DynamoDB table" };
    }
    case "logs": {
      // `log-group:<name>` or `log-group:<name>:*` (log group names have no colon).
      const name = r.startsWith("log-group:") ? after("log-group:").split(":")[0] : undefined;
      return name ? { path: `/logs/${seg(name)}`, name, kind: "log group" } : undefined;
    }
    default:
      return undefined;
  }
}

/** The console path of an ARN (see targetOf), or undefined. */
export const consolePathOf = (arn: string | undefined) => targetOf(arn)?.path;

/**
 * An ARN as a link to its console page, titled with the whole ARN, when it is this account's and
 * region's and Flint has a page for it; else the whole ARN as text. The link reads as the ARN
 * (`show="arn"`), the resource's name (`"name"`: `my-queue`, `f:live`) or its kind and name
 * (`"kind"`: `SQS queue my-queue`), or as `label`.
 */
export function ArnLink({ arn, show = "arn", label }: { arn: string | undefined; show?: "arn" | "name" | "kind"; label?: string }) {
  if (!arn) return <>—</>;
  const t = targetOf(arn);
  if (!t) return <span class="mono">{arn}</span>;
  return (
    <Link to={t.path} title={arn}>
      {label ?? (show === "name" ? t.name : show === "kind" ? `${t.kind} ${t.name}` : arn)}
    </Link>
  );
}
