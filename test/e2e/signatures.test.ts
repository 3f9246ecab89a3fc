/** Every AWS API request needs a valid SigV4 signature from the root credentials, in header or query form. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { signedFetch } from "../harness/signed-fetch.js";
import { GetFunctionCommand, ListFunctionsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess, TEST_CREDENTIALS, REGION, runAwsCli } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

describe("SigV4 authentication", () => {
  let flint: FlintProcess;
  let fn: string;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
    fn = await createFunction(flint, zip, "echo.handler");
  });
  after(() => flint.stop());

  test("a correctly signed request is served", async () => {
    const r = await signedFetch(flint.endpoint, { path: `/2015-03-31/functions/${fn}/configuration` });
    assert.equal(r.status, 200);
    assert.equal(r.body.FunctionName, fn);
  });

  test("no signature: 403 MissingAuthenticationTokenException", async () => {
    const res = await fetch(`${flint.endpoint}/2015-03-31/functions/`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    assert.deepEqual(await res.json(), { message: "Missing Authentication Token" });
  });

  test("unknown access key: 403 UnrecognizedClientException", async () => {
    const r = await signedFetch(flint.endpoint, { path: "/2015-03-31/functions/", creds: { accessKeyId: "AKIANOTAREALKEY00000", secretAccessKey: "x" } });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, "UnrecognizedClientException");
    assert.deepEqual(r.body, { message: "The security token included in the request is invalid." });
  });

  test("wrong secret, tampered body, tampered path: 403 InvalidSignatureException", async () => {
    const wrongSecret = await signedFetch(flint.endpoint, { path: "/2015-03-31/functions/", creds: { ...TEST_CREDENTIALS, secretAccessKey: "wrong" } });
    assert.equal(wrongSecret.status, 403);
    assert.equal(wrongSecret.errorType, "InvalidSignatureException");
    assert.match(wrongSecret.body.message, /^The request signature we calculated does not match the signature you provided/);

    const body = await signedFetch(flint.endpoint, {
      method: "POST",
      path: `/2015-03-31/functions/${fn}/invocations`,
      body: '{"amount":1}',
      tamper: (r) => (r.body = '{"amount":9}'),
    });
    assert.equal(body.status, 403);
    assert.equal(body.errorType, "InvalidSignatureException");

    const path = await signedFetch(flint.endpoint, { path: `/2015-03-31/functions/${fn}/configuration`, tamper: (r) => (r.path = `/2015-03-31/functions/${fn}`) });
    assert.equal(path.status, 403);
    assert.equal(path.errorType, "InvalidSignatureException");
  });

  test("a signature from 20 minutes ago has expired", async () => {
    const r = await signedFetch(flint.endpoint, { path: "/2015-03-31/functions/", date: new Date(Date.now() - 20 * 60_000) });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, "InvalidSignatureException");
    assert.match(r.body.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
  });

  test("credentials scoped to another region are refused", async () => {
    const r = await signedFetch(flint.endpoint, { path: "/2015-03-31/functions/", region: "eu-west-1" });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, "InvalidSignatureException");
  });

  test("presigned query-string requests are verified too", async () => {
    const url = new URL(flint.endpoint);
    const signer = new SignatureV4({ credentials: TEST_CREDENTIALS, region: REGION, service: "lambda", sha256: Hash.bind(null, "sha256") });
    const presigned = await signer.presign(
      { method: "GET", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: `/2015-03-31/functions/${fn}/configuration`, headers: { host: url.host } },
      { expiresIn: 60 },
    );
    const qs = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const good = await fetch(`${flint.endpoint}${presigned.path}?${qs}`);
    assert.equal(good.status, 200);
    assert.equal((await good.json()).FunctionName, fn);
    const forged = new URLSearchParams(presigned.query as Record<string, string>);
    forged.set("X-Amz-Signature", "0".repeat(64));
    const bad = await fetch(`${flint.endpoint}${presigned.path}?${forged}`);
    assert.equal(bad.status, 403);
    assert.equal(bad.headers.get("x-amzn-errortype"), "InvalidSignatureException");
  });

  test("GetFunction's Code.Location downloads the exact zip with no other credentials, and only as signed", async () => {
    const out = await flint.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    const location = out.Code!.Location!;
    assert.match(location, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.match(location, /X-Amz-Expires=600/);
    const res = await fetch(location);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), zip);
    const tampered = location.replace(/\/_flint\/code\/([0-9a-f])/, (_m, c) => `/_flint/code/${c === "0" ? "1" : "0"}`);
    assert.equal((await fetch(tampered)).status, 403);
    const unsigned = location.split("?")[0]!;
    assert.equal((await fetch(unsigned)).status, 403);
  });

  test("the SDK and the AWS CLI with a wrong key get the error AWS sends", async () => {
    const client = new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: "AKIAWRONGWRONGWRONG0", secretAccessKey: "x" }, maxAttempts: 1 });
    await assert.rejects(client.send(new ListFunctionsCommand({})), (err: any) => {
      assert.equal(err.name, "UnrecognizedClientException");
      assert.equal(err.$metadata.httpStatusCode, 403);
      return true;
    });
    client.destroy();
    const cli = await runAwsCli(flint.endpoint, ["lambda", "list-functions"], undefined, { ...TEST_CREDENTIALS, secretAccessKey: "not-the-secret" });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(InvalidSignatureException\) when calling the ListFunctions operation( \(reached max retries: \d+\))?: The request signature we calculated does not match/);
  });
});
