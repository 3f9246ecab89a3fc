/**
 * The event source mapping API as users call it: one `flint serve` (IAM enforced), driven by the AWS
 * CLI v2, the SDK v3 and boto3, against AWS's recorded answers (shared/reference/aws-recorded/
 * esm-recorded.json). SQS only: the stream shapes are checked in-process
 * (src/services/lambda/event-source-mappings.test.ts) until Flint has a Kinesis service.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
  PublishVersionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEventSourceMappingCommand,
  waitUntilPublishedVersionActive,
  type CreateEventSourceMappingCommandInput,
  type EventSourceMappingConfiguration,
} from "@aws-sdk/client-lambda";
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction, WAITER } from "../harness/functions.js";
import { createExecutionRole } from "../harness/permissions.js";
import { eventually } from "../harness/processes.js";
import { boto3Driver, boto3Version, sdkClient, type SqsDriver } from "../harness/sqs-clients.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { zipFixture } from "../harness/zip.js";

const FN_ARN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const MAPPING_ARN = (uuid: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`;
const NOT_FOUND = "The resource you requested does not exist.";
/** The members AWS answers an SQS mapping with (recorded: sqs_create_esm_default_batch_response). */
const SQS_SHAPE = ["BatchSize", "EventSourceArn", "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes", "LastModified", "MaximumBatchingWindowInSeconds", "State", "StateTransitionReason", "UUID"];
/** As Debian's CLI v2 (2.9) and botocore (1.29) show it: their models predate EventSourceMappingArn (2024), so they drop it. */
const NO_BOTO3 = boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)";
const SQS_SHAPE_OLD_MODELS = SQS_SHAPE.filter((k) => k !== "EventSourceMappingArn");

describe("event source mapping API", () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let iam: IAMClient;
  let boto3: SqsDriver | undefined;
  let zip: Buffer;
  /** An execution role that may read queues (AWSLambdaSQSQueueExecutionRole). */
  let reader: string;
  /** A function (Timeout 30) run by `reader`, with version 1 and alias `live`. */
  let fn: string;
  const clients: { destroy(): void }[] = [];

  before(async () => {
    flint = await startFlint();
    sqs = sdkClient(flint.endpoint);
    iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    if (!NO_BOTO3) boto3 = boto3Driver(flint.endpoint, "lambda");
    zip = await zipFixture("nodejs");
    reader = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("fn-role"), ["AWSLambdaSQSQueueExecutionRole"]);
    fn = await createFunction(flint, zip, "echo.handler", { Role: reader, Timeout: 30 });
    await flint.lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await waitUntilPublishedVersionActive({ client: flint.lambda, ...WAITER }, { FunctionName: fn, Qualifier: "1" });
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: "live", FunctionVersion: "1" }));
  });
  after(async () => {
    boto3?.close();
    for (const c of clients) c.destroy();
    iam.destroy();
    sqs.destroy();
    await flint.stop();
  });

  const queue = async (name = uniqueName("esm-api"), attributes: Record<string, string> = {}) => {
    await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
  };
  const create = (input: Partial<CreateEventSourceMappingCommandInput>) => flint.lambda.send(new CreateEventSourceMappingCommand(input as CreateEventSourceMappingCommandInput));
  const get = (UUID: string) => flint.lambda.send(new GetEventSourceMappingCommand({ UUID }));
  const settled = (UUID: string) => eventually(async () => !["Creating", "Enabling", "Disabling", "Updating"].includes((await get(UUID)).State!), 10_000, "mapping settled");
  const everything = async () => {
    const out: EventSourceMappingConfiguration[] = [];
    let Marker: string | undefined;
    do {
      const page = await flint.lambda.send(new ListEventSourceMappingsCommand({ Marker }));
      out.push(...page.EventSourceMappings!);
      Marker = page.NextMarker;
    } while (Marker);
    // Not State: a transitional state settles on its own while the refused call is made.
    return out.map((m) => JSON.stringify([m.UUID, m.FunctionArn, m.EventSourceArn, m.BatchSize, m.MaximumBatchingWindowInSeconds, m.FilterCriteria, m.ScalingConfig, m.FunctionResponseTypes])).sort();
  };
  /** The SDK call fails with AWS's code, status and message, and the list of mappings is as it was. */
  const refused = async (call: () => Promise<unknown>, code: string, status: number, message: string | RegExp) => {
    const before = await everything();
    await assert.rejects(call(), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, code, err.message);
      assert.equal(err.$metadata?.httpStatusCode, status);
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
    assert.deepEqual(await everything(), before, "a refused call changes nothing");
  };

  test("Create answers 202 with SQS's minimal shape (Creating), Get 200 then Enabled; the CLI and boto3 see the same", async () => {
    const arn = await queue();
    const out = await create({ FunctionName: fn, EventSourceArn: arn });
    assert.equal(out.$metadata.httpStatusCode, 202);
    const { $metadata, ...body } = out;
    assert.deepEqual(Object.keys(body).sort(), SQS_SHAPE);
    assert.equal(body.BatchSize, 10);
    assert.equal(body.MaximumBatchingWindowInSeconds, 0);
    assert.deepEqual(body.FunctionResponseTypes, []);
    assert.equal(body.State, "Creating");
    assert.equal(body.StateTransitionReason, "USER_INITIATED");
    assert.equal(body.FunctionArn, FN_ARN(fn));
    assert.equal(body.EventSourceArn, arn);
    assert.equal(body.EventSourceMappingArn, MAPPING_ARN(body.UUID!));
    assert.ok(body.LastModified instanceof Date && Math.abs(body.LastModified.getTime() - Date.now()) < 60_000);
    await settled(body.UUID!);
    const got = await get(body.UUID!);
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.equal(got.State, "Enabled");
    const raw = await signedFetch(flint.endpoint, { path: `/2015-03-31/event-source-mappings/${body.UUID}` });
    assert.deepEqual(Object.keys(raw.body).sort(), SQS_SHAPE);
    assert.equal(typeof raw.body.LastModified, "number", "epoch seconds");

    const cli = await flint.aws(["lambda", "get-event-source-mapping", "--uuid", body.UUID!]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(Object.keys(cli.json()).sort(), SQS_SHAPE_OLD_MODELS);
    assert.equal(cli.json().State, "Enabled");
    assert.equal(typeof cli.json().LastModified, "string");
    if (boto3) {
      const py = await boto3.call("GetEventSourceMapping", { UUID: body.UUID });
      assert.deepEqual(Object.keys(py).sort(), SQS_SHAPE_OLD_MODELS);
      assert.equal(py.UUID, body.UUID);
    }
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: body.UUID }));
  });

  test("the AWS CLI creates, updates, lists and deletes a mapping (its paths end in a slash)", async () => {
    const arn = await queue();
    const made = await flint.aws(["lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", arn, "--batch-size", "5", "--no-enabled"]);
    assert.equal(made.code, 0, made.stderr);
    const { UUID, State, BatchSize } = made.json();
    assert.equal(State, "Disabled");
    assert.equal(BatchSize, 5);
    const updated = await flint.aws(["lambda", "update-event-source-mapping", "--uuid", UUID, "--batch-size", "50", "--maximum-batching-window-in-seconds", "2"]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.json().State, "Updating");
    await settled(UUID);
    const listed = await flint.aws(["lambda", "list-event-source-mappings", "--event-source-arn", arn]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json().EventSourceMappings.map((m: any) => [m.UUID, m.State, m.BatchSize, m.MaximumBatchingWindowInSeconds]), [[UUID, "Disabled", 50, 2]]);
    const deleted = await flint.aws(["lambda", "delete-event-source-mapping", "--uuid", UUID]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.json().State, "Deleting");
    const gone = await flint.aws(["lambda", "get-event-source-mapping", "--uuid", UUID]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ResourceNotFoundException.*The resource you requested does not exist\./);
    for (const path of ["/2015-03-31/event-source-mappings", "/2015-03-31/event-source-mappings/"]) {
      const raw = await signedFetch(flint.endpoint, { path, query: { EventSourceArn: arn } });
      assert.equal(raw.status, 200, path);
      assert.deepEqual(raw.body, { EventSourceMappings: [] }, path);
    }
  });

  test("boto3 creates, updates and deletes with AWS's statuses and states", { skip: NO_BOTO3 }, async () => {
    if (!boto3) return;
    const arn = await queue();
    const made = await boto3.call("CreateEventSourceMapping", { FunctionName: fn, EventSourceArn: arn, BatchSize: 3 });
    assert.equal(made.State, "Creating");
    assert.equal(made.StateTransitionReason, "USER_INITIATED");
    await settled(made.UUID);
    const disabling = await boto3.call("UpdateEventSourceMapping", { UUID: made.UUID, Enabled: false });
    assert.equal(disabling.State, "Disabling");
    await settled(made.UUID);
    // The boto3 driver's errors read "<code>: <message>" (harness/sqs-clients.ts SqsCallError).
    await assert.rejects(boto3.call("UpdateEventSourceMapping", { UUID: "00000000-0000-0000-0000-000000000000", BatchSize: 2 }), { code: "ResourceNotFoundException", message: `ResourceNotFoundException: ${NOT_FOUND}` });
    assert.equal((await boto3.call("DeleteEventSourceMapping", { UUID: made.UUID })).State, "Deleting");
    await assert.rejects(boto3.call("GetEventSourceMapping", { UUID: made.UUID }), { code: "ResourceNotFoundException", message: `ResourceNotFoundException: ${NOT_FOUND}` });
  });

  test("states: Disabled on create, Enabling, Disabling, Updating, Deleting, then 404", async () => {
    const arn = await queue();
    const out = await create({ FunctionName: fn, EventSourceArn: arn, Enabled: false, BatchSize: 1 });
    assert.equal(out.State, "Disabled");
    const enabling = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, Enabled: true }));
    assert.equal(enabling.$metadata.httpStatusCode, 202);
    assert.equal(enabling.State, "Enabling");
    await settled(out.UUID!);
    assert.equal((await get(out.UUID!)).State, "Enabled");
    const updating = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, FunctionName: `${FN_ARN(fn)}:1`, MaximumBatchingWindowInSeconds: 1 }));
    assert.equal(updating.State, "Updating");
    assert.equal(updating.FunctionArn, `${FN_ARN(fn)}:1`);
    assert.equal(updating.MaximumBatchingWindowInSeconds, 1);
    await settled(out.UUID!);
    assert.equal((await get(out.UUID!)).State, "Enabled");
    assert.equal((await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, Enabled: false }))).State, "Disabling");
    await settled(out.UUID!);
    assert.equal((await get(out.UUID!)).State, "Disabled");
    const deleting = await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
    assert.equal(deleting.$metadata.httpStatusCode, 202);
    assert.equal(deleting.State, "Deleting");
    await refused(() => get(out.UUID!), "ResourceNotFoundException", 404, NOT_FOUND);
  });

  test("FunctionArn keeps the qualifier the caller gave", async () => {
    const arn = await queue();
    for (const [name, expected] of [
      [fn, FN_ARN(fn)],
      [`${fn}:$LATEST`, `${FN_ARN(fn)}:$LATEST`],
      [`${fn}:live`, `${FN_ARN(fn)}:live`],
      [`${FN_ARN(fn)}:1`, `${FN_ARN(fn)}:1`],
    ]) {
      const out = await create({ FunctionName: name, EventSourceArn: arn });
      assert.equal(out.FunctionArn, expected, name);
      await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
    }
  });

  test("List filters by EventSourceArn and by FunctionName (name or ARN) and pages with Marker and MaxItems", async () => {
    const [a, b, c] = [await queue(), await queue(), await queue()];
    const other = await createFunction(flint, zip, "echo.handler", { Role: reader, Timeout: 30 });
    const uuids = [];
    for (const arn of [a, b, c]) uuids.push((await create({ FunctionName: other, EventSourceArn: arn })).UUID!);
    uuids.push((await create({ FunctionName: fn, EventSourceArn: a })).UUID!);
    const list = async (input: { EventSourceArn?: string; FunctionName?: string; MaxItems?: number; Marker?: string }) => flint.lambda.send(new ListEventSourceMappingsCommand(input));
    assert.deepEqual((await list({ EventSourceArn: a })).EventSourceMappings!.map((m) => m.UUID).sort(), [uuids[0], uuids[3]].sort());
    assert.deepEqual((await list({ FunctionName: other })).EventSourceMappings!.map((m) => m.UUID).sort(), uuids.slice(0, 3).sort());
    assert.deepEqual((await list({ FunctionName: FN_ARN(other) })).EventSourceMappings!.map((m) => m.UUID).sort(), uuids.slice(0, 3).sort());
    assert.deepEqual((await list({ FunctionName: other, EventSourceArn: b })).EventSourceMappings!.map((m) => m.UUID), [uuids[1]]);
    const seen: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await list({ FunctionName: other, MaxItems: 2, Marker });
      assert.ok(page.EventSourceMappings!.length <= 2);
      seen.push(...page.EventSourceMappings!.map((m) => m.UUID!));
      Marker = page.NextMarker;
      pages++;
    } while (Marker);
    assert.equal(pages, 2);
    assert.deepEqual(seen.sort(), uuids.slice(0, 3).sort());
    const cli = await flint.aws(["lambda", "list-event-source-mappings", "--function-name", other, "--max-items", "1"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.json().EventSourceMappings.length, 1);
    assert.ok(cli.json().NextToken, "the CLI pages on NextMarker");
    await refused(() => list({ MaxItems: 0 }), "ValidationException", 400, /Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await refused(() => list({ MaxItems: 10001 }), "ValidationException", 400, /Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000/);
    for (const uuid of uuids) await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
  });

  test("tags: given at create, and TagResource, UntagResource and ListTags on the mapping's ARN", async () => {
    const arn = await queue();
    const out = await create({ FunctionName: fn, EventSourceArn: arn, Tags: { team: "a", stage: "dev" } });
    const mappingArn = out.EventSourceMappingArn!;
    assert.deepEqual((await flint.lambda.send(new ListTagsCommand({ Resource: mappingArn }))).Tags, { team: "a", stage: "dev" });
    await flint.lambda.send(new TagResourceCommand({ Resource: mappingArn, Tags: { owner: "me", team: "b" } }));
    await flint.lambda.send(new UntagResourceCommand({ Resource: mappingArn, TagKeys: ["stage"] }));
    assert.deepEqual((await flint.lambda.send(new ListTagsCommand({ Resource: mappingArn }))).Tags, { team: "b", owner: "me" });
    const cli = await flint.aws(["lambda", "list-tags", "--resource", mappingArn]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json().Tags, { team: "b", owner: "me" });
    if (boto3) assert.deepEqual((await boto3.call("ListTags", { Resource: mappingArn })).Tags, { team: "b", owner: "me" });
    assert.deepEqual(Object.keys(await get(out.UUID!)).filter((k) => k !== "$metadata").sort(), SQS_SHAPE, "tags are not part of the mapping's shape");
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
    await refused(() => flint.lambda.send(new ListTagsCommand({ Resource: mappingArn })), "ResourceNotFoundException", 404, /The resource you requested does not exist\./);
  });

  test("each field's range, with AWS's code and message, changing nothing", async () => {
    const arn = await queue();
    const bad = (input: Partial<CreateEventSourceMappingCommandInput>, code: string, message: string | RegExp) => refused(() => create({ FunctionName: fn, EventSourceArn: arn, ...input }), code, 400, message);
    const model = (value: string | number, field: string, constraint: string) => new RegExp(`^1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must ${constraint}`.replace(/[[\]]/g, "\\$&"));
    await bad({ BatchSize: 0 }, "ValidationException", model(0, "batchSize", "have value greater than or equal to 1"));
    await bad({ BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }, "ValidationException", model(10001, "batchSize", "have value less than or equal to 10000"));
    await bad({ MaximumBatchingWindowInSeconds: 301 }, "ValidationException", model(301, "maximumBatchingWindowInSeconds", "have value less than or equal to 300"));
    await bad({ ScalingConfig: { MaximumConcurrency: 1 } }, "ValidationException", model(1, "scalingConfig.maximumConcurrency", "have value greater than or equal to 2"));
    await bad({ ScalingConfig: { MaximumConcurrency: 1001 } }, "ValidationException", model(1001, "scalingConfig.maximumConcurrency", "have value less than or equal to 1000"));
    await bad({ FunctionResponseTypes: ["Nope" as never] }, "ValidationException", /Value '\[Nope\]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[ReportBatchItemFailures\]\]/);
    for (const Pattern of ["not json", '{"eventSource":"aws:sqs"}', '{"eventSource":[]}', "null"]) {
      await bad({ FilterCriteria: { Filters: [{ Pattern }] } }, "InvalidParameterValueException", "Invalid filter pattern definition.");
    }
    await bad({ FilterCriteria: { Filters: [{}] } }, "InvalidParameterValueException", "Invalid filter pattern definition.");
    await bad({ BatchSize: 11 }, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    await bad({ DestinationConfig: { OnSuccess: { Destination: arn } } }, "InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type.");
    await bad({ StartingPosition: "LATEST" }, "InvalidParameterValueException", "StartingPosition is not valid for SQS event sources.");
    await bad({ FunctionName: "no-such-function" }, "InvalidParameterValueException", "Function does not exist");
    await bad({ FunctionName: `${fn}:nope` }, "InvalidParameterValueException", "Function does not exist");
    await bad({ EventSourceArn: undefined }, "InvalidParameterValueException", "Unrecognized event source.");
    await bad(
      { EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${uniqueName("missing")}` },
      "InvalidParameterValueException",
      "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
    );
    const fifo = await queue(`${uniqueName("esm-api")}.fifo`, { FifoQueue: "true" });
    // AWS's words for a window on FIFO, even with BatchSize 100 (a CloudFormation error quoting Lambda's); the batch-size message is not AWS-verified.
    await refused(() => create({ FunctionName: fn, EventSourceArn: fifo, BatchSize: 100, MaximumBatchingWindowInSeconds: 5 }), "InvalidParameterValueException", 400, "Batching window is not supported for FIFO queues");
    await refused(() => create({ FunctionName: fn, EventSourceArn: fifo, MaximumBatchingWindowInSeconds: 1 }), "InvalidParameterValueException", 400, "Batching window is not supported for FIFO queues");
    await refused(() => create({ FunctionName: fn, EventSourceArn: fifo, BatchSize: 11 }), "InvalidParameterValueException", 400, /FIFO/);
    const shortQueue = await queue(uniqueName("esm-api"), { VisibilityTimeout: "10" });
    await refused(() => create({ FunctionName: fn, EventSourceArn: shortQueue }), "InvalidParameterValueException", 400, "Queue visibility timeout: 10 seconds is less than Function timeout: 30 seconds");
  });

  test("FilterCriteria with no filters is accepted and not echoed; given filters are echoed as strings", async () => {
    const arn = await queue();
    const empty = await create({ FunctionName: fn, EventSourceArn: arn, FilterCriteria: { Filters: [] } });
    assert.equal(empty.FilterCriteria, undefined);
    await settled(empty.UUID!);
    const Pattern = JSON.stringify({ body: { kind: ["order"] } });
    const updated = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: empty.UUID, FilterCriteria: { Filters: [{ Pattern }] } }));
    assert.deepEqual(updated.FilterCriteria, { Filters: [{ Pattern }] });
    await settled(empty.UUID!);
    const cleared = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: empty.UUID, FilterCriteria: { Filters: [] } }));
    assert.equal(cleared.FilterCriteria, undefined);
    await settled(empty.UUID!);
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: empty.UUID }));
  });

  test("a duplicate is a 409 naming the first; updates are refused as creates are; unknown UUIDs are 404", async () => {
    const arn = await queue();
    const first = await create({ FunctionName: fn, EventSourceArn: arn });
    await refused(
      () => create({ FunctionName: fn, EventSourceArn: arn }),
      "ResourceConflictException",
      409,
      `An event source mapping with SQS arn (" ${arn} ") and function (" ${fn} ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`,
    );
    await settled(first.UUID!);
    const update = (input: object) => flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: first.UUID, ...input }));
    await refused(() => update({ BatchSize: 11 }), "InvalidParameterValueException", 400, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    await refused(() => update({ BatchSize: 10001 }), "ValidationException", 400, /at 'batchSize'/);
    await refused(() => update({ FunctionName: "no-such-function" }), "InvalidParameterValueException", 400, "Function does not exist");
    const unknown = "00000000-0000-0000-0000-000000000000";
    await refused(() => get(unknown), "ResourceNotFoundException", 404, NOT_FOUND);
    await refused(() => flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: unknown, BatchSize: 2 })), "ResourceNotFoundException", 404, NOT_FOUND);
    await refused(() => flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: unknown })), "ResourceNotFoundException", 404, NOT_FOUND);
    const raw = await signedFetch(flint.endpoint, { path: `/2015-03-31/event-source-mappings/${unknown}` });
    assert.equal(raw.status, 404);
    assert.equal(raw.errorType, "ResourceNotFoundException");
    assert.deepEqual(raw.body, { Type: "User", Message: NOT_FOUND }, "a capital M, as recorded");
    const rawCreate = await signedFetch(flint.endpoint, { method: "POST", path: "/2015-03-31/event-source-mappings/", body: JSON.stringify({ FunctionName: fn }) });
    assert.equal(rawCreate.status, 400);
    assert.deepEqual(rawCreate.body, { Type: "User", message: "Unrecognized event source." });
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: first.UUID }));
  });

  test("deleting the function leaves its mappings", async () => {
    const arn = await queue();
    const doomed = await createFunction(flint, zip, "echo.handler", { Role: reader, Timeout: 30 });
    const out = await create({ FunctionName: doomed, EventSourceArn: arn });
    await settled(out.UUID!);
    await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: doomed }));
    const still = await get(out.UUID!);
    assert.equal(still.UUID, out.UUID);
    assert.equal(still.FunctionArn, FN_ARN(doomed));
    assert.ok((await flint.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: arn }))).EventSourceMappings!.some((m) => m.UUID === out.UUID));
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
  });

  test("IAM: the function's role must be able to read the queue", async () => {
    const arn = await queue();
    const roleName = uniqueName("esm-role");
    const role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], roleName);
    const blind = await createFunction(flint, zip, "echo.handler", { Role: role, Timeout: 30 });
    await refused(() => create({ FunctionName: blind, EventSourceArn: arn }), "InvalidParameterValueException", 400, "The provided execution role does not have permissions to call ReceiveMessage on SQS");
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" }));
    const out = await create({ FunctionName: blind, EventSourceArn: arn });
    assert.equal(out.State, "Creating");
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
  });

  test("IAM: a caller needs lambda:CreateEventSourceMapping; Get, Update and Delete are decided on the mapping's ARN", async () => {
    const [a, b] = [await queue(), await queue()];
    const mine = await create({ FunctionName: fn, EventSourceArn: a });
    const theirs = await create({ FunctionName: fn, EventSourceArn: b });
    await settled(mine.UUID!);
    const name = uniqueName("esm-user");
    await iam.send(new CreateUserCommand({ UserName: name }));
    const actions = ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"];
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: MAPPING_ARN(mine.UUID!) }, { Effect: "Allow", Action: "lambda:ListEventSourceMappings", Resource: "*" }] };
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "one-mapping", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const user = new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, maxAttempts: 1 });
    clients.push(user);
    const denied = (call: () => Promise<unknown>) => refused(call, "AccessDeniedException", 403, /not authorized to perform: lambda:\w+EventSourceMapping/);
    await denied(() => user.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: a })));
    await denied(() => user.send(new GetEventSourceMappingCommand({ UUID: theirs.UUID })));
    await denied(() => user.send(new UpdateEventSourceMappingCommand({ UUID: theirs.UUID, BatchSize: 2 })));
    await denied(() => user.send(new DeleteEventSourceMappingCommand({ UUID: theirs.UUID })));
    assert.equal((await user.send(new GetEventSourceMappingCommand({ UUID: mine.UUID }))).UUID, mine.UUID);
    assert.equal((await user.send(new UpdateEventSourceMappingCommand({ UUID: mine.UUID, BatchSize: 2 }))).State, "Updating");
    await settled(mine.UUID!);
    assert.equal((await user.send(new DeleteEventSourceMappingCommand({ UUID: mine.UUID }))).State, "Deleting");
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: theirs.UUID }));
  });

  test("IAM: lambda:FunctionArn is the mapping's function in a condition on Get, Update and Delete", async () => {
    const other = await createFunction(flint, zip, "echo.handler", { Role: reader, Timeout: 30 });
    const [a, b] = [await queue(), await queue()];
    const ofFn = await create({ FunctionName: fn, EventSourceArn: a });
    const ofOther = await create({ FunctionName: other, EventSourceArn: b });
    await settled(ofFn.UUID!);
    await settled(ofOther.UUID!);
    const name = uniqueName("esm-user");
    await iam.send(new CreateUserCommand({ UserName: name }));
    const statement = { Effect: "Allow", Action: "lambda:GetEventSourceMapping", Resource: "*", Condition: { StringEquals: { "lambda:FunctionArn": `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}` } } };
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "by-function", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const user = new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, maxAttempts: 1 });
    clients.push(user);
    assert.equal((await user.send(new GetEventSourceMappingCommand({ UUID: ofFn.UUID }))).UUID, ofFn.UUID);
    await refused(() => user.send(new GetEventSourceMappingCommand({ UUID: ofOther.UUID })), "AccessDeniedException", 403, /lambda:GetEventSourceMapping/);
    for (const m of [ofFn, ofOther]) await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  });
});
