/**
 * Parity with real AWS for resource-based policies (AddPermission, RemovePermission, GetPolicy):
 * replays, through the AWS SDK against a real `flint serve`, the calls of LocalStack's recorded parity
 * tests and compares them the way test/harness/recorded.ts describes (the Statement and Policy
 * documents parsed, their keys in AWS's order).
 *
 * Replayed: TestLambdaPermissions::test_permission_exceptions, test_add_lambda_permission_aws,
 * test_lambda_permission_fn_versioning, test_add_lambda_permission_fields,
 * test_remove_multi_permissions, test_create_multiple_lambda_permissions, and
 * TestLambdaRevisions::test_function_revisions_permissions (its one recorded step, and the revision
 * assertions the test makes against AWS: after AddPermission the function's RevisionId is the
 * policy's, and RemovePermission changes it again).
 *
 * Not replayed, because AWS has changed since they were recorded (December 2022) and a later
 * recording shows what it does now:
 * - test_lambda_permission_versioning: publishing then changed the function policy's RevisionId;
 *   test_lambda_permission_fn_versioning (November 2025) replays the same calls and shows it keeps it.
 * - test_lambda_permission_revisions: its stale RevisionId errors say "Call the GetFunction/GetAlias
 *   API", where AWS now says "Call the GetPolicy API" (test_function_revisions_permissions, 2025); its
 *   source was never published, so the rest of its flow cannot be told from its step names.
 * - test_add_lambda_permission_optional_fields recorded nothing.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AddPermissionCommand, CreateAliasCommand, GetAliasCommand, GetFunctionCommand, GetPolicyCommand, PublishVersionCommand,
  RemovePermissionCommand, waitUntilPublishedVersionActive, type AddPermissionCommandInput,
} from "@aws-sdk/client-lambda";
import { ACCOUNT, startFlint, type FlintProcess } from "../harness/flint.js";
import { WAITER } from "../harness/functions.js";
import { fixtureFunction, replay } from "../harness/recorded.js";
import { zipFiles } from "../harness/zip.js";

const ECHO = "def handler(event, context):\n    return event\n";
const BUCKET = "arn:aws:s3:::test-bucket";

describe("parity with responses recorded from AWS: resource-based policies", () => {
  let flint: FlintProcess;
  let session: ReturnType<typeof replay>;
  let zip: Buffer;
  const call = (command: { readonly input: unknown }) => session.call(command);
  /** LocalStack's `create_lambda_function` fixture, waited for until Active. */
  const create = (name: string) => session.createActive(fixtureFunction(zip, name));
  const add = (FunctionName: string, StatementId: string, extra: Partial<AddPermissionCommandInput> = {}) =>
    call(new AddPermissionCommand({ FunctionName, StatementId, Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", ...extra }));
  const getPolicy = (FunctionName: string, Qualifier?: string) => call(new GetPolicyCommand({ FunctionName, Qualifier }));
  const remove = (FunctionName: string, StatementId: string, extra: { Qualifier?: string; RevisionId?: string } = {}) =>
    call(new RemovePermissionCommand({ FunctionName, StatementId, ...extra }));
  const succeeded = (out: { status: number; body: unknown }, status: number) => assert.equal(out.status, status, JSON.stringify(out.body));

  before(async () => {
    flint = await startFlint();
    session = replay(flint.endpoint);
    zip = await zipFiles({ "handler.py": ECHO });
  });
  after(async () => {
    session?.close();
    await flint?.stop();
  });

  test("TestLambdaPermissions::test_permission_exceptions", async () => {
    const name = "lambda_func-perm-exc-flint";
    const check = session.recordedTest("TestLambdaPermissions::test_permission_exceptions", { "<function-name>": name });
    await create(name);
    check("add_permission_invalid_statement_id", await add(name, "example.com"));
    check("add_permission_fn_qualifier_mismatch", await add(`${name}:alias-not-42`, "s3", { SourceArn: BUCKET, Qualifier: "42" }));
    check("add_permission_fn_qualifier_latest", await add(`${name}:$LATEST`, "s3", { SourceArn: BUCKET, Qualifier: "$LATEST" }));
    check("add_permission_principal_invalid", await add(name, "lambda", { Principal: "invalid.nonaws.com", SourceAccount: ACCOUNT }));
    check("get_policy_fn_doesnotexist", await getPolicy("doesnotexist"));
    check("get_policy_fn_version_doesnotexist", await getPolicy(name, "77"));
    check("add_permission_fn_doesnotexist", await add("doesnotexist", "s3", { SourceArn: BUCKET }));
    check("remove_permission_policy_doesnotexist", await remove(name, "s3"));
    check("add_permission_fn_alias_doesnotexist", await add(`${name}:alias-doesnotexist`, "s3", { SourceArn: BUCKET }));
    check("add_permission_fn_version_doesnotexist", await add(name, "s3", { SourceArn: BUCKET, Qualifier: "42" }));
    check("add_permission_fn_qualifier_invalid", await add(name, "s3", { SourceArn: BUCKET, Qualifier: "invalid-qualifier-with-?-char" }));
    check("add_permission_fn_qualifier_valid_doesnotexist", await add(name, "s3", { SourceArn: BUCKET, Qualifier: "valid-with-$-but-doesnotexist" }));
    succeeded(await add(name, "s3", { SourceArn: BUCKET }), 201);
    check("add_permission_conflicting_statement_id", await add(name, "s3", { SourceArn: BUCKET }));
    check("remove_permission_fn_doesnotexist", await remove("doesnotexist", "s3"));
    check("remove_permission_fn_alias_doesnotexist", await remove(name, "s3", { Qualifier: "alias-doesnotexist" }));
  });

  test("TestLambdaPermissions::test_add_lambda_permission_aws", async () => {
    const name = "lambda_func-perm-aws-flint";
    const check = session.recordedTest("TestLambdaPermissions::test_add_lambda_permission_aws", { "<function-name:1>": name });
    check("create_lambda", await call(fixtureFunction(zip, name)));
    await session.waitActive(name);
    check("add_permission", await add(name, "s3", { SourceArn: BUCKET }));
    check("get_policy", await getPolicy(name));
  });

  test("TestLambdaPermissions::test_lambda_permission_fn_versioning", async () => {
    const name = "lambda_func-perm-versioning-flint";
    const check = session.recordedTest("TestLambdaPermissions::test_lambda_permission_fn_versioning", { "<function-name:1>": name });
    await create(name);
    check("add_permission", await add(name, "s3", { SourceArn: BUCKET }));
    check("get_policy", await getPolicy(name));
    const published = await call(new PublishVersionCommand({ FunctionName: name }));
    check("publish_version_result", published);
    const version = published.body.Version as string;
    await waitUntilPublishedVersionActive({ client: session.client.lambda, ...WAITER }, { FunctionName: name, Qualifier: version });
    // Publishing gives $LATEST a new RevisionId, not its policy; the version has no policy of its own.
    check("get_function_result_after_publishing", await call(new GetFunctionCommand({ FunctionName: name })));
    check("get_policy_after_publishing_latest", await getPolicy(name));
    check("get_policy_after_publishing_new_version", await getPolicy(name, version));
    succeeded(await add(`${name}:${version}`, "s3", { SourceArn: BUCKET, Qualifier: version }), 201);
    check("get_policy_version", await getPolicy(name, version));
    const alias = "permission-alias";
    const created = await call(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version }));
    check("create_alias_response", created);
    check("get_alias", await call(new GetAliasCommand({ FunctionName: name, Name: alias })));
    check("add_permission_alias_revision_exception", await add(name, "s3", { SourceArn: BUCKET, Qualifier: alias, RevisionId: "wrong" }));
    // An alias without a policy takes the alias's RevisionId.
    succeeded(await add(`${name}:${alias}`, "s3", { SourceArn: BUCKET, Qualifier: alias, RevisionId: created.body.RevisionId }), 201);
    check("get_policy_alias", await getPolicy(name, alias));
    const policy = await getPolicy(name);
    check("get_policy_after_adding_to_new_version", policy);
    succeeded(await add(name, "s3_2", { SourceArn: BUCKET, RevisionId: policy.body.RevisionId }), 201);
    check("get_policy_after_adding_2", await getPolicy(name));
  });

  test("TestLambdaPermissions::test_add_lambda_permission_fields", async () => {
    const name = "lambda_func-perm-fields-flint";
    const userArn = `arn:aws:iam::${ACCOUNT}:user/parity`;
    const check = session.recordedTest("TestLambdaPermissions::test_add_lambda_permission_fields", { "<resource:1>": name, "<user_arn>": userArn });
    await create(name);
    check("add_permission_principal_wildcard", await add(name, "wilcard", { Principal: "*", SourceAccount: ACCOUNT }));
    check("add_permission_principal_service", await add(name, "lambda", { Principal: "lambda.amazonaws.com", SourceAccount: ACCOUNT }));
    check("add_permission_principal_account", await add(name, "account-id", { Principal: ACCOUNT }));
    check("add_permission_principal_arn", await add(name, "user-arn", { Principal: userArn, SourceAccount: ACCOUNT }));
    check(
      "add_permission_optional_fields",
      await add(name, "urlPermission", {
        Action: "lambda:InvokeFunctionUrl",
        Principal: "*",
        SourceArn: BUCKET,
        SourceAccount: ACCOUNT,
        PrincipalOrgID: "o-1234567890",
        FunctionUrlAuthType: "NONE",
      }),
    );
    check("add_permission_alexa_skill", await add(name, "alexaSkill", { Principal: "*", EventSourceToken: "amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" }));
  });

  test("TestLambdaPermissions::test_remove_multi_permissions", async () => {
    const name = "lambda_func-perm-remove-flint";
    const check = session.recordedTest("TestLambdaPermissions::test_remove_multi_permissions", { "<resource:1>": name });
    await create(name);
    check("add_permission_1", await add(name, "s3"));
    check("add_permission_2", await add(name, "sqs", { Principal: "sqs.amazonaws.com", SourceArn: BUCKET }));
    check("policy_after_2_add", await getPolicy(name));
    check("remove_permission_exception_nonexisting_sid", await remove(name, "non-existent"));
    succeeded(await remove(name, "sqs"), 204);
    check("policy_after_removal", await getPolicy(name));
    const attempt = await getPolicy(name);
    check("policy_after_removal_attempt", attempt);
    succeeded(await remove(name, "s3", { RevisionId: attempt.body.RevisionId }), 204);
    check("get_policy_exception_removed_all", await getPolicy(name));
  });

  test("TestLambdaPermissions::test_create_multiple_lambda_permissions", async () => {
    const name = "test-function-perm-multiple-flint";
    const check = session.recordedTest("TestLambdaPermissions::test_create_multiple_lambda_permissions", { "<resource:1>": name });
    await create(name);
    check("add_permission_response_1", await add(name, "logs", { Principal: "logs.amazonaws.com" }));
    check("add_permission_response_2", await add(name, "kinesis", { Principal: "kinesis.amazonaws.com" }));
    check("policy_after_2_add", await getPolicy(name));
  });

  test("TestLambdaRevisions::test_function_revisions_permissions", async () => {
    const name = "fn-revisions-permissions-flint";
    const check = session.recordedTest("TestLambdaRevisions::test_function_revisions_permissions", {});
    await create(name);
    const functionRevision = async () => (await call(new GetFunctionCommand({ FunctionName: name }))).body.Configuration.RevisionId as string;
    const rev2 = await functionRevision();
    check("add_permission_revision_exception", await add(name, "s3", { RevisionId: "wrong" }));
    // Without a policy, the function's RevisionId is the one to give.
    succeeded(await add(name, "s3", { RevisionId: rev2 }), 201);
    const rev3 = (await getPolicy(name)).body.RevisionId;
    assert.notEqual(rev3, rev2);
    assert.equal(await functionRevision(), rev3, "the function's revision is the policy's");
    const stale = await remove(name, "s3", { RevisionId: "wrong" });
    assert.equal(stale.code, "PreconditionFailedException");
    succeeded(await remove(name, "s3", { RevisionId: rev3 }), 204);
    assert.notEqual(await functionRevision(), rev3);
  });

  test("the AWS CLI v2 adds, reads and removes a permission", async () => {
    const name = "fn-perm-cli-flint";
    await create(name);
    const added = await flint.aws([
      "lambda", "add-permission", "--function-name", name, "--statement-id", "sns", "--action", "lambda:InvokeFunction",
      "--principal", "sns.amazonaws.com", "--source-arn", `arn:aws:sns:us-east-1:${ACCOUNT}:topic`,
    ]);
    assert.equal(added.code, 0, added.stderr);
    const statement = JSON.parse(added.json<{ Statement: string }>().Statement);
    assert.deepEqual(statement.Principal, { Service: "sns.amazonaws.com" });
    const policy = await flint.aws(["lambda", "get-policy", "--function-name", name]);
    assert.equal(policy.code, 0, policy.stderr);
    assert.deepEqual(JSON.parse(policy.json<{ Policy: string }>().Policy).Statement, [statement]);
    const removed = await flint.aws(["lambda", "remove-permission", "--function-name", name, "--statement-id", "sns"]);
    assert.equal(removed.code, 0, removed.stderr);
    const gone = await flint.aws(["lambda", "get-policy", "--function-name", name]);
    assert.equal(gone.code, 254);
    assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the GetPolicy operation: The resource you requested does not exist\./);
  });
});
