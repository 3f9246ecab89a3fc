/** Bad input gets a clear AWS-shaped error, changes nothing, and never takes the server down. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateFunctionCommand, GetFunctionCommand, ListFunctionsCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { rawZip, zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";
import { signedFetch } from "../harness/signed-fetch.js";

describe("bad input", () => {
  let flint: FlintProcess;
  let fn: string;
  let zipB64: string;
  before(async () => {
    flint = await startFlint();
    const zip = await zipFixture("nodejs");
    zipB64 = zip.toString("base64");
    fn = await createFunction(flint, zip, "echo.handler");
  });
  after(() => flint.stop());

  const invokePath = () => `/2015-03-31/functions/${fn}/invocations`;

  test("malformed JSON bodies are InvalidRequestContentException and create nothing", async () => {
    const name = uniqueName("malformed");
    const r = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: `{"FunctionName":"${name}",` });
    assert.equal(r.status, 400);
    assert.equal(r.errorType, "InvalidRequestContentException");
    assert.equal(r.body.Type, "User");
    assert.match(r.body.message, /^Could not parse request body into json: Could not parse payload into json: /);
    const notObject = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: "[1,2]" });
    assert.equal(notObject.errorType, "InvalidRequestContentException");
    await assert.rejects(flint.lambda.send(new GetFunctionCommand({ FunctionName: name })), { name: "ResourceNotFoundException" });
  });

  test("members of the wrong JSON type are refused", async () => {
    const base = { FunctionName: uniqueName("types"), Runtime: "nodejs20.x", Handler: "echo.handler", Role: ROLE, Code: { ZipFile: zipB64 } };
    for (const [member, value] of [["Timeout", "30"], ["MemorySize", 1.5], ["Handler", 7], ["Environment", { Variables: { A_B: 1 } }], ["Publish", "yes"], ["Code", "zip"]] as const) {
      const r = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: JSON.stringify({ ...base, [member]: value }) });
      assert.equal(r.status, 400, `${member}: ${JSON.stringify(r.body)}`);
      assert.equal(r.errorType, "InvalidRequestContentException", member);
      assert.match(r.body.message, new RegExp(`at '${member === "Environment" ? "Variables" : member}'`));
    }
    const zipNotBase64 = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: JSON.stringify({ ...base, Code: { ZipFile: "not base64!" } }) });
    assert.equal(zipNotBase64.errorType, "InvalidRequestContentException");
  });

  test("out-of-range settings get AWS's validation messages", async () => {
    const base = { FunctionName: uniqueName("ranges"), Runtime: "nodejs20.x", Handler: "echo.handler", Role: ROLE, Code: { ZipFile: zipB64 } };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ Timeout: 0 }, "ValidationException", /Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1/],
      [{ Timeout: 901 }, "ValidationException", /Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900/],
      [{ MemorySize: 64 }, "ValidationException", /at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128/],
      [{ MemorySize: 10241 }, "ValidationException", /at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240/],
      [{ EphemeralStorage: { Size: 100 } }, "ValidationException", /at 'ephemeralStorage.size'/],
      [{ Handler: "has space.handler" }, "ValidationException", /at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\^\\s\]\+/],
      [{ Environment: { Variables: { "1BAD": "x" } } }, "ValidationException", /Map keys must satisfy constraint/],
      [{ Environment: { Variables: { AWS_REGION: "x" } } }, "InvalidParameterValueException", /reserved keys .* AWS_REGION/],
      [{ Runtime: "java21" }, "InvalidParameterValueException", /java21 is not supported by Flint/],
      [{ Runtime: undefined }, "InvalidParameterValueException", /Runtime and Handler are mandatory/],
      [{ Code: { S3Bucket: "b", S3Key: "k" } }, "InvalidParameterValueException", /ZipFile/],
      [{ Code: { ZipFile: Buffer.from("not a zip").toString("base64") } }, "InvalidParameterValueException", /^Could not unzip uploaded file/],
    ];
    for (const [change, code, message] of cases) {
      const r = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: JSON.stringify({ ...base, ...change }) });
      assert.equal(r.errorType, code, JSON.stringify(change));
      assert.equal(r.status, 400);
      assert.match(r.body.message, message, JSON.stringify(change));
    }
    await assert.rejects(flint.lambda.send(new GetFunctionCommand({ FunctionName: base.FunctionName })), { name: "ResourceNotFoundException" });
  });

  test("an empty zip is refused by CreateFunction and UpdateFunctionCode, creating and changing nothing", async () => {
    const empty = rawZip([]);
    const refusal = (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, "InvalidParameterValueException");
      assert.equal(err.message, "Uploaded file must be a non-empty zip");
      assert.equal(err.$metadata?.httpStatusCode, 400);
      return true;
    };
    const name = uniqueName("empty");
    await assert.rejects(flint.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: empty } })), refusal);
    await assert.rejects(flint.lambda.send(new GetFunctionCommand({ FunctionName: name })), { name: "ResourceNotFoundException" });

    const before = (await flint.lambda.send(new GetFunctionCommand({ FunctionName: fn }))).Configuration!;
    await assert.rejects(flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: empty })), refusal);
    const after = (await flint.lambda.send(new GetFunctionCommand({ FunctionName: fn }))).Configuration!;
    assert.equal(after.CodeSha256, before.CodeSha256);
    assert.equal(after.RevisionId, before.RevisionId);
  });

  test("invoke refuses a payload over 6 MB, non-JSON payloads and bad headers", async () => {
    const big = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: JSON.stringify("x".repeat(6 * 1024 * 1024)) });
    assert.equal(big.status, 413);
    assert.equal(big.errorType, "RequestEntityTooLargeException");
    assert.deepEqual(big.body, { Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" });

    const notJson = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: "{nope" });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.errorType, "InvalidRequestContentException");

    const badType = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: "{}", headers: { "x-amz-invocation-type": "Sometimes" } });
    assert.equal(badType.errorType, "ValidationException");
    assert.match(badType.body.message, /Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: \[Event, RequestResponse, DryRun\]/);

    const badLog = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: "{}", headers: { "x-amz-log-type": "All" } });
    assert.equal(badLog.errorType, "ValidationException");

    const badContext = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: "{}", headers: { "x-amz-client-context": Buffer.from("not json").toString("base64") } });
    assert.equal(badContext.status, 400);
    assert.equal(badContext.errorType, "InvalidRequestContentException");

    const dry = await signedFetch(flint.endpoint, { method: "POST", path: invokePath(), body: "{}", headers: { "x-amz-invocation-type": "DryRun" } });
    assert.equal(dry.status, 204);
    assert.equal(dry.body, "");
  });

  test("unknown operations and oversized requests are answered, not crashed on", async () => {
    const unknown = await signedFetch(flint.endpoint, { method: "PATCH", path: "/2015-03-31/functions/x" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.errorType, "UnknownOperationException");
    const huge = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: Buffer.alloc(71 * 1024 * 1024, 0x20) });
    assert.equal(huge.status, 413);
    assert.deepEqual(huge.body, { Message: "Request must be smaller than 70167211 bytes for the CreateFunction operation" });
    const health = await fetch(`${flint.endpoint}/_flint/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "ok");
    assert.ok((await flint.lambda.send(new ListFunctionsCommand({}))).Functions!.some((f) => f.FunctionName === fn));
  });
});
