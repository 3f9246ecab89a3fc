import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../clock/manual-clock.js";
import type { AwsError } from "../../errors.js";
import type { FunctionUrlStore } from "../../store/function-url-store.js";
import type { Store } from "../../store/store.js";
import type { FunctionRecord, FunctionVersion } from "./model.js";
import { type FunctionUrlRecord, FunctionUrlService } from "./function-urls.js";
import { FunctionRegistry } from "./registry.js";
import { aloneBus } from "../../store/change-bus.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const version = (v: string): FunctionVersion => ({
  functionName: "fn", version: v, runtime: "python3.12", handler: "handler.handler", role: "arn:aws:iam::000000000000:role/r",
  description: "", timeout: 3, memorySize: 128, ephemeralStorage: 512, architectures: ["x86_64"],
  code: { id: "c", sha256: "s", size: 1 }, lastModified: "2024-01-01T00:00:00.000+0000", revisionId: `rev-${v}`, state: "Active",
  loggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/fn" }, tracingMode: "PassThrough",
});

/** A function `fn` with version 1 and alias `live`, and a URL store held in a Map. */
async function setup(stored: FunctionUrlRecord[] = []) {
  const record: FunctionRecord = {
    name: "fn", latest: version("$LATEST"), tags: {}, createdAt: 0, nextVersion: 2,
    versions: { "1": version("1") }, aliases: { live: { name: "live", functionVersion: "1", description: "", revisionId: "rev-live" } },
    provisioned: {}, eventInvokeConfigs: {},
  };
  const functions = { listFunctions: async () => [record], putFunction: async () => {}, insertFunction: async () => true, deleteFunction: async () => {}, changes: aloneBus() };
  const registry = await FunctionRegistry.load(ACCOUNT, functions as unknown as Store, new ManualClock());
  const rows = new Map(stored.map((r) => [r.urlId, r]));
  const store: FunctionUrlStore = {
    listUrls: async () => [...rows.values()],
    putUrl: async (r) => void rows.set(r.urlId, r),
    deleteUrl: async (id) => void rows.delete(id),
    deleteUrlsOf: async (name) => {
      for (const [id, r] of rows) if (r.functionName === name) rows.delete(id);
    },
  };
  const urls = await FunctionUrlService.create({ registry, store, port: () => 4566, now: () => Date.UTC(2026, 0, 1) });
  return { urls, rows };
}

const refusal = async (call: Promise<unknown> | (() => unknown), code: string, message: string) =>
  assert.rejects(typeof call === "function" ? async () => call() : call, (err: AwsError) => {
    assert.deepEqual([err.code, err.message], [code, message]);
    return true;
  });

const idOf = (url: unknown) => String(url).slice("http://".length, "http://".length + 32);

describe("function URL configs", () => {
  test("a URL is AWS's form on the server's port, with a 32-character lower-case id, found by that id", async () => {
    const { urls, rows } = await setup();
    const made = await urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE" });
    assert.match(String(made.FunctionUrl), /^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:4566\/$/);
    assert.deepEqual(Object.keys(made), ["FunctionUrl", "FunctionArn", "AuthType", "CreationTime"]);
    assert.equal(made.CreationTime, "2026-01-01T00:00:00.000Z");
    assert.equal(urls.find(idOf(made.FunctionUrl))?.functionName, "fn");
    assert.equal(rows.size, 1);
  });

  test("the function and each alias have one URL each; a second is a conflict", async () => {
    const { urls } = await setup();
    await urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE" });
    const alias = await urls.createFunctionUrlConfig("fn", "live", { authType: "AWS_IAM" });
    assert.equal(alias.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:fn:live");
    await refusal(
      urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE" }),
      "ResourceConflictException",
      "Failed to create function url config for [functionArn = arn:aws:lambda:us-east-1:000000000000:function:fn]. Error message:  FunctionUrlConfig exists for this Lambda function",
    );
  });

  test("versions and $LATEST are refused before any lookup; a missing function or alias does not exist", async () => {
    const { urls } = await setup();
    const pattern = (v: string) => `1 validation error detected: Value '${v}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`;
    await refusal(() => urls.createFunctionUrlConfig("nope", "1", { authType: "NONE" }), "ValidationException", pattern("1"));
    await refusal(() => urls.getFunctionUrlConfig("fn", "$LATEST"), "ValidationException", pattern("$LATEST"));
    await refusal(() => urls.getFunctionUrlConfig("fn:1", undefined), "ValidationException", pattern("1"));
    await refusal(urls.createFunctionUrlConfig("nope", undefined, { authType: "NONE" }), "ResourceNotFoundException", "Function does not exist");
    await refusal(urls.createFunctionUrlConfig("fn", "gone", { authType: "NONE" }), "ResourceNotFoundException", "Function does not exist");
    await refusal(() => urls.getFunctionUrlConfig("fn", undefined), "ResourceNotFoundException", "The resource you requested does not exist.");
    await refusal(() => urls.listFunctionUrlConfigs("nope", undefined, undefined), "ResourceNotFoundException", "Function does not exist");
  });

  test("an update keeps what it does not give; InvokeMode shows from Update once set, from Get always", async () => {
    const { urls } = await setup();
    const cors = { AllowOrigins: ["*"] };
    await urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE", cors });
    const updated = await urls.updateFunctionUrlConfig("fn", undefined, { authType: "AWS_IAM" });
    assert.deepEqual([updated.AuthType, updated.Cors, updated.InvokeMode], ["AWS_IAM", cors, undefined]);
    assert.equal(urls.getFunctionUrlConfig("fn", undefined).InvokeMode, "BUFFERED");
    const streamed = await urls.updateFunctionUrlConfig("fn", undefined, { invokeMode: "RESPONSE_STREAM" });
    assert.deepEqual([streamed.AuthType, streamed.InvokeMode], ["AWS_IAM", "RESPONSE_STREAM"]);
  });

  test("bad members are reported together and change nothing", async () => {
    const { urls, rows } = await setup();
    await refusal(
      () => urls.createFunctionUrlConfig("fn", undefined, { authType: "BASIC", invokeMode: "UNKNOWN", cors: { MaxAge: -1 } }),
      "ValidationException",
      "3 validation errors detected: Value 'BASIC' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]; " +
        "Value '-1' at 'cors.maxAge' failed to satisfy constraint: Member must have value greater than or equal to 0; " +
        "Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]",
    );
    await refusal(() => urls.createFunctionUrlConfig("fn", undefined, {}), "ValidationException", "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
    assert.equal(rows.size, 0);
  });

  test("List pages by MaxItems, at most 50 a page", async () => {
    const { urls } = await setup();
    await urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE" });
    await urls.createFunctionUrlConfig("fn", "live", { authType: "NONE" });
    const first = urls.listFunctionUrlConfigs("fn", undefined, "1");
    assert.equal((first.FunctionUrlConfigs as unknown[]).length, 1);
    const rest = urls.listFunctionUrlConfigs("fn", first.NextMarker as string, "100");
    assert.equal((rest.FunctionUrlConfigs as unknown[]).length, 1);
    assert.equal(rest.NextMarker, undefined);
  });

  test("a deleted function's URLs go, from memory and from the store; stored URLs come back at start", async () => {
    const { urls, rows } = await setup();
    const made = await urls.createFunctionUrlConfig("fn", undefined, { authType: "NONE" });
    const again = await setup([...rows.values()]);
    assert.equal(again.urls.find(idOf(made.FunctionUrl))?.authType, "NONE");
    await urls.functionDeleted("fn");
    assert.equal(urls.find(idOf(made.FunctionUrl)), undefined);
    assert.equal(rows.size, 0);
  });
});
