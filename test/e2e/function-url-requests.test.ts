/**
 * Requests to function URLs, from the clients people use: curl by the URL's own host, Node's fetch
 * and Python's urllib by the path form (neither resolves `*.localhost`). The payload 2.0 event a
 * Node.js and a Python function get, how a result becomes the response, the errors AWS answers, CORS,
 * and both auth types against the function's resource policy.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  AddPermissionCommand, CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteAliasCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
} from "@aws-sdk/client-lambda";
import { ACCOUNT, REGION, startFlint, TEST_CREDENTIALS, type FlintProcess, uniqueName } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";
import { allowPublicUrl, createUrl } from "../harness/function-urls.js";

const run = promisify(execFile);
const FORBIDDEN = { Message: "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html" };

describe("function URL requests", () => {
  let flint: FlintProcess;
  let node: Buffer;
  let python: Buffer;
  before(async () => {
    flint = await startFlint();
    [node, python] = await Promise.all([zipFixture("nodejs"), zipFixture("python")]);
  });
  after(() => flint.stop());

  const allowPublic = (name: string, qualifier?: string) => allowPublicUrl(flint, name, qualifier);
  const urlOf = (name: string, opts: Parameters<typeof createUrl>[2] = {}) => createUrl(flint, name, opts);

  const publicUrl = async (handler: string, opts: Parameters<typeof urlOf>[1] & { runtime?: string; Timeout?: number } = {}) => {
    const { runtime, Timeout, ...url } = opts;
    const name = await createFunction(flint, runtime?.startsWith("python") ? python : node, handler, { ...(runtime ? { runtime } : {}), ...(Timeout ? { Timeout } : {}) });
    return { name, ...(await urlOf(name, url)) };
  };

  test("a Node.js function gets AWS's payload 2.0 event: raw path and query, joined repeats, cookies apart, lower-cased headers", async () => {
    const { id, path } = await publicUrl("echo.handler");
    const res = await fetch(`${path}/pa2%Fth/1?q=query&multiQuery=foo&multiQuery=%2Fbar`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Extra-Headers": "With WeiRd CapS", "User-Agent": "test/echo", Cookie: "a=1; b=2" },
      body: JSON.stringify({ foo: "bar" }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const event = await res.json();
    assert.equal(event.version, "2.0");
    assert.equal(event.routeKey, "$default");
    assert.equal(event.rawPath, "/pa2%Fth/1");
    assert.equal(event.rawQueryString, "q=query&multiQuery=foo&multiQuery=%2Fbar");
    assert.deepEqual(event.queryStringParameters, { q: "query", multiQuery: "foo,/bar" });
    assert.deepEqual(event.cookies, ["a=1", "b=2"]);
    assert.equal(event.headers.cookie, undefined);
    assert.equal(event.headers["extra-headers"], "With WeiRd CapS");
    assert.equal(event.headers["content-type"], "application/json");
    assert.equal(event.headers["x-forwarded-proto"], "http");
    assert.equal(event.headers["x-forwarded-port"], String(flint.port));
    assert.deepEqual(JSON.parse(event.body), { foo: "bar" });
    assert.equal(event.isBase64Encoded, false);
    const ctx = event.requestContext;
    assert.deepEqual({ ...ctx, requestId: "", time: "", timeEpoch: 0 }, {
      accountId: "anonymous",
      apiId: id,
      domainName: `${id}.lambda-url.${REGION}.localhost`,
      domainPrefix: id,
      http: { method: "POST", path: "/pa2%Fth/1", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test/echo" },
      requestId: "",
      routeKey: "$default",
      stage: "$default",
      time: "",
      timeEpoch: 0,
    });
    assert.equal(ctx.requestId, res.headers.get("x-amzn-requestid"), "the event's request id is the invocation's");
    assert.match(ctx.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.ok(Math.abs(ctx.timeEpoch - Date.now()) < 10 * 60_000);
  });

  test("a Python function gets the same event through urllib, and a multipart form arrives base64-encoded (recorded lambda-url-form-payload)", async () => {
    const { path } = await publicUrl("echo.handler", { runtime: "python3.12" });
    const script = `
import json, sys, urllib.request
body = b'--xyz\\r\\nContent-Disposition: form-data; name="f"\\r\\n\\r\\nvalue\\r\\n--xyz--\\r\\n'
req = urllib.request.Request(sys.argv[1] + "/test/value?a=1&a=2", data=body, method="POST", headers={"Content-Type": "multipart/form-data; boundary=xyz", "User-Agent": "python/test-request"})
print(urllib.request.urlopen(req).read().decode())`;
    const { stdout } = await run("/usr/bin/python3", ["-c", script, path]);
    const event = JSON.parse(stdout);
    assert.equal(event.rawPath, "/test/value");
    assert.deepEqual(event.queryStringParameters, { a: "1,2" });
    assert.equal(event.requestContext.http.userAgent, "python/test-request");
    assert.equal(event.isBase64Encoded, true);
    assert.equal(Buffer.from(event.body, "base64").toString(), '--xyz\r\nContent-Disposition: form-data; name="f"\r\n\r\nvalue\r\n--xyz--\r\n');
  });

  test("curl reaches a URL by its own host, as the API gives it", async () => {
    const { url } = await publicUrl("echo.handler");
    const { stdout } = await run("curl", ["-sS", "--max-time", "120", `${url}hello/world?x=1`]);
    const event = JSON.parse(stdout);
    assert.equal(event.rawPath, "/hello/world");
    assert.equal(event.headers.host, new URL(url).host);
    assert.equal(event.requestContext.http.method, "GET");
    assert.equal("body" in event, false, "an empty body is left out");
  });

  test("a binary body arrives base64-encoded, and a base64 result leaves as bytes", async () => {
    const echo = await publicUrl("echo.handler");
    const bytes = randomBytes(4096);
    const event = await (await fetch(`${echo.path}/upload`, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: bytes })).json();
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body, "base64"), bytes);
    const respond = await publicUrl("http-respond.handler");
    const res = await fetch(`${respond.path}/`, { method: "POST", body: JSON.stringify({ statusCode: 200, headers: { "Content-Type": "image/png" }, isBase64Encoded: true, body: bytes.toString("base64") }) });
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  });

  test("a result becomes the response as AWS infers it: statusCode (a numeric string too), headers, cookies, or any other JSON as a 200", async () => {
    const { path } = await publicUrl("http-respond.handler");
    const answer = (result: unknown) => fetch(`${path}/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(result) });
    const teapot = await answer({ statusCode: "418", headers: { "X-Custom": "yes" }, cookies: ["a=1; Path=/", "b=2; HttpOnly"], multiValueHeaders: { "X-Multi": ["1", "2"] }, body: "short and stout" });
    assert.equal(teapot.status, 418);
    assert.equal(teapot.headers.get("x-custom"), "yes");
    assert.deepEqual(teapot.headers.getSetCookie(), ["a=1; Path=/", "b=2; HttpOnly"]);
    assert.equal(teapot.headers.get("x-multi"), "1, 2");
    assert.equal(await teapot.text(), "short and stout");
    const object = await answer({ hello: "world" });
    assert.deepEqual([object.status, object.headers.get("content-type"), await object.text()], [200, "application/json", '{"hello":"world"}']);
    assert.equal(await (await answer("hello")).text(), "hello");
    assert.equal(await (await answer(3)).text(), "3");
    const bad = await answer({ statusCode: "teapot" });
    assert.deepEqual([bad.status, await bad.text()], [502, "Internal Server Error"]);
  });

  test("a function error is a 502 and a function past its timeout a 504", async () => {
    const thrower = await publicUrl("throw.handler");
    const failed = await fetch(`${thrower.path}/`);
    assert.deepEqual([failed.status, await failed.text()], [502, "Internal Server Error"]);
    const slow = await publicUrl("timeout.handler", { Timeout: 1 });
    const timedOut = await fetch(`${slow.path}/`);
    assert.equal(timedOut.status, 504);
    await timedOut.arrayBuffer();
  });

  test("bodies over 6 MB get 413, a request's and a result's", async () => {
    const echo = await publicUrl("echo.handler");
    const big = await fetch(`${echo.path}/`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "a".repeat(6 * 1024 * 1024 + 1) });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get("x-amzn-errortype"), "RequestEntityTooLargeException");
    await big.arrayBuffer();
    // Base64 makes a 5 MB binary body an event over the limit.
    const inflated = await fetch(`${echo.path}/`, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: randomBytes(5 * 1024 * 1024) });
    assert.equal(inflated.status, 413);
    await inflated.arrayBuffer();
    const large = await publicUrl("large-response.handler");
    const response = await fetch(`${large.path}/?bytes=${7 * 1024 * 1024}`);
    assert.equal(response.status, 413);
    assert.match((await response.json()).Message, /^Response payload size exceeded maximum allowed payload size/);
    const fits = await fetch(`${large.path}/?bytes=1000`);
    assert.deepEqual([fits.status, (await fits.text()).length], [200, 1000]);
  });

  test("Flint answers a CORS preflight itself, and the configured headers replace the function's", async () => {
    const cors = { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], AllowHeaders: ["x-custom"], ExposeHeaders: ["x-total"], MaxAge: 300 };
    // The function throws: a preflight that reached it would be a 502.
    const thrower = await publicUrl("throw.handler", { cors });
    const preflight = await fetch(`${thrower.path}/items`, { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-custom" } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,POST");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "x-custom");
    assert.equal(preflight.headers.get("access-control-max-age"), "300");
    const stranger = await fetch(`${thrower.path}/items`, { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } });
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    const respond = await publicUrl("http-respond.handler", { cors });
    const res = await fetch(`${respond.path}/`, { method: "POST", headers: { Origin: "https://app.example" }, body: JSON.stringify({ statusCode: 200, headers: { "Access-Control-Allow-Origin": "*" }, body: "ok" }) });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(res.headers.get("access-control-expose-headers"), "x-total");
    assert.equal(await res.text(), "ok");
  });

  test("without a grant in the function's policy the URL answers AWS's 403; an unknown URL id its null message", async () => {
    const name = await createFunction(flint, node, "echo.handler");
    const { path } = await urlOf(name, { grant: false });
    const res = await fetch(`${path}/`);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), FORBIDDEN);
    // Only lambda:InvokeFunctionUrl (as before October 2025) is not enough.
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
    assert.equal((await fetch(`${path}/`)).status, 403);
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));
    assert.equal((await fetch(`${path}/`)).status, 200);
    const unknown = await fetch(`${flint.endpoint}/_aws/lambda-url/${"0".repeat(32)}/`);
    assert.equal(unknown.status, 403);
    assert.equal(unknown.headers.get("x-amzn-errortype"), "AccessDeniedException");
    assert.equal(await unknown.text(), '{"Message":null}');
  });

  test("an alias's URL invokes the alias's version, and answers 403 once the alias is deleted (recorded lambda-url-deleted-alias)", async () => {
    const name = await createFunction(flint, node, "echo.handler");
    await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    const { path } = await urlOf(name, { qualifier: "live" });
    const ok = await fetch(`${path}/`);
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    await flint.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    const gone = await fetch(`${path}/`);
    assert.equal(gone.status, 403);
    assert.equal(gone.headers.get("x-amzn-errortype"), "AccessDeniedException");
    assert.deepEqual(await gone.json(), FORBIDDEN);
  });

  test("a function with reserved concurrency 0 is throttled: 429", async () => {
    const { name, path } = await publicUrl("echo.handler");
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const res = await fetch(`${path}/`);
    assert.equal(res.status, 429);
    await res.arrayBuffer();
  });

  describe("AuthType AWS_IAM", () => {
    /** A request signed for service `lambda` as the SDK's signer signs it, sent to the path form. */
    async function signed(path: string, opts: { method?: string; body?: string; secret?: string; creds?: { accessKeyId: string; secretAccessKey: string } } = {}) {
      const url = new URL(path);
      const signer = new SignatureV4({ credentials: { ...(opts.creds ?? TEST_CREDENTIALS), ...(opts.secret ? { secretAccessKey: opts.secret } : {}) }, region: REGION, service: "lambda", sha256: Hash.bind(null, "sha256") });
      const request = await signer.sign({ method: opts.method ?? "GET", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { host: url.host, "content-type": "application/json" }, body: opts.body });
      return fetch(path, { method: request.method, headers: request.headers, body: opts.body });
    }

    // The account root's user id is its account id (aws:userid).
    test("a signed request is served as its signer, who appears in the event's authorizer.iam", async () => {
      const name = await createFunction(flint, node, "echo.handler");
      const { path } = await urlOf(name, { authType: "AWS_IAM" });
      const res = await signed(`${path}/private?k=v`, { method: "POST", body: '{"x":1}' });
      assert.equal(res.status, 200);
      const event = await res.json();
      assert.deepEqual(event.requestContext.authorizer, {
        iam: { accessKey: TEST_CREDENTIALS.accessKeyId, accountId: ACCOUNT, callerId: ACCOUNT, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT },
      });
      assert.equal(event.requestContext.accountId, ACCOUNT);
      assert.equal(event.body, '{"x":1}');
    });

    test("an unsigned or wrongly signed request is refused with 403", async () => {
      const name = await createFunction(flint, node, "echo.handler");
      const { path } = await urlOf(name, { authType: "AWS_IAM" });
      const unsigned = await fetch(`${path}/`);
      assert.equal(unsigned.status, 403);
      assert.deepEqual(await unsigned.json(), { Message: "Forbidden" });
      const forged = await signed(`${path}/`, { secret: "not-the-secret" });
      assert.equal(forged.status, 403);
      assert.equal(forged.headers.get("x-amzn-errortype"), "InvalidSignatureException");
      await forged.arrayBuffer();
    });

    test("an IAM user is served when its identity policy allows both actions, and refused when it allows only one", async () => {
      const name = await createFunction(flint, node, "echo.handler");
      const { path } = await urlOf(name, { authType: "AWS_IAM" });
      const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      try {
        const user = uniqueName("url-caller");
        await iam.send(new CreateUserCommand({ UserName: user }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
        const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
        const allow = (actions: string[]) =>
          iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "url", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}` }] }) }));
        await allow(["lambda:InvokeFunctionUrl"]);
        const half = await signed(`${path}/`, { creds });
        assert.equal(half.status, 403);
        assert.deepEqual(await half.json(), FORBIDDEN);
        await allow(["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"]);
        const served = await signed(`${path}/`, { creds });
        assert.equal(served.status, 200);
        const event = await served.json();
        assert.equal(event.requestContext.authorizer.iam.userArn, `arn:aws:iam::${ACCOUNT}:user/${user}`);
        assert.equal(event.requestContext.authorizer.iam.accessKey, creds.accessKeyId);
      } finally {
        iam.destroy();
      }
    });

    test("a grant for AuthType NONE does not open an AWS_IAM URL to anonymous callers", async () => {
      const name = await createFunction(flint, node, "echo.handler");
      const { path } = await urlOf(name, { authType: "AWS_IAM" });
      await allowPublic(name);
      const res = await fetch(`${path}/`);
      assert.equal(res.status, 403);
      await res.arrayBuffer();
    });
  });
});

describe("function URLs under --iam off", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint({ args: ["--iam", "off"] });
  });
  after(() => flint.stop());

  test("a URL answers without any grant in the function's policy", async () => {
    const name = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    const made = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    const id = made.FunctionUrl!.slice("http://".length).split(".")[0]!;
    const res = await fetch(`${flint.endpoint}/_aws/lambda-url/${id}/`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).requestContext.accountId, "anonymous");
  });
});

describe("function URLs in RESPONSE_STREAM mode", () => {
  let flint: FlintProcess;
  let streamer: string;
  before(async () => {
    flint = await startFlint();
    streamer = await createFunction(flint, await zipFixture("provided-stream"), "stream", { runtime: "provided.al2023" });
  });
  after(() => flint.stop());

  test("a custom runtime's streamed bytes reach the client with its content type", async () => {
    const made = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: streamer, AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: streamer, StatementId: "public", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: streamer, StatementId: "invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));
    const id = made.FunctionUrl!.slice("http://".length).split(".")[0]!;
    const res = await fetch(`${flint.endpoint}/_aws/lambda-url/${id}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain");
    // Chunk by chunk, as the function writes: test/e2e/url-streaming.test.ts holds the function between chunks until the client has each one.
    assert.equal(await res.text(), "chunk 0\nchunk 1\nchunk 2\n");
  });
});
