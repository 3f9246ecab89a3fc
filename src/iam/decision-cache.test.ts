/**
 * Remembered decisions against fresh ones: for requests drawn at random (times on and around every
 * instant the policies name, addresses, tags, condition keys, resource policies), an Authorizer
 * that remembers must answer exactly as one that evaluates every time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Authorizer, type Ask, type RequestContext } from "./authorizer.js";
import { policyInstants } from "./decision-cache.js";
import { parsePolicy } from "./policy.js";
import type { Identity, NamedPolicy } from "./types.js";

const ACCOUNT = "123456789012";
const FN = (n: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${n}`;
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const iso = (t: number) => new Date(t).toISOString();

const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const identityPolicies: NamedPolicy[] = [
  {
    name: "time",
    kind: "identity",
    document: doc([
      { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN("a*"), Condition: { DateGreaterThan: { "aws:CurrentTime": iso(T0 + 500) }, DateLessThan: { "aws:CurrentTime": iso(T0 + 5_000) } } },
      { Effect: "Deny", Action: "lambda:InvokeFunction", Resource: "*", Condition: { DateEquals: { "aws:CurrentTime": iso(T0 + 2_000) } } },
      { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN("b"), Condition: { NumericLessThan: { "aws:EpochTime": String(T0 / 1000 + 3) } } },
      { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN("c"), Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } },
      { Effect: "Allow", Action: "lambda:GetFunction", Resource: "*", Condition: { StringEquals: { "lambda:Extra": "yes" } } },
    ]),
  },
];
const boundary: NamedPolicy = { name: "boundary", kind: "boundary", document: doc([{ Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: { DateLessThan: { "aws:CurrentTime": iso(T0 + 4_000) } } }]) };
const functionPolicy: NamedPolicy = { name: "fn", kind: "resource", document: doc([{ Effect: "Deny", Principal: "*", Action: "lambda:InvokeFunction", Resource: FN("a1"), Condition: { DateGreaterThan: { "aws:CurrentTime": iso(T0 + 3_000) } } }]) };

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("an Authorizer that remembers decides exactly as one that evaluates every time", () => {
  const r = random(1205);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let now = T0;
  let functionTeam = "blue";
  const make = () => {
    const a = new Authorizer("enforce", "us-east-1", () => now);
    a.setResourcePolicies("lambda", (arn) => (arn === FN("a1") ? functionPolicy : undefined));
    a.setResourceTags("lambda", (arn) => (arn === FN("c") ? { team: functionTeam } : undefined));
    return a;
  };
  const remembering = make();
  const callers = ["blue", "red"].map((team): Identity => ({
    accessKeyId: "AKIA",
    caller: { kind: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/${team}`, username: team, userid: `AIDA${team}`, tags: { team } },
    policies: () => ({ identity: identityPolicies, boundary }),
  }));
  const instants = [500, 2_000, 3_000, 4_000, 5_000].flatMap((d) => [T0 + d - 1, T0 + d, T0 + d + 1]);
  let allowed = 0;
  for (let i = 0; i < 3_000; i++) {
    now = r() < 0.7 ? pick(instants) : T0 + Math.floor(r() * 7_000);
    functionTeam = pick(["blue", "red"]);
    const ask: Ask = { action: pick(["lambda:InvokeFunction", "lambda:GetFunction"]), resource: FN(pick(["a1", "a2", "b", "c"])), ...(r() < 0.3 ? { context: { "lambda:Extra": pick(["yes", "no"]) } } : {}) };
    const request: RequestContext = { sourceIp: pick(["10.1.2.3", "192.168.0.1"]) };
    const identity = pick(callers);
    const remembered = remembering.decide(identity, ask, request);
    const fresh = make().decide(identity, ask, request);
    assert.deepEqual(remembered, fresh, `request ${i} at +${now - T0} ms: ${JSON.stringify(ask)} from ${identity.caller.arn} ${JSON.stringify(request)}`);
    if (fresh.allowed) allowed++;
  }
  assert.ok(allowed > 300 && allowed < 2_700, `the draw reached both answers (${allowed} allowed)`);
});

test("the time's instants: comparisons name theirs; a time read any other way is not remembered at all", () => {
  const instants = policyInstants(parsePolicy(boundary.document as string, "boundary"));
  assert.ok(Array.isArray(instants) && instants.includes(T0 + 4_000) && instants.includes(T0 + 4_001));
  const opaque = [
    { StringLike: { "aws:CurrentTime": "2026-12-05T12:*" } },
    { "ForAnyValue:DateGreaterThan": { "aws:CurrentTime": iso(T0) } },
    { StringEquals: { "aws:username": "${aws:CurrentTime}" } },
  ];
  for (const condition of opaque) {
    assert.equal(policyInstants(parsePolicy(doc([{ Effect: "Allow", Action: "*", Resource: "*", Condition: condition }]), "identity")), "opaque", JSON.stringify(condition));
  }
  // Such a policy is decided afresh every time: a pattern on the time holds only in its minute.
  let now = T0;
  const a = new Authorizer("enforce", "us-east-1", () => now);
  const identity: Identity = {
    accessKeyId: "AKIA",
    caller: { kind: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/u` },
    policies: () => ({ identity: [{ name: "p", kind: "identity", document: doc([{ Effect: "Allow", Action: "*", Resource: "*", Condition: opaque[0]! }]) }] }),
  };
  assert.equal(a.decide(identity, { action: "lambda:ListFunctions", resource: "*" }).allowed, true);
  now = T0 + 3_600_000;
  assert.equal(a.decide(identity, { action: "lambda:ListFunctions", resource: "*" }).allowed, false);
});

test("a changed policy list, resource policy or caller is decided afresh", () => {
  const a = new Authorizer("enforce", "us-east-1");
  let list: NamedPolicy[] = [{ name: "p", kind: "identity", document: doc([{ Effect: "Allow", Action: "lambda:*", Resource: "*" }]) }];
  let resource: NamedPolicy | undefined;
  a.setResourcePolicies("lambda", () => resource);
  const identity: Identity = { accessKeyId: "AKIA", caller: { kind: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/u` }, policies: () => ({ identity: list }) };
  const ask = { action: "lambda:InvokeFunction", resource: FN("x") };
  assert.equal(a.decide(identity, ask).allowed, true);
  list = [{ name: "p", kind: "identity", document: doc([{ Effect: "Deny", Action: "lambda:*", Resource: "*" }]) }];
  assert.equal(a.decide(identity, ask).reason, "explicit-deny", "IAM hands a new list when a policy changes");
  list = [{ name: "p", kind: "identity", document: doc([{ Effect: "Allow", Action: "lambda:*", Resource: "*" }]) }];
  resource = { name: "fn", kind: "resource", document: doc([{ Effect: "Deny", Principal: "*", Action: "lambda:InvokeFunction", Resource: "*" }]) };
  assert.equal(a.decide(identity, ask).reason, "explicit-deny", "a resource policy set since is read");
});
