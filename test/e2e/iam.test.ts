/**
 * The IAM service through real clients against a real `flint serve`: the AWS CLI v2 and Debian's
 * boto3 (both speak IAM's query protocol; @aws-sdk/client-iam is not a dependency). The flow of
 * AWS's Lambda tutorials (a role Lambda may assume, AWSLambdaBasicExecutionRole attached, an inline
 * policy), managed policies and their versions, AWS's errors for bad input with nothing changed,
 * and roles and policies kept across a restart.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ACCOUNT, startFlint, type FlintProcess, uniqueName } from "../harness/flint.js";
import { boto3Driver, boto3Version, SqsCallError } from "../harness/sqs-clients.js";

const ARGS = ["--spares", "0"];
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const WRITE_QUEUE = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:outbox` }] };

describe("IAM through the AWS CLI v2 and boto3", () => {
  let dataDir: string;
  let flint: FlintProcess;

  /** The CLI's JSON answer, failing the test with its stderr otherwise. */
  const ok = async (args: string[]) => {
    const r = await flint.aws(["iam", ...args]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim() ? r.json() : {};
  };
  /** The CLI's error line for a call that must fail with `code`. */
  const fails = async (args: string[], code: string, message: string) => {
    const r = await flint.aws(["iam", ...args]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stderr.trim(), `An error occurred (${code}) when calling the ${operationOf(args[0]!)} operation: ${message}`);
  };
  const operationOf = (command: string) => command.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-iam-"));
    flint = await startFlint({ dataDir, args: ARGS });
  });
  after(async () => {
    await flint.stop({ cleanup: false });
    await rm(dataDir, { recursive: true, force: true });
  });

  test("the tutorial's execution role: created, given policies, refused deletion while it has them, then deleted", async () => {
    const name = uniqueName("lambda-ex");
    const created = (await ok(["create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify(TRUST), "--description", "for the tutorial"])).Role;
    assert.equal(created.Arn, `arn:aws:iam::${ACCOUNT}:role/${name}`);
    assert.match(created.RoleId, /^AROA[A-Z0-9]{17}$/);
    assert.match(created.CreateDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)$/);
    assert.deepEqual(created.AssumeRolePolicyDocument, TRUST);
    assert.equal(created.MaxSessionDuration, undefined, "CreateRole's answer has no MaxSessionDuration");

    await ok(["attach-role-policy", "--role-name", name, "--policy-arn", BASIC]);
    await ok(["put-role-policy", "--role-name", name, "--policy-name", "write-outbox", "--policy-document", JSON.stringify(WRITE_QUEUE)]);
    const inline = await ok(["get-role-policy", "--role-name", name, "--policy-name", "write-outbox"]);
    assert.deepEqual(inline, { RoleName: name, PolicyName: "write-outbox", PolicyDocument: WRITE_QUEUE });
    assert.deepEqual((await ok(["list-role-policies", "--role-name", name])).PolicyNames, ["write-outbox"]);
    assert.deepEqual((await ok(["list-attached-role-policies", "--role-name", name])).AttachedPolicies, [{ PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC }]);
    const role = (await ok(["get-role", "--role-name", name])).Role;
    assert.equal(role.MaxSessionDuration, 3600);
    assert.equal(role.Description, "for the tutorial");

    await fails(["delete-role", "--role-name", name], "DeleteConflict", "Cannot delete entity, must delete policies first.");
    await ok(["delete-role-policy", "--role-name", name, "--policy-name", "write-outbox"]);
    await fails(["delete-role", "--role-name", name], "DeleteConflict", "Cannot delete entity, must detach all policies first.");
    await ok(["detach-role-policy", "--role-name", name, "--policy-arn", BASIC]);
    await ok(["delete-role", "--role-name", name]);
    await fails(["get-role", "--role-name", name], "NoSuchEntity", `The role with name ${name} cannot be found.`);
  });

  test("bad input gets AWS's codes and messages and changes nothing", async () => {
    const name = uniqueName("guarded");
    await fails(["create-role", "--role-name", name, "--assume-role-policy-document", "{not json"], "MalformedPolicyDocument", "This policy contains invalid Json");
    await fails(["get-role", "--role-name", name], "NoSuchEntity", `The role with name ${name} cannot be found.`);
    await ok(["create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify(TRUST)]);
    await fails(["create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify({ ...TRUST, Statement: [{ ...TRUST.Statement[0], Principal: { Service: "s3.amazonaws.com" } }] })], "EntityAlreadyExists", `Role with name ${name} already exists.`);
    await fails(["create-role", "--role-name", name.toUpperCase(), "--assume-role-policy-document", JSON.stringify(TRUST)], "EntityAlreadyExists", `Role with name ${name.toUpperCase()} already exists.`);
    await fails(["create-role", "--role-name", "bad/name", "--assume-role-policy-document", JSON.stringify(TRUST)], "ValidationError", "1 validation error detected: Value 'bad/name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    // A trust policy names who may assume the role: without a principal it is malformed.
    const noPrincipal = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] });
    const r = await flint.aws(["iam", "update-assume-role-policy", "--role-name", name, "--policy-document", noPrincipal]);
    assert.match(r.stderr, /An error occurred \(MalformedPolicyDocument\) when calling the UpdateAssumeRolePolicy operation: /, r.stderr);
    await fails(["put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", "[]"], "MalformedPolicyDocument", "Syntax errors in policy.");
    await fails(["attach-role-policy", "--role-name", name, "--policy-arn", "arn:aws:s3:::not-a-policy-arn"], "ValidationError", "Invalid ARN:  Could not be parsed!");
    await fails(["attach-role-policy", "--role-name", name, "--policy-arn", `arn:aws:iam::${ACCOUNT}:policy/missing`], "NoSuchEntity", `Policy arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`);
    await fails(["get-role-policy", "--role-name", name, "--policy-name", "p"], "NoSuchEntity", "The role policy with name p cannot be found.");
    const never = uniqueName("never");
    await fails(["delete-role", "--role-name", never], "NoSuchEntity", `The role with name ${never} cannot be found.`);

    const role = (await ok(["get-role", "--role-name", name])).Role;
    assert.deepEqual(role.AssumeRolePolicyDocument, TRUST, "the refused updates left the trust policy as it was");
    assert.deepEqual((await ok(["list-role-policies", "--role-name", name])).PolicyNames, []);
    assert.deepEqual((await ok(["list-attached-role-policies", "--role-name", name])).AttachedPolicies, []);
    const names = (await ok(["list-roles"])).Roles.map((r: { RoleName: string }) => r.RoleName);
    assert.ok(names.includes(name) && !names.includes(name.toUpperCase()), names.join(" "));
  });

  test("managed policies: created with v1, up to five versions, a default to choose, listed by scope", async () => {
    const name = uniqueName("send-outbox");
    const policy = (await ok(["create-policy", "--policy-name", name, "--policy-document", JSON.stringify(WRITE_QUEUE), "--description", "send to the outbox"])).Policy;
    assert.equal(policy.Arn, `arn:aws:iam::${ACCOUNT}:policy/${name}`);
    assert.match(policy.PolicyId, /^ANPA[A-Z0-9]{17}$/);
    assert.equal(policy.DefaultVersionId, "v1");
    assert.equal(policy.AttachmentCount, 0);
    assert.equal(policy.IsAttachable, true);
    await fails(["create-policy", "--policy-name", name, "--policy-document", JSON.stringify(WRITE_QUEUE)], "EntityAlreadyExists", `A policy called ${name} already exists. Duplicate names are not allowed.`);

    for (let i = 2; i <= 5; i++) {
      const v = (await ok(["create-policy-version", "--policy-arn", policy.Arn, "--policy-document", JSON.stringify(WRITE_QUEUE), ...(i === 3 ? ["--set-as-default"] : [])])).PolicyVersion;
      assert.equal(v.VersionId, `v${i}`);
      assert.equal(v.IsDefaultVersion, i === 3);
    }
    await fails(["create-policy-version", "--policy-arn", policy.Arn, "--policy-document", JSON.stringify(WRITE_QUEUE)], "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
    await fails(["delete-policy-version", "--policy-arn", policy.Arn, "--version-id", "v3"], "DeleteConflict", "Cannot delete the default version of a policy.");
    await ok(["delete-policy-version", "--policy-arn", policy.Arn, "--version-id", "v2"]);
    await ok(["set-default-policy-version", "--policy-arn", policy.Arn, "--version-id", "v5"]);
    const versions = (await ok(["list-policy-versions", "--policy-arn", policy.Arn])).Versions;
    assert.deepEqual(versions.map((v: { VersionId: string; IsDefaultVersion: boolean }) => [v.VersionId, v.IsDefaultVersion]), [["v5", true], ["v4", false], ["v3", false], ["v1", false]]);
    assert.deepEqual((await ok(["get-policy-version", "--policy-arn", policy.Arn, "--version-id", "v5"])).PolicyVersion.Document, WRITE_QUEUE);
    assert.equal((await ok(["create-policy-version", "--policy-arn", policy.Arn, "--policy-document", JSON.stringify(WRITE_QUEUE)])).PolicyVersion.VersionId, "v6", "version ids are not reused");

    const role = uniqueName("sender");
    await ok(["create-role", "--role-name", role, "--assume-role-policy-document", JSON.stringify(TRUST)]);
    await ok(["attach-role-policy", "--role-name", role, "--policy-arn", policy.Arn]);
    assert.equal((await ok(["get-policy", "--policy-arn", policy.Arn])).Policy.AttachmentCount, 1);
    await fails(["delete-policy", "--policy-arn", policy.Arn], "DeleteConflict", "Cannot delete a policy attached to entities.");

    const aws = (await ok(["list-policies", "--scope", "AWS"])).Policies.map((p: { Arn: string }) => p.Arn);
    assert.ok(aws.includes(BASIC) && !aws.includes(policy.Arn), aws.join(" "));
    const local = (await ok(["list-policies", "--scope", "Local", "--only-attached"])).Policies.map((p: { Arn: string }) => p.Arn);
    assert.deepEqual(local.filter((a: string) => a === policy.Arn), [policy.Arn]);
    const basic = (await ok(["get-policy-version", "--policy-arn", BASIC, "--version-id", "v1"])).PolicyVersion.Document;
    assert.deepEqual(basic.Statement[0].Action, ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);

    await ok(["detach-role-policy", "--role-name", role, "--policy-arn", policy.Arn]);
    await fails(["delete-policy", "--policy-arn", policy.Arn], "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    for (const v of ["v1", "v3", "v4", "v6"]) await ok(["delete-policy-version", "--policy-arn", policy.Arn, "--version-id", v]);
    await ok(["delete-policy", "--policy-arn", policy.Arn]);
    await fails(["get-policy", "--policy-arn", policy.Arn], "NoSuchEntity", `Policy ${policy.Arn} was not found.`);
  });

  test("list-roles pages with MaxItems and Marker, and filters by path", async () => {
    const names = ["a", "b", "c"].map((x) => uniqueName(`paged-${x}`));
    for (const name of names) await ok(["create-role", "--role-name", name, "--path", "/paged/", "--assume-role-policy-document", JSON.stringify(TRUST)]);
    // The CLI follows the markers itself; a page size of one makes it ask three times.
    const all = (await ok(["list-roles", "--path-prefix", "/paged/", "--page-size", "1"])).Roles.map((r: { RoleName: string }) => r.RoleName);
    assert.deepEqual(all, [...names].sort());
    const first = await ok(["list-roles", "--path-prefix", "/paged/", "--max-items", "2"]);
    assert.equal(first.Roles.length, 2);
    assert.ok(first.NextToken, JSON.stringify(first));
  });

  test("a permissions boundary on a role: shown by get-role, counted on the policy, removed", async () => {
    const name = uniqueName("bounded");
    await ok(["create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify(TRUST), "--permissions-boundary", BASIC]);
    assert.deepEqual((await ok(["get-role", "--role-name", name])).Role.PermissionsBoundary, { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: BASIC });
    assert.equal((await ok(["get-policy", "--policy-arn", BASIC])).Policy.PermissionsBoundaryUsageCount, 1);
    await ok(["delete-role-permissions-boundary", "--role-name", name]);
    assert.equal((await ok(["get-role", "--role-name", name])).Role.PermissionsBoundary, undefined);
    const missing = `arn:aws:iam::${ACCOUNT}:policy/no-such-boundary`;
    await fails(["put-role-permissions-boundary", "--role-name", name, "--permissions-boundary", missing], "NoSuchEntity", `Scope ARN: ${missing} does not exist or is not attachable.`);
  });

  test("tags on a role: added, replaced by key, removed", async () => {
    const name = uniqueName("tagged");
    await ok(["create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify(TRUST), "--tags", "Key=team,Value=core"]);
    await ok(["tag-role", "--role-name", name, "--tags", "Key=team,Value=edge", "Key=cost,Value=42"]);
    assert.deepEqual((await ok(["list-role-tags", "--role-name", name])).Tags, [{ Key: "team", Value: "edge" }, { Key: "cost", Value: "42" }]);
    await ok(["untag-role", "--role-name", name, "--tag-keys", "team"]);
    assert.deepEqual((await ok(["get-role", "--role-name", name])).Role.Tags, [{ Key: "cost", Value: "42" }]);
  });

  test("a user with an inline policy, an AWS managed policy and an access key, deleted once bare", async () => {
    const name = uniqueName("dev");
    const user = (await ok(["create-user", "--user-name", name, "--tags", "Key=team,Value=core"])).User;
    assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/${name}`);
    assert.match(user.UserId, /^AIDA[A-Z0-9]{17}$/);
    await ok(["put-user-policy", "--user-name", name, "--policy-name", "write-outbox", "--policy-document", JSON.stringify(WRITE_QUEUE)]);
    assert.deepEqual((await ok(["get-user-policy", "--user-name", name, "--policy-name", "write-outbox"])).PolicyDocument, WRITE_QUEUE);
    await ok(["attach-user-policy", "--user-name", name, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"]);
    assert.deepEqual((await ok(["list-attached-user-policies", "--user-name", name])).AttachedPolicies, [{ PolicyName: "AWSLambdaRole", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole" }]);
    const key = (await ok(["create-access-key", "--user-name", name])).AccessKey;
    assert.match(key.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
    assert.equal(key.Status, "Active");
    assert.equal(key.SecretAccessKey.length, 40);
    const listed = (await ok(["list-access-keys", "--user-name", name])).AccessKeyMetadata;
    assert.deepEqual(listed.map((k: { AccessKeyId: string; SecretAccessKey?: string }) => [k.AccessKeyId, k.SecretAccessKey]), [[key.AccessKeyId, undefined]], "the secret is shown once");
    await ok(["update-access-key", "--user-name", name, "--access-key-id", key.AccessKeyId, "--status", "Inactive"]);
    assert.equal((await ok(["list-access-keys", "--user-name", name])).AccessKeyMetadata[0].Status, "Inactive");
    assert.deepEqual((await ok(["get-user", "--user-name", name])).User.Tags, [{ Key: "team", Value: "core" }]);
    assert.ok((await ok(["list-users"])).Users.some((u: { UserName: string }) => u.UserName === name));

    await fails(["delete-user", "--user-name", name], "DeleteConflict", "Cannot delete entity, must delete policies first.");
    await ok(["delete-user-policy", "--user-name", name, "--policy-name", "write-outbox"]);
    await ok(["detach-user-policy", "--user-name", name, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"]);
    await fails(["delete-user", "--user-name", name], "DeleteConflict", "Cannot delete entity, must delete access keys first.");
    await ok(["delete-access-key", "--user-name", name, "--access-key-id", key.AccessKeyId]);
    await ok(["delete-user", "--user-name", name]);
    await fails(["get-user", "--user-name", name], "NoSuchEntity", `The user with name ${name} cannot be found.`);
  });

  const boto3 = boto3Version();
  test("boto3: documents come back decoded once, errors carry IAM's codes", { skip: boto3 ? false : "/usr/bin/python3 cannot import boto3" }, async () => {
    const client = boto3Driver(flint.endpoint, "iam");
    try {
      const name = uniqueName("boto");
      const created = (await client.call("CreateRole", { RoleName: name, AssumeRolePolicyDocument: JSON.stringify(TRUST), Path: "/svc/" })) as any;
      assert.equal(created.Role.Arn, `arn:aws:iam::${ACCOUNT}:role/svc/${name}`);
      assert.deepEqual(created.Role.AssumeRolePolicyDocument, TRUST);
      // A document with characters that need encoding survives the round trip unchanged.
      const doc = { Version: "2012-10-17", Statement: [{ Sid: "odd", Effect: "Allow", Action: "sqs:*", Resource: "*", Condition: { StringLike: { "aws:PrincipalTag/team": ["a&b <c> \"d\" %20 + é"] } } }] };
      await client.call("PutRolePolicy", { RoleName: name, PolicyName: "odd", PolicyDocument: JSON.stringify(doc) });
      assert.deepEqual(((await client.call("GetRolePolicy", { RoleName: name, PolicyName: "odd" })) as any).PolicyDocument, doc);
      await assert.rejects(client.call("GetRole", { RoleName: uniqueName("absent") }), (e: SqsCallError) => e.code === "NoSuchEntity");
      await assert.rejects(client.call("DeleteRole", { RoleName: name }), (e: SqsCallError) => e.message === "DeleteConflict: Cannot delete entity, must delete policies first.");
    } finally {
      client.close();
    }
  });

  test("IAM is global: a server in another region takes IAM calls signed for us-east-1 or for its own region, SQS only its own", async () => {
    const elsewhere = await startFlint({ args: ARGS, env: { FLINT_REGION: "eu-west-1" } });
    try {
      // The harness's CLI signs for us-east-1; a later --region overrides it, as a user's profile would.
      const global = await elsewhere.aws(["iam", "list-roles"]);
      assert.equal(global.code, 0, global.stderr);
      const own = await elsewhere.aws(["iam", "list-roles", "--region", "eu-west-1"]);
      assert.equal(own.code, 0, own.stderr);
      const sqs = await elsewhere.aws(["sqs", "list-queues"]);
      assert.match(sqs.stderr, /Credential should be scoped to a valid region, not 'us-east-1'/, sqs.stderr);
    } finally {
      await elsewhere.stop();
    }
  });

  test("roles, their policies and managed policies are kept across a restart", async () => {
    const role = uniqueName("durable");
    const policy = uniqueName("durable-policy");
    await ok(["create-role", "--role-name", role, "--assume-role-policy-document", JSON.stringify(TRUST)]);
    await ok(["put-role-policy", "--role-name", role, "--policy-name", "inline", "--policy-document", JSON.stringify(WRITE_QUEUE)]);
    const arn = (await ok(["create-policy", "--policy-name", policy, "--policy-document", JSON.stringify(WRITE_QUEUE)])).Policy.Arn;
    await ok(["attach-role-policy", "--role-name", role, "--policy-arn", arn]);
    await ok(["attach-role-policy", "--role-name", role, "--policy-arn", BASIC]);
    const before = (await ok(["get-role", "--role-name", role])).Role;

    await flint.stop({ cleanup: false });
    flint = await startFlint({ dataDir, args: ARGS });

    assert.deepEqual((await ok(["get-role", "--role-name", role])).Role, before);
    assert.deepEqual((await ok(["get-role-policy", "--role-name", role, "--policy-name", "inline"])).PolicyDocument, WRITE_QUEUE);
    const attached = (await ok(["list-attached-role-policies", "--role-name", role])).AttachedPolicies.map((p: { PolicyArn: string }) => p.PolicyArn);
    assert.deepEqual(attached.sort(), [arn, BASIC].sort());
    assert.equal((await ok(["get-policy", "--policy-arn", arn])).Policy.AttachmentCount, 1);
  });
});
