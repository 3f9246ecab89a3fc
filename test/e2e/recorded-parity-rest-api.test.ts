/**
 * A REST API's Lambda proxy integration against what AWS answered (test/fixtures/aws-recorded/
 * apigw-rest-proxy.json, from LocalStack's AWS-validated apigateway snapshots): the proxy event 1.0
 * the function receives for the recorded request, and the client's answer for each recorded function
 * result, valid or malformed. Headers are read as sent (node:http's rawHeaders) to compare their case.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand } from "@aws-sdk/client-api-gateway";
import { ACCOUNT, type FlintProcess, REGION, ROOT, startFlint, TEST_CREDENTIALS } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

const recorded: { id: string; recorded: Record<string, any> }[] = JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/aws-recorded/apigw-rest-proxy.json"), "utf8"));
const itemOf = (id: string) => recorded.find((i) => i.id === id)!.recorded;

interface Answer {
  status: number;
  /** Names as sent. */
  headers: Record<string, string>;
  text: string;
}

function request(port: number, method: string, target: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: target, headers: body === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const named: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) named[res.rawHeaders[i]!] = res.rawHeaders[i + 1]!;
        resolve({ status: res.statusCode!, headers: named, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The recorded content: JSON the client parsed, or the text. */
const contentOf = (a: Answer): unknown => {
  try {
    return JSON.parse(a.text);
  } catch {
    return a.text;
  }
};

describe("REST API proxy integration against AWS's recordings", () => {
  let flint: FlintProcess;
  let apigw: APIGatewayClient;

  /** A `{proxy+}` ANY method proxied to `fn`, deployed to `stage`; the API id. */
  async function proxyApi(fn: string, stage: string): Promise<string> {
    const api = await apigw.send(new CreateRestApiCommand({ name: `parity-${fn}` }));
    const proxy = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" }));
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", authorizationType: "NONE" }));
    const uri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}/invocations`;
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", type: "AWS_PROXY", integrationHttpMethod: "POST", uri }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: stage }));
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: `apigw-${api.id}`, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api.id}/*/*/*` }));
    return api.id!;
  }

  before(async () => {
    flint = await startFlint();
    apigw = new APIGatewayClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    apigw.destroy();
    await flint.stop();
  });

  test("the proxy event has AWS's members at every level, the recorded values, and the request's headers in their case", async () => {
    const want = itemOf("apigw-rest-proxy-event")["invocation-payload-without-trailing-slash-and-query-params"];
    const fn = await createFunction(flint, await zipFixture("nodejs"), "rest-echo.handler");
    const apiId = await proxyApi(fn, "stage");
    const sent = { Accept: "*/*", "Accept-Encoding": "gzip, deflate", Authorization: "random-value", "User-Agent": "python-requests/testing", "tEsT-HEADeR": "aValUE" };
    const answer = await request(flint.port, "GET", `/_aws/execute-api/${apiId}/stage/proxy-value?urlparam=test`, sent);
    assert.equal(answer.status, 200, answer.text);
    const event = JSON.parse(answer.text);
    assert.deepEqual(Object.keys(event).sort(), Object.keys(want).sort());
    assert.deepEqual(Object.keys(event.requestContext).sort(), Object.keys(want.requestContext).sort());
    assert.deepEqual(Object.keys(event.requestContext.identity).sort(), Object.keys(want.requestContext.identity).sort());
    for (const k of ["body", "httpMethod", "isBase64Encoded", "multiValueQueryStringParameters", "path", "pathParameters", "queryStringParameters", "resource", "stageVariables"]) {
      assert.deepEqual(event[k], want[k], k);
    }
    for (const k of ["httpMethod", "path", "protocol", "resourcePath", "stage"]) assert.deepEqual(event.requestContext[k], want.requestContext[k], `requestContext.${k}`);
    for (const [k, v] of Object.entries(want.requestContext.identity)) if (v === null || k === "userAgent") assert.deepEqual(event.requestContext.identity[k], v, `identity.${k}`);
    for (const name of Object.keys(sent)) {
      assert.equal(event.headers[name], want.headers[name], `headers.${name}`);
      assert.deepEqual(event.multiValueHeaders[name], want.multiValueHeaders[name], `multiValueHeaders.${name}`);
    }
    assert.equal(event.requestContext.apiId, apiId);
    assert.equal(event.requestContext.domainPrefix, apiId);
    assert.equal(event.requestContext.accountId, ACCOUNT);
  });

  test("each recorded function result gives the recorded status, content and headers", async () => {
    const answers = itemOf("apigw-rest-proxy-response-validation");
    const fn = await createFunction(flint, await zipFixture("nodejs"), "reply-from-body.handler");
    const apiId = await proxyApi(fn, "test");
    // What the recorded test's function returned in each step, and the status it expected (LocalStack's test_aws_proxy_response_payload_format_validation).
    const steps: [step: string, result: unknown, status: number][] = [
      ["invoke-api-no-body", { statusCode: 200 }, 200],
      ["invoke-api-with-headers", { statusCode: 200, headers: { "test-header": "value", "header-bool": true } }, 200],
      ["invoke-api-with-headers-null", { statusCode: 200, headers: null }, 200],
      ["invoke-api-wrong-format", { statusCode: 200, wrongValue: "value" }, 502],
      ["invoke-api-empty-response", undefined, 502],
      ["invoke-api-b64-encoded-true", { statusCode: 200, body: Buffer.from("test-data").toString("base64"), isBase64Encoded: true }, 200],
      ["invoke-api-b64-encoded-false", { statusCode: 200, body: Buffer.from("test-data").toString("base64") }, 200],
      ["invoke-api-multi-headers-valid", { statusCode: 200, multiValueHeaders: { "test-multi": ["value1", "value2"] } }, 200],
      ["invoke-api-multi-headers-overwrite", { statusCode: 200, multiValueHeaders: { "test-multi": ["value-multi"] }, headers: { "test-multi": "value-solo" } }, 200],
      ["invoke-api-multi-headers-overwrite-casing", { statusCode: 200, multiValueHeaders: { "tesT-Multi": ["value-multi"] }, headers: { "test-multi": "value-solo" } }, 200],
      ["invoke-api-multi-headers-invalid", { statusCode: 200, multiValueHeaders: { "test-multi-invalid": "value1" } }, 502],
      ["invoke-api-invalid-status-code", { statusCode: "test" }, 502],
      ["invoke-api-status-code-str", { statusCode: "201" }, 201],
      ["invoke-api-just-string", "justAString", 502],
      ["invoke-api-only-headers", { headers: { "test-header": "value" } }, 200],
    ];
    // Headers that come from AWS's infrastructure (CloudFront, tracing), not from API Gateway's mapping.
    const infrastructure = /^(connection|date|via|x-amz-cf-id|x-amz-cf-pop|x-amzn-trace-id|x-cache|x-amz-apigw-id|x-amzn-requestid)$/i;
    for (const [step, result, status] of steps) {
      const want = answers[step];
      const got = await request(flint.port, "POST", `/_aws/execute-api/${apiId}/test/test`, { "User-Agent": "python/test", "Content-Type": "application/json" }, result === undefined ? undefined : JSON.stringify(result));
      assert.equal(got.status, status, step);
      assert.deepEqual(contentOf(got), want.content, step);
      if (want.headers) {
        for (const [name, value] of Object.entries(want.headers as Record<string, string>)) {
          if (infrastructure.test(name)) continue;
          assert.equal(got.headers[name], value, `${step}: ${name}`);
        }
      }
    }
  });
});
