/**
 * A function's logs as Lambda writes them: LoggingConfig's Text and JSON formats, the Node.js and
 * Python runtimes' JSON lines, ApplicationLogLevel and SystemLogLevel filtering, the platform's
 * START/END/REPORT lines and `platform.*` records, lines in the log while the invocation runs, and
 * AWS's LoggingConfig defaults and errors. One server for the file.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { AWS_CLI_V2, awsClientEnv, cleanEnv, REGION, startFlint, type FlintProcess, ROLE, ROOT, uniqueName } from "../harness/flint.js";
import { zipFiles } from "../harness/zip.js";
import { createFunction, invoke, WAITER } from "../harness/functions.js";
import { eventually } from "../harness/processes.js";
import { runPython } from "../harness/dynamodb.js";

const run = promisify(execFile);

const NODE_HANDLER = `
exports.handler = async (event, context) => {
  if (event.wait) {
    console.log("early line");
    await new Promise((resolve) => setTimeout(resolve, event.wait));
    return "done";
  }
  console.trace("trace line");
  console.debug("debug line");
  console.info("info line");
  console.log({ an: "object", n: 1 });
  console.warn("warn %s", "formatted");
  console.error("with an error", new TypeError("bad thing"));
  console.error(new RangeError("alone"));
  process.stdout.write('{"level":"DEBUG","message":"raw debug json"}\\n');
  process.stdout.write('{"level":"ERROR","message":"raw error json"}\\n');
  process.stdout.write("plain stdout line\\n");
  if (event.fail) throw new Error("handler failed");
  return { group: context.logGroupName, stream: context.logStreamName, level: process.env.AWS_LAMBDA_LOG_LEVEL ?? null, format: process.env.AWS_LAMBDA_LOG_FORMAT ?? null };
};
`;

const PYTHON_HANDLER = `
import json
import logging

logger = logging.getLogger("app")


def handler(event, context):
    logging.debug("py debug")
    logger.info("py info %s", "arg", extra={"orderId": 42})
    logging.warning("py warning")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("py caught")
    print("plain print")
    print(json.dumps({"level": "debug", "msg": "printed debug"}))
    if event.get("fail"):
        raise ValueError("py failed")
    return "ok"
`;

/** The JSON objects among log lines (others left out). */
function records(log: string): any[] {
  return log
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

describe("function logging", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  /** `flint logs <name>`, the lines without their timestamps. */
  const flintLogs = (name: string) =>
    run(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), "logs", name, "--data-dir", flint.dataDir]).then(
      (r) => r.stdout.split("\n").map((l) => l.slice(l.indexOf(" ") + 1)),
      () => [] as string[],
    );

  before(async () => {
    flint = await startFlint();
    zip = await zipFiles({ "index.js": NODE_HANDLER, "app.py": PYTHON_HANDLER });
  });
  after(() => flint.stop());

  test("Node.js, JSON at the default INFO: console's JSON lines, objects and errors as AWS's runtime writes them, DEBUG and TRACE dropped", async () => {
    const name = await createFunction(flint, zip, "index.handler", { LoggingConfig: { LogFormat: "JSON" } });
    const r = await invoke(flint, name, {}, { tail: true });
    assert.deepEqual(r.payload, { group: `/aws/lambda/${name}`, stream: r.payload.stream, level: "INFO", format: "JSON" });
    const lines = r.log!.split("\n").filter(Boolean);
    const recs = records(r.log!);
    const requestId = r.out.$metadata.requestId;
    const app = recs.filter((x) => x.level);
    assert.deepEqual(
      app.map((x) => [x.level, typeof x.message === "string" ? x.message.split("\n")[0] : x.message]),
      [
        ["INFO", "info line"],
        ["INFO", { an: "object", n: 1 }],
        ["WARN", "warn formatted"],
        ["ERROR", "with an error TypeError: bad thing"],
        ["ERROR", { errorType: "RangeError", errorMessage: "alone", stackTrace: app[4].message.stackTrace }],
        ["ERROR", "raw error json"],
      ],
    );
    for (const x of app.slice(0, 5)) {
      assert.match(x.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(x.requestId, requestId);
      assert.deepEqual(Object.keys(x).slice(0, 4), ["timestamp", "level", "requestId", "message"]);
    }
    assert.equal(app[3].errorType, "TypeError");
    assert.equal(app[3].errorMessage, "bad thing");
    assert.match(app[3].stackTrace[0], /^TypeError: bad thing/);
    assert.match(app[4].message.stackTrace[0], /^RangeError: alone/);
    assert.ok(lines.includes("plain stdout line"), "a line that is not JSON is kept as it is");
    assert.ok(!r.log!.includes("debug line") && !r.log!.includes("trace line") && !r.log!.includes("raw debug json"));
    const platform = recs.filter((x) => x.type);
    assert.deepEqual(platform.map((x) => x.type), ["platform.start", "platform.report"], "at SystemLogLevel INFO: no runtimeDone");
    assert.deepEqual(platform[0].record, { requestId, version: "$LATEST" });
    assert.equal(platform[1].record.requestId, requestId);
    assert.equal(platform[1].record.status, "success");
    assert.deepEqual(Object.keys(platform[1].record.metrics), ["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"]);
    assert.equal(platform[1].record.metrics.memorySizeMB, 128);
    assert.ok(!lines.some((l) => /^(START|END|REPORT) RequestId/.test(l)), "no text platform lines in JSON");

    // The function's error, in JSON: the error object as the message of an ERROR line.
    const failed = await invoke(flint, name, { fail: true }, { tail: true });
    assert.equal(failed.functionError, "Unhandled");
    const invokeError = records(failed.log!).find((x) => x.message?.errorMessage === "handler failed");
    assert.equal(invokeError?.level, "ERROR");
    assert.equal(invokeError.message.errorType, "Error");

    // The stream has the init record and every line; the next cold start is a stream of its own.
    await eventually(async () => (await flintLogs(name)).filter((l) => l.includes('"platform.report"')).length === 2, undefined, "both REPORTs in `flint logs`");
    const stored = await flintLogs(name);
    const initStart = stored.map((l) => (l.startsWith("{") ? JSON.parse(l) : {})).find((x) => x.type === "platform.initStart");
    assert.deepEqual(initStart?.record, { initializationType: "on-demand", phase: "init", runtimeVersion: "nodejs20.x", functionName: name, functionVersion: "$LATEST" });
    assert.match(r.payload.stream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  test("Node.js, Text: AWS's tab-separated lines, nothing filtered, START/END/REPORT", async () => {
    const name = await createFunction(flint, zip, "index.handler");
    const r = await invoke(flint, name, {}, { tail: true });
    assert.deepEqual({ level: r.payload.level, format: r.payload.format }, { level: null, format: null });
    const requestId = r.out.$metadata.requestId;
    const log = r.log!;
    for (const [level, text] of [["TRACE", "trace line"], ["DEBUG", "debug line"], ["INFO", "info line"], ["WARN", "warn formatted"]]) {
      assert.match(log, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${requestId}\\t${level}\\t${text}$`, "m"));
    }
    assert.match(log, /\tINFO\t\{ an: 'object', n: 1 \}/);
    assert.match(log, /raw debug json/, "Text filters nothing");
    assert.match(log, new RegExp(`^START RequestId: ${requestId} Version: \\$LATEST$`, "m"));
    assert.match(log, new RegExp(`^END RequestId: ${requestId}$`, "m"));
    assert.match(log, new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t$`, "m"));
  });

  test("Node.js at ApplicationLogLevel DEBUG in a log group of its own: DEBUG kept, TRACE still dropped", async () => {
    const group = `/custom/${uniqueName("group")}`;
    const name = await createFunction(flint, zip, "index.handler", { LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "DEBUG", LogGroup: group } });
    const r = await invoke(flint, name, {}, { tail: true });
    assert.equal(r.payload.group, group);
    assert.equal(r.payload.level, "DEBUG");
    const levels = records(r.log!).filter((x) => x.level).map((x) => x.level);
    assert.deepEqual(levels, ["DEBUG", "INFO", "INFO", "WARN", "ERROR", "ERROR", "DEBUG", "ERROR"]);
  });

  test("Python, JSON at SystemLogLevel DEBUG: awslambdaric's JSON records with extra fields and exceptions, print lines, runtimeDone", async () => {
    const name = await createFunction(flint, zip, "app.handler", { runtime: "python3.12", LoggingConfig: { LogFormat: "JSON", SystemLogLevel: "DEBUG" } });
    const r = await invoke(flint, name, {}, { tail: true });
    assert.equal(r.payload, "ok");
    const requestId = r.out.$metadata.requestId;
    const recs = records(r.log!);
    const app = recs.filter((x) => x.level);
    assert.deepEqual(app.map((x) => [x.level, x.message, x.logger]), [
      ["INFO", "py info arg", "app"],
      ["WARNING", "py warning", "root"],
      ["ERROR", "py caught", "app"],
    ]);
    assert.deepEqual(Object.keys(app[0]), ["timestamp", "level", "message", "logger", "requestId", "orderId"]);
    assert.match(app[0].timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(app[0].requestId, requestId);
    assert.equal(app[0].orderId, 42);
    assert.equal(app[2].errorType, "ZeroDivisionError");
    assert.equal(app[2].errorMessage, "division by zero");
    assert.match(app[2].stackTrace.join(""), /1 \/ 0/);
    assert.match(app[2].location, /app\.py:handler:\d+$/);
    assert.ok(r.log!.split("\n").includes("plain print"));
    assert.ok(!r.log!.includes("py debug") && !r.log!.includes("printed debug"), "DEBUG lines dropped at INFO");
    assert.deepEqual(recs.filter((x) => x.type).map((x) => x.type), ["platform.start", "platform.runtimeDone", "platform.report"]);
    assert.equal(recs.find((x) => x.type === "platform.runtimeDone").record.status, "success");

    const failed = await invoke(flint, name, { fail: true }, { tail: true });
    const error = records(failed.log!).find((x) => x.log_level);
    assert.deepEqual(Object.keys(error), ["timestamp", "log_level", "errorMessage", "errorType", "requestId", "stackTrace"]);
    assert.deepEqual([error.log_level, error.errorType, error.errorMessage], ["ERROR", "ValueError", "py failed"]);
    assert.equal(records(failed.log!).find((x) => x.type === "platform.runtimeDone").record.status, "failure");
  });

  test("Python, JSON at ApplicationLogLevel ERROR and SystemLogLevel WARN: only errors, and no platform records for a success", async () => {
    const name = await createFunction(flint, zip, "app.handler", { runtime: "python3.12", LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "ERROR", SystemLogLevel: "WARN" } });
    const r = await invoke(flint, name, { fail: true }, { tail: true });
    const recs = records(r.log!);
    assert.deepEqual(recs.map((x) => x.level ?? x.log_level ?? x.type), ["ERROR", "ERROR", "platform.runtimeDone"]);
    assert.ok(r.log!.split("\n").includes("plain print"), "a print line is not JSON: it has no level to filter by");
  });

  test("Python, Text: logging at WARNING in AWS's text format, print lines as printed", async () => {
    const name = await createFunction(flint, zip, "app.handler", { runtime: "python3.12" });
    const r = await invoke(flint, name, {}, { tail: true });
    const requestId = r.out.$metadata.requestId;
    assert.match(r.log!, new RegExp(`^\\[WARNING\\]\\t\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${requestId}\\tpy warning$`, "m"));
    assert.ok(!r.log!.includes("py info"), "the root logger stays at WARNING without a JSON log level");
    assert.match(r.log!, /printed debug/);
  });

  test("aws logs tail --follow shows a function's line while its invocation still runs", async () => {
    const name = await createFunction(flint, zip, "index.handler", { LoggingConfig: { LogFormat: "JSON" } });
    let finished = false;
    // Long enough for the CLI to start and make its first poll on a loaded host; it polls every 5 s.
    const running = invoke(flint, name, { wait: 20_000 }).then((r) => ((finished = true), r));
    // Lambda makes the group with the function's first line; `aws logs tail` refuses a group that does not exist.
    await eventually(async () => (await flintLogs(name)).some((l) => l.includes("INIT_START") || l.includes("platform.initStart")), undefined, "the function's log group");
    const tail = spawn(AWS_CLI_V2, ["--endpoint-url", flint.endpoint, "--region", REGION, "logs", "tail", `/aws/lambda/${name}`, "--follow", "--since", "5m", "--format", "short"], {
      env: cleanEnv({ ...awsClientEnv(), AWS_PAGER: "" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    tail.stdout.on("data", (c) => (out += c));
    tail.stderr.on("data", (c) => (out += c));
    try {
      await eventually(async () => out.includes("early line") || tail.exitCode !== null, undefined, "the early line in `aws logs tail --follow`");
      assert.ok(out.includes("early line"), out);
      assert.equal(finished, false, "the line was shown before the invocation ended");
    } finally {
      tail.kill("SIGINT");
    }
    assert.equal((await running).payload, "done");
  });

  test("LoggingConfig: JSON gets INFO levels, Text drops them, levels with Text and bad log groups are AWS's errors", async () => {
    const name = await createFunction(flint, zip, "index.handler", { LoggingConfig: { LogFormat: "JSON" } });
    const config = async () => (await flint.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LoggingConfig;
    assert.deepEqual(await config(), { LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO", LogGroup: `/aws/lambda/${name}` });
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, LoggingConfig: { LogFormat: "Text" } }));
    await waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
    assert.deepEqual(await config(), { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` });

    // SDK v3 (the CLI v2 2.9 predates LoggingConfig).
    const textLevel = await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, LoggingConfig: { SystemLogLevel: "WARN" } })).catch((e: Error) => e);
    assert.equal((textLevel as Error).name, "InvalidParameterValueException");
    assert.equal((textLevel as Error).message, "ApplicationLogLevel and SystemLogLevel can only be set for functions configured to use JSON log format.");
    assert.deepEqual(await config(), { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` }, "nothing changed");

    // boto3: refused creations create nothing.
    const script = `
import base64, json, sys, boto3
arg = json.loads(sys.argv[1])
client = boto3.client("lambda", endpoint_url=arg["endpoint"])
out = []
for config in arg["configs"]:
    try:
        client.create_function(FunctionName=arg["name"], Runtime="nodejs20.x", Handler="index.handler", Role=arg["role"], Code={"ZipFile": base64.b64decode(arg["zip"])}, LoggingConfig=config)
        out.append(None)
    except client.exceptions.ClientError as e:
        out.append([e.response["Error"]["Code"], e.response["Error"]["Message"]])
try:
    client.get_function(FunctionName=arg["name"])
    out.append("exists")
except client.exceptions.ResourceNotFoundException:
    out.append("absent")
print(json.dumps(out))
`;
    const configs = [
      { LogFormat: "Text", ApplicationLogLevel: "DEBUG" },
      { SystemLogLevel: "DEBUG" },
      { LogFormat: "JSON", LogGroup: "bad group" },
      { LogFormat: "JSON", SystemLogLevel: "ERROR" },
    ];
    const answers = await runPython("python3", script, { endpoint: flint.endpoint, name: uniqueName("logging-refused"), role: ROLE, zip: zip.toString("base64"), configs });
    const textOnly = ["InvalidParameterValueException", "ApplicationLogLevel and SystemLogLevel can only be set for functions configured to use JSON log format."];
    assert.deepEqual(answers, [
      textOnly,
      textOnly,
      ["ValidationException", "1 validation error detected: Value 'bad group' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"],
      ["ValidationException", "1 validation error detected: Value 'ERROR' at 'loggingConfig.systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]"],
      "absent",
    ]);
  });
});
