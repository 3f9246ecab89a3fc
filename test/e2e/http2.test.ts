/**
 * HTTP/2 on the public listener, through the AWS SDK for JavaScript v3 with its `NodeHttp2Handler`
 * (what @aws-sdk/client-kinesis uses by default): on an `http://` endpoint it speaks HTTP/2 cleartext
 * with prior knowledge, which an HTTP/1.1-only listener answers with 400 and a close. The same calls
 * as over HTTP/1.1, the same signature checks, on the same port.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateQueueCommand, DeleteMessageBatchCommand, type DeleteMessageBatchCommandOutput, ReceiveMessageCommand, SendMessageCommand, SQSClient, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import { ACCOUNT, REGION, startFlint, TEST_CREDENTIALS, type Credentials, type FlintProcess, uniqueName } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

/** Clients as a user builds them, over HTTP/2 (`h2`) or the SDK's default HTTP/1.1 handler. */
function clients(endpoint: string, credentials: Credentials, protocol: "h2" | "http/1.1") {
  const requestHandler = protocol === "h2" ? { requestHandler: new NodeHttp2Handler() } : {};
  const config = { endpoint, region: REGION, credentials, maxAttempts: 1, ...requestHandler };
  return { sqs: new SQSClient(config), lambda: new LambdaClient(config) };
}

/** The error a call fails with: its name and HTTP status. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const err = await call.then(
    () => assert.fail("expected the call to fail"),
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => e,
  );
  return { name: err.name, status: err.$metadata?.httpStatusCode };
}

describe("HTTP/2 (h2c) on the public listener", () => {
  let flint: FlintProcess;
  let h2: ReturnType<typeof clients>;
  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"] });
    h2 = clients(flint.endpoint, TEST_CREDENTIALS, "h2");
  });
  after(async () => {
    h2?.sqs.destroy();
    h2?.lambda.destroy();
    await flint?.stop();
  });

  test("SQS over HTTP/2: create a queue, send, receive and delete messages", async () => {
    const name = uniqueName("h2");
    const { QueueUrl: url } = await h2.sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(url, `${flint.endpoint}/${ACCOUNT}/${name}`);
    // Concurrent calls share the one session as streams.
    await Promise.all(Array.from({ length: 20 }, (_, i) => h2.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `message ${i}` }))));
    const bodies: string[] = [];
    while (bodies.length < 20) {
      const { Messages = [] } = await h2.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      assert.ok(Messages.length > 0, `received ${bodies.length} of 20`);
      bodies.push(...Messages.map((m) => m.Body!));
      const deleted: DeleteMessageBatchCommandOutput = await h2.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      assert.equal(deleted.Failed?.length ?? 0, 0);
    }
    assert.deepEqual(bodies.sort(), Array.from({ length: 20 }, (_, i) => `message ${i}`).sort());
    assert.deepEqual((await h2.sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, [url]);
  });

  test("Lambda over HTTP/2: a function created over HTTP/1.1 is listed and invoked", async () => {
    const name = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    const { Functions = [] } = await h2.lambda.send(new ListFunctionsCommand({}));
    assert.ok(Functions.some((f) => f.FunctionName === name), `ListFunctions names ${name}`);
    const out = await h2.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ over: "h2", pad: "x".repeat(100_000) }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(JSON.parse(Buffer.from(out.Payload!).toString()).over, "h2");
  });

  test("the signature is verified over HTTP/2 as over HTTP/1.1", async () => {
    const wrongSecret = { ...TEST_CREDENTIALS, secretAccessKey: "not-the-secret-0000000000000000000000000" };
    const unknownKey = { accessKeyId: "AKIAFLINTUNKNOWN0001", secretAccessKey: TEST_CREDENTIALS.secretAccessKey };
    for (const creds of [wrongSecret, unknownKey]) {
      const bad = { h2: clients(flint.endpoint, creds, "h2"), h1: clients(flint.endpoint, creds, "http/1.1") };
      try {
        const sqsH2 = await failure(bad.h2.sqs.send(new ListQueuesCommand({})));
        const lambdaH2 = await failure(bad.h2.lambda.send(new ListFunctionsCommand({})));
        assert.equal(sqsH2.status, 403);
        assert.equal(lambdaH2.status, 403);
        assert.deepEqual(sqsH2, await failure(bad.h1.sqs.send(new ListQueuesCommand({}))));
        assert.deepEqual(lambdaH2, await failure(bad.h1.lambda.send(new ListFunctionsCommand({}))));
        if (creds === wrongSecret) {
          assert.equal(lambdaH2.name, "InvalidSignatureException");
          assert.match(sqsH2.name, /^(SignatureDoesNotMatch|InvalidSignatureException)$/);
        } else assert.match(`${sqsH2.name} ${lambdaH2.name}`, /InvalidClientTokenId|UnrecognizedClientException/);
      } finally {
        for (const c of [bad.h2, bad.h1]) {
          c.sqs.destroy();
          c.lambda.destroy();
        }
      }
    }
    // The good key still works on the same session.
    assert.ok(Array.isArray((await h2.lambda.send(new ListFunctionsCommand({}))).Functions));
  });
});
