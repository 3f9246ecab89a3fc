import { test } from "node:test";
import assert from "node:assert/strict";
import { proxyEventV1, proxyResponseV1, type ProxyRequestV1, requestTime } from "./payload-v1.js";

const request = (over: Partial<ProxyRequestV1> = {}): ProxyRequestV1 => ({
  httpMethod: "GET",
  resource: "/{proxy+}",
  path: "/proxy-value",
  rawQuery: "urlparam=test",
  rawHeaders: ["Host", "abc1234567.execute-api.localhost:4566", "User-Agent", "python-requests/testing", "tEsT-HEADeR", "aValUE", "Connection", "keep-alive", "authorization", "random-value"],
  body: Buffer.alloc(0),
  base64Body: false,
  pathParameters: { proxy: "proxy-value" },
  stageVariables: undefined,
  context: {
    accountId: "111111111111",
    apiId: "abc1234567",
    domainName: "abc1234567.execute-api.localhost:4566",
    stage: "stage",
    requestId: "r-1",
    extendedRequestId: "e-1",
    requestTimeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58),
    sourceIp: "127.0.0.1",
    protocol: "HTTP/1.1",
    deploymentId: "dep1234567",
    resourceId: "res1234567",
  },
  ...over,
});

test("the 1.0 event has AWS's recorded members: headers in original case, the stage in requestContext.path, null for what is absent", () => {
  const event = proxyEventV1(request());
  assert.deepEqual(Object.keys(event).sort(), [
    "body", "headers", "httpMethod", "isBase64Encoded", "multiValueHeaders", "multiValueQueryStringParameters", "path", "pathParameters", "queryStringParameters", "requestContext", "resource", "stageVariables",
  ]);
  assert.deepEqual({ ...(event.headers as object) }, { Host: "abc1234567.execute-api.localhost:4566", "User-Agent": "python-requests/testing", "tEsT-HEADeR": "aValUE", Authorization: "random-value" });
  assert.deepEqual((event.multiValueHeaders as Record<string, string[]>)["tEsT-HEADeR"], ["aValUE"]);
  assert.deepEqual({ ...(event.queryStringParameters as object) }, { urlparam: "test" });
  assert.deepEqual({ ...(event.multiValueQueryStringParameters as object) }, { urlparam: ["test"] });
  assert.equal(event.body, null);
  assert.equal(event.stageVariables, null);
  assert.equal(event.isBase64Encoded, false);
  const ctx = event.requestContext as Record<string, unknown>;
  assert.equal(ctx.path, "/stage/proxy-value");
  assert.equal(ctx.resourcePath, "/{proxy+}");
  assert.equal(ctx.domainPrefix, "abc1234567");
  assert.equal(ctx.requestTime, "12/Mar/2020:19:03:58 +0000");
  assert.equal(ctx.requestTimeEpoch, Date.UTC(2020, 2, 12, 19, 3, 58));
  assert.deepEqual(ctx.identity, {
    accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
    cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: "127.0.0.1", user: null, userAgent: "python-requests/testing", userArn: null,
  });
});

test("repeated query keys and headers: the single view keeps the last value, the multi view all of them", () => {
  const event = proxyEventV1(request({ rawQuery: "a=1&a=2&b", rawHeaders: ["X-Tag", "one", "x-tag", "two"] }));
  assert.deepEqual({ ...(event.queryStringParameters as object) }, { a: "2", b: "" });
  assert.deepEqual({ ...(event.multiValueQueryStringParameters as object) }, { a: ["1", "2"], b: [""] });
  assert.deepEqual({ ...(event.headers as object) }, { "X-Tag": "one", "x-tag": "two" });
  const none = proxyEventV1(request({ rawQuery: "", rawHeaders: [] }));
  assert.equal(none.queryStringParameters, null);
  assert.equal(none.multiValueQueryStringParameters, null);
});

test("a body goes as text, or as base64 when the trigger says it is binary", () => {
  assert.equal(proxyEventV1(request({ body: Buffer.from('{"a":1}') })).body, '{"a":1}');
  const binary = proxyEventV1(request({ body: Buffer.from([0xff, 0x00]), base64Body: true }));
  assert.equal(binary.body, "/wA=");
  assert.equal(binary.isBase64Encoded, true);
});

test("requestTime is API Gateway's day/month/year:time format in UTC", () => {
  assert.equal(requestTime(Date.UTC(2026, 11, 5, 7, 8, 9)), "05/Dec/2026:07:08:09 +0000");
});

const respond = (result: unknown, decodeBase64 = false) => proxyResponseV1(Buffer.from(JSON.stringify(result)), decodeBase64);

test("a result maps to status, headers (booleans as text, Content-Type application/json by default) and body", () => {
  const r = respond({ statusCode: 200, headers: { "test-header": "value", "header-bool": true } })!;
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.headers, { "Content-Type": "application/json", "test-header": "value", "header-bool": "true" });
  assert.equal(r.body.length, 0);
  assert.equal(respond({ statusCode: 200, headers: null })!.statusCode, 200);
  assert.equal(respond({ statusCode: "201" })!.statusCode, 201);
  assert.equal(respond({ headers: { a: "b" } })!.statusCode, 200);
  assert.equal(respond({ statusCode: 200, headers: { "content-type": "text/plain" }, body: "hi" })!.headers["content-type"], "text/plain");
});

test("multi-value headers join with ', ', decide the casing, and come before a single value of the same name", () => {
  assert.equal(respond({ statusCode: 200, multiValueHeaders: { "test-multi": ["value1", "value2"] } })!.headers["test-multi"], "value1, value2");
  const r = respond({ statusCode: 200, multiValueHeaders: { "tesT-Multi": ["value-multi"] }, headers: { "test-multi": "value-solo" } })!;
  assert.equal(r.headers["tesT-Multi"], "value-multi, value-solo");
  assert.equal(r.headers["test-multi"], undefined);
});

test("an isBase64Encoded body is decoded only when the trigger decodes binary bodies", () => {
  const encoded = Buffer.from("test-data").toString("base64");
  assert.equal(respond({ statusCode: 200, body: encoded, isBase64Encoded: true })!.body.toString(), encoded);
  assert.equal(respond({ statusCode: 200, body: encoded, isBase64Encoded: true }, true)!.body.toString(), "test-data");
  assert.equal(respond({ statusCode: 200, body: encoded })!.body.toString(), encoded);
});

test("malformed results (as AWS recorded them) map to nothing: the trigger answers 502", () => {
  assert.equal(respond({ statusCode: 200, wrongValue: "value" }), undefined);
  assert.equal(respond({ statusCode: 200, multiValueHeaders: { "test-multi-invalid": "value1" } }), undefined);
  assert.equal(respond({ statusCode: "test" }), undefined);
  assert.equal(respond("justAString"), undefined);
  assert.equal(respond(null), undefined);
  assert.equal(respond({ statusCode: 200, body: { a: 1 } }), undefined);
  assert.equal(respond({ errorMessage: "boom", errorType: "Error" }), undefined);
  assert.equal(proxyResponseV1(Buffer.from("not json"), false), undefined);
});
