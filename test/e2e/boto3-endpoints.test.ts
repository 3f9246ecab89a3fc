/**
 * Python functions reach Flint with boto3 unmodified: Debian's botocore (1.29) reads no
 * AWS_ENDPOINT_URL, so Flint's runtime gives it what botocore 1.31 does natively: an endpoint_url
 * argument wins, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, and
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns the variables off.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, startFlint, type FlintProcess } from "../harness/flint.js";
import { MAX_TIMEOUT_S, createFunction, invoke, RUNTIME_OF } from "../harness/functions.js";
import { createExecutionRole } from "../harness/permissions.js";
import { boto3Version, sdkClient } from "../harness/sqs-clients.js";
import { zipFixture } from "../harness/zip.js";

const skip = boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)";

describe("boto3 in Python functions finds Flint without an endpoint_url", { skip }, () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let zip: Buffer;
  /** The functions' execution role: they look up and send to the tests' queues, and invoke other functions. */
  let Role: string;
  const python = (handler: string, opts: { env?: Record<string, string>; zip?: Buffer } = {}) =>
    createFunction(flint, opts.zip ?? zip, handler, { runtime: RUNTIME_OF.python, Timeout: MAX_TIMEOUT_S, Environment: { Variables: opts.env ?? {} }, Role });
  before(async () => {
    flint = await startFlint();
    sqs = sdkClient(flint.endpoint);
    zip = await zipFixture("python");
    Role = await createExecutionRole(flint.endpoint, [
      { Effect: "Allow", Action: ["sqs:GetQueueUrl", "sqs:SendMessage"], Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:boto3-*` },
      { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" },
    ]);
  });
  after(async () => {
    sqs.destroy();
    await flint.stop();
  });

  for (const via of ["boto3.client", "boto3.resource", "boto3.Session().client", "botocore.session.get_session().create_client"]) {
    test(`a message sent with ${via}("sqs") arrives in Flint's queue`, async () => {
      const name = await python("boto3_clients.handler");
      const queueName = `boto3-${Date.now()}-${via.replace(/\W+/g, "-")}`;
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
      const out = await invoke(flint, name, { via, queue: queueName, body: { via } });
      assert.equal(out.functionError, undefined, out.raw);
      assert.equal(out.payload.endpoint, flint.endpoint);
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
      assert.equal(received.Messages?.[0]?.MessageId, out.payload.messageId);
      assert.deepEqual(JSON.parse(received.Messages![0]!.Body!), { via });
    });
  }

  test('boto3.client("lambda") invokes another function through Flint', async () => {
    const caller = await python("boto3_clients.handler");
    const callee = await python("echo.handler");
    const out = await invoke(flint, caller, { invoke: callee, payload: { hello: "from boto3" } });
    assert.equal(out.functionError, undefined, out.raw);
    assert.deepEqual(out.payload, { endpoint: flint.endpoint, status: 200, payload: { hello: "from boto3" } });
  });

  test("an endpoint_url given to the client wins: an unreachable one is a connection error, not a call to Flint", async () => {
    const name = await python("boto3_clients.handler");
    const unreachable = "http://127.0.0.1:9";
    const out = await invoke(flint, name, { endpointUrl: unreachable, queue: "any" });
    assert.equal(out.functionError, "Unhandled", out.raw);
    assert.equal(out.payload.errorType, "EndpointConnectionError", out.raw);
    assert.match(out.payload.errorMessage, /127\.0\.0\.1:9/);
  });

  test("AWS_ENDPOINT_URL_SQS wins over AWS_ENDPOINT_URL for SQS clients only", async () => {
    const sqsEndpoint = flint.endpoint.replace("127.0.0.1", "localhost");
    const name = await python("boto3_clients.handler", { env: { AWS_ENDPOINT_URL_SQS: sqsEndpoint } });
    assert.deepEqual((await invoke(flint, name)).payload, { sqs: sqsEndpoint, lambda: flint.endpoint });
    const queueName = `boto3-service-endpoint-${Date.now()}`;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const out = await invoke(flint, name, { via: "boto3.client", queue: queueName, body: "by localhost" });
    assert.equal(out.payload.endpoint, sqsEndpoint, out.raw);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    assert.equal(received.Messages?.[0]?.MessageId, out.payload.messageId);
  });

  test("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true leaves clients on AWS's own endpoints", async () => {
    const name = await python("boto3_clients.handler", { env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true", AWS_ENDPOINT_URL_SQS: flint.endpoint } });
    const out = await invoke(flint, name);
    assert.deepEqual(out.payload, { sqs: "https://sqs.us-east-1.amazonaws.com", lambda: "https://lambda.us-east-1.amazonaws.com" });
  });

  test("a botocore the package bundles is taught the variables below 1.31 and left alone from 1.31, which reads them itself", async () => {
    const bundled = await zipFixture("python-bundled-botocore");
    const endpointFor = async (version: string) => {
      const name = await python("bundled_botocore.handler", { zip: bundled, env: { BUNDLED_BOTOCORE_VERSION: version } });
      const out = await invoke(flint, name);
      assert.equal(out.payload.version, version, out.raw);
      return out.payload.endpointUrl;
    };
    assert.equal(await endpointFor("1.30.9"), flint.endpoint);
    assert.equal(await endpointFor("1.31.0"), null);
    assert.equal(await endpointFor("2.0.0"), null);
  });
});
