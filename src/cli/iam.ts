/**
 * `flint iam explain`: would this caller be allowed this action on this resource, under these
 * policies, and which statement decides? AWS's evaluation (iam/evaluate.ts) on policy files, before
 * anything is deployed, like AWS's policy simulator. Exit status: 0 allowed, 1 denied, 2 usage or a
 * malformed policy.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { evaluate, MalformedPolicy } from "../iam/evaluate.js";
import type { Caller, NamedPolicy, PolicyKind } from "../iam/types.js";

export const IAM_USAGE = `  iam explain --caller ARN --action SERVICE:ACTION --resource ARN [--policy FILE]...
        [--resource-policy FILE] [--boundary FILE] [--session-policy FILE]... [--context KEY=VALUE]... [--json]
        would the caller be allowed, under these policy files, and which statement decides
        (the caller: a user, role session or root ARN, a service such as sns.amazonaws.com, or anonymous)
`;

/** A caller from the ARN AWS would name it by. */
export function callerOf(arn: string): Caller | undefined {
  if (arn === "anonymous") return { kind: "anonymous", arn };
  if (/^[a-z0-9.-]+\.amazon(aws)?\.com$/.test(arn)) return { kind: "service", arn };
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(arn);
  if (root) return { kind: "root", account: root[1]!, arn };
  const user = /^arn:aws:iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  if (user) return { kind: "user", account: user[1]!, arn, username: user[2]! };
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/.exec(arn);
  if (session) return { kind: "assumed-role", account: session[1]!, arn, principalArn: `arn:aws:iam::${session[1]}:role/${session[2]}` };
  return undefined;
}

export function explain(argv: string[], out: (text: string) => void): number {
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
        json: { type: "boolean" },
      },
    }).values;
  } catch (err) {
    out(`flint iam explain: ${(err as Error).message}\n`);
    return 2;
  }
  const caller = args.caller !== undefined ? callerOf(args.caller) : undefined;
  if (!caller || !args.action || !args.resource) {
    out(`flint iam explain: --caller (a user, role session or root ARN, a service, or anonymous), --action and --resource are required\n`);
    return 2;
  }
  const load = (file: string, kind: PolicyKind): NamedPolicy => ({ name: path.basename(file), kind, document: readFileSync(file, "utf8") });
  const context: Record<string, string[]> = {};
  for (const pair of args.context ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      out(`flint iam explain: --context takes KEY=VALUE, not '${pair}'\n`);
      return 2;
    }
    (context[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
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
    if (args.json) out(`${JSON.stringify(decision, null, 2)}\n`);
    else {
      const s = decision.statement;
      const where = s ? ` by ${s.kind} policy ${s.policy}, statement ${s.index + 1}${s.sid !== undefined ? ` (Sid "${s.sid}")` : ""}` : "";
      if (decision.allowed) out(`ALLOWED${decision.reason === "root" ? " (the account root)" : where}\n`);
      else out(`DENIED (${decision.reason === "explicit-deny" ? "explicit deny" : "implicit deny"})${where}\n${decision.message}\n`);
    }
    return decision.allowed ? 0 : 1;
  } catch (err) {
    if (err instanceof MalformedPolicy || (err as NodeJS.ErrnoException).code === "ENOENT") {
      out(`flint iam explain: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

export function iam(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === "explain") return explain(rest, (t) => process.stdout.write(t));
  process.stderr.write(`flint iam: unknown subcommand '${sub ?? ""}'\nusage:\n${IAM_USAGE}`);
  return 2;
}
