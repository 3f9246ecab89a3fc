/**
 * Asynchronous invocation end to end: 202 only after the event is stored, retries on Flint time
 * (`--time-scale 60`: AWS's one- and two-minute waits take one and two seconds), the event's timeline,
 * payload limits, InvokeAsync, and no event lost when the server is killed with events in flight.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  GetFunctionConfigurationCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { boto3Version, sdkClient } from "../harness/sqs-clients.js";
import { execFileSync } from "node:child_process";
import { REGION, TEST_CREDENTIALS } from "../harness/flint.js";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { WAITER, createFunction, invoke } from "../harness/functions.js";
import { Barrier } from "../harness/parallel.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { endedTimeline, invokeEvent, timelineOf } from "../harness/async.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";

const ARN_PREFIX = "arn:aws:sqs:us-east-1:000000000000:";

/** Every message a queue holds (long-polling until `count` arrived). */
async function drain(sqs: SQSClient, url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  for (let i = 0; i < 30 && got.length < count; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }));
    got.push(...(out.Messages ?? []));
  }
  return got;
}


describe("asynchronous invocation", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  let sqs: SQSClient;
  before(async () => {
    flint = await startFlint({ args: ["--time-scale", "60"] });
    zip = await zipFixture("nodejs");
    sqs = sdkClient(flint.endpoint);
  });
  after(async () => {
    sqs.destroy();
    await flint.stop();
  });

  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${randomUUID().slice(0, 8)}` }))).QueueUrl!;
  const arnOf = (url: string) => ARN_PREFIX + url.split("/").at(-1);

  test("an Event invoke is accepted with 202, runs once, and its timeline says so", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const id = await invokeEvent(flint, name, { id: "once" });
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "succeeded");
    assert.deepEqual(view.Timeline.map((e) => e.Kind), ["accepted", "attempt", "ended"]);
    assert.equal(view.Timeline[1]!.executedVersion, "$LATEST");
    assert.equal(view.Timeline[1]!.functionError, undefined);
  });

  test("a function that fails twice is retried about one and then two minutes later, and the third attempt succeeds", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const id = await invokeEvent(flint, name, { id: "twice", failTimes: 2 });
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "succeeded");
    const attempts = view.Timeline.filter((e) => e.Kind === "attempt");
    assert.deepEqual(attempts.map((a) => [a.attempt, a.functionError ?? null]), [[1, "Unhandled"], [2, "Unhandled"], [3, null]]);
    assert.match(String(attempts[0]!.error), /attempt 1 of twice fails/);
    // Flint time: each retry is due AWS's 1, then 2 minutes plus at most 10% jitter after the attempt
    // before it, and runs no earlier (how much later is up to the host).
    const retries = view.Timeline.filter((e) => e.Kind === "retry");
    assert.equal(retries.length, 2);
    const due = retries.map((r, i) => ((r.retryAt as number) - Date.parse(attempts[i]!.At)) / 1000);
    assert.ok(due[0]! >= 60 && due[0]! <= 66, `first retry due ${due[0]} s of Flint time after the first attempt`);
    assert.ok(due[1]! >= 120 && due[1]! <= 132, `second retry due ${due[1]} s of Flint time after the second attempt`);
    retries.forEach((r, i) => assert.ok(Date.parse(attempts[i + 1]!.At) >= (r.retryAt as number), `retry ${i + 1} ran before it was due`));
  });

  test("a function that always fails is tried three times, then discarded when nothing is configured to receive it", async () => {
    const name = await createFunction(flint, zip, "throw.handler");
    const id = await invokeEvent(flint, name, { message: "always" });
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "discarded");
    assert.equal(view.Timeline.filter((e) => e.Kind === "attempt").length, 3);
    const failed = view.Timeline.find((e) => e.Kind === "failed")!;
    assert.equal(failed.condition, "RetriesExhausted");
    assert.equal(failed.attempts, 3);
  });

  test("with reserved concurrency 0 an event is not run and goes straight to failure handling", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const id = await invokeEvent(flint, name, { id: "off" });
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "discarded");
    assert.equal(view.Timeline.filter((e) => e.Kind === "attempt").length, 0);
  });

  test("an event throttled by reserved concurrency waits and runs once a slot is free, without spending an attempt", async () => {
    const name = await createFunction(flint, zip, "hold.handler");
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    // A synchronous invoke holds the only slot, at a gate, until the event has been throttled.
    const gate = await Barrier.create();
    try {
      const holding = invoke(flint, name, { port: gate.port });
      await Promise.race([gate.arrived(1), holding]);
      assert.equal(gate.arrivals.length, 1, "the slot taken");
      const id = await invokeEvent(flint, name, { port: gate.port });
      const throttledYet = async () => (await timelineOf(flint, id))?.Timeline.some((e) => e.Kind === "throttled") ?? false;
      await eventually(throttledYet, PATIENCE_MS, "the event throttled");
      gate.release();
      assert.equal((await holding).functionError, undefined);
      const view = await endedTimeline(flint, id);
      assert.equal(view.Outcome, "succeeded");
      const throttled = view.Timeline.filter((e) => e.Kind === "throttled");
      assert.ok(throttled.length >= 1, JSON.stringify(view.Timeline));
      for (const t of throttled) assert.equal(t.reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
      assert.deepEqual(view.Timeline.filter((e) => e.Kind === "attempt").map((e) => e.attempt), [1]);
    } finally {
      await gate.close();
    }
  });

  test("bad Event requests get AWS's errors and store nothing", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const big = await signedFetch(flint.endpoint, {
      method: "POST", path: `/2015-03-31/functions/${name}/invocations`, headers: { "x-amz-invocation-type": "Event" }, body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }),
    });
    assert.equal(big.status, 413);
    assert.equal(big.errorType, "RequestEntityTooLargeException");
    assert.match(big.body.message ?? big.body.Message, /^\d+ byte payload is too large for the Event invocation type \(limit 1048576 bytes\)$/);
    const bad = await signedFetch(flint.endpoint, { method: "POST", path: `/2015-03-31/functions/${name}/invocations`, headers: { "x-amz-invocation-type": "Event" }, body: "{not json" });
    assert.equal(bad.status, 400);
    assert.equal(bad.errorType, "InvalidRequestContentException");
    const missing = await signedFetch(flint.endpoint, { method: "POST", path: `/2015-03-31/functions/no-such-fn-${randomUUID().slice(0, 8)}/invocations`, headers: { "x-amz-invocation-type": "Event" }, body: "{}" });
    assert.equal(missing.status, 404);
    for (const r of [big, bad, missing]) assert.equal(await timelineOf(flint, r.headers.get("x-amzn-requestid")!), undefined);
  });

  test("the deprecated InvokeAsync answers {Status: 202} and runs the event; the AWS CLI's invoke --invocation-type Event works", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const r = await signedFetch(flint.endpoint, { method: "POST", path: `/2014-11-13/functions/${name}/invoke-async/`, body: JSON.stringify({ id: "legacy" }) });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { Status: 202 });
    assert.equal((await endedTimeline(flint, r.headers.get("x-amzn-requestid")!)).Outcome, "succeeded");
    const cli = await flint.aws(["lambda", "invoke", "--function-name", name, "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out", "--payload", '{"id":"cli"}', "/dev/null"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).StatusCode, 202);
  });

  test("retries exhausted: the OnFailure destination gets AWS's invocation record and the dead-letter queue the event with its attributes", async () => {
    const name = await createFunction(flint, zip, "throw.handler");
    const [onFailure, dlq] = [await queue("on-failure"), await queue("dlq")];
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: arnOf(dlq) } }));
    await waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
    assert.deepEqual((await flint.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).DeadLetterConfig, { TargetArn: arnOf(dlq) });
    const cli = await flint.aws([
      "lambda", "put-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "1",
      "--destination-config", JSON.stringify({ OnFailure: { Destination: arnOf(onFailure) } }),
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json().DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: arnOf(onFailure) } });

    const event = { message: "always fails", n: 7 };
    const id = await invokeEvent(flint, name, event);
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "delivered");
    assert.equal(view.Timeline.filter((e) => e.Kind === "attempt").length, 2, "one try and one retry");

    const [recordMessage] = await drain(sqs, onFailure, 1);
    const record = JSON.parse(recordMessage!.Body!);
    assert.deepEqual(Object.keys(record).sort(), ["requestContext", "requestPayload", "responseContext", "responsePayload", "timestamp", "version"]);
    assert.equal(record.version, "1.0");
    assert.ok(!Number.isNaN(Date.parse(record.timestamp)));
    assert.deepEqual(record.requestContext, { requestId: id, functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: 2 });
    assert.deepEqual(record.requestPayload, event);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal(record.responsePayload.errorType, "ValidationFailed");
    assert.equal(record.responsePayload.errorMessage, "always fails");

    const [dead] = await drain(sqs, dlq, 1);
    assert.deepEqual(JSON.parse(dead!.Body!), event);
    assert.deepEqual(dead!.MessageAttributes, {
      RequestID: { DataType: "String", StringValue: id },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "always fails" },
    });
    assert.deepEqual(view.Timeline.filter((e) => e.Kind === "destination" || e.Kind === "dead-letter").map((e) => [e.Kind, e.target, e.ok]), [
      ["destination", arnOf(onFailure), true],
      ["dead-letter", arnOf(dlq), true],
    ]);
  });

  test("success after retries: the OnSuccess destination gets a Success record with the response", async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const onSuccess = await queue("on-success");
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: arnOf(onSuccess) } } }));
    const id = await invokeEvent(flint, name, { id: "eventually", failTimes: 2 });
    assert.equal((await endedTimeline(flint, id)).Outcome, "succeeded");
    const [message] = await drain(sqs, onSuccess, 1);
    const record = JSON.parse(message!.Body!);
    assert.deepEqual(record.requestContext, { requestId: id, functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`, condition: "Success", approximateInvokeCount: 3 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
    assert.deepEqual(record.responsePayload, { id: "eventually", attempts: 3 });
  });

  test("an event older than MaximumEventAgeInSeconds is not retried: EventAgeExceeded goes to the failure destination", async () => {
    // Time runs 10× here: the first attempt surely starts within the minute (6 real seconds) however
    // slow a cold start is, and the retry a minute later finds the event expired.
    const slower = await startFlint({ args: ["--time-scale", "10"] });
    const sqs = sdkClient(slower.endpoint);
    try {
      const name = await createFunction(slower, zip, "throw.handler");
      const onFailure = (await sqs.send(new CreateQueueCommand({ QueueName: "expired" }))).QueueUrl!;
      await slower.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: `${ARN_PREFIX}expired` } } }));
      await expired(slower, sqs, name, onFailure);
    } finally {
      sqs.destroy();
      await slower.stop();
    }
  });

  async function expired(flint: FlintProcess, sqs: SQSClient, name: string, onFailure: string) {
    const id = await invokeEvent(flint, name, { message: "too late" });
    const view = await endedTimeline(flint, id);
    assert.equal(view.Outcome, "delivered");
    assert.equal(view.Timeline.filter((e) => e.Kind === "attempt").length, 1, "the retry a minute later finds the event expired");
    const record = JSON.parse((await drain(sqs, onFailure, 1))[0]!.Body!);
    assert.equal(record.requestContext.condition, "EventAgeExceeded");
    assert.equal(record.requestContext.approximateInvokeCount, 1);
    assert.equal(record.responseContext.functionError, "Unhandled");
  }

  test("a Lambda destination receives the record as an asynchronous invocation", async () => {
    const target = await createFunction(flint, zip, "flaky.handler");
    const name = await createFunction(flint, zip, "flaky.handler");
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, DestinationConfig: { OnSuccess: { Destination: `arn:aws:lambda:us-east-1:000000000000:function:${target}` } },
    }));
    const id = await invokeEvent(flint, name, { id: "chained" });
    await endedTimeline(flint, id);
    const metrics = async () => (await (await fetch(`${flint.endpoint}/_flint/metrics`)).text());
    await eventually(async () => (await metrics()).includes(`flint_async_events_total{function="${target}",outcome="succeeded"} 1`), PATIENCE_MS, "the destination function ran");
  });

  test("a message that could not be delivered is counted, and the event still ends", async () => {
    const name = await createFunction(flint, zip, "throw.handler");
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: `${ARN_PREFIX}no-such-queue-${randomUUID().slice(0, 8)}` } },
    }));
    const view = await endedTimeline(flint, await invokeEvent(flint, name, {}));
    assert.equal(view.Outcome, "discarded");
    const sent = view.Timeline.find((e) => e.Kind === "destination")!;
    assert.equal(sent.ok, false);
  });

  test("boto3: event invoke config and an Event invoke whose success record reaches a queue", { skip: boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)" }, async () => {
    const name = await createFunction(flint, zip, "flaky.handler");
    const onSuccess = await queue("boto3-success");
    const script = String.raw`
import json, sys
import boto3
lam = boto3.client("lambda", endpoint_url=sys.argv[1])
put = lam.put_function_event_invoke_config(FunctionName=sys.argv[2], MaximumRetryAttempts=0, DestinationConfig={"OnSuccess": {"Destination": sys.argv[3]}})
got = lam.get_function_event_invoke_config(FunctionName=sys.argv[2])
listed = lam.list_function_event_invoke_configs(FunctionName=sys.argv[2])["FunctionEventInvokeConfigs"]
out = lam.invoke(FunctionName=sys.argv[2], InvocationType="Event", Payload=json.dumps({"id": "boto3"}))
try:
    lam.put_function_event_invoke_config(FunctionName=sys.argv[2], MaximumRetryAttempts=3)
    error = None
except lam.exceptions.ClientError as e:
    error = e.response["Error"]["Code"]
print(json.dumps({"put": put["MaximumRetryAttempts"], "got": got["DestinationConfig"], "listed": len(listed), "status": out["StatusCode"],
                  "requestId": out["ResponseMetadata"]["RequestId"], "error": error}))
`;
    const stdout = execFileSync("/usr/bin/python3", ["-c", script, flint.endpoint, name, arnOf(onSuccess)], {
      env: { PATH: "/usr/bin:/bin", AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" },
      encoding: "utf8",
    });
    const r = JSON.parse(stdout);
    assert.deepEqual({ ...r, requestId: undefined }, { put: 0, got: { OnSuccess: { Destination: arnOf(onSuccess) }, OnFailure: {} }, listed: 1, status: 202, requestId: undefined, error: "ValidationException" });
    assert.equal((await endedTimeline(flint, r.requestId)).Outcome, "succeeded");
    const record = JSON.parse((await drain(sqs, onSuccess, 1))[0]!.Body!);
    assert.equal(record.requestContext.requestId, r.requestId);
    assert.deepEqual(record.requestPayload, { id: "boto3" });
  });
});
