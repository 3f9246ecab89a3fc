/** The event source mapping control plane in-process: fields, defaults, errors and states, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import type { AwsError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { SqliteStore } from "../../store/sqlite.js";
import { EventSourceMappingService, type MappingRecord } from "./event-source-mappings.js";
import { decodeMapping } from "./event-source-mapping-inputs.js";
import type { FunctionRecord, FunctionVersion } from "./model.js";
import { FunctionRegistry } from "./registry.js";
import { aloneBus } from "../../store/change-bus.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders";
const FIFO = "arn:aws:sqs:us-east-1:000000000000:orders.fifo";
const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
const TABLE_STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000";
const FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn";

const version = (v: string): FunctionVersion => ({
  functionName: "fn", version: v, runtime: "python3.12", handler: "handler.handler", role: "arn:aws:iam::000000000000:role/r",
  description: "", timeout: 3, memorySize: 128, ephemeralStorage: 512, architectures: ["x86_64"],
  code: { id: "c", sha256: "s", size: 1 }, lastModified: "2024-01-01T00:00:00.000+0000", revisionId: `rev-${v}`, state: "Active",
  loggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/fn" }, tracingMode: "PassThrough",
});

const rejects = (promise: Promise<unknown>, code: string, message: string | RegExp) =>
  assert.rejects(promise, (err: AwsError) => {
    assert.equal(err.code, code);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

describe("event source mappings (control plane)", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let service: EventSourceMappingService;
  let registry: FunctionRegistry;
  const heard: [string, MappingRecord | undefined][] = [];
  const sources = new Set([QUEUE, FIFO, STREAM, TABLE_STREAM]);

  const open = async () => {
    service = await EventSourceMappingService.create({
      account: ACCOUNT,
      registry,
      store: store.mappings,
      clock,
      source: (_kind, arn) => (sources.has(arn) || arn.startsWith(`${QUEUE}-`) ? { fifo: arn.endsWith(".fifo") } : undefined),
    });
    service.listener = (uuid, record) => heard.push([uuid, record]);
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-esm-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    const record: FunctionRecord = {
      name: "fn", latest: version("$LATEST"), tags: {}, createdAt: 0, nextVersion: 2, versions: { "1": version("1") },
      aliases: { live: { name: "live", functionVersion: "1", description: "", revisionId: "rev-live" } }, provisioned: {}, eventInvokeConfigs: {},
    };
    const fnStore = { listFunctions: async () => [record], putFunction: async () => {}, insertFunction: async () => true, deleteFunction: async () => {}, changes: aloneBus() };
    registry = await FunctionRegistry.load(ACCOUNT, fnStore as unknown as Store, clock);
    heard.length = 0;
    await open();
  });
  afterEach(async () => {
    await service.idle();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = (body: Record<string, unknown>) => service.createEventSourceMapping(decodeMapping(body));
  const settle = () => new Promise((r) => setImmediate(r));

  test("an SQS mapping answers with the minimal shape, Creating, then Enabled once its pollers have it", async () => {
    const out = await create({ FunctionName: "fn", EventSourceArn: QUEUE, MaximumBatchingWindowInSeconds: 1 });
    assert.deepEqual(Object.keys(out).sort(), ["BatchSize", "EventSourceArn", "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes", "LastModified", "MaximumBatchingWindowInSeconds", "State", "StateTransitionReason", "UUID"]);
    assert.equal(out.BatchSize, 10);
    assert.equal(out.State, "Creating");
    assert.equal(out.StateTransitionReason, "USER_INITIATED");
    assert.equal(out.FunctionArn, FN_ARN);
    assert.equal(out.EventSourceMappingArn, `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${out.UUID}`);
    assert.equal(heard.length, 1);
    await settle();
    assert.equal(service.getEventSourceMapping(out.UUID as string).State, "Enabled");
  });

  test("a stream mapping echoes every stream default", async () => {
    const out = await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST" });
    assert.equal(out.BatchSize, 100);
    assert.equal(out.BisectBatchOnFunctionError, false);
    assert.deepEqual(out.DestinationConfig, { OnFailure: {} });
    assert.equal(out.MaximumRecordAgeInSeconds, -1);
    assert.equal(out.MaximumRetryAttempts, -1);
    assert.equal(out.ParallelizationFactor, 1);
    assert.equal(out.TumblingWindowInSeconds, 0);
    assert.equal(out.LastProcessingResult, "No records processed");
    assert.equal(out.StateTransitionReason, "User action");
    assert.equal(out.StartingPosition, "LATEST");
  });

  test("a stream mapping answers with exactly AWS's recorded members, FilterCriteria omitted when its list is empty", async () => {
    // The members of esm-recorded.json's kinesis_create_esm_response (and dynamodb_esm_update_disabling).
    const recorded = [
      "BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "EventSourceArn", "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes", "LastModified", "LastProcessingResult",
      "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "ParallelizationFactor", "StartingPosition", "State", "StateTransitionReason", "TumblingWindowInSeconds", "UUID",
    ];
    const kinesis = await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST", FilterCriteria: { Filters: [] } });
    assert.deepEqual(Object.keys(kinesis).sort(), recorded);
    assert.equal(kinesis.MaximumBatchingWindowInSeconds, 0);
    assert.deepEqual(kinesis.FunctionResponseTypes, []);
    const table = await create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "TRIM_HORIZON", BatchSize: 1, MaximumRetryAttempts: 1, FilterCriteria: { Filters: [{ Pattern: '{"dynamodb":{"NewImage":{"presentKey":[{"exists":false}]}}}' }] } });
    assert.deepEqual(Object.keys(table).sort(), [...recorded, "FilterCriteria"].sort());
    assert.deepEqual(table.FilterCriteria, { Filters: [{ Pattern: '{"dynamodb":{"NewImage":{"presentKey":[{"exists":false}]}}}' }] });
    assert.equal(table.MaximumRetryAttempts, 1);
    await settle();
    const disabling = await service.updateEventSourceMapping(table.UUID as string, decodeMapping({ Enabled: false }));
    assert.equal(disabling.State, "Disabling");
    assert.equal(disabling.StateTransitionReason, "User action");
    assert.deepEqual(Object.keys(disabling).sort(), [...recorded, "FilterCriteria"].sort());
  });

  test("stream-only members and StartingPosition are refused on SQS, on create and on update", async () => {
    for (const member of [{ ParallelizationFactor: 2 }, { MaximumRetryAttempts: 1 }, { BisectBatchOnFunctionError: true }, { TumblingWindowInSeconds: 1 }, { MaximumRecordAgeInSeconds: 60 }]) {
      await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, ...member }), "InvalidParameterValueException", `Unsupported ${Object.keys(member)[0]} parameter for given event source mapping type.`);
    }
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, StartingPosition: "LATEST" }), "InvalidParameterValueException", "StartingPosition is not valid for SQS event sources.");
    const out = await create({ FunctionName: "fn", EventSourceArn: QUEUE });
    await settle();
    await rejects(service.updateEventSourceMapping(out.UUID as string, decodeMapping({ ParallelizationFactor: 2 })), "InvalidParameterValueException", "Unsupported ParallelizationFactor parameter for given event source mapping type.");
    await rejects(service.updateEventSourceMapping(out.UUID as string, decodeMapping({ BatchSize: 11 })), "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    assert.equal(service.getEventSourceMapping(out.UUID as string).BatchSize, 10);
  });

  test("FunctionArn keeps the qualifier the caller gave", async () => {
    for (const [name, arn] of [["fn:$LATEST", `${FN_ARN}:$LATEST`], ["fn:live", `${FN_ARN}:live`], [`${FN_ARN}:1`, `${FN_ARN}:1`]] as const) {
      const out = await create({ FunctionName: name, EventSourceArn: QUEUE });
      assert.equal(out.FunctionArn, arn);
    }
  });

  test("AWS's errors, each changing nothing", async () => {
    await rejects(create({ FunctionName: "fn" }), "InvalidParameterValueException", "Unrecognized event source.");
    await rejects(create({ FunctionName: "nope", EventSourceArn: QUEUE }), "InvalidParameterValueException", "Function does not exist");
    await rejects(create({ FunctionName: "fn:nope", EventSourceArn: QUEUE }), "InvalidParameterValueException", "Function does not exist");
    await rejects(
      create({ FunctionName: "fn", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:missing" }),
      "InvalidParameterValueException",
      "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
    );
    await rejects(create({ FunctionName: "fn", EventSourceArn: `${STREAM}x`, StartingPosition: "LATEST" }), "InvalidParameterValueException", `Stream not found: ${STREAM}x`);
    await rejects(create({ FunctionName: "fn", EventSourceArn: STREAM }), "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    await rejects(
      create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "invalid" }),
      "ValidationException",
      "1 validation error detected: Value 'invalid' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
    );
    await rejects(create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: 1 }), "InvalidParameterValueException", `Unsupported starting position for arn type: ${TABLE_STREAM}`);
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, BatchSize: 11 }), "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }), "ValidationException", /Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000/);
    await rejects(create({ FunctionName: "fn", EventSourceArn: FIFO, BatchSize: 100, MaximumBatchingWindowInSeconds: 5 }), "InvalidParameterValueException", "Batching window is not supported for FIFO queues");
    await rejects(create({ FunctionName: "fn", EventSourceArn: FIFO, BatchSize: 11 }), "InvalidParameterValueException", /FIFO/);
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, DestinationConfig: { OnSuccess: { Destination: QUEUE } } }), "InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type.");
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, ScalingConfig: { MaximumConcurrency: 1 } }), "ValidationException", /maximumConcurrency/);
    await rejects(create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST", MaximumRecordAgeInSeconds: 30 }), "InvalidParameterValueException", /MaximumRecordAgeInSeconds/);
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE, FunctionResponseTypes: ["Nope"] }), "ValidationException", /functionResponseTypes/);
    assert.equal(service.listEventSourceMappings(undefined, undefined, undefined, undefined).EventSourceMappings.length, 0);
    assert.equal(heard.length, 0);
  });

  test("a DynamoDB stream mapping: AWS's defaults, limits and recorded errors", async () => {
    await rejects(create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM }), "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    // esm-recorded.json dynamodb_esm_nonexistent_stream.
    const missing = "arn:aws:dynamodb:us-east-1:000000000000:table/test-table-4a53f4e8/stream/2025-02-22T03:03:25.490";
    await rejects(create({ FunctionName: "fn", EventSourceArn: missing, StartingPosition: "TRIM_HORIZON", BatchSize: 1 }), "InvalidParameterValueException", `Stream not found: ${missing}`);
    await rejects(create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "LATEST", BatchSize: 10001 }), "ValidationException", /Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000/);
    await rejects(create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "LATEST", ScalingConfig: { MaximumConcurrency: 2 } }), "InvalidParameterValueException", "Unsupported ScalingConfig parameter for given event source mapping type.");
    const out = await create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "LATEST" });
    assert.equal(out.BatchSize, 100);
    assert.equal(out.StartingPosition, "LATEST");
    assert.equal(out.State, "Creating");
    assert.equal(out.LastProcessingResult, "No records processed");
    assert.equal(heard.at(-1)![1]!.source, "dynamodb");
    // esm-recorded.json dynamodb_esm_duplicate_conflict: the stream wording.
    await rejects(
      create({ FunctionName: "fn", EventSourceArn: TABLE_STREAM, StartingPosition: "TRIM_HORIZON" }),
      "ResourceConflictException",
      `The event source arn (" ${TABLE_STREAM} ") and function (" fn ") provided mapping already exists. Please update or delete the existing mapping with UUID ${out.UUID}`,
    );
    await settle();
    const updated = await service.updateEventSourceMapping(out.UUID as string, decodeMapping({ BatchSize: 10000, MaximumBatchingWindowInSeconds: 0 }));
    assert.equal(updated.BatchSize, 10000);
    assert.equal(updated.StartingPosition, "LATEST");
  });

  test("a second mapping of one source to one function is a conflict naming the first", async () => {
    const first = await create({ FunctionName: "fn", EventSourceArn: QUEUE });
    await rejects(create({ FunctionName: "fn", EventSourceArn: QUEUE }), "ResourceConflictException", `An event source mapping with SQS arn (" ${QUEUE} ") and function (" fn ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`);
    const stream = await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST" });
    await rejects(create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST" }), "ResourceConflictException", `The event source arn (" ${STREAM} ") and function (" fn ") provided mapping already exists. Please update or delete the existing mapping with UUID ${stream.UUID}`);
  });

  test("two creates of one mapping at once: one is made, the other is the conflict", async () => {
    const outcomes = await Promise.allSettled([create({ FunctionName: "fn", EventSourceArn: QUEUE }), create({ FunctionName: "fn", EventSourceArn: QUEUE })]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ["fulfilled", "rejected"]);
    assert.equal(((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason as AwsError).code, "ResourceConflictException");
    assert.equal(service.listEventSourceMappings(undefined, undefined, undefined, undefined).EventSourceMappings.length, 1);
  });

  test("a report and a tag at once both last", async () => {
    const out = await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST" });
    await settle();
    await Promise.all([service.tag(out.EventSourceMappingArn as string, { k: "v" }), service.report(out.UUID as string, { lastProcessingResult: "OK" })]);
    await open();
    assert.deepEqual(service.tagsOf(out.EventSourceMappingArn as string), { k: "v" });
    assert.equal(service.getEventSourceMapping(out.UUID as string).LastProcessingResult, "OK");
  });

  test("states move as AWS moves them: Disabled on create, Enabling, Disabling, Updating, Deleting", async () => {
    const out = await create({ FunctionName: "fn", EventSourceArn: QUEUE, Enabled: false });
    const uuid = out.UUID as string;
    assert.equal(out.State, "Disabled");
    assert.equal((await service.updateEventSourceMapping(uuid, decodeMapping({ Enabled: true }))).State, "Enabling");
    await rejects(service.updateEventSourceMapping(uuid, decodeMapping({ BatchSize: 5 })), "ResourceInUseException", /in use/);
    await settle();
    assert.equal(service.getEventSourceMapping(uuid).State, "Enabled");
    assert.equal((await service.updateEventSourceMapping(uuid, decodeMapping({ BatchSize: 5, FunctionName: "fn:1" }))).State, "Updating");
    await settle();
    const updated = service.getEventSourceMapping(uuid);
    assert.equal(updated.State, "Enabled");
    assert.equal(updated.BatchSize, 5);
    assert.equal(updated.FunctionArn, `${FN_ARN}:1`);
    assert.equal((await service.updateEventSourceMapping(uuid, decodeMapping({ Enabled: false }))).State, "Disabling");
    await settle();
    assert.equal(service.getEventSourceMapping(uuid).State, "Disabled");
    assert.equal((await service.deleteEventSourceMapping(uuid)).State, "Deleting");
    await rejects(Promise.resolve().then(() => service.getEventSourceMapping(uuid)), "ResourceNotFoundException", "The resource you requested does not exist.");
    assert.equal(heard.at(-1)![1], undefined);
  });

  test("mappings, their settings and tags survive a restart; List filters and pages", async () => {
    const a = await create({ FunctionName: "fn", EventSourceArn: QUEUE, Tags: { team: "a" } });
    await create({ FunctionName: "fn:1", EventSourceArn: QUEUE });
    await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "TRIM_HORIZON", BatchSize: 7, FilterCriteria: { Filters: [{ Pattern: '{"data":{"a":[1]}}' }] } });
    await settle();
    await open();
    assert.deepEqual(service.tagsOf(a.EventSourceMappingArn as string), { team: "a" });
    const all = service.listEventSourceMappings(undefined, undefined, undefined, undefined).EventSourceMappings;
    assert.equal(all.length, 3);
    assert.ok(all.every((m) => m.State === "Enabled"));
    assert.equal(service.listEventSourceMappings(QUEUE, undefined, undefined, undefined).EventSourceMappings.length, 2);
    assert.equal(service.listEventSourceMappings(undefined, "fn:1", undefined, undefined).EventSourceMappings.length, 1);
    const page = service.listEventSourceMappings(undefined, undefined, undefined, "2");
    assert.equal(page.EventSourceMappings.length, 2);
    const rest = service.listEventSourceMappings(undefined, undefined, page.NextMarker, "2");
    assert.equal(rest.EventSourceMappings.length, 1);
    assert.equal(rest.NextMarker, undefined);
    const stream = all.find((m) => m.EventSourceArn === STREAM)!;
    assert.equal(stream.BatchSize, 7);
    assert.deepEqual(stream.FilterCriteria, { Filters: [{ Pattern: '{"data":{"a":[1]}}' }] });
  });

  test("List answers at most 100 a page, whatever MaxItems up to 10,000 asks", async () => {
    for (let i = 0; i < 101; i++) await create({ FunctionName: "fn", EventSourceArn: `${QUEUE}-${i}` });
    const first = service.listEventSourceMappings(undefined, undefined, undefined, "10000");
    assert.equal(first.EventSourceMappings.length, 100);
    assert.equal(service.listEventSourceMappings(undefined, undefined, first.NextMarker, "500").EventSourceMappings.length, 1);
    assert.equal(service.listEventSourceMappings(undefined, undefined, undefined, undefined).EventSourceMappings.length, 100);
    assert.throws(() => service.listEventSourceMappings(undefined, undefined, undefined, "10001"), (err: AwsError) => err.code === "ValidationException");
  });

  test("what the pollers report: why a mapping cannot poll, until a batch succeeds; SQS shows a result only for a problem", async () => {
    const sqsMapping = (await create({ FunctionName: "fn", EventSourceArn: QUEUE })).UUID as string;
    const stream = (await create({ FunctionName: "fn", EventSourceArn: STREAM, StartingPosition: "LATEST" })).UUID as string;
    await settle();
    const problem = "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.";
    await service.report(sqsMapping, { lastProcessingResult: "PROBLEM: function call failed" });
    assert.equal(service.getEventSourceMapping(sqsMapping).LastProcessingResult, undefined);
    await service.report(sqsMapping, { lastProcessingResult: `PROBLEM: ${problem}`, stateTransitionReason: problem });
    assert.equal(service.getEventSourceMapping(sqsMapping).StateTransitionReason, problem);
    assert.equal(service.getEventSourceMapping(sqsMapping).LastProcessingResult, `PROBLEM: ${problem}`);
    await service.report(sqsMapping, { lastProcessingResult: "OK" });
    assert.equal(service.getEventSourceMapping(sqsMapping).StateTransitionReason, "USER_INITIATED");
    assert.equal("LastProcessingResult" in service.getEventSourceMapping(sqsMapping), false);
    await service.report(stream, { lastProcessingResult: "PROBLEM: Function call failed" });
    assert.equal(service.getEventSourceMapping(stream).LastProcessingResult, "PROBLEM: Function call failed");
    await service.report(stream, { lastProcessingResult: "PROBLEM: Insufficient permissions", stateTransitionReason: "denied" });
    assert.equal(service.getEventSourceMapping(stream).StateTransitionReason, "denied");
    await service.report(stream, { lastProcessingResult: "OK" });
    assert.equal(service.getEventSourceMapping(stream).StateTransitionReason, "User action");
    assert.equal(service.getEventSourceMapping(stream).LastProcessingResult, "OK");
    await open();
    assert.equal(service.getEventSourceMapping(stream).LastProcessingResult, "OK");
  });

  test("deleting the function leaves its mappings", async () => {
    const out = await create({ FunctionName: "fn", EventSourceArn: QUEUE });
    await registry.remove("fn");
    assert.equal(service.getEventSourceMapping(out.UUID as string).UUID, out.UUID);
  });
});
