// Flint's Node.js runtime: a Lambda Runtime API client loop, self-contained (imports only Node's
// standard library, nothing from the Flint host). Behaviour follows AWS's Node.js runtime interface
// client: handler loading, context, callback semantics, error shapes and console log format.
"use strict";
// CommonJS on purpose: an ES module entry point costs every cold start ~7 ms of loader set-up; ES
// module handlers still load through import(), paying that only when they are used.
const { createRequire } = require("node:module");
const { existsSync, readFileSync, writeSync } = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const util = require("node:util");

const env = process.env;
const [apiHost, apiPort] = (env.AWS_LAMBDA_RUNTIME_API ?? "127.0.0.1:9001").split(":");
// Flint offers its own runtimes a unix socket to the same Runtime API: cheaper than TCP per request.
const apiSocket = env._FLINT_RUNTIME_API_SOCKET;
delete env._FLINT_RUNTIME_API_SOCKET;
// A spare runtime (started before Flint knew which function it would run) learns these from its binding.
const pooled = env._FLINT_POOLED === "1";
delete env._FLINT_POOLED;
delete env._FLINT_SPARE; // made ahead of demand: the Node.js runtime has nothing it would preload

let taskRoot, runtimeDir, handlerString, jsonLogs;
function readSettings() {
  taskRoot = env.LAMBDA_TASK_ROOT ?? "/var/task";
  runtimeDir = env.LAMBDA_RUNTIME_DIR ?? "/var/runtime";
  handlerString = env._HANDLER ?? "";
  jsonLogs = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON";
  patchConsole(LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LEVELS.TRACE);
}
const BASE = "/2018-06-01/runtime";

let currentRequestId; // undefined during init, as on AWS ("undefined" in log lines)

// ---- logging: one line per call in the function's LogFormat, as AWS's Node.js runtime writes it
// (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html); newlines become \r so a record
// stays one line. `console` methods below AWS_LAMBDA_LOG_LEVEL do nothing (console.fatal always logs).
function emit(level, args) {
  if (args.length === 0) args = [undefined]; // console.log() logs "undefined", as AWS's does
  const line = jsonLogs ? jsonLine(level, args) : `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
  writeOut(1, line.replace(/\n/g, "\r") + "\n");
}

/** An error inside a JSON message: its type, message and stack, and its own properties. */
function errorAsJson(_key, value) {
  if (!(value instanceof Error)) return value;
  const stackTrace = typeof value.stack === "string" ? value.stack.split("\n") : value.stack;
  return { errorType: value?.constructor?.name ?? "UnknownError", errorMessage: value.message, stackTrace, ...value };
}

/**
 * One argument is the message as it is (an object stays JSON; an error becomes errorType,
 * errorMessage, stackTrace); several are formatted to a string, the first error among them
 * described beside it.
 */
function jsonLine(level, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, errorAsJson);
    } catch {
      record.message = util.format(args[0]); // circular, or a BigInt
      return JSON.stringify(record);
    }
  }
  record.message = util.format(...args);
  const err = args.find((a) => a instanceof Error);
  if (err) {
    record.errorType = err?.constructor?.name ?? "UnknownError";
    record.errorMessage = err.message;
    record.stackTrace = typeof err.stack === "string" ? err.stack.split("\n") : [];
  }
  return JSON.stringify(record);
}

/** A failure the runtime reports ("Invoke Error", "Uncaught Exception"): in JSON, the error as the message. */
function logFailure(label, shape, err) {
  if (jsonLogs) return console.error(err instanceof Error ? err : new Error(shape.errorMessage));
  console.error(label, JSON.stringify({ errorType: shape.errorType, errorMessage: shape.errorMessage, stack: shape.trace }));
}

// ---- output without process.stdout: that getter loads `net` (below). Writes to a pipe are
// synchronous on Linux either way; a full pipe (EAGAIN, if something made it non-blocking) is waited out.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeOut(fd, text) {
  let buf = Buffer.from(text, "utf8");
  while (buf.length) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      if (err.code !== "EAGAIN") return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
const CONSOLE_LEVELS = [["trace", "TRACE"], ["debug", "DEBUG"], ["info", "INFO"], ["log", "INFO"], ["warn", "WARN"], ["error", "ERROR"]];
const nothing = () => {};
function patchConsole(minimum) {
  for (const [name, level] of CONSOLE_LEVELS) console[name] = LEVELS[level] >= minimum ? (...args) => emit(level, args) : nothing;
  console.fatal = (...args) => emit("FATAL", args);
}
readSettings();

// ---- Runtime API client: HTTP/1.1 over one kept-alive connection, requests pipelined.
// The connection is unreferenced while no request is outstanding, so that a handler's own work
// decides when the event loop is empty (callbackWaitsForEmptyEventLoop relies on that).
//
// Over Flint's unix socket the connection is libuv's pipe handle itself, not a `net.Socket`: loading
// `net` (and the stream machinery under it) costs a cold start 5 ms, and 13 ms once V8 runs with
// --max-old-space-size (any non-default V8 flag makes V8 reject Node's built-in code cache, so
// those modules compile from source). Functions that use `net` pay for it in their own init.
class PipeConnection {
  constructor(file, onData, onClose) {
    const { Pipe, PipeConnectWrap, constants } = process.binding("pipe_wrap");
    const { WriteWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync } = process.binding("stream_wrap");
    this.WriteWrap = WriteWrap;
    this.wasAsync = () => streamBaseState[kLastWriteWasAsync] === 1;
    this.handle = new Pipe(constants.SOCKET);
    this.handle.unref();
    this.pending = []; // written before the connection completed
    this.connected = false;
    this.closed = false;
    this.onClose = onClose;
    const req = new PipeConnectWrap();
    req.oncomplete = (status) => {
      if (status < 0) return this.close(new Error(`connect ${file}: ${process.binding("uv").errname(status)}`));
      this.connected = true;
      this.handle.readStart();
      for (const [data, done] of this.pending.splice(0)) this.write(data, done);
    };
    this.handle.onread = (arrayBuffer) => {
      const n = streamBaseState[kReadBytesOrError];
      if (n > 0) onData(Buffer.from(arrayBuffer, streamBaseState[kArrayBufferOffset], n));
      else if (n < 0) this.close(undefined);
    };
    const err = this.handle.connect(req, file);
    if (err) process.nextTick(() => this.close(new Error(`connect ${file}: ${process.binding("uv").errname(err)}`)));
  }

  /**
   * Writes a buffer, or several in one writev. `done` (optional) runs once the kernel has the bytes:
   * at once when the write completed synchronously (libuv then calls no oncomplete), else on
   * completion. A streamed answer's backpressure rests on that.
   */
  write(data, done) {
    if (this.closed) return void done?.(new Error("Runtime API connection closed"));
    if (!this.connected) return void this.pending.push([data, done]);
    const req = new this.WriteWrap();
    req.handle = this.handle;
    req.buffer = data; // alive until written
    req.oncomplete = (status) => {
      if (status < 0) this.close(new Error("Runtime API write failed"));
      done?.(status < 0 ? new Error("Runtime API write failed") : undefined);
    };
    const err = Array.isArray(data) ? this.handle.writev(req, data, true) : this.handle.writeBuffer(req, data);
    if (err) {
      this.close(new Error("Runtime API write failed"));
      done?.(new Error("Runtime API write failed"));
    } else if (done && !this.wasAsync()) done();
  }

  ref() {
    this.handle.ref();
  }
  unref() {
    this.handle.unref();
  }

  close(err) {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
    this.onClose(err);
  }
}

/**
 * The same with `net`: over TCP (`AWS_LAMBDA_RUNTIME_API` without Flint's socket), or over the socket
 * when the function runs with --pending-deprecation (then process.binding warns, or throws under
 * --throw-deprecation, and the function must not see that).
 */
class NetConnection {
  constructor(target, onData, onClose) {
    this.socket = require("node:net").connect(target);
    if (target.port) this.socket.setNoDelay(true);
    this.socket.unref();
    this.socket.on("data", onData);
    this.socket.on("error", onClose);
    this.socket.on("close", () => onClose(undefined));
  }
  write(data, done) {
    if (!Array.isArray(data)) return void this.socket.write(data, done);
    this.socket.cork();
    for (let i = 0; i < data.length; i++) this.socket.write(data[i], i === data.length - 1 ? done : undefined);
    this.socket.uncork();
  }
  ref() {
    this.socket.ref();
  }
  unref() {
    this.socket.unref();
  }
}

function pipeOrNet(file, onData, onClose) {
  // Under --pending-deprecation Node wraps process.binding in its deprecation warning.
  if (process.binding.name === "deprecated") return new NetConnection({ path: file }, onData, onClose);
  try {
    return new PipeConnection(file, onData, onClose);
  } catch {
    return new NetConnection({ path: file }, onData, onClose);
  }
}

class RuntimeClient {
  constructor() {
    this.queue = [];
    this.buf = Buffer.alloc(0);
    this.out = []; // requests of this tick, sent together
    this.failed = undefined;
    const fail = (err) => {
      if (this.failed) return;
      this.failed = err ?? new Error("Runtime API connection closed");
      const pending = this.queue.splice(0);
      for (const p of pending) p.reject(this.failed);
      if (!pending.length) process.exit(1);
    };
    const onData = (d) => this.onData(d);
    this.conn = apiSocket ? pipeOrNet(apiSocket, onData, fail) : new NetConnection({ host: apiHost, port: Number(apiPort) }, onData, fail);
  }

  request(method, urlPath, body, headers = {}) {
    let head = `${method} ${BASE}${urlPath} HTTP/1.1\r\nHost: ${apiHost}\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    const payload = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : body;
    head += `Content-Length: ${payload ? payload.length : 0}\r\n\r\n`;
    if (this.out.length === 0) process.nextTick(() => this.flush());
    this.out.push(Buffer.from(head, "latin1"));
    if (payload) this.out.push(payload);
    return this.expectReply();
  }

  flush() {
    if (this.out.length === 0) return;
    const chunks = this.out.splice(0);
    this.conn.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  /** Raw bytes of a request written piece by piece (a streamed answer), after any request of this tick. */
  send(data, done) {
    this.flush();
    this.conn.write(data, done);
  }

  /** The answer to the next request sent (answers come in order). */
  expectReply() {
    if (this.failed) return Promise.reject(this.failed);
    if (this.queue.length === 0) this.conn.ref();
    return new Promise((resolve, reject) => this.queue.push({ resolve, reject }));
  }

  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = this.buf.toString("latin1", 0, end).split("\r\n");
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const c = lines[i].indexOf(":");
        headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (this.buf.length < end + 4 + length) return;
      const body = this.buf.subarray(end + 4, end + 4 + length);
      this.buf = this.buf.subarray(end + 4 + length);
      const status = Number(lines[0].split(" ")[1]);
      const waiter = this.queue.shift();
      if (this.queue.length === 0) this.conn.unref();
      waiter?.resolve({ status, headers, body });
    }
  }
}

const client = new RuntimeClient();
const call = (method, urlPath) => client.request(method, urlPath);
const post = (urlPath, body, headers = {}) => client.request("POST", urlPath, body, { "Content-Type": "application/json", ...headers });

// ---- errors in AWS's shape
function errorShape(err) {
  if (err instanceof Error) {
    return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? "").split("\n") };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

class RuntimeError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = `Runtime.${type}`;
    if (cause?.stack) this.stack = `${this.name}: ${message}\n${cause.stack.split("\n").slice(1).join("\n")}`;
  }
}

async function postInitError(err) {
  const shape = errorShape(err);
  logFailure("Uncaught Exception ", shape, err);
  await post("/init/error", JSON.stringify(shape), { "Lambda-Runtime-Function-Error-Type": shape.errorType });
  process.exit(129);
}

// ---- the `awslambda` global AWS's runtime gives functions: response streaming
// (https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html). The symbols are AWS's,
// so a handler wrapped by other tooling the way AWS's runtime expects is recognised too.
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";

/** `application/vnd.awslambda.http-integration-response`: a JSON prelude, 8 NUL bytes, then the body. */
class HttpResponseStream {
  static from(responseStream, prelude) {
    responseStream.setContentType("application/vnd.awslambda.http-integration-response");
    const metadata = JSON.stringify(prelude); // JSON cannot hold a raw NUL, so the delimiter is unambiguous
    responseStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return responseStream;
  }
}

function defineAwsLambdaGlobal() {
  const opt = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (opt === "1" || opt === "true") return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === "number") handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

/** Whether the handler streams its response (AWS's UserFunction.getHandlerMetadata). */
function isStreaming(handler) {
  const mode = handler[STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return true;
  throw new RuntimeError("MalformedStreamingHandler", "Only response streaming is supported.");
}

// ---- handler loading, as AWS's UserFunction.load
function nearestPackageType(dir) {
  for (let d = dir; d.startsWith(taskRoot); d = path.dirname(d)) {
    const pkg = path.join(d, "package.json");
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, "utf8")).type;
      } catch {
        return undefined;
      }
    }
    if (d === taskRoot) break;
  }
  return undefined;
}

async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const requireFrom = createRequire(path.join(runtimeDir, "index.mjs"));
  const importIt = (file) => import(pathToFileURL(file).href);
  if (existsSync(`${base}.js`)) {
    if (nearestPackageType(path.dirname(base)) === "module") return importIt(`${base}.js`);
    try {
      return requireFrom(`${base}.js`);
    } catch (err) {
      if (err?.code === "ERR_REQUIRE_ESM") return importIt(`${base}.js`);
      throw err;
    }
  }
  if (existsSync(`${base}.mjs`)) return importIt(`${base}.mjs`);
  if (existsSync(`${base}.cjs`)) return requireFrom(`${base}.cjs`);
  return requireFrom(moduleName.startsWith(".") ? base : moduleName);
}

async function loadHandler() {
  if (handlerString.includes("..")) {
    throw new RuntimeError("MalformedHandlerName", `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const slash = handlerString.lastIndexOf("/");
  const moduleRoot = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot < 1 || dot === rest.length - 1) throw new RuntimeError("MalformedHandlerName", "Bad handler");
  const moduleName = rest.slice(0, dot);
  const functionPath = rest.slice(dot + 1);
  let mod;
  defineAwsLambdaGlobal();
  try {
    mod = await loadModule(moduleRoot, moduleName);
  } catch (err) {
    if (err instanceof SyntaxError) throw new RuntimeError("UserCodeSyntaxError", String(err), err);
    if (err?.code === "MODULE_NOT_FOUND" || err?.code === "ERR_MODULE_NOT_FOUND") throw new RuntimeError("ImportModuleError", String(err), err);
    throw err;
  }
  let fn = mod;
  for (const part of functionPath.split(".")) fn = fn?.[part];
  if (fn === undefined && mod && typeof mod.default === "object") {
    fn = mod.default;
    for (const part of functionPath.split(".")) fn = fn?.[part];
  }
  if (fn === undefined) throw new RuntimeError("HandlerNotFound", `${rest} is undefined or not exported`);
  if (typeof fn !== "function") throw new RuntimeError("HandlerNotFound", `${rest} is not a function`);
  return fn;
}

// ---- one invocation
/** The context object; `complete` (the buffered path's) adds done/succeed/fail, which a streaming context lacks. */
function makeContext(headers, complete) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const cc = headers["lambda-runtime-client-context"];
  const ci = headers["lambda-runtime-cognito-identity"];
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: cc ? JSON.parse(cc) : undefined,
    identity: ci ? JSON.parse(ci) : undefined,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
  };
  Object.defineProperty(context, "getRemainingTimeInMillis", { value: () => Math.max(0, deadline - Date.now()) });
  if (!complete) return context;
  Object.defineProperties(context, {
    done: { value: (err, result) => complete(err, result, true) },
    succeed: { value: (result) => complete(null, result, true) },
    fail: { value: (err) => complete(err ?? "handled", undefined, true) },
  });
  return context;
}

function serialise(result) {
  return JSON.stringify(result === undefined ? null : result);
}

function logInvokeError(shape, err) {
  logFailure("Invoke Error ", shape, err);
}

/** The Runtime API request that reports an invocation's outcome (sent, not awaited). */
function answer(requestId, err, result) {
  if (err !== null && err !== undefined) {
    const shape = errorShape(err);
    logInvokeError(shape, err);
    return post(`/invocation/${requestId}/error`, JSON.stringify(shape), { "Lambda-Runtime-Function-Error-Type": shape.errorType });
  }
  let body;
  try {
    body = serialise(result);
  } catch (e) {
    const shape = { errorType: "Runtime.JSONStringifyError", errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] };
    return post(`/invocation/${requestId}/error`, JSON.stringify(shape), { "Lambda-Runtime-Function-Error-Type": shape.errorType });
  }
  return post(`/invocation/${requestId}/response`, body);
}

let inFlight; // { requestId, complete, stream? }

function runOne(handler, requestId, headers, event) {
  return new Promise((resolve) => {
    let finished = false;
    let deferred;
    const complete = (err, result, immediate) => {
      if (finished) return;
      finished = true;
      if (deferred) process.removeListener("beforeExit", deferred);
      const send = () => resolve(() => answer(requestId, err, result));
      if (!immediate && context.callbackWaitsForEmptyEventLoop) {
        process.once("beforeExit", () => setImmediate(send));
      } else send();
    };
    const context = makeContext(headers, complete);
    const callback = (err, result) => complete(err ?? null, result, false);
    inFlight = { requestId, complete };
    // A handler that neither returns a promise nor calls back finishes when the event loop drains.
    deferred = () => complete(null, undefined, true);
    process.once("beforeExit", deferred);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      complete(err, undefined, true);
      return;
    }
    if (returned && typeof returned.then === "function") {
      returned.then(
        (result) => complete(null, result, true),
        (err) => complete(err ?? new Error("Promise rejected with a falsy reason"), undefined, true),
      );
    }
  });
}

/** Reports an invocation's fatal error: posted to /error, or as a streamed answer's error trailers. */
function reportFatal(err) {
  if (inFlight.stream) return inFlight.stream.fail(err);
  const shape = errorShape(err);
  return post(`/invocation/${inFlight.requestId}/error`, JSON.stringify(shape), { "Lambda-Runtime-Function-Error-Type": shape.errorType }).catch(() => {});
}

process.on("uncaughtException", async (err) => {
  if (!inFlight) return postInitError(err);
  logFailure("Uncaught Exception ", { errorType: err?.name, errorMessage: err?.message, trace: String(err?.stack ?? "").split("\n") }, err);
  await reportFatal(err);
  process.exit(129);
});
process.on("unhandledRejection", async (reason) => {
  const err = new RuntimeError("UnhandledPromiseRejection", reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason), reason);
  if (!inFlight) return postInitError(err);
  logFailure("Unhandled Promise Rejection ", { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split("\n") }, err);
  await reportFatal(err);
  process.exit(128);
});

/** A spare runtime waits here, before any user code, for the function it will run. */
async function bind() {
  const reply = await call("GET", "/flint/binding");
  if (reply.status !== 200) {
    writeOut(2, `Runtime API refused the binding: ${reply.status} ${reply.body}\n`);
    process.exit(1);
  }
  Object.assign(env, JSON.parse(reply.body.toString("utf8")).env);
  readSettings();
  process.chdir(taskRoot);
}

async function main() {
  if (pooled) await bind();
  let handler, run = runOne;
  try {
    handler = await loadHandler();
    // node:stream and the streaming code load only for a streaming handler: a cold start pays for every module.
    if (isStreaming(handler)) run = require("./streaming.cjs").streamer({ client, host: apiHost, base: BASE, highWaterMark: handler[HIGH_WATER_MARK], makeContext, errorShape, logInvokeError, setInFlight: (f) => (inFlight = f) });
  } catch (err) {
    return postInitError(err);
  }
  let nextRequest = call("GET", "/invocation/next");
  for (;;) {
    const next = await nextRequest;
    if (next.status !== 200) {
      console.error(`Runtime API /next answered ${next.status}: ${next.body}`);
      process.exit(1);
    }
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] ?? "";
    let sendAnswer;
    try {
      const event = JSON.parse(next.body.toString("utf8"));
      sendAnswer = await run(handler, requestId, next.headers, event);
    } catch (err) {
      sendAnswer = () => answer(requestId, new RuntimeError("UnmarshalError", `Unable to parse event: ${err.message}`));
    }
    inFlight = undefined;
    // The answer and the next /next leave together (pipelined), in one write.
    const answered = sendAnswer();
    nextRequest = call("GET", "/invocation/next");
    const reply = await answered;
    if (reply.status >= 400 && reply.status !== 413) console.error(`Runtime API refused the answer: ${reply.status} ${reply.body}`);
  }
}

main().catch((err) => {
  // The Runtime API is gone (Flint stopped): a runtime has nothing left to do.
  writeOut(2, `Runtime API unreachable: ${err?.message ?? err}\n`);
  process.exit(1);
});
