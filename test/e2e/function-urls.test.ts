/**
 * Function URL configs, the control plane, through the AWS CLI v2 and the SDK: create, get, update,
 * list and delete a function's and an alias's URL, with AWS's recorded answers and errors.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteFunctionCommand, DeleteFunctionUrlConfigCommand, GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand, PublishVersionCommand, UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { rm } from "node:fs/promises";
import { ACCOUNT, REGION, startFlint, type FlintProcess, uniqueName } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { type Outcome, replay, stepOf } from "../harness/recorded.js";
import { zipFixture } from "../harness/zip.js";

const arn = (name: string, qualifier?: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ""}`;

describe("function URL configs", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  let rec: ReturnType<typeof replay>;
  /** FunctionUrl as this server gives it: AWS's form on its own port. */
  let URL_FORM: RegExp;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
    rec = replay(flint.endpoint);
    URL_FORM = new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.${REGION}\\.localhost:${flint.port}/$`);
  });
  after(async () => {
    rec.close();
    // The server restarted on its own data dir ("URL configs outlive a restart") no longer owns it.
    const dir = flint.dataDir;
    await flint.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** An outcome with each FunctionUrl checked for this server's form and put as the recording names it (`lambda-url`). */
  const recordedForm = (out: Outcome): Outcome => {
    const visit = (v: any): void => {
      if (!v || typeof v !== "object") return;
      if (typeof v.FunctionUrl === "string") {
        assert.match(v.FunctionUrl, URL_FORM);
        v.FunctionUrl = "lambda-url";
      }
      Object.values(v).forEach(visit);
    };
    visit(out.body);
    return out;
  };

  test("the CLI creates, gets, updates, lists and deletes a URL as AWS answers it (recorded test_url_config_lifecycle)", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const check = rec.recordedTest("TestLambdaUrl::test_url_config_lifecycle", { "<resource:1>": name });
    const created = await flint.aws(["lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE"]);
    assert.equal(created.code, 0, created.stderr);
    const url = created.json().FunctionUrl;
    assert.match(url, URL_FORM);
    check("url_creation", recordedForm({ status: 201, body: created.json() }));
    check("failed_duplication", await rec.call(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" })));
    const got = await flint.aws(["lambda", "get-function-url-config", "--function-name", name]);
    assert.equal(got.json().FunctionUrl, url);
    // CLI 2.9.19's model predates InvokeMode and drops it from what it prints: the SDK's view is compared.
    check("get_url_config", recordedForm(await rec.call(new GetFunctionUrlConfigCommand({ FunctionName: name }))));
    const updated = await flint.aws(["lambda", "update-function-url-config", "--function-name", name, "--auth-type", "AWS_IAM"]);
    assert.equal(updated.json().FunctionUrl, url, "an update keeps the URL");
    check("updated_url_config", recordedForm({ status: 200, body: updated.json() }));
    const listed = await flint.aws(["lambda", "list-function-url-configs", "--function-name", name]);
    assert.deepEqual(listed.json().FunctionUrlConfigs.map((c: any) => [c.FunctionUrl, c.AuthType]), [[url, "AWS_IAM"]]);
    const deleted = await flint.aws(["lambda", "delete-function-url-config", "--function-name", name]);
    assert.equal(deleted.code, 0, deleted.stderr);
    check("failed_getter", await rec.call(new GetFunctionUrlConfigCommand({ FunctionName: name })));
    const again = await flint.aws(["lambda", "get-function-url-config", "--function-name", name]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /ResourceNotFoundException.*The resource you requested does not exist\./);
  });

  test("a URL belongs to the function or to an alias, and each is listed and deleted on its own (recorded test_url_config_list_paging)", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const check = rec.recordedTest("TestLambdaUrl::test_url_config_list_paging", { "<function-name:1>": name });
    await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "urlalias", FunctionVersion: "1" }));
    check("list_function_notfound", await rec.call(new ListFunctionUrlConfigsCommand({ FunctionName: "doesnotexist" })));
    check("list_all_empty", await rec.call(new ListFunctionUrlConfigsCommand({ FunctionName: name })));
    check("url_config_fn", recordedForm(await rec.call(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }))));
    check("url_config_alias", recordedForm(await rec.call(new CreateFunctionUrlConfigCommand({ FunctionName: `${name}:urlalias`, Qualifier: "urlalias", AuthType: "NONE" }))));
    const all = recordedForm(await rec.call(new ListFunctionUrlConfigsCommand({ FunctionName: name })));
    all.body.FunctionUrlConfigs.sort((x: any, y: any) => (x.FunctionArn < y.FunctionArn ? -1 : 1));
    check("list_all", all);
    const first = await flint.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name, MaxItems: 1 }));
    assert.equal(first.FunctionUrlConfigs!.length, 1);
    const second = await flint.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name, MaxItems: 1, Marker: first.NextMarker }));
    assert.equal(second.FunctionUrlConfigs!.length, 1);
    assert.equal(second.NextMarker, undefined);
    assert.notEqual(first.FunctionUrlConfigs![0]!.FunctionUrl, second.FunctionUrlConfigs![0]!.FunctionUrl, "the function's URL and the alias's differ");
    // Deleting the function's URL leaves the alias's (recorded test_url_config_deletion_without_qualifier).
    await flint.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: name }));
    const left = await flint.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "urlalias" }));
    assert.equal(left.FunctionArn, arn(name, "urlalias"));
  });

  test("qualifiers that are versions or $LATEST, unknown functions and aliases get AWS's errors (recorded test_url_config_exceptions)", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "urlalias", FunctionVersion: "1" }));
    const check = rec.recordedTest("TestLambdaUrl::test_url_config_exceptions", { "<function-name:1>": name });
    const missingArn = arn("doesnotexist");
    const cases: [string, { FunctionName: string; Qualifier?: string }][] = [
      ["name_doesnotexist", { FunctionName: "doesnotexist" }],
      ["arn_doesnotexist", { FunctionName: missingArn }],
      ["name_doesnotexist_qualifier", { FunctionName: "doesnotexist", Qualifier: "1" }],
      ["qualifier_version", { FunctionName: name, Qualifier: "1" }],
      ["qualifier_version_doesnotexist", { FunctionName: name, Qualifier: "2" }],
      ["qualifier_alias_doesnotexist", { FunctionName: name, Qualifier: "v1" }],
      ["qualifier_alias_doesnotmatch_arn", { FunctionName: `${name}:urlalias-doesnotmatch`, Qualifier: "urlalias" }],
      ["qualifier_latest", { FunctionName: name, Qualifier: "$LATEST" }],
    ];
    const calls = {
      create: (input: (typeof cases)[number][1]) => new CreateFunctionUrlConfigCommand({ ...input, AuthType: "NONE" }),
      get: (input: (typeof cases)[number][1]) => new GetFunctionUrlConfigCommand(input),
      update: (input: (typeof cases)[number][1]) => new UpdateFunctionUrlConfigCommand({ ...input, AuthType: "NONE" }),
      delete: (input: (typeof cases)[number][1]) => new DeleteFunctionUrlConfigCommand(input),
    };
    for (const [step, input] of cases) {
      for (const [operation, command] of Object.entries(calls)) {
        const name = `${operation}_function_url_config_${step}`;
        // Steps AWS did not answer with an error of its model (an internal failure) are not compared.
        if (typeof stepOf("TestLambdaUrl::test_url_config_exceptions", name) === "object") check(name, await rec.call(command(input)));
      }
    }
    const missing = rec.recordedTest("TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_url_config]", { "<nonexisting-fn-name>": "doesnotexist" });
    missing("not_found_exception", await rec.call(new GetFunctionUrlConfigCommand({ FunctionName: "doesnotexist" })));
    const region = rec.recordedTest("TestLambdaFunction::test_get_function_wrong_region[get_function_url_config]", { "<wrong-region>": "eu-central-1" });
    region("wrong_region_exception", await rec.call(new GetFunctionUrlConfigCommand({ FunctionName: `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:${name}` })));
    check("get_function_url_config_config_doesnotexist", await rec.call(new GetFunctionUrlConfigCommand({ FunctionName: name })));
    check("update_function_url_config_config_doesnotexist", await rec.call(new UpdateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" })));
  });

  test("InvokeMode is echoed once given, kept by an update without it, and Get says BUFFERED by default (recorded lambda-url-update-invokemode)", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const created = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE", InvokeMode: "BUFFERED" }));
    assert.equal(created.InvokeMode, "BUFFERED");
    const streamed = await flint.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, InvokeMode: "RESPONSE_STREAM" }));
    assert.equal(streamed.InvokeMode, "RESPONSE_STREAM");
    assert.equal(streamed.AuthType, "NONE");
    const untouched = await flint.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    assert.equal(untouched.InvokeMode, "RESPONSE_STREAM");
    assert.equal((await flint.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).InvokeMode, "RESPONSE_STREAM");
    const plain = await createFunction(flint, zip, "echo.handler");
    const bare = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: plain, AuthType: "NONE" }));
    assert.equal(bare.InvokeMode, undefined);
    assert.equal((await flint.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: plain }))).InvokeMode, "BUFFERED");
  });

  test("bad AuthType, InvokeMode and Cors values get AWS's validation messages and change nothing", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const refused = async (body: Record<string, unknown>) => {
      const out = await flint.aws(["lambda", "create-function-url-config", "--function-name", name, "--cli-input-json", JSON.stringify(body)]);
      assert.notEqual(out.code, 0, out.stdout);
      return out.stderr;
    };
    assert.match(await refused({ AuthType: "BASIC" }), /ValidationException.*1 validation error detected: Value 'BASIC' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, AWS_IAM\]/);
    assert.match(await refused({ AuthType: "NONE", Cors: { MaxAge: 86401 } }), /Value '86401' at 'cors\.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400/);
    assert.match(await refused({ AuthType: "NONE", Cors: { AllowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] } }), /at 'cors\.allowMethods' failed to satisfy constraint: Member must have length less than or equal to 6/);
    const mode = await rec.call(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE", InvokeMode: "UNKNOWN" as never }));
    assert.deepEqual([mode.status, mode.code, mode.body.message], [400, "ValidationException", "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"]);
    const none = await flint.aws(["lambda", "list-function-url-configs", "--function-name", name]);
    assert.deepEqual(none.json().FunctionUrlConfigs, []);
    const cors = { AllowOrigins: ["https://app.example"], AllowMethods: ["GET"], AllowHeaders: ["x-a"], ExposeHeaders: ["x-b"], MaxAge: 60, AllowCredentials: true };
    const made = await flint.aws(["lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE", "--cors", JSON.stringify(cors)]);
    assert.deepEqual(made.json().Cors, cors);
  });

  test("deleting a function deletes its URLs; a function created again under its name has none", async () => {
    const name = uniqueName("url-gone");
    await createFunction(flint, zip, "echo.handler", { FunctionName: name });
    await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await createFunction(flint, zip, "echo.handler", { FunctionName: name });
    const listed = await flint.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name }));
    assert.deepEqual(listed.FunctionUrlConfigs, []);
  });

  test("URL configs outlive a restart", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const made = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "AWS_IAM" }));
    const dataDir = flint.dataDir;
    await flint.stop({ cleanup: false });
    rec.close();
    flint = await startFlint({ dataDir });
    rec = replay(flint.endpoint);
    URL_FORM = new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.${REGION}\\.localhost:${flint.port}/$`);
    const got = await flint.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }));
    assert.equal(got.AuthType, "AWS_IAM");
    assert.equal(got.FunctionUrl!.split(".")[0], made.FunctionUrl!.split(".")[0], "the URL id stays");
    assert.match(got.FunctionUrl!, URL_FORM);
  });
});
