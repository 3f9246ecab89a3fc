/**
 * Parity with real AWS for asynchronous invocation settings: replays, through the AWS SDK against a real
 * `flint serve`, the calls of LocalStack's recorded TestLambdaEventInvokeConfig tests and the
 * GetFunctionEventInvokeConfig cases of TestLambdaFunction (nonexistent function, nonexistent version,
 * wrong region), and compares them the way test/harness/recorded.ts describes. A `LastModified` AWS
 * recorded as `datetime` must be epoch seconds on the wire.
 *
 * AWS's runs sent these through boto3 with its parameter validation off; the JS SDK validates nothing
 * either, so the same bodies reach Flint. The ListFunctionEventInvokeConfigs results are compared sorted
 * by FunctionArn, as the recording's SortingTransformer kept them.
 *
 * Not recorded, so not replayed: DeadLetterConfig (no recorded case names it; event-invoke-config-cli.test.ts
 * covers it with the AWS CLI), destinations other than Lambda functions (SQS, SNS, EventBridge, S3), and
 * UpdateFunctionEventInvokeConfig's DestinationConfig merging.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAliasCommand, DeleteFunctionEventInvokeConfigCommand, GetFunctionCommand, GetFunctionEventInvokeConfigCommand,
  ListFunctionEventInvokeConfigsCommand, PublishVersionCommand, PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand, type PutFunctionEventInvokeConfigCommandInput,
} from "@aws-sdk/client-lambda";
import { ACCOUNT, startFlint, type FlintProcess } from "../harness/flint.js";
import { type Case, type Command, type Outcome, FN_ARN, assertRecorded, fixtureFunction, replay, steps } from "../harness/recorded.js";
import { zipFiles } from "../harness/zip.js";

/** A function created before the cases run; nothing gives it an event invoke config. */
const EXISTING = "i-exist-async-flint";
const MISSING = "i-dont-exist-async-flint";

const getConfig = (FunctionName: string, Qualifier?: string) => new GetFunctionEventInvokeConfigCommand({ FunctionName, Qualifier });

const CASES: Case[] = [
  ...steps(
    "TestLambdaFunction::test_ops_on_nonexisting_version[get_function_event_invoke_config]",
    { version_not_found_exception: () => getConfig(EXISTING, "1221") },
    { names: { "<fn-name>": EXISTING } },
  ),
  ...steps(
    "TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_event_invoke_config]",
    { not_found_exception: () => getConfig(MISSING) },
    { names: { "<nonexisting-fn-name>": MISSING } },
  ),
  ...steps(
    "TestLambdaFunction::test_get_function_wrong_region[get_function_event_invoke_config]",
    { wrong_region_exception: () => getConfig(`arn:aws:lambda:eu-central-1:${ACCOUNT}:function:${EXISTING}`) },
    { names: { "<wrong-region>": "eu-central-1" } },
  ),
];

/** The recording sorted list results by FunctionArn (LocalStack's SortingTransformer). */
const sortedByArn = (out: Outcome): Outcome => {
  if (!Array.isArray(out.body?.FunctionEventInvokeConfigs)) return out;
  const configs = [...out.body.FunctionEventInvokeConfigs].sort((x, y) => (x.FunctionArn < y.FunctionArn ? -1 : x.FunctionArn > y.FunctionArn ? 1 : 0));
  return { ...out, body: { ...out.body, FunctionEventInvokeConfigs: configs } };
};

describe("parity with responses recorded from AWS: event invoke configs", () => {
  let flint: FlintProcess;
  let session: ReturnType<typeof replay>;
  let zip: Buffer;
  const call = (command: Command) => session.call(command);
  const put = (input: PutFunctionEventInvokeConfigCommandInput) => call(new PutFunctionEventInvokeConfigCommand(input));
  const update = (input: PutFunctionEventInvokeConfigCommandInput) => call(new UpdateFunctionEventInvokeConfigCommand(input));
  const get = (FunctionName: string, Qualifier?: string) => call(getConfig(FunctionName, Qualifier));
  const del = (FunctionName: string, Qualifier?: string) => call(new DeleteFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
  const list = async (FunctionName: string, MaxItems?: number, Marker?: string) => call(new ListFunctionEventInvokeConfigsCommand({ FunctionName, MaxItems, Marker }));
  const ok = (out: Outcome, status = 200) => {
    assert.equal(out.status, status, JSON.stringify(out.body));
    return out.body;
  };

  before(async () => {
    flint = await startFlint();
    session = replay(flint.endpoint);
    zip = await zipFiles({ "handler.py": "def handler(event, context):\n    return event\n" });
    await session.createActive(fixtureFunction(zip, EXISTING));
  });
  after(async () => {
    session?.close();
    await flint?.stop();
  });

  for (const c of CASES) {
    test(`${c.test} › ${c.step}`, async () => assertRecorded(c.test, c.step, await call(c.call()), c.names, c.tolerance));
  }

  test("TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle", async () => {
    const name = "fn-eventinvoke-lifecycle-flint";
    const check = session.recordedTest("TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle", { "<function-name:1>": name });
    await session.createActive(fixtureFunction(zip, name));
    const before = Date.now() / 1000;
    const first = await put({ FunctionName: name, MaximumRetryAttempts: 0 });
    check("put_invokeconfig_retries_0", first);
    // Timestamps are epoch seconds (a JSON number), not the ISO text of FunctionConfiguration.LastModified.
    assert.equal(typeof first.body.LastModified, "number");
    assert.ok(first.body.LastModified >= before - 1 && first.body.LastModified <= Date.now() / 1000 + 1, String(first.body.LastModified));
    // Put replaces the whole configuration; Update changes only what it is given.
    check("put_invokeconfig_eventage_60", await put({ FunctionName: name, MaximumEventAgeInSeconds: 60 }));
    check("update_invokeconfig_eventage_nochange", await update({ FunctionName: name, MaximumEventAgeInSeconds: 60 }));
    check("update_invokeconfig_retries", await update({ FunctionName: name, MaximumRetryAttempts: 1 }));
    check("get_invokeconfig", await get(name));
    check("get_invokeconfig_latest", await get(name, "$LATEST"));
    check("list_single_invokeconfig", await list(name));
    const published = await call(new PublishVersionCommand({ FunctionName: name }));
    check("publish_version_result", published);
    const version = published.body.Version as string;
    // A version does not inherit $LATEST's configuration.
    check("get_invokeconfig_postpublish", await get(name, version));
    check("put_published_invokeconfig", await put({ FunctionName: name, Qualifier: version, MaximumEventAgeInSeconds: 120 }));
    check("get_published_invokeconfig", await get(name, version));

    const single = ok(await list(name, 1));
    const all = ok(await list(name));
    assert.equal(single.FunctionEventInvokeConfigs.length, 1);
    assert.equal(all.FunctionEventInvokeConfigs.length, 2);
    const remaining = ok(await list(name, 1, single.NextMarker));
    assert.equal(remaining.FunctionEventInvokeConfigs.length, 1);
    assert.equal(remaining.NextMarker, undefined);
    assert.deepEqual(
      new Set([single, remaining].map((page) => page.FunctionEventInvokeConfigs[0].FunctionArn)),
      new Set(all.FunctionEventInvokeConfigs.map((c: { FunctionArn: string }) => c.FunctionArn)),
    );

    ok(await del(name), 204);
    check("list_paging_nolimit_postdelete", await list(name));
  });

  test("TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions", async () => {
    const name = "fn-eventinvoke-exc-flint";
    const other = "fn-eventinvoke-exc-2-flint";
    const check = session.recordedTest("TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions", { "<function-name:1>": name });
    const checkList = async (step: string, out: Promise<Outcome>) => check(step, sortedByArn(await out));
    await session.createActive(fixtureFunction(zip, name));
    await session.createActive(fixtureFunction(zip, other));
    const fnArn = ok(await call(new GetFunctionCommand({ FunctionName: name }))).Configuration.FunctionArn as string;
    const otherArn = ok(await call(new GetFunctionCommand({ FunctionName: other }))).Configuration.FunctionArn as string;

    const published = await call(new PublishVersionCommand({ FunctionName: name }));
    check("fn_version_result", published);
    const version = published.body.Version as string;
    const alias = await call(new CreateAliasCommand({ FunctionName: name, Name: "eventinvokealias", FunctionVersion: version }));
    check("fn_alias_result", alias);
    const aliasName = alias.body.Name as string;
    const aliasArn = alias.body.AliasArn as string;

    // FunctionName
    const fakeArn = `${FN_ARN}doesnotexist`;
    check("put_functionname_name_notfound", await put({ FunctionName: "doesnotexist", MaximumRetryAttempts: 1 }));
    check("put_functionname_arn_notfound", await put({ FunctionName: fakeArn, MaximumRetryAttempts: 1 }));
    // Nothing to set is refused before the function is looked up.
    check("put_functionname_nootherargs", await put({ FunctionName: "doesnotexist" }));

    // Destinations
    check("put_destination_lambda_doesntexist", await put({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: fakeArn } } }));
    check("put_destination_recursive", await put({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: fnArn } } }));
    const toOther = await put({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: otherArn } } });
    check("put_destination_other_lambda", toOther);
    assert.equal(toOther.body.DestinationConfig.OnSuccess.Destination, otherArn);
    check("put_destination_invalid_service_arn", await put({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: fnArn.replace(":lambda:", ":iam:") } } }));
    check("put_destination_success_no_destination_arn", await put({ FunctionName: name, DestinationConfig: { OnSuccess: {} } }));
    check("put_destination_failure_no_destination_arn", await put({ FunctionName: name, DestinationConfig: { OnFailure: {} } }));
    check("put_destination_invalid_arn_pattern", await put({ FunctionName: name, DestinationConfig: { OnFailure: { Destination: fnArn.replace(":lambda:", ":_-/!lambda:") } } }));

    // FunctionName and Qualifier
    check("put_destination_latest", await put({ FunctionName: name, MaximumRetryAttempts: 1 }));
    check("put_destination_latest_explicit_qualifier", await put({ FunctionName: name, Qualifier: "$LATEST", MaximumRetryAttempts: 1 }));
    check("put_destination_version", await put({ FunctionName: name, Qualifier: version, MaximumRetryAttempts: 1 }));
    check("put_alias_functionname_qualifier", await put({ FunctionName: name, Qualifier: aliasName, MaximumRetryAttempts: 1 }));
    check("put_alias_doesnotexist", await put({ FunctionName: name, Qualifier: `${aliasName}doesnotexist`, MaximumRetryAttempts: 1 }));
    check("put_alias_qualifiedarn", await put({ FunctionName: aliasArn, MaximumRetryAttempts: 1 }));
    check("put_alias_qualifiedarn_qualifier", await put({ FunctionName: aliasArn, Qualifier: aliasName, MaximumRetryAttempts: 1 }));
    check("put_alias_qualifiedarn_qualifierconflict", await put({ FunctionName: aliasArn, Qualifier: `${aliasName}doesnotexist`, MaximumRetryAttempts: 1 }));
    check("put_alias_shorthand", await put({ FunctionName: `${name}:${aliasName}`, MaximumRetryAttempts: 1 }));
    check("put_alias_shorthand_qualifier", await put({ FunctionName: `${name}:${aliasName}`, Qualifier: aliasName, MaximumRetryAttempts: 1 }));
    check("put_alias_shorthand_qualifierconflict", await put({ FunctionName: `${name}:${aliasName}`, Qualifier: `${aliasName}doesnotexist`, MaximumRetryAttempts: 1 }));
    check("put_version_shorthand", await put({ FunctionName: `${name}:${version}`, MaximumRetryAttempts: 1 }));
    check("put_shorthand_qualifier_match", await put({ FunctionName: `${name}:$LATEST`, Qualifier: "$LATEST", MaximumRetryAttempts: 1 }));
    check("put_shorthand_qualifier_mismatch_1", await put({ FunctionName: `${name}:${version}`, Qualifier: "$LATEST", MaximumRetryAttempts: 1 }));
    check("put_shorthand_qualifier_mismatch_2", await put({ FunctionName: `${name}:$LATEST`, Qualifier: version, MaximumRetryAttempts: 1 }));
    check("put_shorthand_qualifier_mismatch_3", await put({ FunctionName: `${name}:${version}`, Qualifier: aliasName, MaximumRetryAttempts: 1 }));
    check("put_maxevent_maxvalue_result", await put({ FunctionName: name, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 }));

    // Put overwrites, Update merges
    check("put_pre_overwrite", await put({ FunctionName: name, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }));
    check("put_post_overwrite", await put({ FunctionName: name, MaximumRetryAttempts: 0 }));
    check("second_overwrite_existing_response", await put({ FunctionName: name, MaximumRetryAttempts: 0 }));
    const overwritten = await get(name);
    check("get_post_overwrite", overwritten);
    assert.equal(overwritten.body.MaximumRetryAttempts, 0);
    assert.ok(!("MaximumEventAgeInSeconds" in overwritten.body));
    check("pre_update_response", await put({ FunctionName: name, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }));
    check("update_response", await update({ FunctionName: name, MaximumRetryAttempts: 0 }));
    check("update_response_existing", await update({ FunctionName: name, MaximumRetryAttempts: 0 }));
    const updated = ok(await get(name));
    assert.equal(updated.MaximumRetryAttempts, 0);
    assert.equal(updated.MaximumEventAgeInSeconds, 60);

    // Delete and list
    await checkList("list_configs", list(name));
    const paged = ok(await list(name, 2));
    assert.equal(paged.FunctionEventInvokeConfigs.length, 2);
    assert.ok(paged.NextMarker);
    check("delete_latest", await del(name, "$LATEST"));
    check("delete_version", await del(name, version));
    check("delete_alias", await del(name, aliasName));
    await checkList("list_configs_postdelete", list(name));
    check("delete_function_not_found", await del(name));
    check("delete_function_doesnotexist", await del("doesnotexist"));

    // More exceptions
    check("list_function_doesnotexist", await list("doesnotexist"));
    check("get_function_doesnotexist", await get("doesnotexist"));
    check("get_qualifier_doesnotexist", await get(name, "doesnotexist"));
    check("update_eventinvokeconfig_function_doesnotexist", await update({ FunctionName: "doesnotexist", MaximumRetryAttempts: 0 }));
    check("get_eventinvokeconfig_doesnotexist", await get(aliasArn));
    check("update_eventinvokeconfig_config_doesnotexist_with_qualifier", await update({ FunctionName: aliasArn, MaximumRetryAttempts: 0 }));
    check("update_eventinvokeconfig_config_doesnotexist_without_qualifier", await update({ FunctionName: fnArn, MaximumRetryAttempts: 0 }));
  });
});
