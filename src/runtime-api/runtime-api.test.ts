/** The Runtime API's routes, headers, status codes and state rules, over real sockets. */
import { test, type TestContext } from "node:test";
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import net from "node:net";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { MAX_RESPONSE_BYTES, RuntimeApi, type Invocation, type RuntimeOutcome } from "./runtime-api.js";

const run = promisify(execFile);
const BASE = "/2018-06-01/runtime";

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw HTTP/1.1 connection: write exact bytes, read responses one by one. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: ((r: Parsed) => void)[] = [];
  readonly socket: net.Socket;

  constructor(address: string) {
    const [host, port] = address.split(":");
    this.socket = net.connect(Number(port), host);
    this.socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
  }

  private drain(): void {
    for (;;) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = this.buf.toString("latin1", 0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      const len = Number(headers["content-length"] ?? 0);
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.toString("utf8", end + 4, end + 4 + len);
      this.buf = this.buf.subarray(end + 4 + len);
      this.waiters.shift()?.({ status: Number(lines[0]!.split(" ")[1]), headers, body });
    }
  }

  /** Send raw bytes; resolves with the next `count` responses. */
  send(raw: string | Buffer, count = 1): Promise<Parsed[]> {
    const out: Promise<Parsed>[] = [];
    for (let i = 0; i < count; i++) out.push(new Promise((r) => this.waiters.push(r)));
    this.socket.write(raw);
    return Promise.all(out);
  }

  close(): void {
    this.socket.destroy();
  }
}

const req = (method: string, path: string, body = "", headers = "") =>
  `${method} ${BASE}${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function invocation(id: string): Invocation {
  return { requestId: id, payload: Buffer.from('{"hello":"world"}'), deadlineMs: 1_700_000_000_000, invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", clientContext: '{"custom":{}}', traceId: "Root=1-5e1b4151-5ac6c58f5b6e7f0b2d3c4e5f;Parent=1;Sampled=0" };
}

async function setup(t: TestContext) {
  const events = { initDone: 0, initErrors: [] as { body: string; type: string }[], waiting: 0 };
  const { api, addresses } = await RuntimeApi.listen([{ host: "127.0.0.1", port: 0 }], {
    initDone: () => events.initDone++,
    initError: (body, type) => events.initErrors.push({ body: body.toString(), type }),
    waiting: () => events.waiting++,
  });
  const client = new RawClient(addresses[0]!);
  t.after(() => {
    client.close();
    api.close();
  });
  return { api, events, client, address: addresses[0]! };
}

function dispatch(api: RuntimeApi, inv: Invocation): Promise<RuntimeOutcome> {
  return new Promise((resolve) => api.dispatch(inv, resolve));
}

test("/next delivers the event with every Lambda-Runtime-* header; /response is accepted once", async (t) => {
  const { api, events, client } = await setup(t);
  const next = client.send(req("GET", "/invocation/next"));
  // The server has parked the request once it reports the runtime waiting.
  for (const until = Date.now() + 60_000; events.waiting === 0 && Date.now() < until; ) await new Promise((r) => setImmediate(r));
  assert.equal(events.initDone, 1);
  assert.equal(events.waiting, 1);
  const outcome = dispatch(api, invocation("req-1"));
  const [n] = await next;
  assert.equal(n!.status, 200);
  assert.equal(n!.body, '{"hello":"world"}');
  assert.equal(n!.headers["lambda-runtime-aws-request-id"], "req-1");
  assert.equal(n!.headers["lambda-runtime-deadline-ms"], "1700000000000");
  assert.equal(n!.headers["lambda-runtime-invoked-function-arn"], "arn:aws:lambda:us-east-1:000000000000:function:f");
  assert.match(n!.headers["lambda-runtime-trace-id"]!, /^Root=1-/);
  assert.equal(n!.headers["lambda-runtime-client-context"], '{"custom":{}}');

  const [ok] = await client.send(req("POST", "/invocation/req-1/response", '"done"'));
  assert.equal(ok!.status, 202);
  assert.deepEqual(JSON.parse(ok!.body), { status: "OK" });
  assert.deepEqual(await outcome, { kind: "response", body: Buffer.from('"done"'), contentType: "application/json" });

  const [twice] = await client.send(req("POST", "/invocation/req-1/response", '"again"'));
  assert.equal(twice!.status, 403);
  assert.deepEqual(JSON.parse(twice!.body), {
    errorMessage: "State transition from RuntimeResponseSentState to InvocationResponse failed for runtime. Error: State transition is not allowed",
    errorType: "InvalidStateTransition",
  });
  const [other] = await client.send(req("POST", "/invocation/someone-else/response", "{}"));
  assert.equal(other!.status, 403, "nothing is in flight: still an illegal transition");
});

test("unknown request ids are 400 InvalidRequestID; /error carries the error type", async (t) => {
  const { api, client } = await setup(t);
  const next = client.send(req("GET", "/invocation/next"));
  const outcome = dispatch(api, invocation("req-2"));
  await next;
  const [bad] = await client.send(req("POST", "/invocation/not-this-one/response", "{}"));
  assert.equal(bad!.status, 400);
  assert.deepEqual(JSON.parse(bad!.body), { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
  const [err] = await client.send(req("POST", "/invocation/req-2/error", '{"errorMessage":"x","errorType":"MyError"}', "Lambda-Runtime-Function-Error-Type: MyError\r\n"));
  assert.equal(err!.status, 202);
  const o = await outcome;
  assert.equal(o.kind, "error");
  assert.equal(o.kind === "error" && o.errorType, "MyError");
});

test("a response over 6 MB + 100 bytes is 413 and the invocation learns it was too large", async (t) => {
  const { api, client } = await setup(t);
  const next = client.send(req("GET", "/invocation/next"));
  const outcome = dispatch(api, invocation("req-3"));
  await next;
  const [tooBig] = await client.send(req("POST", "/invocation/req-3/response", "a".repeat(MAX_RESPONSE_BYTES + 1)));
  assert.equal(tooBig!.status, 413);
  assert.deepEqual(JSON.parse(tooBig!.body), { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "RequestEntityTooLarge" });
  assert.deepEqual(await outcome, { kind: "tooLarge", size: MAX_RESPONSE_BYTES + 1 });
});

test("/init/error is accepted during init only", async (t) => {
  const { events, client } = await setup(t);
  const [first] = await client.send(req("POST", "/init/error", '{"errorType":"Runtime.ImportModuleError","errorMessage":"x"}', "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError\r\n"));
  assert.equal(first!.status, 202);
  assert.deepEqual(events.initErrors, [{ body: '{"errorType":"Runtime.ImportModuleError","errorMessage":"x"}', type: "Runtime.ImportModuleError" }]);
  const [again] = await client.send(req("POST", "/init/error", "{}"));
  assert.equal(again!.status, 403);
  assert.equal(JSON.parse(again!.body).errorType, "InvalidStateTransition");
});

test("an invocation dispatched before /next waits for it; pipelined answer + /next are served in order", async (t) => {
  const { api, client } = await setup(t);
  const first = dispatch(api, invocation("a"));
  const [n1] = await client.send(req("GET", "/invocation/next"));
  assert.equal(n1!.headers["lambda-runtime-aws-request-id"], "a");
  // Answer and ask for the next event in one write, as Flint's bootstraps do.
  const both = client.send(req("POST", "/invocation/a/response", '"A"') + req("GET", "/invocation/next"), 2);
  assert.equal((await first).kind, "response");
  const second = dispatch(api, invocation("b"));
  const [accepted, n2] = await both;
  assert.equal(accepted!.status, 202);
  assert.equal(n2!.headers["lambda-runtime-aws-request-id"], "b");
  const [done] = await client.send(req("POST", "/invocation/b/response", '"B"'));
  assert.equal(done!.status, 202);
  assert.deepEqual(await second, { kind: "response", body: Buffer.from('"B"'), contentType: "application/json" });
});

test("chunked bodies, Expect: 100-continue (curl) and unknown routes", async (t) => {
  const { api, client, address } = await setup(t);
  const next = client.send(req("GET", "/invocation/next"));
  const outcome = dispatch(api, invocation("c"));
  await next;
  const chunked = `POST ${BASE}/invocation/c/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n`;
  const [r] = await client.send(chunked);
  assert.equal(r!.status, 202);
  assert.deepEqual(await outcome, { kind: "response", body: Buffer.from('{"a":1}'), contentType: "application/json" });

  const next2 = client.send(req("GET", "/invocation/next"));
  const outcome2 = dispatch(api, invocation("d"));
  await next2;
  const big = JSON.stringify({ data: "z".repeat(200_000) });
  const scratch = await mkdtemp(path.join(tmpdir(), "flint-rapi-"));
  const file = path.join(scratch, "body.json");
  await writeFile(file, big);
  const curl = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect: 100-continue", "--data-binary", `@${file}`, `http://${address}${BASE}/invocation/d/response`]);
  await rm(scratch, { recursive: true, force: true });
  assert.equal(curl.stdout, "202");
  const o2 = await outcome2;
  assert.equal(o2.kind === "response" && o2.body.length, big.length);

  const [missing] = await client.send(req("GET", "/nope"));
  assert.equal(missing!.status, 404);
});

test("the Runtime API is HTTP/1.1 only: an HTTP/2 client's preface is a bad request, and the connection closes", async (t) => {
  const { client } = await setup(t);
  const closed = new Promise<void>((resolve) => client.socket.on("close", () => resolve()));
  const [r] = await client.send(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
  assert.equal(r!.status, 400);
  await closed;
});

/** A runtime parked on /next and given `id`: the outcome its answer settles. */
async function running(t: TestContext, id: string) {
  const ctx = await setup(t);
  const next = ctx.client.send(req("GET", "/invocation/next"));
  for (const until = Date.now() + 60_000; ctx.events.waiting === 0 && Date.now() < until; ) await new Promise((r) => setImmediate(r));
  const outcome = dispatch(ctx.api, invocation(id));
  await next;
  return { ...ctx, outcome };
}

const streamingHead = (id: string, contentType = "text/plain") =>
  `POST ${BASE}/invocation/${id}/response HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: streaming\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n`;

test("a streaming answer settles the invocation at its head; its chunks pass on as they arrive; 202 at its end", async (t) => {
  const { client, outcome } = await running(t, "req-s");
  const answered = client.send(streamingHead("req-s") + "5\r\nfirst\r\n");
  const o = await outcome;
  assert.equal(o.kind, "stream");
  if (o.kind !== "stream") return;
  assert.equal(o.response.contentType, "text/plain");
  const [first] = (await once(o.response.body, "data")) as [Buffer];
  assert.equal(first.toString(), "first", "the first chunk arrives before the runtime sent the rest");
  let rest = "";
  o.response.body.on("data", (d: Buffer) => (rest += d.toString()));
  client.socket.write("6\r\nsecond\r\n0\r\n\r\n");
  const [ok] = await answered;
  assert.equal(ok!.status, 202);
  assert.deepEqual(await o.response.ended, { ok: true });
  assert.equal(rest, "second");
});

test("a streaming answer that fails mid-stream reports the error from its trailers", async (t) => {
  const { client, outcome } = await running(t, "req-e");
  const error = Buffer.from(JSON.stringify({ errorType: "Error", errorMessage: "boom" })).toString("base64");
  const answered = client.send(streamingHead("req-e") + `4\r\npart\r\n0\r\nLambda-Runtime-Function-Error-Type: Error\r\nLambda-Runtime-Function-Error-Body: ${error}\r\n\r\n`);
  const o = await outcome;
  assert.equal(o.kind, "stream");
  if (o.kind !== "stream") return;
  o.response.body.resume();
  assert.deepEqual(await o.response.ended, { ok: false, errorType: "Error", errorBody: Buffer.from(JSON.stringify({ errorType: "Error", errorMessage: "boom" })) });
  assert.equal((await answered)[0]!.status, 202);
});

test("an abandoned stream answers the runtime at once; what it still sends is dropped and its connection stays usable", async (t) => {
  const { client, outcome, events } = await running(t, "req-a");
  const answered = client.send(streamingHead("req-a") + "3\r\nabc\r\n");
  const o = await outcome;
  if (o.kind !== "stream") return assert.fail("not a stream");
  o.response.abandon();
  const [closed] = await answered;
  assert.equal(closed!.status, 410);
  assert.equal(JSON.parse(closed!.body).errorType, "Runtime.ResponseStreamClosed");
  const waiting = events.waiting;
  // The runtime finishes its body, then asks for the next invocation on the same connection.
  client.socket.write("3\r\ndef\r\n0\r\n\r\n");
  void client.send(req("GET", "/invocation/next"));
  for (const until = Date.now() + 60_000; events.waiting === waiting && Date.now() < until; ) await new Promise((r) => setImmediate(r));
  assert.equal(events.waiting, waiting + 1, "the runtime is parked on /next again");
});

test("a streamed answer refused (a wrong request id) is read and dropped: the request pipelined behind it is still answered", async (t) => {
  const { client } = await running(t, "req-r");
  const big = "z".repeat(256 * 1024);
  const [refused, next] = await client.send(streamingHead("someone-else") + `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n` + req("GET", "/invocation/next"), 2);
  assert.equal(refused!.status, 400);
  // Still running req-r: the pipelined /next is parsed and refused in its turn.
  assert.equal(next!.status, 403);
});

test("a streamed answer past 200 MB ends as Function.ResponseSizeTooLarge; the runtime hears 413 and its connection goes on", async (t) => {
  const { client, outcome } = await running(t, "req-big");
  const answered = client.send(streamingHead("req-big"));
  const o = await outcome;
  if (o.kind !== "stream") return assert.fail("not a stream");
  let passed = 0;
  o.response.body.on("data", (d: Buffer) => (passed += d.length));
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
  // 201 MB in 1 MB chunks, waiting whenever the socket is full.
  for (let i = 0; i < 201; i++) if (!client.socket.write(frame)) await once(client.socket, "drain");
  client.socket.write("0\r\n\r\n");
  const end = await o.response.ended;
  assert.equal(end.ok, false);
  if (!end.ok) assert.equal(end.errorType, "Function.ResponseSizeTooLarge");
  const [refused] = await answered;
  assert.equal(refused!.status, 413);
  assert.ok(passed <= 200 * 1024 * 1024, `${passed} bytes passed on`);
});
