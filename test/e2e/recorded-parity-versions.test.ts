/**
 * Parity with real AWS for versions, aliases, reserved and provisioned concurrency: replays, through the
 * AWS SDK against a real `flint serve`, the calls of LocalStack's recorded parity tests (TestLambdaVersions,
 * TestLambdaAlias, TestLambdaRevisions, TestLambdaTags::test_tag_versions, TestLambdaReservedConcurrency,
 * TestLambdaProvisionedConcurrency), and compares them the way test/harness/recorded.ts describes.
 *
 * AWS's account limits are not Flint's: where a recorded message names one (`<unreserved_concurrency>`,
 * `<min_unreserved_concurrency>`), the expected number is what Flint's GetAccountSettings reports, or
 * AWS's rule that 100 executions stay unreserved.
 *
 * Not replayed: test_publish_with_wrong_revisionid beyond its error (recorded in 2022, before AWS added
 * LoggingConfig, SnapStart and RuntimeVersionConfig to every configuration). AWS's runs published right
 * after CreateFunction, while the function was still Pending; Flint refuses that with AWS's
 * ResourceConflictException, so the replay waits for Active first.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand, GetAccountSettingsCommand, GetAliasCommand, GetFunctionCommand,
  GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand,
  ListAliasesCommand, ListProvisionedConcurrencyConfigsCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
  PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand, TagResourceCommand, UpdateAliasCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilPublishedVersionActive,
  type CreateFunctionCommandInput, type ListAliasesCommandInput,
} from "@aws-sdk/client-lambda";
import { ROLE, startFlint, type FlintProcess } from "../harness/flint.js";
import { WAITER } from "../harness/functions.js";
import { type Outcome, assertRecorded, fixtureFunction, replay } from "../harness/recorded.js";
import { rawZip, zipFiles } from "../harness/zip.js";

/** AWS keeps at least this many executions for functions without a reservation. */
const MIN_UNRESERVED = 100;
const ECHO = "def handler(event, context):\n    return event\n";

describe("parity with responses recorded from AWS: versions, aliases, concurrency", () => {
  let flint: FlintProcess;
  let session: ReturnType<typeof replay>;
  /** `index.py` for the tests that create functions directly (`index.handler`), `handler.py` for LocalStack's fixture. */
  let zip: Buffer;
  const call = (command: { readonly input: unknown }) => session.call(command);

  /** What the tests that call CreateFunction themselves create (LocalStack's `create_lambda_function_aws`). */
  const direct = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
    new CreateFunctionCommand({ FunctionName: name, Handler: "index.handler", Code: { ZipFile: zip }, PackageType: "Zip", Role: ROLE, Runtime: "python3.12", ...extra });
  const fixture = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => fixtureFunction(zip, name, extra);
  const created = async (outcome: Promise<Outcome>) => {
    const out = await outcome;
    assert.equal(out.status, 201, JSON.stringify(out.body));
    return out;
  };
  const publish = (name: string, extra: { Description?: string; CodeSha256?: string; RevisionId?: string } = {}) => call(new PublishVersionCommand({ FunctionName: name, ...extra }));
  const getFunction = (name: string, qualifier?: string) => call(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
  const listVersions = (name: string) => call(new ListVersionsByFunctionCommand({ FunctionName: name }));
  const accountSettings = async () => (await call(new GetAccountSettingsCommand({}))).body.AccountLimit as { ConcurrentExecutions: number; UnreservedConcurrentExecutions: number };
  /** ListAliases one alias per page, put together as boto3's paginator does. */
  const allAliases = async (input: ListAliasesCommandInput): Promise<Outcome> => {
    const aliases: unknown[] = [];
    let marker: string | undefined;
    do {
      const page = await call(new ListAliasesCommand({ ...input, MaxItems: 1, Marker: marker }));
      assert.equal(page.status, 200, JSON.stringify(page.body));
      aliases.push(...page.body.Aliases);
      marker = page.body.NextMarker;
    } while (marker);
    return { status: 200, body: { Aliases: aliases } };
  };

  before(async () => {
    flint = await startFlint();
    session = replay(flint.endpoint);
    zip = await zipFiles({ "index.py": ECHO, "handler.py": ECHO });
  });
  after(async () => {
    session?.close();
    await flint?.stop();
  });

  // ---- versions -----------------------------------------------------------------------------------

  test("TestLambdaVersions::test_publish_version_on_create", async () => {
    const name = "fn-publish-on-create-flint";
    const check = session.recordedTest("TestLambdaVersions::test_publish_version_on_create", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name, { Publish: true }))));
    await session.waitActive(name);
    check("get_function_result", await getFunction(name));
    check("get_function_version_result", await getFunction(name, "1"));
    check("get_function_latest_result", await getFunction(name, "$LATEST"));
    check("list_versions_result", await listVersions(name));
    // Nothing changed since version 1: publishing again returns it.
    check("repeated_publish_response", await publish(name, { Description: "Repeated version description :)" }));
    check("list_versions_result_after_publish", await listVersions(name));
  });

  test("TestLambdaVersions::test_version_lifecycle", async () => {
    const name = "fn-version-lifecycle-flint";
    const check = session.recordedTest("TestLambdaVersions::test_version_lifecycle", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name, { Description: "No version :(" }))));
    await session.waitActive(name);
    check("get_function_result", await getFunction(name));
    check("list_versions_result", await listVersions(name));
    check("first_update_response", await call(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "First version :)" })));
    await session.waitUpdated(name);
    check("first_update_get_function", await getFunction(name));
    check("first_publish_response", await publish(name, { Description: "First version description :)" }));
    check("first_publish_get_function", await getFunction(name, "1"));
    check("first_publish_get_function_config", await call(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: "1" })));
    check("second_update_response", await call(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "Second version :))" })));
    await session.waitUpdated(name);
    check("first_publish_get_function_after_update", await getFunction(name, "1"));
    check("second_publish_response", await publish(name));
    // $LATEST has not changed since version 2: publishing returns version 2, its description unchanged.
    check("third_publish_response", await publish(name, { Description: "Third version description :)))" }));
    check("list_versions_result_after_third_publish", await listVersions(name));
    assert.equal((await call(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }))).status, 204);
    check("list_versions_result_after_deletion_of_first_version", await listVersions(name));
  });

  test("TestLambdaVersions::test_publish_with_wrong_revisionid", async () => {
    const name = "fn-publish-revision-flint";
    await session.createActive(direct(name));
    const revision = (await getFunction(name)).body.Configuration.RevisionId;
    assertRecorded("TestLambdaVersions::test_publish_with_wrong_revisionid", "publish_wrong_revisionid_exc", await publish(name, { RevisionId: "wrong" }));
    const published = await publish(name, { RevisionId: revision });
    assert.equal(published.status, 201, JSON.stringify(published.body));
    assert.equal(published.body.Version, "1");
  });

  test("TestLambdaVersions::test_publish_with_wrong_sha256", async () => {
    const name = "fn-publish-sha256-flint";
    const check = session.recordedTest("TestLambdaVersions::test_publish_with_wrong_sha256", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name))));
    await session.waitActive(name);
    const got = await getFunction(name);
    check("get_fn_response", got);
    check("publish_wrong_sha256_exc", await publish(name, { CodeSha256: "somenonexistentsha256" }));
    check("publish_result", await publish(name, { CodeSha256: got.body.Configuration.CodeSha256 }));
  });

  test("TestLambdaVersions::test_publish_with_update", async () => {
    const name = "fn-publish-update-flint";
    const check = session.recordedTest("TestLambdaVersions::test_publish_with_update", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name))));
    await session.waitActive(name);
    check("get_function_result", await getFunction(name));
    // The new package takes a while to unpack (32 MB), so version 1 and $LATEST are still being updated when read.
    const slowToUnpack = rawZip([{ name: "index.py", data: Buffer.from(ECHO) }, { name: "blob.bin", data: randomBytes(32 * 1024 * 1024) }]);
    check("update_function_code_result", await call(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: slowToUnpack, Publish: true })));
    check("get_function_version_result", await getFunction(name, "1"));
    check("get_function_latest_result", await getFunction(name, "$LATEST"));
    await session.waitUpdated(name);
  });

  // ---- aliases ------------------------------------------------------------------------------------

  /** A function with version 1 (testenv=staging) and version 2 (testenv=prod), as the alias tests set up. */
  const twoVersions = async (check: (step: string, got: Outcome) => void, name: string, createExtra: Partial<CreateFunctionCommandInput> = {}) => {
    check("create_response", await created(call(direct(name, { Environment: { Variables: { testenv: "staging" } }, ...createExtra }))));
    await session.waitActive(name);
    check("publish_v1", await publish(name));
    assert.equal((await call(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { testenv: "prod" } } }))).status, 200);
    await session.waitUpdated(name);
    check("publish_v2", await publish(name));
  };

  test("TestLambdaAlias::test_alias_lifecycle", async () => {
    const name = "alias-fn-lifecycle-flint";
    const check = session.recordedTest("TestLambdaAlias::test_alias_lifecycle", { "<function-name:1>": name });
    await twoVersions(check, name);
    const createAlias = (Name: string, FunctionVersion: string, extra: object = {}) => call(new CreateAliasCommand({ FunctionName: name, Name, FunctionVersion, ...extra }));
    const getAlias = (Name: string) => call(new GetAliasCommand({ FunctionName: name, Name }));
    const alias11 = await createAlias("aliasname1_1", "1", { Description: "custom-alias", RoutingConfig: { AdditionalVersionWeights: { "2": 0.2 } } });
    check("create_alias_1_1", alias11);
    check("get_alias_1_1", await getAlias("aliasname1_1"));
    check("get_function_alias_1_1", await getFunction(name, "aliasname1_1"));
    check("get_function_byarn_alias_1_1", await getFunction(alias11.body.AliasArn));
    check("get_function_alias_notfound_exc", await getFunction(name, "aliasdoesnotexist"));
    check("get_function_alias_byarn_notfound_exc", await getFunction(alias11.body.AliasArn.replace("aliasname1_1", "aliasdoesnotexist")));
    check("create_alias_1_2", await createAlias("aliasname1_2", "1", { Description: "custom-alias" }));
    check("get_alias_1_2", await getAlias("aliasname1_2"));
    check("create_alias_1_3", await createAlias("aliasname1_3", "1"));
    check("get_alias_1_3", await getAlias("aliasname1_3"));
    check("create_alias_2", await createAlias("aliasname2", "2", { Description: "custom-alias" }));
    check("get_alias_2", await getAlias("aliasname2"));
    check("list_aliases_for_fnname", await allAliases({ FunctionName: name }));
    // An empty routing configuration removes the weights.
    check("update_alias_1_1", await call(new UpdateAliasCommand({ FunctionName: name, Name: "aliasname1_1", RoutingConfig: { AdditionalVersionWeights: {} } })));
    check("get_alias_1_1_after_update", await getAlias("aliasname1_1"));
    check("list_aliases_for_fnname_after_update", await call(new ListAliasesCommand({ FunctionName: name })));
    // An update without changes still gives the alias a new revision.
    check("update_alias_1_2", await call(new UpdateAliasCommand({ FunctionName: name, Name: "aliasname1_2" })));
    check("get_alias_1_2_after_update", await getAlias("aliasname1_2"));
    check("list_aliases_for_fnname_after_update_2", await call(new ListAliasesCommand({ FunctionName: name })));
    check("list_aliases_for_version", await call(new ListAliasesCommand({ FunctionName: name, FunctionVersion: "1" })));
    check("delete_alias_response", await call(new DeleteAliasCommand({ FunctionName: name, Name: "aliasname1_1" })));
    check("list_aliases_for_fnname_afterdelete", await call(new ListAliasesCommand({ FunctionName: name })));
  });

  test("TestLambdaAlias::test_notfound_and_invalid_routingconfigs", async () => {
    const name = "alias-fn-routing-flint";
    const check = session.recordedTest("TestLambdaAlias::test_notfound_and_invalid_routingconfigs", { "<function-name:1>": name });
    await twoVersions(check, name, { Publish: true });
    const custom = (weights: Record<string, number> | undefined, FunctionVersion = "1", Name = "custom", FunctionName = name) =>
      call(new CreateAliasCommand({ FunctionName, Name, FunctionVersion, ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}) }));
    check("routing_config_exc_toomany", await custom({ "1": 0.8, "2": 0.2 }));
    check("routing_config_exc_toohigh", await custom({ "2": 2 }));
    check("routing_config_exc_subzero", await custom({ "2": -1 }));
    check("routing_config_exc_sameversion", await custom({ "1": 0.5 }));
    check("target_version_doesnotexist", await custom({ "2": 0.5 }, "10"));
    check("routing_config_exc_version_doesnotexist", await custom({ "10": 0.5 }));
    check("target_version_exc_version_latest", await custom({ "1": 0.5 }, "$LATEST"));
    check("routing_config_exc_version_latest", await custom({ $LATEST: 0.5 }));
    check("create-alias-latest", await custom(undefined, "$LATEST", "custom-latest"));
    check("routing_config_exc_fn_doesnotexist", await custom({ "2": 0.5 }, "1", "custom", `${name}-unknown`));
    check("create_alias_empty_routingconfig", await custom({}, "1", "custom-empty-routingconfig"));
    check("create_alias_response", await custom({ "2": 0.5 }));
    check("routing_config_exc_already_exist", await custom({ "2": 0.5 }));
    check("alias_does_not_exist_esc", await call(new GetAliasCommand({ FunctionName: name, Name: "non-existent" })));
  });

  test("TestLambdaAlias::test_alias_naming", async () => {
    const name = "alias-fn-naming-flint";
    const check = session.recordedTest("TestLambdaAlias::test_alias_naming", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name, { Environment: { Variables: { testenv: "staging" } } }))));
    await session.waitActive(name);
    check("publish_v1", await publish(name));
    // Numbers may start an alias name (a date, say), but a name cannot be only a number.
    const alias = "2024-01-02";
    check("create_alias_date", await call(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: "1", Description: "custom-alias" })));
    check("get_alias_date", await call(new GetAliasCommand({ FunctionName: name, Name: alias })));
    const invoked = await call(new InvokeCommand({ FunctionName: `${name}:${alias}`, Payload: Buffer.from("{}") }));
    assert.equal(invoked.status, 200, JSON.stringify(invoked.body));
    check("create_alias_number_exception", await call(new CreateAliasCommand({ FunctionName: name, Name: "2024", FunctionVersion: "1", Description: "custom-alias" })));
  });

  test("TestLambdaAlias::test_non_existent_alias_deletion", async () => {
    const name = "alias-fn-delete-flint";
    const check = session.recordedTest("TestLambdaAlias::test_non_existent_alias_deletion", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name, { Environment: { Variables: { testenv: "staging" } } }))));
    check("delete_alias_response", await call(new DeleteAliasCommand({ FunctionName: name, Name: "non-existent" })));
  });

  test("TestLambdaAlias::test_non_existent_alias_update", async () => {
    const name = "alias-fn-update-flint";
    const check = session.recordedTest("TestLambdaAlias::test_non_existent_alias_update", { "<function-name:1>": name });
    check("create_response", await created(call(direct(name, { Environment: { Variables: { testenv: "staging" } } }))));
    check("update_alias_response", await call(new UpdateAliasCommand({ FunctionName: name, Name: "non-existent" })));
  });

  // ---- revisions and tags -------------------------------------------------------------------------

  test("TestLambdaRevisions::test_function_revisions_version_and_alias", async () => {
    const name = "fn-revisions-alias-flint";
    const check = session.recordedTest("TestLambdaRevisions::test_function_revisions_version_and_alias", { "<function-name:1>": name });
    check("create_function_response_rev1", await session.createActive(fixture(name)));
    const rev2 = await getFunction(name);
    check("get_function_active_rev2", rev2);
    check("publish_version_revision_exception", await publish(name, { RevisionId: "wrong" }));
    check("publish_version_response_rev_v1", await publish(name, { RevisionId: rev2.body.Configuration.RevisionId }));
    await waitUntilPublishedVersionActive({ client: session.client.lambda, ...WAITER }, { FunctionName: name, Qualifier: "1" });
    // A published version keeps its revision; publishing gives $LATEST a new one, creating an alias does not.
    check("get_function_published_version_rev_v2", await getFunction(name, "1"));
    check("get_function_latest_rev3", await getFunction(name));
    const alias = await call(new CreateAliasCommand({ FunctionName: name, Name: "revision_alias", FunctionVersion: "1" }));
    check("create_alias_response_rev_a1", alias);
    check("get_function_latest_rev4", await getFunction(name));
    check("get_function_published_version_rev_v3", await getFunction(name, "1"));
    check("update_alias_revision_exception", await call(new UpdateAliasCommand({ FunctionName: name, Name: "revision_alias", RevisionId: "wrong" })));
    check(
      "update_alias_response_rev_a2",
      await call(new UpdateAliasCommand({ FunctionName: name, Name: "revision_alias", Description: "something changed", RevisionId: alias.body.RevisionId })),
    );
  });

  test("TestLambdaTags::test_tag_versions", async () => {
    const name = "fn-tag-versions-flint";
    const check = session.recordedTest("TestLambdaTags::test_tag_versions", { "<function-name:1>": name });
    const functionArn = (await session.createActive(fixture(name, { Tags: { key_a: "value_a" } }))).body.FunctionArn;
    const versionArn = (await publish(name)).body.FunctionArn;
    const tags = { key_b: "value_b", key_c: "value_c", key_d: "value_d", key_e: "value_e" };
    check("tag_resource_exception", await call(new TagResourceCommand({ Resource: versionArn, Tags: tags })));
    check("tag_resource_latest_exception", await call(new TagResourceCommand({ Resource: `${functionArn}:$LATEST`, Tags: tags })));
  });

  // ---- reserved concurrency -----------------------------------------------------------------------

  test("TestLambdaReservedConcurrency::test_function_concurrency_exceptions", async () => {
    const name = "lambda_func-concurrency-exc-flint";
    const check = session.recordedTest("TestLambdaReservedConcurrency::test_function_concurrency_exceptions", {});
    check("put_function_concurrency_with_function_name_doesnotexist", await call(new PutFunctionConcurrencyCommand({ FunctionName: "doesnotexist", ReservedConcurrentExecutions: 1 })));
    check(
      "put_function_concurrency_with_function_name_doesnotexist_and_invalid_concurrency",
      await call(new PutFunctionConcurrencyCommand({ FunctionName: "doesnotexist", ReservedConcurrentExecutions: 0 })),
    );
    await session.createActive(fixture(name));
    const qualifiedArn = (await call(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: "$LATEST" }))).body.FunctionArn;
    check("put_function_concurrency_with_qualified_arn", await call(new PutFunctionConcurrencyCommand({ FunctionName: qualifiedArn, ReservedConcurrentExecutions: 0 })));
  });

  test("TestLambdaReservedConcurrency::test_function_concurrency_limits", async () => {
    const name = "lambda_func-concurrency-limits-flint";
    const check = session.recordedTest("TestLambdaReservedConcurrency::test_function_concurrency_limits", { "<min_unreserved_concurrency>": String(MIN_UNRESERVED) });
    await session.createActive(fixture(name));
    const { ConcurrentExecutions: limit } = await accountSettings();
    // Above the account limit, AWS answers as it does for the last 100 unreserved executions.
    check("put_function_concurrency_account_limit_exceeded", await call(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: limit + 1 })));
    check("put_function_concurrency_below_unreserved_min_value", await call(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: limit })));
  });

  test("TestLambdaReservedConcurrency::test_function_concurrency", async () => {
    const name = "lambda_func-concurrency-flint";
    const check = session.recordedTest("TestLambdaReservedConcurrency::test_function_concurrency", {});
    await session.createActive(fixture(name));
    const put = (n: number) => call(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: n }));
    check("put_function_concurrency_with_reserved_0", await put(0));
    check("put_function_concurrency_with_reserved_1", await put(1));
    check("get_function_concurrency", await call(new GetFunctionConcurrencyCommand({ FunctionName: name })));
    check("delete_response", await call(new DeleteFunctionConcurrencyCommand({ FunctionName: name })));
    check("get_function_concurrency_after_delete", await call(new GetFunctionConcurrencyCommand({ FunctionName: name })));
    // The largest reservation AWS's run made: all the unreserved executions but 101 (not recorded, the account's own).
    const max = (await accountSettings()).UnreservedConcurrentExecutions - (MIN_UNRESERVED + 1);
    const putMax = await put(max);
    assert.equal(putMax.status, 200, JSON.stringify(putMax.body));
    assert.equal(putMax.body.ReservedConcurrentExecutions, max);
    assert.equal((await call(new DeleteFunctionConcurrencyCommand({ FunctionName: name }))).status, 204);
  });

  // ---- provisioned concurrency --------------------------------------------------------------------

  test("TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions", async () => {
    const name = "lambda_func-provisioned-exc-flint";
    const check = session.recordedTest("TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions", { "<function-name:1>": name });
    await session.createActive(fixture(name));
    check("publish_version_result", await publish(name));
    const get = (FunctionName: string, Qualifier: string) => call(new GetProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier }));
    const del = (FunctionName: string, Qualifier: string) => call(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier }));
    const put = (FunctionName: string, Qualifier: string, n: number) =>
      call(new PutProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier, ProvisionedConcurrentExecutions: n }));
    check("get_provisioned_config_doesnotexist", await get(name, "1"));
    check("get_provisioned_functionname_doesnotexist", await get("doesnotexist", "noalias"));
    check("get_provisioned_qualifier_doesnotexist", await get(name, "noalias"));
    check("get_provisioned_version_doesnotexist", await get(name, "10"));
    check("get_provisioned_latest", await get(name, "$LATEST"));
    check("list_provisioned_noconfigs", await call(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name })));
    check("list_provisioned_functionname_doesnotexist", await call(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "doesnotexist" })));
    check("delete_provisioned_functionname_doesnotexist", await del("doesnotexist", "1"));
    check("delete_provisioned_qualifier_doesnotexist", await del(name, "noalias"));
    check("delete_provisioned_version_doesnotexist", await del(name, "10"));
    check("delete_provisioned_latest", await del(name, "$LATEST"));
    check("delete_provisioned_config_doesnotexist", await del(name, "1"));
    check("put_provisioned_invalid_param_0", await put(name, "1", 0));
    check("put_provisioned_functionname_doesnotexist_alias", await put("doesnotexist", "noalias", 1));
    check("put_provisioned_functionname_doesnotexist_version", await put("doesnotexist", "1", 1));
    check("put_provisioned_qualifier_doesnotexist", await put(name, "doesnotexist", 1));
    check("put_provisioned_version_doesnotexist", await put(name, "10", 1));
    check("put_provisioned_latest", await put(name, "$LATEST", 1));
  });

  test("TestLambdaProvisionedConcurrency::test_provisioned_concurrency_limits", async () => {
    const name = "lambda_func-provisioned-limits-flint";
    await session.createActive(fixture(name));
    assert.equal((await publish(name)).status, 201);
    const { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: unreserved } = await accountSettings();
    const check = session.recordedTest("TestLambdaProvisionedConcurrency::test_provisioned_concurrency_limits", {
      "<unreserved_concurrency>": String(unreserved),
      "<min_unreserved_concurrency>": String(MIN_UNRESERVED),
    });
    const put = (n: number) => call(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "1", ProvisionedConcurrentExecutions: n }));
    check("put_provisioned_concurrency_account_limit_exceeded", await put(limit + 1));
    check("put_provisioned_concurrency_below_unreserved_min_value", await put(limit));
  });

  test("TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle", async () => {
    const name = "lambda_func-provisioned-lifecycle-flint";
    const alias = "alias-provisioned-flint";
    const check = session.recordedTest("TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle", { "<function-name:1>": name, "<alias-name>": alias });
    await session.createActive(fixture(name));
    check("publish_version_result", await publish(name));
    await session.waitActive(name, "1");
    check("create_alias_result", await call(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: "1" })));
    const put = (Qualifier: string) => call(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier, ProvisionedConcurrentExecutions: 1 }));
    const get = (Qualifier: string) => call(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier }));
    // A version and an alias that points to it cannot both have provisioned concurrency.
    check("put_provisioned_on_version", await put("1"));
    check("put_provisioned_on_alias_versionconflict", await put(alias));
    for (let status = ""; status !== "READY"; ) {
      status = (await get("1")).body.Status;
      assert.notEqual(status, "FAILED");
      await new Promise((r) => setTimeout(r, 100));
    }
    check("delete_provisioned_version", await call(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "1" })));
    check("get_provisioned_version_postdelete", await get("1"));
    check("put_provisioned_on_alias", await put(alias));
    check("put_provisioned_on_version_conflict", await put("1"));
    // Deleting the alias deletes its provisioned concurrency configuration.
    check("delete_alias_result", await call(new DeleteAliasCommand({ FunctionName: name, Name: alias })));
    check("get_provisioned_alias_postaliasdelete", await get(alias));
    check("list_response_postdeletes", await call(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name })));
  });
});
