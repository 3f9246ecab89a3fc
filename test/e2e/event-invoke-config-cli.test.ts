/**
 * Asynchronous invocation settings with the real AWS CLI v2: put/update/get/list/delete-function-event-invoke-config
 * and a function's dead-letter queue (create-function and update-function-configuration --dead-letter-config).
 * What AWS answers is checked in recorded-parity-async.test.ts; this checks that the CLI sends what Flint
 * reads and reads what Flint sends (timestamps, pagination, shorthand).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ACCOUNT, REGION, ROLE, startFlint, type FlintProcess, uniqueName } from "../harness/flint.js";
import { zipFiles } from "../harness/zip.js";

const QUEUE = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;

describe("AWS CLI v2: event invoke configs and dead-letter queues", () => {
  let flint: FlintProcess;
  let dir: string;
  let zipPath: string;

  before(async () => {
    flint = await startFlint();
    dir = await mkdtemp(path.join(tmpdir(), "flint-eic-cli-"));
    zipPath = path.join(dir, "fn.zip");
    await writeFile(zipPath, await zipFiles({ "handler.py": "def handler(event, context):\n    return event\n" }));
  });
  after(async () => {
    await flint?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]) {
    const r = await flint.aws(args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}\n${r.stderr}`);
    return r.stdout.trim() ? r.json() : undefined;
  }
  /** A call that must fail: its stderr names the error code (and the message after it). */
  async function cliFails(code: string, ...args: string[]) {
    const r = await flint.aws(args);
    assert.notEqual(r.code, 0, `aws ${args.join(" ")} succeeded:\n${r.stdout}`);
    assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
    return r.stderr;
  }
  async function createFunction(name: string, ...extra: string[]) {
    const created = await cli("lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "handler.handler", "--role", ROLE, "--zip-file", `fileb://${zipPath}`, ...extra);
    await cli("lambda", "wait", "function-active-v2", "--function-name", name);
    return created;
  }
  const waitUpdated = (name: string) => cli("lambda", "wait", "function-updated-v2", "--function-name", name);
  /** The CLI prints timestamp members as ISO 8601; Flint sends epoch seconds, which it must have read. */
  const assertRecent = (timestamp: string, since: number) => {
    const t = Date.parse(timestamp);
    assert.ok(t >= since - 2000 && t <= Date.now() + 2000, `LastModified ${timestamp}`);
  };

  test("put, update, get, list and delete an event invoke config", async () => {
    const name = uniqueName("eic-cli");
    await createFunction(name);
    const since = Date.now();

    const put = await cli(
      "lambda", "put-function-event-invoke-config", "--function-name", name,
      "--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "120",
      "--destination-config", `OnFailure={Destination=${QUEUE("eic-failures")}}`,
    );
    assert.equal(put.FunctionArn, `${FN_ARN}${name}:$LATEST`);
    assert.equal(put.MaximumRetryAttempts, 1);
    assert.equal(put.MaximumEventAgeInSeconds, 120);
    assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: QUEUE("eic-failures") } });
    assertRecent(put.LastModified, since);

    // Update changes only what it is given.
    const updated = await cli("lambda", "update-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "0");
    assert.equal(updated.MaximumRetryAttempts, 0);
    assert.equal(updated.MaximumEventAgeInSeconds, 120);
    assert.deepEqual(updated.DestinationConfig.OnFailure, { Destination: QUEUE("eic-failures") });
    const got = await cli("lambda", "get-function-event-invoke-config", "--function-name", name);
    assert.deepEqual(got, updated);

    // Put replaces the whole configuration.
    const replaced = await cli("lambda", "put-function-event-invoke-config", "--function-name", name, "--maximum-event-age-in-seconds", "60");
    assert.equal(replaced.MaximumEventAgeInSeconds, 60);
    assert.ok(!("MaximumRetryAttempts" in replaced));
    assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });

    // A version and an alias have their own.
    assert.equal((await cli("lambda", "publish-version", "--function-name", name)).Version, "1");
    await cli("lambda", "create-alias", "--function-name", name, "--name", "live", "--function-version", "1");
    await cli("lambda", "put-function-event-invoke-config", "--function-name", name, "--qualifier", "1", "--maximum-retry-attempts", "2");
    await cli("lambda", "put-function-event-invoke-config", "--function-name", `${name}:live`, "--maximum-retry-attempts", "1");
    const listed = await cli("lambda", "list-function-event-invoke-configs", "--function-name", name);
    assert.deepEqual(
      listed.FunctionEventInvokeConfigs.map((c: { FunctionArn: string }) => c.FunctionArn).sort(),
      [`${FN_ARN}${name}:$LATEST`, `${FN_ARN}${name}:1`, `${FN_ARN}${name}:live`],
    );
    for (const c of listed.FunctionEventInvokeConfigs) assertRecent(c.LastModified, since);
    // The CLI follows NextMarker page by page (--page-size) and stops at --max-items with a NextToken.
    const paged = await cli("lambda", "list-function-event-invoke-configs", "--function-name", name, "--page-size", "1", "--max-items", "2");
    assert.equal(paged.FunctionEventInvokeConfigs.length, 2);
    assert.ok(paged.NextToken);
    const rest = await cli("lambda", "list-function-event-invoke-configs", "--function-name", name, "--page-size", "1", "--starting-token", paged.NextToken);
    assert.equal(rest.FunctionEventInvokeConfigs.length, 1);
    await cliFails("ValidationException", "lambda", "list-function-event-invoke-configs", "--function-name", name, "--page-size", "51");

    assert.equal(await cli("lambda", "delete-function-event-invoke-config", "--function-name", name, "--qualifier", "live"), undefined);
    assert.equal(await cli("lambda", "delete-function-event-invoke-config", "--function-name", name), undefined);
    const gone = await cliFails("ResourceNotFoundException", "lambda", "get-function-event-invoke-config", "--function-name", name);
    assert.match(gone, new RegExp(`The function ${FN_ARN.replaceAll("$", "\\$")}${name}:\\$LATEST doesn't have an EventInvokeConfig`));
    await cliFails("ResourceNotFoundException", "lambda", "update-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "1");
    const left = await cli("lambda", "list-function-event-invoke-configs", "--function-name", name);
    assert.deepEqual(left.FunctionEventInvokeConfigs.map((c: { FunctionArn: string }) => c.FunctionArn), [`${FN_ARN}${name}:1`]);

    // Deleting the version takes its configuration with it.
    await cli("lambda", "delete-alias", "--function-name", name, "--name", "live");
    await cli("lambda", "delete-function", "--function-name", name, "--qualifier", "1");
    assert.deepEqual((await cli("lambda", "list-function-event-invoke-configs", "--function-name", name)).FunctionEventInvokeConfigs, []);
  });

  test("refused event invoke configs", async () => {
    const name = uniqueName("eic-cli-bad");
    await createFunction(name);
    const put = (...args: string[]) => ["lambda", "put-function-event-invoke-config", "--function-name", name, ...args];
    const nothing = await cliFails("InvalidParameterValueException", "lambda", "put-function-event-invoke-config", "--function-name", "eic-cli-does-not-exist");
    assert.match(nothing, /You must specify at least one of error handling or destination setting\./);
    // The CLI checks minimums itself; maximums are the server's.
    const retries = await cliFails("ValidationException", ...put("--maximum-retry-attempts", "3"));
    assert.match(retries, /Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2/);
    await cliFails("ValidationException", ...put("--maximum-event-age-in-seconds", "21601"));
    const itself = await cliFails("InvalidParameterValueException", ...put("--destination-config", `OnSuccess={Destination=${FN_ARN}${name}}`));
    assert.match(itself, /You can't specify the function as a destination for itself\./);
    await cliFails("InvalidParameterValueException", ...put("--destination-config", `OnSuccess={Destination=arn:aws:s3:::bucket}`));
    await cliFails("ResourceNotFoundException", ...put("--qualifier", "7", "--maximum-retry-attempts", "1"));
  });

  test("dead-letter queue: create, update, keep, remove", async () => {
    const name = uniqueName("dlq-cli");
    const created = await createFunction(name, "--dead-letter-config", `TargetArn=${QUEUE("dlq-one")}`);
    assert.deepEqual(created.DeadLetterConfig, { TargetArn: QUEUE("dlq-one") });
    const dlqOf = async () => (await cli("lambda", "get-function-configuration", "--function-name", name)).DeadLetterConfig;
    assert.deepEqual(await dlqOf(), { TargetArn: QUEUE("dlq-one") });

    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:dlq-topic`;
    const moved = await cli("lambda", "update-function-configuration", "--function-name", name, "--dead-letter-config", `TargetArn=${topic}`);
    assert.deepEqual(moved.DeadLetterConfig, { TargetArn: topic });
    await waitUpdated(name);
    assert.deepEqual((await cli("lambda", "get-function", "--function-name", name)).Configuration.DeadLetterConfig, { TargetArn: topic });

    // A DeadLetterConfig without TargetArn leaves the queue as it is (as AWS does), an empty one removes it.
    const kept = await cli("lambda", "update-function-configuration", "--function-name", name, "--dead-letter-config", "{}");
    assert.deepEqual(kept.DeadLetterConfig, { TargetArn: topic });
    await waitUpdated(name);
    const removed = await cli("lambda", "update-function-configuration", "--function-name", name, "--dead-letter-config", '{"TargetArn":""}');
    assert.ok(!("DeadLetterConfig" in removed), JSON.stringify(removed));
    await waitUpdated(name);
    assert.equal(await dlqOf(), undefined);

    const refused = (...args: string[]) => ["lambda", "update-function-configuration", "--function-name", name, "--dead-letter-config", ...args];
    const pattern = await cliFails("ValidationException", ...refused("TargetArn=dlq-one"));
    assert.match(pattern, /Value 'dlq-one' at 'deadLetterConfig.targetArn' failed to satisfy constraint/);
    await cliFails("InvalidParameterValueException", ...refused(`TargetArn=${FN_ARN}${name}`));
    const fifo = await cliFails("InvalidParameterValueException", ...refused(`TargetArn=${QUEUE("dlq.fifo")}`));
    assert.match(fifo, /Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration/);
    await cliFails(
      "InvalidParameterValueException",
      "lambda", "create-function", "--function-name", uniqueName("dlq-cli-empty"), "--runtime", "python3.12", "--handler", "handler.handler",
      "--role", ROLE, "--zip-file", `fileb://${zipPath}`, "--dead-letter-config", '{"TargetArn":""}',
    );
    assert.equal(await dlqOf(), undefined);
  });
});
