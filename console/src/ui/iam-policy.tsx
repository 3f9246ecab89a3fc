/**
 * Policy documents as IAM gives them and as the explainer names them. IAM's query protocol returns
 * documents percent-encoded (AWS's own and Flint's); the SDK passes them on as they came, so they are
 * decoded before they are parsed. The explainer names the policy that decided by Flint's own names
 * (iam/types.ts DecidingStatement): a managed policy's ARN, an inline one `user/<name>/<policy>` or
 * `role/<name>/<policy>`, a resource's `function policy of <arn>`, `queue policy of <arn>`,
 * `topic policy of <arn>`, `trust policy of <role arn>`; `policyText` fetches each one's text.
 */
import { type AttachedPolicy, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, GetUserPolicyCommand, IAMClient, paginateListAttachedRolePolicies, paginateListAttachedUserPolicies, paginateListRolePolicies, paginateListUserPolicies } from "@aws-sdk/client-iam";
import { GetPolicyCommand as GetFunctionPolicyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { call, client } from "../aws";
import { Link, seg } from "../router";
import { every } from "./async";

/** A document's text, decoded if IAM percent-encoded it. */
export function decodeDocument(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

export interface Statement {
  Sid?: string;
  Effect?: string;
  [k: string]: unknown;
}

/** A document's statements (Statement may be one object); [] for text that is not a policy. */
export function statementsOf(text: string | undefined): Statement[] {
  try {
    const doc = JSON.parse(decodeDocument(text) ?? "") as { Statement?: Statement | Statement[] };
    const s = doc.Statement;
    return Array.isArray(s) ? s : s ? [s] : [];
  } catch {
    return [];
  }
}

/** Who a trust policy lets assume the role, in a line: `lambda.amazonaws.com, arn:aws:iam::…:root`. */
export function trustSummary(text: string | undefined): string {
  const who = new Set<string>();
  for (const s of statementsOf(text)) {
    if (s.Effect !== "Allow") continue;
    const p = s.Principal as string | Record<string, string | string[]> | undefined;
    if (p === "*") who.add("anyone (*)");
    else if (p && typeof p === "object") for (const v of Object.values(p)) for (const x of [v].flat()) who.add(x);
  }
  return [...who].join(", ") || "nobody";
}

/** A policy document, pretty-printed (decoded first). */
export function PolicyDocument({ text, label }: { text: string | undefined; label: string }) {
  const decoded = decodeDocument(text);
  let pretty = decoded ?? "";
  try {
    pretty = JSON.stringify(JSON.parse(pretty), null, 2);
  } catch {
    // Shown as it is.
  }
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {pretty || "(empty)"}
    </pre>
  );
}

/** Where a policy the explainer named can be seen in the console, if it has a page. */
export function PolicyLink({ name }: { name: string }) {
  const inline = /^(user|role)\/([^/]+)\/(.+)$/.exec(name);
  if (inline) {
    return (
      <>
        inline policy <strong>{inline[3]}</strong> of {inline[1]} <Link to={`/iam/${inline[1]}s/${seg(inline[2]!)}`}>{inline[2]}</Link>
      </>
    );
  }
  if (/^arn:aws:iam::[^:]*:policy\//.test(name)) {
    return (
      <>
        managed policy <Link to={`/iam/policies/${seg(name)}`}>{name.slice(name.lastIndexOf("/") + 1)}</Link> <span class="hint">({name})</span>
      </>
    );
  }
  const fn = /^function policy of arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(name);
  if (fn) {
    return (
      <>
        the resource policy of function <Link to={`/functions/${seg(fn[1]!)}`}>{fn[1]}</Link>
      </>
    );
  }
  const trust = /^trust policy of arn:aws:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(name);
  if (trust) {
    return (
      <>
        the trust policy of role <Link to={`/iam/roles/${seg(trust[1]!)}`}>{trust[1]}</Link>
      </>
    );
  }
  return <strong>{name}</strong>;
}

/** The text of the policy the explainer named (undefined: a kind the console cannot read). */
export async function policyText(name: string): Promise<string | undefined> {
  const iam = client(IAMClient);
  const inline = /^(user|role)\/([^/]+)\/(.+)$/.exec(name);
  if (inline) {
    const [, kind, owner, policy] = inline;
    const out =
      kind === "user"
        ? await call(iam.send(new GetUserPolicyCommand({ UserName: owner, PolicyName: policy })))
        : await call(iam.send(new GetRolePolicyCommand({ RoleName: owner, PolicyName: policy })));
    return decodeDocument(out.PolicyDocument);
  }
  if (name.startsWith("arn:aws:iam::")) return managedPolicyText(name);
  const resource = /^(function|queue|topic|trust) policy of (arn:.+)$/.exec(name);
  if (!resource) return undefined;
  const [, kind, arn] = resource as unknown as [string, string, string];
  if (kind === "function") return (await call(client(LambdaClient).send(new GetFunctionPolicyCommand({ FunctionName: arn })))).Policy;
  if (kind === "topic") return (await call(client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: arn })))).Attributes?.Policy;
  if (kind === "queue") {
    const [, , , , account, queue] = arn.split(":");
    const { QueueUrl } = await call(client(SQSClient).send(new GetQueueUrlCommand({ QueueName: queue, QueueOwnerAWSAccountId: account })));
    return (await call(client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] })))).Attributes?.Policy;
  }
  const role = arn.slice(arn.lastIndexOf("/") + 1);
  return decodeDocument((await call(iam.send(new GetRoleCommand({ RoleName: role })))).Role?.AssumeRolePolicyDocument);
}

/** A managed policy's default version's document. */
export async function managedPolicyText(arn: string): Promise<string | undefined> {
  const iam = client(IAMClient);
  const { Policy } = await call(iam.send(new GetPolicyCommand({ PolicyArn: arn })));
  const { PolicyVersion } = await call(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy!.DefaultVersionId! })));
  return decodeDocument(PolicyVersion?.Document);
}

/** The IAM pages' breadcrumb: the overview, at a tab. */
export const CRUMBS = (tab?: string) => [{ to: tab ? `/iam?tab=${tab}` : "/iam", label: "IAM" }];

/** A role's or a user's attached managed policies and inline policies' names, every page of both. */
export function identityPolicies(kind: "user" | "role", name: string): Promise<[AttachedPolicy[], string[]]> {
  const iam = client(IAMClient);
  const config = { client: iam, pageSize: 1000 };
  return kind === "user"
    ? Promise.all([every(paginateListAttachedUserPolicies(config, { UserName: name }), (p) => p.AttachedPolicies), every(paginateListUserPolicies(config, { UserName: name }), (p) => p.PolicyNames)])
    : Promise.all([every(paginateListAttachedRolePolicies(config, { RoleName: name }), (p) => p.AttachedPolicies), every(paginateListRolePolicies(config, { RoleName: name }), (p) => p.PolicyNames)]);
}
