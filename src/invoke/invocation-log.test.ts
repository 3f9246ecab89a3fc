import { test } from "node:test";
import assert from "node:assert/strict";
import { InvocationLog, PlatformLog } from "./invocation-log.js";

const TEXT = new PlatformLog({ LogFormat: "Text" });
const json = (SystemLogLevel: string, ApplicationLogLevel = "INFO") => new PlatformLog({ LogFormat: "JSON", SystemLogLevel, ApplicationLogLevel });
const types = (lines: string[]) => lines.map((l) => JSON.parse(l).type);
const END = { durationMs: 12.345, memorySizeMb: 128, maxMemoryUsedMb: 40 };

test("Text: START, END and REPORT as AWS writes them, Status and Error Type only when the platform ended it", () => {
  const log = new InvocationLog(TEXT, "req-1", "$LATEST", false);
  assert.deepEqual(log.start(), ["START RequestId: req-1 Version: $LATEST"]);
  assert.deepEqual(log.end({ ...END, initDurationMs: 100.5 }), [
    "END RequestId: req-1",
    "REPORT RequestId: req-1\tDuration: 12.35 ms\tBilled Duration: 113 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 100.50 ms\t",
  ]);
  const crashed = new InvocationLog(TEXT, "req-2", "3", false).end({ ...END, status: "error", errorType: "Runtime.ExitError" });
  assert.match(crashed[1]!, /\tStatus: error\tError Type: Runtime\.ExitError\t$/);
});

test("JSON at SystemLogLevel INFO: platform.start and platform.report, not the DEBUG runtimeDone", () => {
  const log = new InvocationLog(json("INFO"), "req-1", "$LATEST", false);
  const start = log.start().map((l) => JSON.parse(l));
  assert.equal(start.length, 1);
  assert.match(start[0].time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual({ ...start[0], time: undefined }, { time: undefined, type: "platform.start", record: { requestId: "req-1", version: "$LATEST" } });
  const end = log.end({ ...END, initDurationMs: 100.5, producedBytes: 7 }).map((l) => JSON.parse(l));
  assert.deepEqual(end.map((r) => r.type), ["platform.report"]);
  assert.deepEqual(end[0].record, {
    requestId: "req-1",
    metrics: { durationMs: 12.35, billedDurationMs: 113, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 100.5 },
    status: "success",
  });
});

test("JSON at DEBUG adds platform.runtimeDone; at WARN only failures are written", () => {
  const debug = new InvocationLog(json("DEBUG"), "r", "$LATEST", false);
  assert.deepEqual(types(debug.end({ ...END, producedBytes: 2 })), ["platform.runtimeDone", "platform.report"]);
  assert.deepEqual(JSON.parse(debug.end({ ...END, producedBytes: 2 })[0]!).record, { requestId: "r", status: "success", metrics: { durationMs: 12.35, producedBytes: 2 } });

  const warn = new InvocationLog(json("WARN"), "r", "$LATEST", false);
  assert.deepEqual(warn.start(), []);
  assert.deepEqual(warn.end(END), [], "a successful invocation writes nothing at WARN");
  const failed = warn.end({ ...END, functionError: true }).map((l) => JSON.parse(l));
  assert.deepEqual(failed.map((r) => [r.type, r.record.status]), [["platform.runtimeDone", "failure"]], "a function error: runtimeDone fails, the report is a success");
  const timedOut = warn.end({ ...END, status: "timeout" }).map((l) => JSON.parse(l));
  assert.deepEqual(timedOut.map((r) => [r.type, r.record.status]), [["platform.runtimeDone", "timeout"], ["platform.report", "timeout"]]);
});

test("JSON init records: initStart is INFO, a successful on-demand init's report DEBUG, a provisioned one's INFO, a failure WARN", () => {
  const start = { initializationType: "on-demand" as const, runtimeVersion: "nodejs20.x", functionName: "fn", functionVersion: "$LATEST", driver: "none" };
  assert.deepEqual(TEXT.initStart(start), ["INIT_START Runtime Version: nodejs20.x\tFlint Driver: none"]);
  assert.deepEqual(JSON.parse(json("INFO").initStart(start)[0]!).record, { initializationType: "on-demand", phase: "init", runtimeVersion: "nodejs20.x", functionName: "fn", functionVersion: "$LATEST" });
  assert.deepEqual(json("WARN").initStart(start), []);

  assert.deepEqual(json("INFO").initDone({ initializationType: "on-demand", durationMs: 50 }), []);
  assert.deepEqual(types(json("INFO").initDone({ initializationType: "provisioned-concurrency", durationMs: 50 })), ["platform.initReport"]);
  assert.deepEqual(types(json("DEBUG").initDone({ initializationType: "on-demand", durationMs: 50 })), ["platform.initRuntimeDone", "platform.initReport"]);
  const failed = json("WARN").initDone({ initializationType: "on-demand", durationMs: 50.123, errorType: "Runtime.ExitError" }).map((l) => JSON.parse(l));
  assert.deepEqual(failed[1].record, { initializationType: "on-demand", phase: "init", status: "error", errorType: "Runtime.ExitError", metrics: { durationMs: 50.12 } });
  assert.deepEqual(TEXT.initDone({ initializationType: "on-demand", durationMs: 50 }), []);
  assert.deepEqual(TEXT.initDone({ initializationType: "on-demand", durationMs: 50, errorType: "Runtime.ExitError" }), [
    "INIT_REPORT Init Duration: 50.00 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError",
  ]);
});

test("the application level drops JSON lines below it, by their level or log_level, a missing or unknown one counting as INFO", () => {
  const warn = json("INFO", "WARN");
  assert.equal(warn.keepsAppLine('{"timestamp":"t","level":"INFO","message":"m"}'), false);
  assert.equal(warn.keepsAppLine('{"level": "warn", "msg": "m"}'), true);
  assert.equal(warn.keepsAppLine('{"level":"WARNING","logger":"root"}'), true, "Python's names");
  assert.equal(warn.keepsAppLine('{"level":"CRITICAL"}'), true);
  assert.equal(warn.keepsAppLine('{"timestamp":"t","log_level":"ERROR","errorMessage":"x"}'), true, "awslambdaric's error record");
  assert.equal(warn.keepsAppLine('{"msg":"no level"}'), false);
  assert.equal(warn.keepsAppLine('{"level":"verbose"}'), false);
  assert.equal(warn.keepsAppLine("plain text is not filtered"), true);
  assert.equal(json("INFO", "TRACE").keepsAppLine('{"level":"TRACE"}'), true);
  assert.equal(json("INFO").keepsAppLine('{"level":"debug"}'), false);
  assert.equal(TEXT.keepsAppLine('{"level":"debug"}'), true, "Text filters nothing");
});

test("Text platform words for an invocation the platform ended are written; JSON's records carry them instead", () => {
  assert.deepEqual(TEXT.ended("Runtime.ExitError"), ["Runtime.ExitError"]);
  assert.deepEqual(json("DEBUG").ended("Runtime.ExitError"), []);
});

test("the tail keeps the last 4 KB of the invocation's lines, platform records included", () => {
  const log = new InvocationLog(json("INFO"), "r", "$LATEST", true);
  log.start();
  log.append("x".repeat(5000));
  log.append("last line");
  log.end(END);
  const tail = Buffer.from(log.tailBase64(), "base64").toString();
  assert.ok(Buffer.byteLength(tail) <= 4096);
  assert.match(tail, /last line\n\{"time":"[^"]+","type":"platform\.report"/);
});
