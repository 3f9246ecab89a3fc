/** Synchronous invoke of Node.js functions: results, context, environment, errors and logs. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess, REGION, ACCOUNT } from "../harness/flint.js";
import { zipFiles, zipFixture } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";
import { Barrier } from "../harness/parallel.js";
import { settlesWithin } from "../harness/processes.js";

describe("Node.js functions", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("echo returns the event and tells which version ran", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const r = await invoke(flint, name, { hello: "world", n: [1, 2, 3] });
    assert.equal(r.status, 200);
    assert.equal(r.functionError, undefined);
    assert.deepEqual(r.payload, { hello: "world", n: [1, 2, 3] });
    assert.equal(r.executedVersion, "$LATEST");
  });

  test("init runs once and state persists across warm invokes", async () => {
    const name = await createFunction(flint, zip, "counter.handler");
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await invoke(flint, name)).payload);
    assert.deepEqual(results.map((r) => r.inits), [1, 1, 1, 1]);
    assert.deepEqual(results.map((r) => r.invocations), [1, 2, 3, 4]);
    assert.equal(new Set(results.map((r) => r.pid)).size, 1, "the same environment served every warm invoke");
  });

  test("context carries AWS's fields", async () => {
    const name = await createFunction(flint, zip, "context.handler", { MemorySize: 256, Timeout: 7 });
    const sent = Date.now();
    const { payload } = await invoke(flint, name);
    const answered = Date.now();
    const c = payload.json;
    assert.equal(c.functionName, name);
    assert.equal(c.functionVersion, "$LATEST");
    assert.equal(c.memoryLimitInMB, "256");
    assert.equal(c.invokedFunctionArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`);
    assert.equal(c.logGroupName, `/aws/lambda/${name}`);
    assert.match(c.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.match(c.awsRequestId, /^[0-9a-f-]{36}$/);
    assert.equal(c.callbackWaitsForEmptyEventLoop, true);
    // The deadline is 7 s after the invocation reached the runtime, which was between sending and the answer.
    const deadline = payload.now + payload.remaining;
    assert.ok(payload.remaining <= 7000 && deadline >= sent + 7000 - 2 && deadline <= answered + 7000 + 2, `remaining ${payload.remaining}: deadline ${deadline - sent} ms after sending, the answer ${answered - sent} ms after`);
    assert.match(payload.traceId, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  test("the environment is Lambda's, with none of the server's variables", async () => {
    const name = await createFunction(flint, zip, "env.handler", { Environment: { Variables: { MY_SETTING: "on", LANG: "C.UTF-8" } } });
    const { payload } = await invoke(flint, name);
    const env = payload.env;
    assert.equal(env.MY_SETTING, "on");
    assert.equal(env.LANG, "C.UTF-8", "a function may override unreserved variables");
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, name);
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "128");
    assert.equal(env.AWS_REGION, REGION);
    assert.equal(env.AWS_DEFAULT_REGION, REGION);
    assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, "on-demand");
    assert.equal(env._HANDLER, "env.handler");
    assert.equal(env.TZ, ":UTC");
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, `/aws/lambda/${name}`);
    assert.match(env.AWS_LAMBDA_RUNTIME_API, /^[\w.]+:\d+$/);
    assert.ok(env.LAMBDA_TASK_ROOT && env.LAMBDA_RUNTIME_DIR && env.PATH && env.NODE_PATH);
    assert.equal(payload.cwd, env.LAMBDA_TASK_ROOT);
    for (const leaked of ["NODE_EXTRA_CA_CERTS", "FLINT_ACCESS_KEY_ID", "FLINT_SECRET_ACCESS_KEY", "HOME", "PYENV_ROOT", "SSL_CERT_FILE"]) {
      assert.equal(env[leaked], undefined, `${leaked} leaked from the server's environment`);
    }
    assert.ok(payload.execArgv.some((a: string) => a.startsWith("--max-old-space-size=")), "heap bounded by MemorySize");
  });

  test("a thrown error is data: 200 with X-Amz-Function-Error and AWS's error JSON", async () => {
    const name = await createFunction(flint, zip, "throw.handler");
    const r = await invoke(flint, name, { message: "bad input" });
    assert.equal(r.status, 200);
    assert.equal(r.functionError, "Unhandled");
    assert.deepEqual(Object.keys(r.payload), ["errorType", "errorMessage", "trace"]);
    assert.equal(r.payload.errorType, "ValidationFailed");
    assert.equal(r.payload.errorMessage, "bad input");
    assert.match(r.payload.trace[0], /^ValidationFailed: bad input/);
    const again = await invoke(flint, name, { plain: true });
    assert.equal(again.payload.errorType, "Error", "the environment survives a handler error");
  });

  test("exit mid-invoke is Runtime.ExitError and the next invoke gets a fresh environment", async () => {
    const name = await createFunction(flint, zip, "exit.handler");
    const r = await invoke(flint, name, { code: 1 }, { tail: true });
    assert.equal(r.functionError, "Unhandled");
    assert.equal(r.payload.errorType, "Runtime.ExitError");
    assert.match(r.payload.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 1$/);
    assert.match(r.log!, /about to exit/);
    const zero = await invoke(flint, name, { code: 0 });
    assert.match(zero.payload.errorMessage, /Runtime exited without providing a reason$/);
  });

  test("timeout is Sandbox.Timedout with AWS's message, and kills the environment", async () => {
    const name = await createFunction(flint, zip, "timeout.handler", { Timeout: 1 });
    const started = Date.now();
    const r = await invoke(flint, name, { ms: 30_000 }, { tail: true });
    assert.ok(Date.now() - started < 30_000, "answered before the function's own 30 s were up");
    assert.equal(r.functionError, "Unhandled");
    assert.equal(r.payload.errorType, "Sandbox.Timedout");
    assert.match(r.payload.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(r.log!, /Task timed out after 1\.00 seconds/);
    const quick = await invoke(flint, name, { ms: 1 });
    assert.equal(quick.payload, "finished", "a new environment serves the next invoke");
  });

  test("import errors and missing handlers are reported as AWS's init errors", async () => {
    const missingModule = await createFunction(flint, zip, "nowhere.handler");
    let r = await invoke(flint, missingModule);
    assert.equal(r.functionError, "Unhandled");
    assert.equal(r.payload.errorType, "Runtime.ImportModuleError");
    assert.match(r.payload.errorMessage, /^Error: Cannot find module 'nowhere'/);

    const missingHandler = await createFunction(flint, zip, "echo.nope");
    r = await invoke(flint, missingHandler);
    assert.equal(r.payload.errorType, "Runtime.HandlerNotFound");
    assert.equal(r.payload.errorMessage, "echo.nope is undefined or not exported");

    const syntax = await createFunction(flint, zip, "syntax-error.handler");
    r = await invoke(flint, syntax);
    assert.equal(r.payload.errorType, "Runtime.UserCodeSyntaxError");
    assert.match(r.payload.errorMessage, /^SyntaxError: /);

    const initThrow = await createFunction(flint, zip, "init-throw.handler");
    r = await invoke(flint, initThrow);
    assert.equal(r.payload.errorType, "Error");
    assert.equal(r.payload.errorMessage, "init failed on purpose");
  });

  test("responses up to 6 MB pass; larger ones are Function.ResponseSizeTooLarge", async () => {
    const name = await createFunction(flint, zip, "large-response.handler", { MemorySize: 512 });
    const ok = await invoke(flint, name, { bytes: 6 * 1024 * 1024 - 2 });
    assert.equal(ok.functionError, undefined);
    assert.equal(ok.raw.length, 6 * 1024 * 1024);
    const big = await invoke(flint, name, { bytes: 7 * 1024 * 1024 });
    assert.equal(big.functionError, "Unhandled");
    assert.deepEqual(big.payload, {
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
      errorType: "Function.ResponseSizeTooLarge",
    });
    const after = await invoke(flint, name, { bytes: 3 });
    assert.equal(after.payload, "aaa", "the environment stays usable");
  });

  test("ES modules, .cjs and callback-style handlers", async () => {
    const esm = await createFunction(flint, zip, "esm.handler");
    assert.deepEqual((await invoke(flint, esm, { x: 1 })).payload, { module: "esm", event: { x: 1 } });
    const cjs = await createFunction(flint, zip, "cjs.handler");
    assert.deepEqual((await invoke(flint, cjs, { x: 2 })).payload, { module: "cjs", event: { x: 2 } });

    const cb = await createFunction(flint, zip, "callback.handler");
    const waited = Date.now();
    const r1 = await invoke(flint, cb, { delayMs: 300 });
    assert.ok(Date.now() - waited >= 280, "callbackWaitsForEmptyEventLoop=true waits for the timer");
    assert.equal(r1.payload.backgroundBefore, 0);
    // A request the test's gate holds open keeps the event loop busy until the test says so.
    const gate = await Barrier.create();
    try {
      const r2 = await settlesWithin(invoke(flint, cb, { port: gate.port, dontWait: true }), "callbackWaitsForEmptyEventLoop=false answers while the event loop still has work");
      assert.equal(r2.functionError, undefined, r2.raw);
    } finally {
      await gate.close();
    }

    const failing = await createFunction(flint, zip, "callback.failing");
    const f = await invoke(flint, failing);
    assert.equal(f.functionError, "Unhandled");
    assert.equal(f.payload.errorMessage, "callback failure");

    const sync = await createFunction(flint, zip, "callback.sync");
    const s = await invoke(flint, sync);
    assert.equal(s.functionError, undefined);
    assert.equal(s.raw, "null");
  });

  test("log tail carries START, the function's lines, END and REPORT", async () => {
    const name = await createFunction(flint, zip, "logs.handler");
    const cold = await invoke(flint, name, {}, { tail: true });
    const lines = cold.log!.replace(/\n$/, "").split("\n");
    assert.match(lines[0]!, /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST$/);
    const id = /RequestId: (\S+)/.exec(lines[0]!)![1];
    assert.match(cold.log!, new RegExp(`\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${id}\\tINFO\\tfirst line`));
    assert.match(cold.log!, /INFO\tmulti\rline/);
    assert.match(cold.log!, /ERROR\tan error line/);
    assert.match(cold.log!, /WARN\t\{ warned: true \}/);
    assert.match(cold.log!, /raw stdout/);
    assert.equal(lines.at(-2), `END RequestId: ${id}`);
    assert.match(lines.at(-1)!, new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t$`));
    const warm = await invoke(flint, name, {}, { tail: true });
    assert.doesNotMatch(warm.log!, /Init Duration/, "only a cold start reports Init Duration");
  });

  test("client context reaches context.clientContext", async () => {
    const name = await createFunction(flint, zip, "client-context.handler");
    const cc = { custom: { foo: "bar" }, env: { fizz: "buzz" }, client: { app: "x" } };
    const r = await invoke(flint, name, {}, { clientContext: Buffer.from(JSON.stringify(cc)).toString("base64") });
    assert.deepEqual(r.payload, cc);
  });

  test("a result JSON cannot represent is an error, not a crash", async () => {
    const name = await createFunction(flint, zip, "circular.handler");
    const r = await invoke(flint, name);
    assert.equal(r.functionError, "Unhandled");
    assert.equal(r.payload.errorType, "Runtime.JSONStringifyError");
  });

  test("the runtime leaves net to the function; console and process.stdout lines keep their order", async () => {
    const pkg = await zipFiles({
      "index.js": [
        'const netAtInit = process.moduleLoadList.includes("NativeModule net");',
        "exports.handler = async () => {",
        '  console.log("one");',
        '  process.stdout.write("two\\n");',
        '  console.log("three");',
        '  return { netAtInit, netNow: process.moduleLoadList.includes("NativeModule net") };',
        "};",
        "",
      ].join("\n"),
    });
    const name = await createFunction(flint, pkg, "index.handler");
    const r = await invoke(flint, name, {}, { tail: true });
    assert.deepEqual(r.payload, { netAtInit: false, netNow: true }, r.raw);
    const at = ["\tINFO\tone", "\ntwo\n", "\tINFO\tthree"].map((s) => r.log!.indexOf(s));
    assert.ok(at.every((i) => i >= 0), r.log);
    assert.deepEqual([...at].sort((a, b) => a - b), at, r.log);
  });

  test("a function run with --pending-deprecation and --throw-deprecation sees no warning from the runtime", async () => {
    const name = await createFunction(flint, zip, "logs.handler", { Environment: { Variables: { NODE_OPTIONS: "--pending-deprecation --throw-deprecation" } } });
    const r = await invoke(flint, name, {}, { tail: true });
    assert.equal(r.functionError, undefined, r.raw);
    assert.equal(r.payload, "logged");
    assert.doesNotMatch(r.log!, /Deprecation/);
  });
});
