/**
 * One policy evaluation's cost (issue 14: p50 ≤ 10 µs): a role's session holding 10 identity
 * policies of 20 statements each, with conditions, a permissions boundary and a function's resource
 * policy, asking lambda:InvokeFunction on a function that only the last statement allows, next to
 * a bare baseline in the same run (a Map lookup and a regex test per statement: the least a matcher
 * could do). Batches of 100 evaluations are timed; the table gives the per-evaluation p50 and p99.
 * Run: `npm run build && node dist/bench/iam-eval.js`.
 */
import { performance } from "node:perf_hooks";
import { evaluate } from "../src/iam/evaluate.js";
import type { AuthzRequest, NamedPolicy } from "../src/iam/types.js";
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
// Warm both up, then sample them in turn.
timed(() => evaluate(request, { identity, boundary, resource }));
const rows: (string | number)[][] = [];
const flint: number[] = [];
const bare: number[] = [];
for (let round = 0; round < 5; round++) {
  flint.push(...timed(() => evaluate(request, { identity, boundary, resource })));
  bare.push(...timed(() => patterns.filter((p) => p.test(request.action) && tags.has("aws:principaltag/team")).length));
}
const f = summarize(flint);
const b = summarize(bare);
rows.push(["evaluate: 10 policies × 20 statements with conditions, a boundary, a resource policy (allowed by the last statement)", f.p50, f.p99]);
rows.push(["bare: 200 regex tests and a Map lookup", b.p50, b.p99]);
console.log(table(`One policy evaluation, µs (batches of ${BATCH}, ${5 * ROUNDS} batches each, sampled in turn)`, ["what", "p50 µs", "p99 µs"], rows));
