/**
 * One policy evaluation's cost (issue 14: p50 ≤ 10 µs): a role's session holding 10 identity
 * policies of 20 statements each, with conditions, a permissions boundary and a function's resource
 * policy, asking lambda:InvokeFunction on a function that only the last statement allows, next to
 * a bare baseline in the same run (a Map lookup and a regex test per statement: the least a matcher
 * could do). Batches of 100 evaluations are timed; the table gives the per-evaluation p50 and p99.
 * Run: `npm run build && node dist/bench/iam-eval.js`.
 */
import { performance } from "node:perf_hooks";
import { Authorizer } from "../src/iam/authorizer.js";
import { evaluate } from "../src/iam/evaluate.js";
import type { AuthzRequest, Identity, NamedPolicy } from "../src/iam/types.js";
import { ALLOW_AT, BENCH_TAGS, benchPolicy } from "./lib/iam-policies.js";
import { summarize, table } from "./lib/stats.js";

const ACCOUNT = "123456789012";
const ROUNDS = Number(process.env.BENCH_IAM_ROUNDS ?? 2000);
const BATCH = 100;

function statement(p: number, s: number): object {
  return {
    Sid: `P${p}S${s}`,
    Effect: "Allow",
    Action: [`sqs:SendMessage`, `sns:Publish`, `lambda:Get*`, `logs:Put${p}${s}*`],
    Resource: [`arn:aws:sqs:us-east-1:${ACCOUNT}:queue-${p}-${s}`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-${p}-${s}*`],
    Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" }, StringLike: { "aws:PrincipalTag/team": ["team-*", "ops"] }, Bool: { "aws:SecureTransport": "false" } },
  };
}

const identity: NamedPolicy[] = Array.from({ length: 10 }, (_, p) => ({
  name: `policy-${p}`,
  kind: "identity",
  document: JSON.stringify({
    Version: "2012-10-17",
    Statement: Array.from({ length: 20 }, (_, s) =>
      p === 9 && s === 19 ? { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:target*`, Condition: { StringEquals: { "aws:PrincipalTag/team": "team-a" } } } : statement(p, s),
    ),
  }),
}));
const boundary: NamedPolicy = { name: "boundary", kind: "boundary", document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:*", "sqs:*", "sns:*", "logs:*"], Resource: "*" }] }) };
const resource: NamedPolicy = {
  name: "function policy",
  kind: "resource",
  document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "sns", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:target`, Condition: { ArnLike: { "AWS:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:topic` } } }] }),
};
const request: AuthzRequest = {
  caller: { kind: "assumed-role", account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/worker/target`, principalArn: `arn:aws:iam::${ACCOUNT}:role/worker`, tags: { team: "team-a" } },
  action: "lambda:InvokeFunction",
  resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:target`,
  resourceAccount: ACCOUNT,
  context: { "aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "false", "aws:SourceIp": "127.0.0.1", "aws:CurrentTime": new Date().toISOString() },
};

function timed(fn: () => unknown): number[] {
  const per: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < BATCH; i++) fn();
    per.push(((performance.now() - t) * 1000) / BATCH);
  }
  return per;
}

const decision = evaluate(request, { identity, boundary, resource });
if (!decision.allowed || decision.statement?.policy !== "policy-9") throw new Error(`unexpected decision: ${JSON.stringify(decision)}`);
const patterns = Array.from({ length: 200 }, (_, i) => new RegExp(`^lambda:Get${i}.*$`, "i"));
const tags = new Map([["aws:principaltag/team", ["team-a"]]]);

// iam-ab.ts's caller, through the authorizer as the listener asks it (the request's context keys
// built, then evaluate): an IAM user with its 10 policies, many of whose statements name the
// action and resource under conditions that do not hold (IpAddress, StringEquals on a tag, ArnLike).
const where = { account: ACCOUNT, region: "us-east-1", functionName: "bench-iam-echo", queueName: "bench-iam" };
const abPolicies: NamedPolicy[] = Array.from({ length: 10 }, (_, p) => ({ name: `arn:aws:iam::${ACCOUNT}:policy/bench-policy-${p}`, kind: "identity", document: benchPolicy(p, where) }));
const user: Identity = {
  accessKeyId: "AKIABENCH",
  caller: { kind: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/bench-caller`, userid: "AIDABENCH", username: "bench-caller", tags: BENCH_TAGS },
  policies: () => ({ identity: abPolicies }),
};
const authorizer = new Authorizer("enforce", "us-east-1");
const invokeAsk = { action: "lambda:InvokeFunction", resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${where.functionName}` };
const sendAsk = { action: "sqs:SendMessage", resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:${where.queueName}` };
const from = { sourceIp: "127.0.0.1", secureTransport: false };
for (const ask of [invokeAsk, sendAsk]) {
  const d = authorizer.decide(user, ask, from);
  if (!d.allowed || d.statement?.index !== ALLOW_AT.statement) throw new Error(`unexpected decision for ${ask.action}: ${JSON.stringify(d)}`);
}

// Warm them up, then sample them in turn.
const cases: [string, () => unknown][] = [
  ["evaluate: 10 policies × 20 statements with conditions, a boundary, a resource policy (allowed by the last statement)", () => evaluate(request, { identity, boundary, resource })],
  ["Authorizer.decide, iam-ab.ts's user (10 × 20, allowed by policy 10's statement 19): lambda:InvokeFunction", () => authorizer.decide(user, invokeAsk, from)],
  ["Authorizer.decide, the same: sqs:SendMessage", () => authorizer.decide(user, sendAsk, from)],
  ["bare: 200 regex tests and a Map lookup", () => patterns.filter((p) => p.test(request.action) && tags.has("aws:principaltag/team")).length],
];
for (const [, fn] of cases) timed(fn);
const samples: number[][] = cases.map(() => []);
for (let round = 0; round < 5; round++) cases.forEach(([, fn], i) => samples[i]!.push(...timed(fn)));
const rows: (string | number)[][] = cases.map(([what], i) => {
  const s = summarize(samples[i]!);
  return [what, s.p50, s.p99];
});
console.log(table(`One policy evaluation, µs (batches of ${BATCH}, ${5 * ROUNDS} batches each, sampled in turn)`, ["what", "p50 µs", "p99 µs"], rows));
