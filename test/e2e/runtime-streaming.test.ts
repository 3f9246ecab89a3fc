/**
 * Response streaming inside the runtimes, against a fake Runtime API (no `flint serve`): Flint's
 * Node.js runtime with `awslambda.streamifyResponse` handlers, over TCP and over Flint's unix socket
 * (the pipe handle), and a custom runtime that streams. What the Runtime API receives is what AWS's
 * runtimes send: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { readFileSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { RUNTIMES_DIR } from "../../src/paths.js";
import { FIXTURES } from "../harness/zip.js";
import { collect, reply, FakeRuntimeApi, startRuntime, type Answer, type Receive, type RuntimeProcess } from "../harness/fake-runtime-api.js";

const TRAILER = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body";

/**
 * The Node.js fixtures copied out of the repository, as a function's unzipped code is: inside it,
 * the repository's package.json ("type": "module") would make them ES modules.
 */
let taskRoot: string;
before(async () => {
  taskRoot = await mkdtemp(path.join(os.tmpdir(), "flint-rtstream-task-"));
  await cp(path.join(FIXTURES, "nodejs"), taskRoot, { recursive: true });
});
after(() => rm(taskRoot, { recursive: true, force: true }));

/** Flint's Node.js runtime serving `handler` from the Node.js fixtures. */
function startNode(api: FakeRuntimeApi, handler: string, overSocket: boolean): RuntimeProcess {
  return startRuntime(
    api,
    process.execPath,
    [path.join(RUNTIMES_DIR, "nodejs/bootstrap.cjs")],
    { _HANDLER: handler, LAMBDA_TASK_ROOT: taskRoot, LAMBDA_RUNTIME_DIR: RUNTIMES_DIR },
    overSocket,
  );
}

/** A loopback server a fixture calls; `onRequest` gets each request's path and body. */
async function loopbackServer(onRequest: (url: string, body: string, res: http.ServerResponse) => void): Promise<{ url: string; port: number; close: () => void }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => onRequest(req.url ?? "", body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, port, close: () => (server.closeAllConnections(), server.close()) };
}

function decodeErrorBody(answer: Answer): any {
  return JSON.parse(Buffer.from(String(answer.trailers["lambda-runtime-function-error-body"]), "base64").toString("utf8"));
}

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(kb![1]) * 1024;
}

for (const overSocket of [false, true]) {
  describe(`Node.js runtime response streaming over ${overSocket ? "the unix socket" : "TCP"}`, () => {
    // Each test its own Runtime API, so that no /next of a runtime stopped before takes its events.
    let api: FakeRuntimeApi;
    const started: { api: FakeRuntimeApi; runtime: RuntimeProcess }[] = [];
    const start = async (handler: string) => {
      api = await FakeRuntimeApi.start(overSocket ? path.join(os.tmpdir(), `flint-rtstream-${process.pid}-${started.length}.sock`) : undefined);
      const runtime = startNode(api, handler, overSocket);
      started.push({ api, runtime });
      return runtime;
    };
    after(async () => {
      for (const s of started) {
        s.runtime.stop();
        await s.api.close();
      }
    });

    test("each write reaches the Runtime API as its own chunk before the handler writes the next, with AWS's streaming headers", async () => {
      const runtime = await start("stream-chunks.handler");
      // The fixture asks the gate before each chunk after the first; the gate answers once the
      // previous chunk has arrived, so a runtime that buffered would never get past the first.
      const arrived: string[] = [];
      const waiting = new Map<number, http.ServerResponse>();
      const gate = await loopbackServer((url, _body, res) => {
        const after = Number(new URL(url, "http://x").searchParams.get("after"));
        if (arrived.length > after) res.end();
        else waiting.set(after, res);
      });
      const receive: Receive = async (req, res, kind) => {
        req.on("data", (d: Buffer) => {
          arrived.push(d.toString("utf8"));
          waiting.get(arrived.length - 1)?.end();
        });
        return collect(req, res, kind);
      };
      try {
        const answer = await runtime.invoke({ chunks: 5, gate: gate.url }, receive);
        assert.equal(answer.kind, "response");
        assert.equal(answer.headers["lambda-runtime-function-response-mode"], "streaming");
        assert.equal(answer.headers["transfer-encoding"], "chunked");
        assert.equal(answer.headers["content-type"], "application/octet-stream");
        assert.equal(answer.headers.trailer, TRAILER);
        assert.equal(answer.headers["content-length"], undefined);
        assert.deepEqual(
          arrived.map((line) => line.split(" ")[0]),
          ["0", "1", "2", "3", "4"],
          "one data event per write",
        );
        for (const line of arrived) assert.match(line, /^\d \d+\n$/);
        assert.deepEqual(answer.trailers, {});
        // The same runtime serves the next invocation over the same connection.
        const again = await runtime.invoke({ chunks: 2, delayMs: 0 });
        assert.equal(again.body.toString().split("\n").length, 3);
        assert.equal(api.connections, 1);
        assert.doesNotMatch(runtime.output(), /Invoke Error|refused/);
      } finally {
        gate.close();
        runtime.stop();
      }
    });

    test("awslambda.HttpResponseStream.from writes the JSON prelude and 8 NUL bytes before the body", async () => {
      const runtime = await start("stream-http.handler");
      try {
        const answer = await runtime.invoke({});
        assert.equal(answer.headers["content-type"], "application/vnd.awslambda.http-integration-response");
        const nul = answer.body.indexOf(Buffer.alloc(8));
        assert.deepEqual(JSON.parse(answer.body.subarray(0, nul).toString("utf8")), {
          statusCode: 201,
          headers: { "content-type": "text/plain", "x-flint-stream": "yes" },
          cookies: ["session=abc; Path=/", "theme=dark"],
        });
        assert.equal(answer.body.subarray(nul + 8).toString("utf8"), "hello from a stream\n");
      } finally {
        runtime.stop();
      }
    });

    for (const how of ["throw", "reject-later", "destroy"]) {
      test(`a handler failing mid-stream (${how}) ends the body with AWS's error trailers and is logged as an Invoke Error`, async () => {
        const runtime = await start("stream-error.handler");
        try {
          const answer = await runtime.invoke({ how });
          assert.equal(answer.headers["lambda-runtime-function-response-mode"], "streaming");
          assert.equal(answer.body.toString("utf8"), "before the error\n");
          assert.equal(answer.trailers["lambda-runtime-function-error-type"], "TypeError");
          const error = decodeErrorBody(answer);
          assert.equal(error.errorType, "TypeError");
          assert.equal(error.errorMessage, "stream failed mid-way");
          assert.ok(Array.isArray(error.trace) && error.trace[0].startsWith("TypeError: stream failed mid-way"));
          await runtime.waitForOutput(/\tERROR\tInvoke Error +\{"errorType":"TypeError","errorMessage":"stream failed mid-way"/);
          // The runtime goes on serving.
          const next = await runtime.invoke({ how });
          assert.equal(next.trailers["lambda-runtime-function-error-type"], "TypeError");
        } finally {
          runtime.stop();
        }
      });
    }

    test("an uncaught exception mid-stream ends the body with the error trailers, then the runtime exits as on AWS", async () => {
      const runtime = await start("stream-error.handler");
      try {
        const exited = new Promise<number | null>((resolve) => runtime.child.on("exit", (code) => resolve(code)));
        const answer = await api.invoke({ how: "uncaught" }); // not raced with the exit: the answer may be read after it
        assert.equal(answer.body.toString("utf8"), "before the error\n");
        assert.equal(answer.trailers["lambda-runtime-function-error-type"], "TypeError");
        assert.equal(decodeErrorBody(answer).errorMessage, "stream failed mid-way");
        assert.equal(await exited, 129);
        assert.match(runtime.output(), /\tERROR\tUncaught Exception +\{"errorType":"TypeError"/);
      } finally {
        runtime.stop();
      }
    });

    test("backpressure: while the Runtime API reads nothing the handler's writes wait, and 100 MB stream through in bounded memory", async () => {
      const runtime = await start("stream-large.handler");
      try {
        await runtime.invoke({ megabytes: 1 }); // loads the streaming code, so the baseline includes it
        const baseline = peakRss(runtime.child.pid!);
        const total = 100 * 1024 * 1024;
        const x = Buffer.alloc(1024 * 1024, "x");
        let received = 0;
        let allX = true;
        const receive: Receive = (req, res, kind) =>
          new Promise((resolve, reject) => {
            req.pause();
            runtime.waitForOutput(/waiting for drain after (\d+) bytes/).then((m) => {
              // Written while nothing was read: the kernel's buffers and the stream's highWaterMark, not the response.
              assert.ok(Number(m[1]) <= 32 * 1024 * 1024, `the handler wrote ${m[1]} bytes that nobody read`);
              req.on("data", (d: Buffer) => {
                received += d.length;
                for (let i = 0; i < d.length; i += x.length) allX &&= d.subarray(i, i + x.length).equals(x.subarray(0, Math.min(x.length, d.length - i)));
              });
              req.on("end", () => {
                reply(res, 202);
                resolve({ kind, headers: req.headers, body: Buffer.alloc(0), pieces: [], trailers: req.trailers });
              });
              req.resume();
            }, reject);
          });
        const answer = await runtime.invoke({ megabytes: 100, logDrains: true }, receive);
        assert.equal(received, total);
        assert.ok(allX, "the body is the handler's bytes");
        assert.deepEqual(answer.trailers, {});
        const growth = peakRss(runtime.child.pid!) - baseline;
        assert.ok(growth <= 32 * 1024 * 1024, `the runtime's peak memory grew by ${growth} bytes streaming ${total}`);
      } finally {
        runtime.stop();
      }
    });

    test("a Runtime API that answers before the body ends closes the handler's stream; the runtime ends the body and goes on", async () => {
      const runtime = await start("stream-until-closed.handler");
      const reports: string[] = [];
      let reportArrived = () => {};
      const reporter = await loopbackServer((_url, body, res) => {
        reports.push(body);
        res.end();
        reportArrived();
      });
      const port = reporter.port;
      try {
        const receive: Receive = (req, res, kind) =>
          new Promise((resolve) => {
            let lines = 0;
            req.on("data", (d: Buffer) => {
              lines += d.toString().split("\n").length - 1;
              if (lines >= 3 && !res.headersSent) {
                // What the server does when the caller went away: it stops taking the body.
                reply(res, 410, '{"errorMessage":"the caller went away"}');
                resolve({ kind, headers: req.headers, body: Buffer.alloc(0), pieces: [], trailers: {} });
              }
            });
          });
        await runtime.invoke({ reportPort: port }, receive);
        if (reports.length === 0) await new Promise<void>((resolve) => (reportArrived = resolve));
        assert.match(reports[0], /^stream closed after \d+ writes: The response stream was closed by the Runtime API: 410 \{"errorMessage":"the caller went away"\}$/);
        await runtime.waitForOutput(/stream closed after \d+ writes/);
        // The body was ended, so the connection carries the next invocation.
        const connections = api.connections;
        const next = runtime.invoke({ reportPort: port }, (req, res, kind) => {
          reply(res, 410);
          return Promise.resolve({ kind, headers: req.headers, body: Buffer.alloc(0), pieces: [], trailers: {} });
        });
        assert.equal((await next).headers["lambda-runtime-function-response-mode"], "streaming");
        assert.equal(api.connections, connections);
      } finally {
        reporter.close();
        runtime.stop();
      }
    });

    test("a Runtime API connection lost mid-stream closes the handler's stream; the runtime exits once the handler is done", async () => {
      const runtime = await start("stream-until-closed.handler");
      let report = (_: string) => {};
      const reported = new Promise<string>((resolve) => (report = resolve));
      const reporter = await loopbackServer((_url, body, res) => {
        res.end();
        report(body);
      });
      try {
        const exited = new Promise<number | null>((resolve) => runtime.child.on("exit", (code) => resolve(code)));
        void api
          .invoke({ reportPort: reporter.port }, (req) => {
            let lines = 0;
            req.on("data", (d: Buffer) => {
              lines += d.toString().split("\n").length - 1;
              if (lines >= 3) req.socket.destroy();
            });
            return new Promise(() => {});
          })
          .catch(() => {});
        assert.match(await reported, /^stream closed after \d+ writes: The response stream was closed by the Runtime API: /);
        assert.equal(await exited, 1);
      } finally {
        reporter.close();
        runtime.stop();
      }
    });

    test("a handler not wrapped by streamifyResponse answers buffered, exactly as before", async () => {
      const runtime = await start("echo.handler");
      try {
        const answer = await runtime.invoke({ hello: "world" });
        assert.equal(answer.headers["lambda-runtime-function-response-mode"], undefined);
        assert.equal(answer.headers["transfer-encoding"], undefined);
        assert.equal(answer.headers["content-length"], String(answer.body.length));
        assert.deepEqual(JSON.parse(answer.body.toString("utf8")), { hello: "world" });
      } finally {
        runtime.stop();
      }
    });
  });
}

describe("a custom runtime that streams (provided-stream fixture)", () => {
  let api: FakeRuntimeApi;
  let runtime: RuntimeProcess;
  before(async () => {
    api = await FakeRuntimeApi.start();
    const dir = path.join(FIXTURES, "provided-stream");
    runtime = startRuntime(api, path.join(dir, "bootstrap"), [], { _HANDLER: "stream", LAMBDA_TASK_ROOT: dir });
  });
  after(async () => {
    runtime.stop();
    await api.close();
  });

  test("answers in streaming mode, a chunk per line, and ends with error trailers when asked", async () => {
    const answer = await runtime.invoke({ chunks: 3, pauseMs: 1 });
    assert.equal(answer.headers["lambda-runtime-function-response-mode"], "streaming");
    assert.equal(answer.headers["transfer-encoding"], "chunked");
    assert.equal(answer.headers["content-type"], "text/plain");
    assert.equal(answer.body.toString(), "chunk 0\nchunk 1\nchunk 2\n");
    assert.deepEqual(answer.trailers, {});
    const failed = await runtime.invoke({ chunks: 1, error: "ran out of chunks" });
    assert.equal(failed.body.toString(), "chunk 0\n");
    assert.equal(failed.trailers["lambda-runtime-function-error-type"], "Custom.StreamError");
    assert.deepEqual(decodeErrorBody(failed), { errorType: "Custom.StreamError", errorMessage: "ran out of chunks", trace: [] });
    assert.equal(api.connections, 1);
  });
});
