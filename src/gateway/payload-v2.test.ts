import { test } from "node:test";
import assert from "node:assert/strict";
import { buildEventV2, clfTime, type HttpRequestV2, queryParameters, responseFromResult } from "./payload-v2.js";

const TIME = Date.UTC(2020, 2, 12, 19, 3, 58, 390);
const request = (over: Partial<HttpRequestV2> = {}): HttpRequestV2 => ({
  method: "POST",
  rawPath: "/my/path",
  rawQuery: "parameter1=value1&parameter1=value2&parameter2=value",
  headers: { header1: "value1", "user-agent": "agent", cookie: "cookie1; cookie2", "content-type": "text/plain" },
  body: Buffer.from("Hello from client!"),
  sourceIp: "123.123.123.123",
  protocol: "HTTP/1.1",
  port: 4566,
  requestId: "id",
  time: TIME,
  ...over,
});
const CTX = { accountId: "anonymous", apiId: "urlid", domainName: "urlid.lambda-url.us-east-1.localhost", domainPrefix: "urlid" };

test("the event has AWS's documented shape (payload-2.0-event-doc)", () => {
  const event = buildEventV2(request(), CTX);
  assert.match(event.headers["x-amzn-trace-id"]!, /^Root=1-5e6a879e-[0-9a-f]{24}$/);
  delete event.headers["x-amzn-trace-id"];
  assert.deepEqual(event, {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/my/path",
    rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
    cookies: ["cookie1", "cookie2"],
    headers: { header1: "value1", "user-agent": "agent", "content-type": "text/plain", "x-forwarded-for": "123.123.123.123", "x-forwarded-proto": "http", "x-forwarded-port": "4566" },
    queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
    requestContext: {
      accountId: "anonymous",
      apiId: "urlid",
      domainName: "urlid.lambda-url.us-east-1.localhost",
      domainPrefix: "urlid",
      http: { method: "POST", path: "/my/path", protocol: "HTTP/1.1", sourceIp: "123.123.123.123", userAgent: "agent" },
      requestId: "id",
      routeKey: "$default",
      stage: "$default",
      time: "12/Mar/2020:19:03:58 +0000",
      timeEpoch: TIME,
    },
    body: "Hello from client!",
    isBase64Encoded: false,
  });
});

test("a trace id the client sent is kept", () => {
  assert.equal(buildEventV2(request({ headers: { "x-amzn-trace-id": "Root=1-a-b" } }), CTX).headers["x-amzn-trace-id"], "Root=1-a-b");
});

test("no query, no cookies and no body leave their members out", () => {
  const event = buildEventV2(request({ rawQuery: "", headers: {}, body: Buffer.alloc(0), method: "GET" }), CTX);
  assert.equal("queryStringParameters" in event, false);
  assert.equal("cookies" in event, false);
  assert.equal("body" in event, false);
  assert.equal(event.isBase64Encoded, false);
  assert.equal((event.requestContext.http as { userAgent: string }).userAgent, "");
});

test("binary and multipart bodies are base64-encoded; JSON and XML stay text", () => {
  const bytes = Buffer.from([0xff, 0x00, 0x80, 0x41]);
  const binary = buildEventV2(request({ headers: { "content-type": "application/octet-stream" }, body: bytes }), CTX);
  assert.deepEqual([binary.body, binary.isBase64Encoded], [bytes.toString("base64"), true]);
  const form = buildEventV2(request({ headers: { "content-type": "multipart/form-data; boundary=x" }, body: Buffer.from("--x--") }), CTX);
  assert.equal(form.isBase64Encoded, true);
  const json = buildEventV2(request({ headers: { "content-type": "application/json" }, body: Buffer.from('{"a":1}') }), CTX);
  assert.deepEqual([json.body, json.isBase64Encoded], ['{"a":1}', false]);
  const badUtf8 = buildEventV2(request({ headers: { "content-type": "text/plain" }, body: bytes }), CTX);
  assert.equal(badUtf8.isBase64Encoded, true);
});

test("query parameters are decoded and repeats joined with a comma", () => {
  assert.deepEqual(queryParameters("q=query&multiQuery=foo&multiQuery=%2Fbar&flag"), { q: "query", multiQuery: "foo,/bar", flag: "" });
  assert.equal(queryParameters(""), undefined);
  assert.deepEqual(queryParameters("bad=%E0%A4%A"), { bad: "%E0%A4%A" });
});

test("an HTTP API's route, stage, path parameters and authorizer go where AWS puts them", () => {
  const event = buildEventV2(request(), { ...CTX, routeKey: "GET /pets/{id}", stage: "prod", pathParameters: { id: "7" }, stageVariables: { v: "1" }, authorizer: { iam: { accountId: "1" } } });
  assert.equal(event.routeKey, "GET /pets/{id}");
  assert.equal(event.requestContext.stage, "prod");
  assert.deepEqual(event.requestContext.authorizer, { iam: { accountId: "1" } });
  assert.deepEqual(event.pathParameters, { id: "7" });
  assert.deepEqual(event.stageVariables, { v: "1" });
});

test("clfTime pads every field", () => {
  assert.equal(clfTime(Date.UTC(2021, 0, 2, 3, 4, 5)), "02/Jan/2021:03:04:05 +0000");
});

const result = (v: unknown) => responseFromResult(Buffer.from(JSON.stringify(v)));

test("a result with statusCode is the response; a numeric string status is accepted", () => {
  const r = result({ statusCode: "418", headers: { "X-Custom": "a", N: 1 }, body: "teapot" })!;
  assert.equal(r.statusCode, 418);
  assert.deepEqual(r.headers, { "x-custom": "a", n: "1", "content-type": "application/json" });
  assert.equal(r.body.toString(), "teapot");
});

test("any other JSON is a 200 application/json with the JSON as body; a string is its text", () => {
  const obj = result({ hello: "world" })!;
  assert.deepEqual([obj.statusCode, obj.headers, obj.body.toString()], [200, { "content-type": "application/json" }, '{"hello":"world"}']);
  assert.equal(result("hello")!.body.toString(), "hello");
  assert.equal(result(3)!.body.toString(), "3");
  assert.equal(result([1, 2])!.body.toString(), "[1,2]");
});

test("cookies become one set-cookie each; multiValueHeaders keep every value", () => {
  const r = result({ statusCode: 200, cookies: ["a=1", "b=2; Path=/"], multiValueHeaders: { "X-M": ["1", "2"] } })!;
  assert.deepEqual(r.headers["set-cookie"], ["a=1", "b=2; Path=/"]);
  assert.deepEqual(r.headers["x-m"], ["1", "2"]);
});

test("a base64 body is decoded", () => {
  const bytes = Buffer.from([0, 1, 2, 255]);
  assert.deepEqual(result({ statusCode: 200, isBase64Encoded: true, body: bytes.toString("base64") })!.body, bytes);
});

test("what cannot be a response is refused (AWS's 502)", () => {
  assert.equal(responseFromResult(Buffer.from("not json")), undefined);
  assert.equal(result({ statusCode: "abc" }), undefined);
  assert.equal(result({ statusCode: 200, headers: { a: { nested: 1 } } }), undefined);
  assert.equal(result({ statusCode: 200, cookies: "a=1" }), undefined);
});
