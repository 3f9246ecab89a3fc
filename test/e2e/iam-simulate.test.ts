/**
 * Asking how IAM decides, against a real `flint serve`: the policy simulator (SimulatePrincipalPolicy,
 * SimulateCustomPolicy) through the AWS CLI v2 and @aws-sdk/client-iam, `flint iam explain --endpoint`
 * on the server's live policies (a function's own policy included), and the Authorizer's decisions
 * counted in /_flint/metrics, with denials let through under `--iam report`.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { ACCOUNT, REGION, ROOT, runAwsCli, startFlint, TEST_CREDENTIALS, type FlintProcess, uniqueName } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";

const ARGS = ["--spares", "0"];
const CLI = path.join(ROOT, "dist/src/cli/main.js");
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
/** The policies of matched statements, without their positions. */
const ids = (matched: { SourcePolicyId?: string; SourcePolicyType?: string }[] = []) => matched.map(({ SourcePolicyId, SourcePolicyType }) => ({ SourcePolicyId, SourcePolicyType }));

/** `flint iam explain --endpoint` as a user runs it, signing with these credentials. */
function explain(endpoint: string, args: string[], credentials: { accessKeyId: string; secretAccessKey: string } = TEST_CREDENTIALS): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? "", AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
    execFile(process.execPath, [CLI, "iam", "explain", "--endpoint", endpoint, ...args], { env }, (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }));
  });
}

/** The iam decision counters of /_flint/metrics, by outcome. */
async function decisions(flint: FlintProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^flint_iam_decisions_total\{outcome="(\w+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe("the policy simulator and flint iam explain", () => {
  let flint: FlintProcess;
  let iam: IAMClient;
  let user: string;
  let userArn: string;
  const orders = fnArn("orders");
  const invokeOrders = doc({ Sid: "InvokeOrders", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: orders });

  before(async () => {
    flint = await startFlint({ args: ARGS });
    iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    user = uniqueName("alice");
    userArn = `arn:aws:iam::${ACCOUNT}:user/${user}`;
    const ok = async (args: string[]) => {
      const r = await flint.aws(["iam", ...args]);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      return r.stdout.trim() ? r.json() : {};
    };
    await ok(["create-user", "--user-name", user]);
    const invoke = await ok(["create-policy", "--policy-name", "invoke-orders", "--policy-document", invokeOrders]);
    await ok(["attach-user-policy", "--user-name", user, "--policy-arn", invoke.Policy.Arn]);
    await ok(["put-user-policy", "--user-name", user, "--policy-name", "guard", "--policy-document", doc({ Sid: "NoDeletes", Effect: "Deny", Action: "lambda:DeleteFunction", Resource: "*" })]);
  });
  after(async () => {
    iam.destroy();
    await flint.stop();
  });

  test("the AWS CLI v2: allowed, implicitly and explicitly denied, each with the statement's policy", async () => {
    const r = await flint.aws(["iam", "simulate-principal-policy", "--policy-source-arn", userArn, "--action-names", "lambda:InvokeFunction", "lambda:GetFunction", "lambda:DeleteFunction", "--resource-arns", orders]);
    assert.equal(r.code, 0, r.stderr);
    const results = r.json().EvaluationResults;
    assert.deepEqual(
      results.map((e: any) => [e.EvalActionName, e.EvalResourceName, e.EvalDecision, ids(e.MatchedStatements)]),
      [
        ["lambda:InvokeFunction", orders, "allowed", [{ SourcePolicyId: "invoke-orders", SourcePolicyType: "IAM Policy" }]],
        ["lambda:GetFunction", orders, "implicitDeny", []],
        ["lambda:DeleteFunction", orders, "explicitDeny", [{ SourcePolicyId: `user_${user}_guard`, SourcePolicyType: "IAM Policy" }]],
      ],
    );
    // The statement's place in the policy's text: from after the `[` to after its `}`.
    const matched = { SourcePolicyId: "invoke-orders", SourcePolicyType: "IAM Policy", StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: invokeOrders.length - 1 } };
    assert.deepEqual(results[0].MatchedStatements, [matched]);
    assert.deepEqual(results[0].ResourceSpecificResults, [{ EvalResourceName: orders, EvalResourceDecision: "allowed", MatchedStatements: [matched], MissingContextValues: [] }]);

    const missing = await flint.aws(["iam", "simulate-principal-policy", "--policy-source-arn", `arn:aws:iam::${ACCOUNT}:user/nobody`, "--action-names", "lambda:InvokeFunction"]);
    assert.equal(missing.stderr.trim(), "An error occurred (NoSuchEntity) when calling the SimulatePrincipalPolicy operation: The user with name nobody cannot be found.");
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/flint-test/s`;
    const bad = await flint.aws(["iam", "simulate-principal-policy", "--policy-source-arn", session, "--action-names", "lambda:InvokeFunction"]);
    assert.equal(bad.stderr.trim(), `An error occurred (InvalidInput) when calling the SimulatePrincipalPolicy operation: Invalid Entity Arn: ${session} does not clearly define entity type and name.`);
  });

  test("@aws-sdk/client-iam: the same decisions, context entries, policies passed in, pages", async () => {
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["lambda:InvokeFunction", "lambda:DeleteFunction"], ResourceArns: [orders] }));
    assert.deepEqual(out.EvaluationResults?.map((e) => [e.EvalDecision, e.MatchedStatements?.[0]?.SourcePolicyId]), [["allowed", "invoke-orders"], ["explicitDeny", `user_${user}_guard`]]);

    const fromVpc = doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } });
    const without = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["sqs:SendMessage"], PolicyInputList: [fromVpc] }));
    assert.equal(without.EvaluationResults?.[0]?.EvalDecision, "implicitDeny");
    assert.deepEqual(without.EvaluationResults?.[0]?.MissingContextValues, ["aws:SourceVpc"]);
    const withVpc = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["sqs:SendMessage"], PolicyInputList: [fromVpc], ContextEntries: [{ ContextKeyName: "aws:SourceVpc", ContextKeyValues: ["vpc-1"], ContextKeyType: "string" }] }),
    );
    assert.deepEqual(ids(withVpc.EvaluationResults?.[0]?.MatchedStatements), [{ SourcePolicyId: "PolicyInputList.1", SourcePolicyType: "IAM Policy" }]);

    const custom = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [fromVpc], ActionNames: ["sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish"], MaxItems: 2 }));
    assert.equal(custom.IsTruncated, true);
    assert.equal(custom.EvaluationResults?.length, 2);
    const rest = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [fromVpc], ActionNames: ["sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish"], MaxItems: 2, Marker: custom.Marker }));
    assert.deepEqual(rest.EvaluationResults?.map((e) => e.EvalActionName), ["sns:Publish"]);
  });

  test("flint iam explain --endpoint: the function's own policy lets SNS invoke it only for its topic", async () => {
    const name = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:orders`;
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "sns-orders", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: topic }));
    const asSns = ["--caller", "sns.amazonaws.com", "--action", "lambda:InvokeFunction", "--resource", fnArn(name)];

    const allowed = await explain(flint.endpoint, [...asSns, "--context", `aws:SourceArn=${topic}`]);
    assert.equal(allowed.code, 0, allowed.stdout);
    assert.equal(allowed.stdout, `ALLOWED by resource policy function policy of ${fnArn(name)}, statement 1 (Sid "sns-orders")\n`);
    const denied = await explain(flint.endpoint, asSns);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, `DENIED (implicit deny)\nUser: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: ${fnArn(name)} because no identity-based policy allows the lambda:InvokeFunction action\n`);

    const json = await explain(flint.endpoint, ["--caller", userArn, "--action", "lambda:DeleteFunction", "--resource", fnArn(name), "--json"]);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      Allowed: false,
      Decision: "explicitDeny",
      Reason: "explicit-deny",
      Message: `User: ${userArn} is not authorized to perform: lambda:DeleteFunction on resource: ${fnArn(name)} with an explicit deny in an identity-based policy`,
      Statement: { Policy: `user/${user}/guard`, Kind: "identity", Sid: "NoDeletes", Index: 0 },
      Mode: "enforce",
    });
  });

  test("simulating and explaining are reading policies: a user not allowed iam:SimulatePrincipalPolicy on the principal is refused", async () => {
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    const credentials = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const denial = `User: ${userArn} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${userArn} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`;
    const simulated = await runAwsCli(flint.endpoint, ["iam", "simulate-principal-policy", "--policy-source-arn", userArn, "--action-names", "lambda:InvokeFunction"], undefined, credentials);
    assert.equal(simulated.stderr.trim(), `An error occurred (AccessDenied) when calling the SimulatePrincipalPolicy operation: ${denial}`);
    const explained = await explain(flint.endpoint, ["--caller", userArn, "--action", "lambda:InvokeFunction", "--resource", orders], credentials);
    assert.equal(explained.code, 2);
    assert.equal(explained.stdout, `flint iam explain: AccessDeniedException: ${denial}\n`);
    const unsigned = await fetch(`${flint.endpoint}/_flint/iam/explain`, { method: "POST", body: JSON.stringify({ Caller: userArn, Action: "lambda:InvokeFunction", Resource: orders }) });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
  });
});

describe("decisions counted under --iam report", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint({ args: [...ARGS, "--iam", "report"] });
  });
  after(() => flint.stop());

  test("a user without policies is let through, and the denial is counted as reported", async () => {
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const name = uniqueName("nopolicies");
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    iam.destroy();
    const before = await decisions(flint);
    const r = await runAwsCli(flint.endpoint, ["lambda", "list-functions"], undefined, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    assert.equal(r.code, 0, r.stderr);
    const after = await decisions(flint);
    assert.equal(after.reported, before.reported! + 1);
    assert.equal(after.denied, 0);
    assert.ok(after.allowed! >= before.allowed!);
    assert.match(flint.output(), new RegExp(`iam report: would deny lambda:ListFunctions on \\* to arn:aws:iam::${ACCOUNT}:user/${name}`));

    const explained = await explain(flint.endpoint, ["--caller", `arn:aws:iam::${ACCOUNT}:user/${name}`, "--action", "lambda:ListFunctions", "--resource", "*"]);
    assert.equal(explained.code, 1);
    assert.match(explained.stdout, /\(the server runs with --iam report: it lets denied calls through and counts them\)\n$/);
  });
});
