import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { callerOf, explain } from "./iam.js";

const dir = mkdtempSync(path.join(tmpdir(), "flint-iam-explain-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, document: object) => {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(document));
  return p;
};
const run = async (...argv: string[]) => {
  let text = "";
  const code = await explain(argv, (t) => (text += t), {});
  return { code, text };
};

const FN = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const invokeOrders = file("invoke-orders.json", { Version: "2012-10-17", Statement: [{ Sid: "InvokeOrders", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN }] });

test("explain names the statement that allows, and AWS's text for a denial", async () => {
  const alice = ["--caller", "arn:aws:iam::123456789012:user/alice", "--action", "lambda:InvokeFunction"];
  const allowed = await run(...alice, "--resource", FN, "--policy", invokeOrders);
  assert.equal(allowed.code, 0);
  assert.equal(allowed.text, 'ALLOWED by identity policy invoke-orders.json, statement 1 (Sid "InvokeOrders")\n');
  const denied = await run(...alice, "--resource", `${FN}-2`, "--policy", invokeOrders);
  assert.equal(denied.code, 1);
  assert.equal(
    denied.text,
    `DENIED (implicit deny)\nUser: arn:aws:iam::123456789012:user/alice is not authorized to perform: lambda:InvokeFunction on resource: ${FN}-2 because no identity-based policy allows the lambda:InvokeFunction action\n`,
  );
});

test("a service caller is allowed by the function's policy only with the topic as its SourceArn", async () => {
  const policy = file("function-policy.json", {
    Version: "2012-10-17",
    Statement: [{ Sid: "sns", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: FN, Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:sns:us-east-1:123456789012:orders" } } }],
  });
  const sns = ["--caller", "sns.amazonaws.com", "--action", "lambda:InvokeFunction", "--resource", FN, "--resource-policy", policy];
  assert.equal((await run(...sns, "--context", "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:orders")).code, 0);
  assert.equal((await run(...sns, "--context", "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:other")).code, 1);
  assert.equal(JSON.parse((await run(...sns, "--json")).text).reason, "implicit-deny");
});

test("bad arguments and malformed policies exit 2 with the reason", async () => {
  assert.equal((await run("--action", "lambda:InvokeFunction", "--resource", FN)).code, 2);
  const malformed = file("malformed.json", { Statement: [{ Effect: "Permit", Action: "*", Resource: "*" }] });
  const r = await run("--caller", "arn:aws:iam::123456789012:user/a", "--action", "s3:GetObject", "--resource", "*", "--policy", malformed);
  assert.equal(r.code, 2);
  assert.match(r.text, /Invalid effect: Permit/);
  assert.equal((await run("--caller", "x", "--action", "a:b", "--resource", "*", "--context", "novalue")).code, 2);
});

test("callers are read from the ARNs AWS names them by", async () => {
  assert.deepEqual(callerOf("arn:aws:sts::123456789012:assumed-role/worker/fn"), { kind: "assumed-role", account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/worker/fn", principalArn: "arn:aws:iam::123456789012:role/worker" });
  assert.equal(callerOf("arn:aws:iam::123456789012:root")?.kind, "root");
  assert.equal(callerOf("lambda.amazonaws.com")?.kind, "service");
  assert.equal(callerOf("arn:aws:iam::123456789012:role/worker"), undefined);
});

test("--endpoint asks a server, which applies its own policies: policy files and missing credentials are refused", async () => {
  const remote = ["--endpoint", "http://127.0.0.1:1", "--caller", "arn:aws:iam::123456789012:user/a", "--action", "lambda:InvokeFunction", "--resource", FN];
  const withFile = await run(...remote, "--policy", invokeOrders);
  assert.equal(withFile.code, 2);
  assert.match(withFile.text, /--policy is for policy files/);
  const noCredentials = await run(...remote);
  assert.equal(noCredentials.code, 2);
  assert.match(noCredentials.text, /AWS_ACCESS_KEY_ID/);
});
