/** The one decision in-process: modes, counts, resource policies by service, the request's global keys on an injected clock. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Authorizer, serviceIdentity } from "./authorizer.js";
import type { Identity, NamedPolicy } from "./types.js";

const ACCOUNT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
const policy = (statements: object[]): NamedPolicy => ({ name: "p", kind: "identity", document: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });

function user(policies: NamedPolicy[]): Identity {
  return { accessKeyId: "AKIA", caller: { kind: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/u`, username: "u", userid: "AIDA" }, policies: () => ({ identity: policies }) };
}
const root: Identity = { accessKeyId: "AKIAROOT", caller: { kind: "root", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` }, policies: () => ({ identity: [] }) };

test("enforce returns the first denial and counts; report logs and lets it through; off decides nothing", () => {
  const lines: string[] = [];
  const authz = new Authorizer("enforce", "us-east-1", () => 0, (l) => lines.push(l));
  const u = user([policy([{ Effect: "Allow", Action: "lambda:GetFunction", Resource: FN }])]);
  const asks = [{ action: "lambda:GetFunction", resource: FN }, { action: "lambda:InvokeFunction", resource: FN }];
  const denial = authz.check(u, asks);
  assert.equal(denial?.ask.action, "lambda:InvokeFunction");
  assert.equal(denial?.decision.message, `User: arn:aws:iam::${ACCOUNT}:user/u is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no identity-based policy allows the lambda:InvokeFunction action`);
  assert.deepEqual(authz.counts, { allowed: 1, denied: 1, reported: 0 });
  authz.mode = "report";
  assert.equal(authz.check(u, asks), undefined);
  assert.deepEqual(authz.counts, { allowed: 2, denied: 1, reported: 1 });
  assert.match(lines[0]!, /would deny lambda:InvokeFunction on .*function:f to arn:aws:iam::123456789012:user\/u/);
  authz.mode = "off";
  assert.equal(authz.check(user([]), asks), undefined);
  assert.deepEqual(authz.counts, { allowed: 2, denied: 1, reported: 1 }, "off counts nothing");
});

test("a resource's own policy is found by its service; it may allow a service principal for one source and deny even the root", () => {
  const authz = new Authorizer("enforce", "us-east-1");
  const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:t`;
  const fnPolicy: NamedPolicy = {
    name: "function policy",
    kind: "resource",
    document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: FN, Condition: { ArnLike: { "AWS:SourceArn": topic } } }] }),
  };
  authz.setResourcePolicies("lambda", (arn) => (arn === FN ? fnPolicy : undefined));
  const sns = serviceIdentity("sns.amazonaws.com");
  assert.equal(authz.check(sns, [{ action: "lambda:InvokeFunction", resource: FN, context: { "aws:SourceArn": topic } }]), undefined);
  const other = authz.check(sns, [{ action: "lambda:InvokeFunction", resource: FN, context: { "aws:SourceArn": `${topic}-other` } }]);
  assert.equal(other?.decision.reason, "implicit-deny");
  assert.equal(authz.check(sns, [{ action: "lambda:InvokeFunction", resource: `${FN}:live` }])?.decision.reason, "implicit-deny", "an alias keeps a policy of its own");

  assert.equal(authz.check(root, [{ action: "sqs:SendMessage", resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }]), undefined, "the root needs no policy");
  authz.setResourcePolicies("sqs", () => ({ name: "queue policy", kind: "resource", document: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: "*" }] }) }));
  assert.equal(authz.check(root, [{ action: "sqs:SendMessage", resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }])?.decision.reason, "explicit-deny");
});

test("every ask carries the request's global keys: the injected clock's time, the region, the source address, plain HTTP", () => {
  const at = Date.UTC(2026, 11, 5, 12, 0, 0);
  const authz = new Authorizer("enforce", "eu-west-1", () => at);
  const u = user([
    policy([
      {
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: "*",
        Condition: {
          DateGreaterThan: { "aws:CurrentTime": "2026-12-05T11:59:59Z" },
          NumericEquals: { "aws:EpochTime": String(at / 1000) },
          StringEquals: { "aws:RequestedRegion": "eu-west-1" },
          IpAddress: { "aws:SourceIp": "127.0.0.0/8" },
          Bool: { "aws:SecureTransport": "false" },
        },
      },
    ]),
  ]);
  assert.equal(authz.check(u, [{ action: "lambda:InvokeFunction", resource: FN }], { sourceIp: "127.0.0.1" }), undefined);
  assert.equal(authz.check(u, [{ action: "lambda:InvokeFunction", resource: FN }], { sourceIp: "10.0.0.1" })?.decision.reason, "implicit-deny");
});

test("a stored policy that cannot be read denies, saying why, rather than failing the call", () => {
  const authz = new Authorizer("enforce", "us-east-1");
  const broken: NamedPolicy = { name: "broken", kind: "identity", document: '{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}' };
  const denial = authz.check(user([broken]), [{ action: "lambda:ListFunctions", resource: "*" }]);
  assert.match(denial!.decision.message!, /because a policy could not be read: Invalid effect: Maybe/);
});
