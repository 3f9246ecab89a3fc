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
import { createFunction } from "../harness/functions.js";
import { PATIENCE_MS } from "../harness/processes.js";
import net from "node:net";
import { TEST_CREDENTIALS, REGION } from "../harness/flint.js";

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
        [["cloudformation", "list-stacks"], "AWS CloudFormation ('cloudformation')"],
        [["events", "list-rules"], "Amazon EventBridge ('events')"],
        [["ssm", "describe-parameters"], "AWS Systems Manager ('ssm')"],
        [["stepfunctions", "list-state-machines"], "AWS Step Functions ('states')"],
        [["firehose", "list-delivery-streams"], "Amazon Data Firehose ('firehose')"],
        [["s3api", "list-buckets"], "Amazon S3 ('s3')"],
      ] as const) {
        const r = await run([...args]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, new RegExp(`An error occurred \\(NotImplemented\\) when calling the \\w+ operation: Flint does not provide ${title.replace(/[()]/g, "\\$&")}; it provides lambda, sqs, sns, iam, sts, kinesis, apigateway, dynamodb, logs, monitoring\\.`), `${args.join(" ")}: ${r.stderr}`);
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

  test("names that are Object's own properties, repeated credentials and unknown targets are answered 4xx in the client's protocol", async () => {
    const json = { "content-type": "application/x-amz-json-1.0" };
    for (const target of ["constructor.Foo", "__proto__.Foo", "toString.X", "NoSuchService_20990101.Op"]) {
      const r = await fetch(`${flint.endpoint}/`, { method: "POST", headers: { ...json, "x-amz-target": target }, body: "{}" });
      assert.ok(r.status >= 400 && r.status < 500, `${target}: ${r.status}`);
      assert.match(String((await r.json()).__type), /#(MissingAuthenticationTokenException|UnknownOperationException)$/, target);
    }
    // Signed for SQS, but the target is no SQS operation's: a JSON error, not SQS's query XML.
    const signed = await signedFetch(flint.endpoint, { method: "POST", path: "/", headers: { ...json, "x-amz-target": "Foo.Bar" }, body: "{}", service: "sqs" });
    assert.equal(signed.status, 404);
    assert.equal(signed.body.__type, "com.amazon.coral.service#UnknownOperationException");
    const cbor = await fetch(`${flint.endpoint}/service/toString/operation/X`, { method: "POST", headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor" } });
    assert.ok(cbor.status >= 400 && cbor.status < 500, String(cbor.status));
    assert.equal(cbor.headers.get("smithy-protocol"), "rpc-v2-cbor");
    const twice = await fetch(`${flint.endpoint}/2015-03-31/functions?X-Amz-Credential=a&X-Amz-Credential=b`);
    assert.equal(twice.status, 403);
  });

  test("bodies held before their signature is checked are bounded, and a client that leaves while waiting frees its place", async () => {
    const MB = 1024 * 1024;
    const health = async () => (await (await fetch(`${flint.endpoint}/_flint/health`)).json()).unverifiedBodies as { bytes: number; waiting: number };
    const until = async (what: string, ok: (h: { bytes: number; waiting: number }) => boolean) => {
      const deadline = Date.now() + PATIENCE_MS;
      for (let h = await health(); !ok(h); h = await health()) {
        if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(h)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // A known key id and a signature that cannot hold; the payload hash is not signed, so the body decides.
    const date = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
    const head = (length: number) =>
      `POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Amz-Date: ${date}\r\nContent-Length: ${length}\r\n` +
      `Authorization: AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/${date.slice(0, 8)}/${REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}\r\n\r\n`;
    const open = (length: number) => {
      const socket = net.connect(flint.port, "127.0.0.1");
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
      socket.on("error", () => {});
      const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
      socket.write(head(length));
      return { socket, closed };
    };
    // Two bodies of 64 MB fill the 128 MB budget; two more wait behind them, then their clients leave.
    const holders = [open(64 * MB), open(64 * MB)];
    await until("two bodies hold the budget", (h) => h.bytes === 128 * MB);
    const leavers = [open(32 * MB), open(32 * MB)];
    await until("two bodies wait", (h) => h.waiting === 2);
    for (const l of leavers) l.socket.destroy();
    await until("the leavers are out of line", (h) => h.waiting === 0);
    // The holders send their bodies, are refused, and give their place back.
    for (const h of holders) h.socket.end(Buffer.alloc(64 * MB, "x"));
    for (const h of holders) assert.match(await h.closed, /^HTTP\/1\.1 403 /);
    await until("nothing held", (h) => h.bytes === 0 && h.waiting === 0);
    // A large request signed as the AWS CLI signs (no payload hash) is served.
    const fn = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    const big = await signedFetch(flint.endpoint, { method: "POST", path: `/2015-03-31/functions/${fn}/invocations`, body: JSON.stringify({ pad: "x".repeat(300 * 1024) }) });
    assert.equal(big.status, 200, JSON.stringify(big.body).slice(0, 200));
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
