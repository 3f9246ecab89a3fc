import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../clock/manual-clock.js";
import type { AwsError } from "../../errors.js";
import { parsePolicy } from "../../iam/policy.js";
import type { Store } from "../../store/store.js";
import type { FunctionRecord, FunctionVersion } from "./model.js";
import { MAX_POLICY_BYTES, PermissionsService, policyDocument, statementPrincipal, synthesiseStatement } from "./permissions.js";
import { FunctionRegistry } from "./registry.js";
import { aloneBus } from "../../store/change-bus.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn";
const BUCKET = "arn:aws:s3:::bucket";

const version = (v: string, revisionId: string): FunctionVersion => ({
  functionName: "fn", version: v, runtime: "python3.12", handler: "handler.handler", role: "arn:aws:iam::000000000000:role/r",
  description: "", timeout: 3, memorySize: 128, ephemeralStorage: 512, architectures: ["x86_64"],
  code: { id: "c", sha256: "s", size: 1 }, lastModified: "2024-01-01T00:00:00.000+0000", revisionId, state: "Active",
  loggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/fn" }, tracingMode: "PassThrough",
});

/** A function `fn` with version 1 and alias `live` → 1, in a registry over a store that keeps nothing. */
async function setup() {
  const record: FunctionRecord = {
    name: "fn", latest: version("$LATEST", "rev-latest"), tags: {}, createdAt: 0, nextVersion: 2,
    versions: { "1": version("1", "rev-v1") }, aliases: { live: { name: "live", functionVersion: "1", description: "", revisionId: "rev-live" } },
    provisioned: {}, eventInvokeConfigs: {},
  };
  const store = { listFunctions: async () => [record], putFunction: async () => {}, insertFunction: async () => true, deleteFunction: async () => {}, changes: aloneBus() };
  const registry = await FunctionRegistry.load(ACCOUNT, store as unknown as Store, new ManualClock());
  return { registry, permissions: new PermissionsService(registry) };
}

const rejects = (promise: Promise<unknown> | (() => unknown), code: string, message: string | RegExp) =>
  assert.rejects(typeof promise === "function" ? async () => promise() : promise, (err: AwsError) => {
    assert.equal(err.code, code);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

describe("statements as AWS writes them", () => {
  test("a principal is *, a service, an account's root or an IAM ARN; anything else is refused", () => {
    assert.equal(statementPrincipal("*"), "*");
    assert.deepEqual(statementPrincipal("s3.amazonaws.com"), { Service: "s3.amazonaws.com" });
    assert.deepEqual(statementPrincipal("alexa-appkit.amazon.com"), { Service: "alexa-appkit.amazon.com" });
    assert.deepEqual(statementPrincipal("123456789012"), { AWS: "arn:aws:iam::123456789012:root" });
    assert.deepEqual(statementPrincipal("arn:aws:iam::123456789012:user/u"), { AWS: "arn:aws:iam::123456789012:user/u" });
    for (const bad of ["invalid.nonaws.com", "12345", "arn:aws:s3:::bucket", "user"]) {
      assert.throws(() => statementPrincipal(bad), /The provided principal was invalid\. Please check the principal and try again\./);
    }
  });

  test("keys in AWS's order: StringEquals (account, auth type, org, token), then ArnLike, then Bool", () => {
    const statement = synthesiseStatement(
      {
        statementId: "all", action: "lambda:InvokeFunctionUrl", principal: "*", sourceArn: BUCKET, sourceAccount: "123456789012",
        functionUrlAuthType: "NONE", principalOrgId: "o-1234567890", eventSourceToken: "token", invokedViaFunctionUrl: true,
      },
      ARN,
    );
    assert.equal(
      JSON.stringify(statement),
      JSON.stringify({
        Sid: "all", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunctionUrl", Resource: ARN,
        Condition: {
          StringEquals: { "AWS:SourceAccount": "123456789012", "lambda:FunctionUrlAuthType": "NONE", "aws:PrincipalOrgID": "o-1234567890", "lambda:EventSourceToken": "token" },
          ArnLike: { "AWS:SourceArn": BUCKET },
          Bool: { "lambda:InvokedViaFunctionUrl": "true" },
        },
      }),
    );
    assert.equal("Condition" in synthesiseStatement({ statementId: "s", action: "lambda:InvokeFunction", principal: "*" }, ARN), false);
  });

  test("the documents GetPolicy returns are valid resource policies", () => {
    const statements = [
      synthesiseStatement({ statementId: "s3", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceArn: BUCKET, sourceAccount: "123456789012" }, ARN),
      synthesiseStatement({ statementId: "acct", action: "lambda:*", principal: "123456789012" }, `${ARN}:1`),
      synthesiseStatement({ statementId: "url", action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE", principalOrgId: "o-1234567890", invokedViaFunctionUrl: true }, `${ARN}:live`),
      synthesiseStatement({ statementId: "alexa", action: "*", principal: "*", eventSourceToken: "amzn1.ask.skill.x" }, ARN),
    ];
    const policy = parsePolicy(policyDocument(statements), "resource");
    assert.equal(policy.statements.length, 4);
  });
});

describe("a policy per qualifier", () => {
  test("AddPermission on the function, a version and an alias keeps three policies, each with its Resource", async () => {
    const { permissions } = await setup();
    await permissions.addPermission("fn", undefined, { statementId: "s", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" });
    await permissions.addPermission("fn:1", undefined, { statementId: "s", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" });
    await permissions.addPermission("fn", "live", { statementId: "s", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" });
    for (const [qualifier, resource] of [[undefined, ARN], ["1", `${ARN}:1`], ["live", `${ARN}:live`]] as const) {
      const statements = JSON.parse(permissions.getPolicy("fn", qualifier).Policy).Statement;
      assert.deepEqual(statements.map((s: { Resource: string }) => s.Resource), [resource]);
    }
  });

  test("a change gives the function (or alias) the policy's new RevisionId; a version keeps its own", async () => {
    const { registry, permissions } = await setup();
    await permissions.addPermission("fn", undefined, { statementId: "a", action: "lambda:InvokeFunction", principal: "*", revisionId: "rev-latest" });
    const policy = permissions.getPolicy("fn", undefined);
    assert.notEqual(policy.RevisionId, "rev-latest");
    assert.equal(registry.get("fn")!.latest.revisionId, policy.RevisionId);
    await permissions.addPermission("fn", "live", { statementId: "a", action: "lambda:InvokeFunction", principal: "*", revisionId: "rev-live" });
    assert.equal(registry.get("fn")!.aliases.live!.revisionId, permissions.getPolicy("fn", "live").RevisionId);
    await permissions.addPermission("fn", "1", { statementId: "a", action: "lambda:InvokeFunction", principal: "*", revisionId: "rev-v1" });
    assert.equal(registry.get("fn")!.versions["1"]!.revisionId, "rev-v1");
    // Once there is a policy, its RevisionId is the one to give.
    await rejects(
      permissions.addPermission("fn", "1", { statementId: "b", action: "lambda:InvokeFunction", principal: "*", revisionId: "rev-v1" }),
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
    );
    await rejects(permissions.removePermission("fn", "a", undefined, "rev-latest"), "PreconditionFailedException", /GetPolicy API/);
  });

  test("removing the last statement removes the policy; a deleted alias's policy goes with it", async () => {
    const { registry, permissions } = await setup();
    await permissions.addPermission("fn", undefined, { statementId: "a", action: "lambda:InvokeFunction", principal: "*" });
    await rejects(permissions.removePermission("fn", "b", undefined, undefined), "ResourceNotFoundException", "Statement b is not found in resource policy.");
    await permissions.removePermission("fn", "a", undefined, undefined);
    await rejects(() => permissions.getPolicy("fn", undefined), "ResourceNotFoundException", "The resource you requested does not exist.");
    await rejects(permissions.removePermission("fn", "a", undefined, undefined), "ResourceNotFoundException", "No policy is associated with the given resource.");
    await permissions.addPermission("fn", "live", { statementId: "a", action: "lambda:InvokeFunction", principal: "*" });
    const record = registry.get("fn")!;
    await registry.save({ ...record, aliases: {} });
    assert.deepEqual(registry.get("fn")!.policies, {});
  });

  test("AWS's refusals", async () => {
    const { permissions } = await setup();
    const base = { statementId: "s", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" };
    await rejects(permissions.addPermission("fn", "$LATEST", base), "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.");
    await rejects(permissions.addPermission("fn:1", "2", base), "InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
    await rejects(permissions.addPermission("fn", "7", base), "ResourceNotFoundException", `Function not found: ${ARN}:7`);
    await rejects(permissions.addPermission("fn", "nope", base), "ResourceNotFoundException", `Cannot find alias arn: ${ARN}:nope`);
    await rejects(permissions.removePermission("other", "s", undefined, undefined), "ResourceNotFoundException", "No policy found for: arn:aws:lambda:us-east-1:000000000000:function:other");
    await rejects(
      permissions.addPermission("fn", undefined, { ...base, statementId: "a.b", action: "s3:GetObject" }),
      "ValidationException",
      "2 validation errors detected: Value 'a.b' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+); " +
        "Value 's3:GetObject' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
    );
    await rejects(permissions.addPermission("fn", undefined, { action: "lambda:InvokeFunction", principal: "*" }), "ValidationException", /Value null at 'statementId'/);
    await permissions.addPermission("fn", undefined, base);
    await rejects(
      permissions.addPermission("fn", undefined, base),
      "ResourceConflictException",
      "The statement id (s) provided already exists. Please provide a new statement id, or remove the existing statement.",
    );
  });

  test("a policy may not grow past 20 KB", async () => {
    const { permissions } = await setup();
    const add = (i: number) =>
      permissions.addPermission("fn", undefined, { statementId: `statement-${i}`, action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceArn: `arn:aws:s3:::${"b".repeat(60)}` });
    let added = 0;
    await rejects(async () => {
      for (;;) await add(added++);
    }, "PolicyLengthExceededException", /^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/);
    assert.equal(JSON.parse(permissions.getPolicy("fn", undefined).Policy).Statement.length, added - 1);
    assert.ok(Buffer.byteLength(permissions.getPolicy("fn", undefined).Policy) <= MAX_POLICY_BYTES);
  });
});
