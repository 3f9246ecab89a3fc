/**
 * Calls from inside a function: the runtime's AWS SDK, the environment's temporary credentials and
 * AWS_ENDPOINT_URL reach Flint; those credentials need their session token and die with their
 * environment.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DeleteFunctionCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ACCOUNT, REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke, RUNTIME_OF } from "../harness/functions.js";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { boto3Version, sdkClient } from "../harness/sqs-clients.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { createExecutionRole } from "../harness/permissions.js";
import { zipFixture } from "../harness/zip.js";

describe("calls from inside functions", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  /** An execution role that lets its functions list functions and invoke them, as a caller's role would. */
  let callerRole: string;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
    callerRole = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: ["lambda:ListFunctions", "lambda:InvokeFunction"], Resource: "*" }]);
  });
  after(() => flint.stop());

  const clientWith = (creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: creds, maxAttempts: 1 });

  test("an environment gets temporary credentials of its own and the endpoint to use them on", async () => {
    const name = await createFunction(flint, zip, "sdk-call.handler");
    const { payload } = await invoke(flint, name);
    assert.match(payload.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.notEqual(payload.accessKeyId, TEST_CREDENTIALS.accessKeyId);
    assert.ok(payload.sessionToken.length > 100);
    assert.equal(payload.endpoint, flint.endpoint);
  });

  test("a function lists functions and invokes another synchronously and asynchronously with the SDK", async () => {
    const caller = await createFunction(flint, zip, "sdk-call.handler", { Role: callerRole });
    const callee = await createFunction(flint, zip, "echo.handler");
    const listed = await invoke(flint, caller, { list: true });
    assert.ok(listed.payload.functions.includes(callee), JSON.stringify(listed.payload));
    const sync = await invoke(flint, caller, { invoke: callee, payload: { hello: "from a function" } });
    assert.deepEqual(sync.payload, { status: 200, payload: { hello: "from a function" } });
    const async = await invoke(flint, caller, { invoke: callee, invocationType: "Event", payload: { later: true } });
    assert.deepEqual(async.payload, { status: 202, payload: null });
  });

  test("the credentials need their session token, and stop working when their environment is gone", async () => {
    const name = await createFunction(flint, zip, "sdk-call.handler", { Role: callerRole });
    const creds = (await invoke(flint, name)).payload;
    const withToken = clientWith(creds);
    assert.ok((await withToken.send(new ListFunctionsCommand({}))).Functions!.length > 0);
    const withoutToken = clientWith({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey });
    await assert.rejects(withoutToken.send(new ListFunctionsCommand({})), { name: "UnrecognizedClientException" });
    const wrongToken = clientWith({ ...creds, sessionToken: creds.sessionToken.slice(0, -4) + "AAAA" });
    await assert.rejects(wrongToken.send(new ListFunctionsCommand({})), { name: "UnrecognizedClientException" });
    // Deleting the function destroys its environment, and with it the credentials.
    await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await eventually(
      async () => {
        try {
          await withToken.send(new ListFunctionsCommand({}));
          return false;
        } catch (err) {
          return (err as Error).name === "UnrecognizedClientException";
        }
      },
      PATIENCE_MS,
      "revoked credentials refused",
    );
    for (const c of [withToken, withoutToken, wrongToken]) c.destroy();
  });

  test("a Python function sends to an SQS queue with boto3 and its own credentials", { skip: boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)" }, async () => {
    const sqs = sdkClient(flint.endpoint);
    const queueName = `from-python-${Date.now()}`;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`;
    const Role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: ["sqs:GetQueueUrl", "sqs:SendMessage"], Resource: queueArn }]);
    const name = await createFunction(flint, await zipFixture("python"), "sdk_call.handler", { runtime: RUNTIME_OF.python, Role });
    const out = await invoke(flint, name, { queue: queueName, body: { hello: "boto3" } });
    assert.equal(out.functionError, undefined, out.raw);
    assert.equal(out.payload.keyPrefix, "ASIA");
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    assert.equal(received.Messages?.[0]?.MessageId, out.payload.messageId);
    assert.deepEqual(JSON.parse(received.Messages![0]!.Body!), { hello: "boto3" });
    sqs.destroy();
  });
});
