/**
 * Hostile and careless requests get AWS's answer, in the protocol their client parses, and change
 * nothing: signatures scoped to another service or region, requests for services Flint does not
 * provide, unsigned query-protocol requests, query parameters no parser should recurse into.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { AWS_CLI_V2, runCli, startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { findAwsCliV1 } from "../harness/sqs-clients.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { zipFixture } from "../harness/zip.js";

const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

/** The query protocol's error document, or a failure naming what came instead. */
function queryError(body: unknown): { type: string; code: string; message: string } {
  const text = String(body);
  const m = /^<\?xml version="1\.0"\?><ErrorResponse[^>]*><Error><Type>(\w+)<\/Type><Code>([^<]+)<\/Code><Message>([^<]*)<\/Message><Detail\/><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/.exec(text);
  assert.ok(m, `not a query-protocol error: ${text.slice(0, 300)}`);
  return { type: m[1]!, code: m[2]!, message: m[3]! };
}

describe("hostile requests", () => {
  let flint: FlintProcess;
  let zipB64: string;
  const v1 = findAwsCliV1();
  before(async () => {
    flint = await startFlint();
    zipB64 = (await zipFixture("nodejs")).toString("base64");
  });
  after(() => flint.stop());

  test("a Lambda request signed for another service or region is refused and creates nothing", async () => {
    for (const [service, region, message] of [
      ["s3", "us-east-1", "Credential should be scoped to correct service: 'lambda'. "],
      ["sqs", "us-east-1", "Credential should be scoped to correct service: 'lambda'. "],
      ["lambda", "eu-west-1", "Credential should be scoped to a valid region, not 'eu-west-1'. "],
    ]) {
      const name = uniqueName("scoped");
      const body = JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Handler: "echo.handler", Role: ROLE, Code: { ZipFile: zipB64 } });
      const r = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body, service, region });
      assert.equal(r.status, 403, `${service}/${region}: ${JSON.stringify(r.body)}`);
      assert.equal(r.errorType, "InvalidSignatureException");
      assert.deepEqual(r.body, { message });
      await assert.rejects(flint.lambda.send(new GetFunctionCommand({ FunctionName: name })), { name: "ResourceNotFoundException" });
    }
  });

  test("an SQS or SNS request signed for another service is refused in the query protocol and creates nothing", async () => {
    const queue = uniqueName("scoped");
    const sqs = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: FORM, body: `Action=CreateQueue&Version=2012-11-05&QueueName=${queue}`, service: "sns" });
    assert.equal(sqs.status, 403);
    assert.deepEqual(queryError(sqs.body), { type: "Sender", code: "SignatureDoesNotMatch", message: "Credential should be scoped to correct service: 'sqs'. " });
    const topic = uniqueName("scoped");
    const sns = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: FORM, body: `Action=CreateTopic&Version=2010-03-31&Name=${topic}`, service: "lambda" });
    assert.equal(sns.status, 403);
    assert.equal(queryError(sns.body).message, "Credential should be scoped to correct service: 'sns'. ");
    // The same over SQS's JSON protocol: a JSON error, query-compatible.
    const json = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.CreateQueue" }, body: JSON.stringify({ QueueName: queue }), service: "s3" });
    assert.equal(json.status, 403);
    assert.equal(json.headers.get("x-amzn-query-error"), "SignatureDoesNotMatch;Sender");
    assert.equal(json.body.__type, "com.amazon.coral.service#InvalidSignatureException");

    const queues = await flint.aws(["sqs", "list-queues"]);
    assert.equal(queues.code, 0, queues.stderr);
    assert.ok(!queues.stdout.includes(queue), queues.stdout);
    const topics = await flint.aws(["sns", "list-topics"]);
    assert.ok(!topics.stdout.includes(topic), topics.stdout);
  });

  for (const [name, cli] of [
    ["AWS CLI v2 (query protocols)", AWS_CLI_V2],
    ["AWS CLI v1 (JSON and CBOR protocols)", v1.path],
  ] as const) {
    test(`${name}: unsigned requests and services Flint does not provide get errors the CLI parses`, { skip: cli === undefined ? v1.reason : false }, async () => {
      const run = (args: string[]) => runCli(cli!, flint.endpoint, args);
      for (const args of [["sqs", "list-queues", "--no-sign-request"], ["sns", "list-topics", "--no-sign-request"], ["lambda", "list-functions", "--no-sign-request"]]) {
        const r = await run(args);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /An error occurred \(MissingAuthenticationToken(Exception)?\) when calling the \w+ operation: Missing Authentication Token/, `${args.join(" ")}: ${r.stderr}`);
      }
      for (const [args, title] of [
        [["iam", "list-users"], "AWS IAM ('iam')"],
        [["sts", "get-caller-identity"], "AWS STS ('sts')"],
        [["cloudwatch", "list-metrics"], "Amazon CloudWatch ('monitoring')"],
        [["logs", "describe-log-groups"], "Amazon CloudWatch Logs ('logs')"],
        [["dynamodb", "list-tables"], "Amazon DynamoDB ('dynamodb')"],
        [["kinesis", "list-streams"], "Amazon Kinesis ('kinesis')"],
        [["s3api", "list-buckets"], "Amazon S3 ('s3')"],
      ] as const) {
        const r = await run([...args]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, new RegExp(`An error occurred \\(NotImplemented\\) when calling the \\w+ operation: Flint does not provide ${title.replace(/[()]/g, "\\$&")}; it provides lambda, sqs, sns\\.`), `${args.join(" ")}: ${r.stderr}`);
      }
      // Signed for another region, the CLI hears it in SQS's protocol.
      const region = await run(["sqs", "list-queues", "--region", "eu-west-1"]);
      assert.match(region.stderr, /\((SignatureDoesNotMatch|InvalidSignatureException)\).*Credential should be scoped to a valid region, not 'eu-west-1'/, region.stderr);
    });
  }

  test("query parameters are bounded and every member's shape is checked: 400, never 500", async () => {
    const deep = `${Array.from({ length: 20_000 }, (_, i) => `p${i}`).join(".")}=1`;
    for (const [service, body, code] of [
      ["sqs", `Action=ListQueues&Version=2012-11-05&${deep}`, "InvalidQueryParameter"],
      ["sns", `Action=ListTopics&Version=2010-03-31&${deep}`, "InvalidQueryParameter"],
      ["sqs", `Action=ListQueues&Version=2012-11-05&${Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join("&")}`, "InvalidQueryParameter"],
      ["sqs", "Action=ListQueues&Version=2012-11-05&MaxResults.x=1", "InvalidParameterValue"],
      ["sqs", `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(`${flint.endpoint}/000000000000/none`)}&MessageBody=a&DelaySeconds.x=1`, "InvalidParameterValue"],
    ] as const) {
      const r = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: FORM, body, service });
      assert.equal(r.status, 400, `${body.slice(0, 80)}: ${String(r.body).slice(0, 300)}`);
      assert.equal(queryError(r.body).code, code);
    }
    const health = await fetch(`${flint.endpoint}/_flint/health`);
    assert.equal(health.status, 200);
  });

  test("JSON bodies nesting without bound are refused in each JSON protocol", async () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const lambda = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/functions", body: `{"FunctionName":${deep}}` });
    assert.equal(lambda.status, 400);
    assert.equal(lambda.errorType, "InvalidRequestContentException");
    const sqs = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" }, body: `{"QueueNamePrefix":${deep}}`, service: "sqs" });
    assert.equal(sqs.status, 400);
    assert.equal(sqs.body.__type, "com.amazon.coral.service#SerializationException");
  });
});
