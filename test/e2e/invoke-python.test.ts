/** Synchronous invoke of Python functions on /usr/bin/python3: results, context, environment, errors, logs. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess, REGION, ACCOUNT } from "../harness/flint.js";
import { zipFiles, zipFixture } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";

describe("Python functions", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  const create = (handler: string, opts: Parameters<typeof createFunction>[3] = {}) =>
    createFunction(flint, zip, handler, { runtime: "python3.12", ...opts });
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("python");
  });
  after(() => flint.stop());

  test("echo returns the event", async () => {
    const name = await create("echo.handler");
    const r = await invoke(flint, name, { hello: "world", nested: { n: 1.5 } });
    assert.equal(r.status, 200);
    assert.equal(r.functionError, undefined);
    assert.deepEqual(r.payload, { hello: "world", nested: { n: 1.5 } });
  });

  test("every python3.x runtime runs on the machine's interpreter", async () => {
    for (const runtime of ["python3.9", "python3.10", "python3.11", "python3.13"]) {
      const name = await create("echo.handler", { runtime });
      assert.deepEqual((await invoke(flint, name, { runtime })).payload, { runtime });
    }
  });

  test("init runs once and module state persists across warm invokes", async () => {
    const name = await create("counter.handler");
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await invoke(flint, name)).payload);
    assert.deepEqual(results.map((r) => r.invocations), [1, 2, 3]);
    assert.equal(new Set(results.map((r) => r.pid)).size, 1);
    assert.equal(new Set(results.map((r) => r.startedAt)).size, 1);
  });

  test("context carries AWS's attributes", async () => {
    const name = await create("context.handler", { MemorySize: 192, Timeout: 5 });
    const cc = Buffer.from(JSON.stringify({ custom: { a: 1 }, env: { b: 2 } })).toString("base64");
    const sent = Date.now();
    const { payload } = await invoke(flint, name, {}, { clientContext: cc });
    const answered = Date.now();
    assert.equal(payload.function_name, name);
    assert.equal(payload.function_version, "$LATEST");
    assert.equal(payload.memory_limit_in_mb, "192");
    assert.equal(payload.invoked_function_arn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`);
    assert.equal(payload.log_group_name, `/aws/lambda/${name}`);
    assert.match(payload.log_stream_name, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.match(payload.aws_request_id, /^[0-9a-f-]{36}$/);
    // The deadline is 5 s after the invocation reached the runtime, which was between sending and the answer.
    const deadline = payload.now + payload.remaining;
    assert.ok(payload.remaining <= 5000 && deadline >= sent + 5000 - 2 && deadline <= answered + 5000 + 2, `remaining ${payload.remaining}: deadline ${deadline - sent} ms after sending, the answer ${answered - sent} ms after`);
    assert.deepEqual(payload.client_context, { custom: { a: 1 }, env: { b: 2 } });
  });

  test("the environment is Lambda's and the interpreter is /usr/bin/python3", async () => {
    const name = await create("env.handler", { Environment: { Variables: { FEATURE: "x" } } });
    const { payload } = await invoke(flint, name);
    assert.equal(payload.executable, "/usr/bin/python3");
    assert.equal(payload.env.FEATURE, "x");
    assert.equal(payload.env.AWS_EXECUTION_ENV, "AWS_Lambda_python3.12");
    assert.equal(payload.env.PYTHONPATH, payload.env.LAMBDA_RUNTIME_DIR);
    assert.equal(payload.cwd, payload.env.LAMBDA_TASK_ROOT);
    assert.ok(payload.path.includes(payload.env.LAMBDA_TASK_ROOT));
    for (const leaked of ["NODE_EXTRA_CA_CERTS", "PYENV_ROOT", "PYTHONDONTWRITEBYTECODE", "FLINT_SECRET_ACCESS_KEY", "HOME"]) {
      assert.equal(payload.env[leaked], undefined, `${leaked} leaked from the server's environment`);
    }
  });

  test("a raised exception gives AWS's Python error shape", async () => {
    const name = await create("throw.handler");
    const r = await invoke(flint, name, { message: "nope" });
    assert.equal(r.status, 200);
    assert.equal(r.functionError, "Unhandled");
    assert.deepEqual(Object.keys(r.payload), ["errorMessage", "errorType", "requestId", "stackTrace"]);
    assert.equal(r.payload.errorType, "ValidationFailed");
    assert.equal(r.payload.errorMessage, "nope");
    assert.match(r.payload.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(r.payload.stackTrace.length, 1, "runtime frames are cut");
    assert.match(r.payload.stackTrace[0], /^ {2}File ".*\/throw\.py", line 9, in handler\n {4}raise ValidationFailed/);
  });

  test("stack frames are formatted as AWS's runtime formats them: file, line, function and source, no column markers", async () => {
    const name = await create("throw.handler");
    const r = await invoke(flint, name, { divide: 0 });
    assert.equal(r.payload.errorType, "ZeroDivisionError");
    assert.equal(r.payload.errorMessage, "division by zero");
    // Python 3.11+ would add a "^^^^" line under `1 / event["divide"]`; AWS formats plain
    // (file, line, name, source) tuples, which carry no columns.
    assert.deepEqual(
      r.payload.stackTrace.map((f: string) => f.replace(/"[^"]*\/throw\.py"/, '"throw.py"')),
      ['  File "throw.py", line 8, in handler\n    return {"ratio": 1 / event["divide"]}\n'],
    );
    // In the log, leading spaces become no-break spaces, and a message-less error has no colon.
    const bare = await invoke(flint, name, { divide: "x" }, { tail: true });
    assert.equal(bare.payload.errorType, "TypeError");
    const empty = await invoke(flint, name, { message: "" }, { tail: true });
    const line = empty.log?.split("\n").find((l) => l.startsWith("[ERROR]"));
    assert.equal(line?.replace(/"[^"]*\/throw\.py"/, '"throw.py"'), '[ERROR] ValidationFailed\rTraceback (most recent call last):\r\u00a0\u00a0File "throw.py", line 9, in handler\r\u00a0\u00a0\u00a0\u00a0raise ValidationFailed(event.get("message", "boom"))', empty.log);
  });

  test("sys.exit mid-invoke is Runtime.ExitError", async () => {
    const name = await create("exit.handler");
    const r = await invoke(flint, name, { code: 2 });
    assert.equal(r.payload.errorType, "Runtime.ExitError");
    assert.match(r.payload.errorMessage, /Error: Runtime exited with error: exit status 2$/);
    const zero = await invoke(flint, name, { code: 0 });
    assert.match(zero.payload.errorMessage, /Error: Runtime exited without providing a reason$/);
  });

  test("timeout is Sandbox.Timedout", async () => {
    const name = await create("timeout.handler", { Timeout: 1 });
    const r = await invoke(flint, name, { seconds: 30 });
    assert.equal(r.payload.errorType, "Sandbox.Timedout");
    assert.match(r.payload.errorMessage, /Task timed out after 1\.00 seconds$/);
    assert.equal((await invoke(flint, name, { seconds: 0 })).payload, "finished");
  });

  test("import errors, missing handlers, syntax and init errors", async () => {
    let r = await invoke(flint, await create("nowhere.handler"));
    assert.equal(r.functionError, "Unhandled");
    assert.deepEqual(r.payload, {
      errorMessage: "Unable to import module 'nowhere': No module named 'nowhere'",
      errorType: "Runtime.ImportModuleError",
      requestId: "",
      stackTrace: [],
    });
    r = await invoke(flint, await create("echo.missing"));
    assert.deepEqual(r.payload, { errorMessage: "Handler 'missing' missing on module 'echo'", errorType: "Runtime.HandlerNotFound", requestId: "", stackTrace: [] });
    r = await invoke(flint, await create("syntax_error.handler"));
    assert.equal(r.payload.errorType, "Runtime.UserCodeSyntaxError");
    assert.match(r.payload.errorMessage, /^Syntax error in module 'syntax_error': /);
    r = await invoke(flint, await create("init_error.handler"));
    assert.equal(r.payload.errorType, "RuntimeError");
    assert.equal(r.payload.errorMessage, "init failed on purpose");
    assert.equal(r.payload.requestId, "");
  });

  test("oversized and unserialisable results", async () => {
    const big = await create("large_response.handler", { MemorySize: 512 });
    const r = await invoke(flint, big, { bytes: 7 * 1024 * 1024 });
    assert.equal(r.payload.errorType, "Function.ResponseSizeTooLarge");
    const odd = await invoke(flint, await create("unserialisable.handler"), {}, { tail: true });
    assert.equal(odd.payload.errorType, "Runtime.MarshalError");
    assert.match(odd.payload.errorMessage, /^Unable to marshal response: Object of type object is not JSON serializable/);
    // The log line AWS's runtime writes: \r joins the lines of one log event, and the traceback header stays without frames.
    assert.match(odd.log ?? "", /\n\[ERROR\] Runtime\.MarshalError: Unable to marshal response: [^\r\n]*\rTraceback \(most recent call last\):\n/, odd.log);
  });

  test("results are encoded as AWS's runtime encodes them; json is the function's to import", async () => {
    const pkg = await zipFiles({
      "result.py": [
        "import sys",
        "JSON_AT_INIT = 'json' in sys.modules",
        "def handler(event, context):",
        "    import decimal",
        "    out = {'price': decimal.Decimal('1.25'), 'count': decimal.Decimal('10'), 'text': 'h\u00e9llo \u2603', 'jsonAtInit': JSON_AT_INIT}",
        "    if event.get('nan'):",
        "        out = {'nan': decimal.Decimal('NaN'), 'inf': float('inf')}",
        "    if event.get('patch'):",
        "        import datetime, json",
        "        json.JSONEncoder.default = lambda self, o: o.isoformat()",
        "        out['when'] = datetime.date(2026, 11, 27)",
        "    return out",
        "",
      ].join("\n"),
    });
    // PYTHONHASHSEED changes how Python starts, so this function gets a runtime started for it, not a spare.
    const fresh = { Environment: { Variables: { PYTHONHASHSEED: "0" } } };
    const py312 = await createFunction(flint, pkg, "result.handler", { runtime: "python3.12", ...fresh });
    const r = await invoke(flint, py312);
    assert.equal(r.raw, '{"price": 1.25, "count": 10.0, "text": "h\u00e9llo \u2603", "jsonAtInit": false}', "Decimal as a number, UTF-8 unescaped (python3.12)");
    const py311 = await createFunction(flint, pkg, "result.handler", { runtime: "python3.11", ...fresh });
    assert.equal((await invoke(flint, py311)).raw, '{"price": 1.25, "count": 10.0, "text": "h\\u00e9llo \\u2603", "jsonAtInit": false}', "escaped before python3.12");
    assert.equal((await invoke(flint, py312, { nan: true })).raw, '{"nan": NaN, "inf": Infinity}');
    const patched = await invoke(flint, py312, { patch: true });
    assert.equal(patched.functionError, undefined, patched.raw);
    assert.equal(patched.payload.when, "2026-11-27", "a JSONEncoder.default the function installed is used, as on Lambda");
    const spare = await createFunction(flint, pkg, "result.handler", { runtime: "python3.12" });
    assert.equal((await invoke(flint, spare)).payload.jsonAtInit, true, "a spare loads json before the function, as Lambda's runtime does");
    // Without spares a runtime starts for the waiting invocation (and waits for its binding like a
    // spare): it must not spend that invocation's time loading json.
    const noSpares = await startFlint({ args: ["--spares", "0"] });
    try {
      const name = await createFunction(noSpares, pkg, "result.handler", { runtime: "python3.12" });
      const r = await invoke(noSpares, name);
      assert.equal(r.payload.jsonAtInit, false, r.raw);
      assert.equal(r.payload.price, 1.25);
    } finally {
      await noSpares.stop();
    }
  });

  test("print, logging and stderr lines reach the log tail in order", async () => {
    const name = await create("logs.handler");
    const r = await invoke(flint, name, {}, { tail: true });
    const log = r.log!;
    const id = /START RequestId: (\S+)/.exec(log)![1];
    const order = ["START RequestId", "first line", `[INFO]`, "an error line", `END RequestId: ${id}`, `REPORT RequestId: ${id}`].map((s) => log.indexOf(s));
    assert.ok(order.every((i) => i >= 0), log);
    assert.deepEqual([...order].sort((a, b) => a - b), order, log);
    assert.match(log, new RegExp(`\\[INFO\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${id}\\tfrom logging`));
  });

  test("logging imported at invoke time is Lambda's, and a package's own logging.py does not shadow it", async () => {
    const pkg = await zipFiles({
      "logging.py": "SHADOW = True\n",
      "late.py": [
        "import sys",
        "def handler(event, context):",
        "    loaded_before = 'logging' in sys.modules",
        "    import logging",
        "    logging.warning('late %s', 'warning')",
        "    logging.info('not shown at WARNING')",
        "    return {'loaded_before': loaded_before, 'shadowed': hasattr(logging, 'SHADOW'), 'file': logging.__file__}",
        "",
      ].join("\n"),
    });
    const name = await createFunction(flint, pkg, "late.handler", { runtime: "python3.12" });
    const r = await invoke(flint, name, {}, { tail: true });
    assert.equal(r.payload.loaded_before, false, "the runtime does not pay for logging before anyone needs it");
    assert.equal(r.payload.shadowed, false, r.raw);
    assert.match(r.payload.file, /^\/usr\/lib\/python3[.\d]*\/logging\/__init__\.py$/);
    const id = /START RequestId: (\S+)/.exec(r.log!)![1];
    assert.match(r.log!, new RegExp(`\\[WARNING\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${id}\\tlate warning`));
    assert.doesNotMatch(r.log!, /not shown/);
  });
});
