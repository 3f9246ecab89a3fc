/**
 * `flint iam explain`: would this caller be allowed this action on this resource, under these
 * policies, and which statement decides? AWS's evaluation (iam/evaluate.ts) on policy files, before
 * anything is deployed, like AWS's policy simulator. Exit status: 0 allowed, 1 denied, 2 usage or a
 * malformed policy. With `--endpoint`, a running Flint answers from the policies it holds.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { evaluate, MalformedPolicy } from "../iam/evaluate.js";
import type { Caller, Decision, NamedPolicy, PolicyKind } from "../iam/types.js";
import type { Explanation, ExplainInput } from "../services/iam/simulator.js";
import { signedPostHeaders } from "../api/sigv4.js";
import { parsePrincipalArn } from "../iam/principal-arn.js";

export const IAM_USAGE = `  iam explain --caller ARN --action SERVICE:ACTION --resource ARN [--policy FILE]...
        [--resource-policy FILE] [--boundary FILE] [--session-policy FILE]... [--context KEY=VALUE]... [--json]
        would the caller be allowed, under these policy files, and which statement decides
        (the caller: a user, role session or root ARN, a service such as sns.amazonaws.com, or anonymous)
  iam explain --endpoint URL --caller ARN --action SERVICE:ACTION --resource ARN [--context KEY=VALUE]... [--json]
        the same, asked of a running Flint under the policies it holds (the resource's own too),
        signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the caller may also be a role ARN)
`;

/** A caller from the ARN AWS would name it by (a role itself calls nothing: its sessions do). */
export function callerOf(arn: string): Caller | undefined {
  const p = parsePrincipalArn(arn);
  switch (p?.type) {
    case "anonymous":
      return { kind: "anonymous", arn };
    case "service":
      return { kind: "service", arn };
    case "root":
      return { kind: "root", account: p.account, arn };
    case "user":
      return { kind: "user", account: p.account, arn, username: p.name };
    case "assumed-role":
      return { kind: "assumed-role", account: p.account, arn, principalArn: `arn:aws:iam::${p.account}:role/${p.role}` };
    default:
      return undefined;
  }
}

/** Options that only the offline mode takes: a running server applies its own policies. */
const OFFLINE_ONLY = ["policy", "resource-policy", "boundary", "session-policy"] as const;

export async function explain(argv: string[], out: (text: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        caller: { type: "string" },
        action: { type: "string" },
        resource: { type: "string" },
        policy: { type: "string", multiple: true },
        "resource-policy": { type: "string" },
        boundary: { type: "string" },
        "session-policy": { type: "string", multiple: true },
        context: { type: "string", multiple: true },
        endpoint: { type: "string" },
        json: { type: "boolean" },
      },
    }).values;
  } catch (err) {
    out(`flint iam explain: ${(err as Error).message}\n`);
    return 2;
  }
  const context: Record<string, string[]> = {};
  for (const pair of args.context ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      out(`flint iam explain: --context takes KEY=VALUE, not '${pair}'\n`);
      return 2;
    }
    (context[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
  if (args.endpoint !== undefined) {
    const offline = OFFLINE_ONLY.find((o) => args[o] !== undefined);
    if (offline) {
      out(`flint iam explain: --${offline} is for policy files; with --endpoint the server applies the policies it holds\n`);
      return 2;
    }
    if (!args.caller || !args.action || !args.resource) {
      out(`flint iam explain: --caller (a user, role, role session or root ARN, or a service), --action and --resource are required\n`);
      return 2;
    }
    return explainRemote(args.endpoint, { Caller: args.caller, Action: args.action, Resource: args.resource, Context: context }, args.json === true, out, env);
  }
  const caller = args.caller !== undefined ? callerOf(args.caller) : undefined;
  if (!caller || !args.action || !args.resource) {
    out(`flint iam explain: --caller (a user, role session or root ARN, a service, or anonymous), --action and --resource are required\n`);
    return 2;
  }
  const load = (file: string, kind: PolicyKind): NamedPolicy => ({ name: path.basename(file), kind, document: readFileSync(file, "utf8") });
  try {
    const decision = evaluate(
      { caller, action: args.action, resource: args.resource, resourceAccount: args.resource.split(":")[4] || undefined, context },
      {
        identity: (args.policy ?? []).map((f) => load(f, "identity")),
        ...(args["resource-policy"] ? { resource: load(args["resource-policy"], "resource") } : {}),
        ...(args.boundary ? { boundary: load(args.boundary, "boundary") } : {}),
        ...(args["session-policy"] ? { session: args["session-policy"].map((f) => load(f, "session")) } : {}),
      },
    );
    out(args.json ? `${JSON.stringify(decision, null, 2)}\n` : describe(decision));
    return decision.allowed ? 0 : 1;
  } catch (err) {
    if (err instanceof MalformedPolicy || (err as NodeJS.ErrnoException).code === "ENOENT") {
      out(`flint iam explain: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

/** A decision as a person reads it: the verdict, the statement that made it, AWS's denial text. */
function describe(decision: Decision): string {
  const s = decision.statement;
  const where = s ? ` by ${s.kind} policy ${s.policy}, statement ${s.index + 1}${s.sid !== undefined ? ` (Sid "${s.sid}")` : ""}` : "";
  if (decision.allowed) return `ALLOWED${decision.reason === "root" ? " (the account root)" : where}\n`;
  return `DENIED (${decision.reason === "explicit-deny" ? "explicit deny" : "implicit deny"})${where}\n${decision.message}\n`;
}

/**
 * Ask a running Flint (`POST /_flint/iam/explain`, signed for IAM with the credentials of the
 * environment): the decision under the policies it holds now, the resource's own included.
 */
async function explainRemote(endpoint: string, question: ExplainInput, json: boolean, out: (text: string) => void, env: NodeJS.ProcessEnv): Promise<number> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    out("flint iam explain: --endpoint signs its request with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), which are not set\n");
    return 2;
  }
  let url: URL;
  try {
    url = new URL("/_flint/iam/explain", endpoint);
  } catch {
    out(`flint iam explain: --endpoint takes a URL such as http://127.0.0.1:9000, not '${endpoint}'\n`);
    return 2;
  }
  const body = JSON.stringify(question);
  const headers = await signedPostHeaders({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }, "us-east-1", "iam", url, body, "application/json");
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers, body });
  } catch (err) {
    out(`flint iam explain: cannot reach ${url.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}\n`);
    return 2;
  }
  const answer = (await res.json().catch(() => ({}))) as Explanation & { message?: string; Message?: string };
  if (!res.ok) {
    out(`flint iam explain: ${res.headers.get("x-amzn-errortype") ?? res.status}: ${answer.message ?? answer.Message ?? ""}\n`);
    return 2;
  }
  if (json) out(`${JSON.stringify(answer, null, 2)}\n`);
  else {
    const s = answer.Statement;
    out(describe({ allowed: answer.Allowed, reason: answer.Reason, ...(s ? { statement: { policy: s.Policy, kind: s.Kind, ...(s.Sid !== undefined ? { sid: s.Sid } : {}), index: s.Index } } : {}), ...(answer.Message !== undefined ? { message: answer.Message } : {}) }));
    if (answer.Mode !== "enforce") out(`(the server runs with --iam ${answer.Mode}: it ${answer.Mode === "report" ? "lets denied calls through and counts them" : "decides nothing"})\n`);
  }
  return answer.Allowed ? 0 : 1;
}

export async function iam(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "explain") return explain(rest, (t) => process.stdout.write(t));
  process.stderr.write(`flint iam: unknown subcommand '${sub ?? ""}'\nusage:\n${IAM_USAGE}`);
  return 2;
}
