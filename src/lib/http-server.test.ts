import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { ClientGone, HttpServer, type Exchange, type HttpServerOptions } from "./http-server.js";

/** A server whose handler echoes what it read; `limit` bounds the body it asks for. */
async function serve(t: { after(fn: () => Promise<void> | void): void }, handler?: (ex: Exchange) => void, options?: HttpServerOptions) {
  const seen: { method: string; url: string; headers: Record<string, string>; body?: string; tooLarge?: number }[] = [];
  const server = new HttpServer(
    handler ??
      ((ex) => {
        const entry: (typeof seen)[number] = { method: ex.head.method, url: ex.head.url, headers: ex.head.headers };
        seen.push(entry);
        const limit = Number(ex.head.headers["x-limit"] ?? 1 << 20);
        void ex.body(limit).then((b) => {
          if (b.ok) entry.body = b.body.toString();
          else entry.tooLarge = b.size;
          if (b.ok) ex.response.send(200, { "Content-Type": "text/plain" }, `${ex.head.method} ${ex.head.url} ${b.body.length}:${b.body.toString()}`);
          else ex.response.send(413, {}, "too large");
        }, () => undefined);
      }),
    options,
  );
  const { port } = (await server.listen({ host: "127.0.0.1", port: 0 })) as net.AddressInfo;
  t.after(() => server.close());
  return { port, seen };
}

/** Give up waiting for what must happen only after this: it is spent only when it never does. */
const PATIENCE_MS = 30_000;

/** Resolves once `check` holds (polled); fails naming `what` after PATIENCE_MS. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + PATIENCE_MS; !check(); ) {
    if (Date.now() > end) throw new Error(`${what}: not within ${PATIENCE_MS} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `promise`'s value, or `otherwise` if it does not settle within PATIENCE_MS. */
async function withinPatience<T>(promise: Promise<T>, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(otherwise), PATIENCE_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Send raw bytes; collect everything until the server closes or `until` matches what arrived. */
function raw(port: number, chunks: (string | Buffer)[], until?: RegExp, gapMs = 0): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(patience);
      s.destroy();
      resolve({ text, closed });
    };
    s.on("data", (d) => {
      text += d.toString("latin1");
      if (until && until.test(text)) finish(false);
    });
    s.on("close", () => finish(true));
    s.on("error", reject);
    s.on("connect", async () => {
      for (const c of chunks) {
        s.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    const patience = setTimeout(() => finish(false), PATIENCE_MS);
  });
}

const responses = (text: string) => text.split(/(?=HTTP\/1\.1 \d{3})/).filter(Boolean);

test("keep-alive: pipelined requests on one connection are answered in order, each in full", async (t) => {
  const { port } = await serve(t);
  const r = await raw(port, ["GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /c?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"], /GET \/c\?x=1 0:$/);
  const rs = responses(r.text);
  assert.equal(rs.length, 3, r.text);
  assert.match(rs[0]!, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(rs[0]!, /\r\nContent-Length: 9\r\n/);
  assert.match(rs[0]!, /\r\nConnection: keep-alive\r\n/);
  assert.match(rs[0]!, /\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/);
  assert.ok(rs[0]!.endsWith("\r\n\r\nGET /a 0:"));
  assert.ok(rs[1]!.endsWith("\r\n\r\nPOST /b 5:hello"));
  assert.ok(rs[2]!.endsWith("\r\n\r\nGET /c?x=1 0:"));
  assert.equal(r.closed, false);
});

test("bodies arrive in pieces, chunked with extensions and trailers, and after Expect: 100-continue", async (t) => {
  const { port, seen } = await serve(t);
  const split = await raw(port, ["PUT /p HTTP/1.1\r\nContent-Le", "ngth: 11\r\n\r\nhello", " world"], /11:hello world$/, 20);
  assert.match(split.text, /PUT \/p 11:hello world$/);
  const chunked = await raw(port, ["POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n", "6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n"], /11:hello world$/, 20);
  assert.match(chunked.text, /POST \/c 11:hello world$/);
  const expect = await raw(port, ["POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"], /100 Continue\r\n\r\n/);
  assert.match(expect.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
  assert.equal(seen.length, 3);
  assert.equal(seen[1]!.headers["transfer-encoding"], "chunked");
});

test("a large body of declared length arrives whole and in order, in pieces, with the request behind it", async (t) => {
  const { port, seen } = await serve(t);
  const body = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""));
  const head = `PUT /big HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`;
  const next = "GET /after HTTP/1.1\r\n\r\n";
  const r = await raw(port, [head, body.subarray(0, 1000), body.subarray(1000, 200_000), Buffer.concat([body.subarray(200_000), Buffer.from(next)])], /GET \/after 0:$/, 10);
  assert.equal(seen[0]!.body, body.toString());
  assert.match(r.text, /GET \/after 0:$/);
});

test("repeated headers are joined; names are lower-cased; Host and Authorization keep their first value", async (t) => {
  const { port, seen } = await serve(t);
  await raw(port, ["GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Multi: 1\r\nx-multi: 2\r\nAuthorization: first\r\nAuthorization: second\r\n\r\n"], / 0:$/);
  assert.deepEqual({ ...seen[0]!.headers }, { host: "a", "x-multi": "1, 2", authorization: "first" });
  await raw(port, ["GET / HTTP/1.1\r\nConstructor: c\r\n__proto__: p\r\nToString: t\r\n\r\n"], / 0:$/);
  assert.deepEqual(Object.entries(seen[1]!.headers), [["constructor", "c"], ["__proto__", "p"], ["tostring", "t"]]);
});

test("a body over the handler's limit is read and dropped: the client gets the answer and the connection goes on", async (t) => {
  const { port, seen } = await serve(t);
  const r = await raw(port, [`POST /big HTTP/1.1\r\nX-Limit: 4\r\nContent-Length: 10\r\n\r\n0123456789GET /next HTTP/1.1\r\n\r\n`], /GET \/next 0:$/);
  const rs = responses(r.text);
  assert.match(rs[0]!, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
  assert.match(rs[1]!, /GET \/next 0:$/);
  assert.equal(seen[0]!.tooLarge, 10);
});

test("a response sent without reading the body drops a small body and closes for a large or chunked one", async (t) => {
  const { port } = await serve(t, (ex) => ex.response.send(404, {}, "no"));
  const small = await raw(port, ["POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n"], /(HTTP\/1\.1 404[^]*){2}no$/);
  assert.equal(responses(small.text).length, 2, "the next request was read past the dropped body");
  const chunked = await raw(port, ["POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"]);
  assert.match(chunked.text, /\r\nConnection: close\r\n/);
  assert.equal(chunked.closed, true);
});

test("closeAfterResponse and HTTP/1.0 close the connection after the answer; HTTP/1.0 keep-alive does not", async (t) => {
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/refuse") ex.response.closeAfterResponse();
    ex.response.send(200, {}, "ok");
  });
  const refused = await raw(port, ["POST /refuse HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n"]);
  assert.match(refused.text, /\r\nConnection: close\r\n\r\nok$/);
  assert.equal(refused.closed, true);
  const old = await raw(port, ["GET / HTTP/1.0\r\n\r\n"]);
  assert.match(old.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n\r\nok$/);
  assert.equal(old.closed, true);
  const kept = await raw(port, ["GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"], /ok$/);
  assert.equal(kept.closed, false);
});

test("HEAD gets the headers of the answer without its body", async (t) => {
  const { port } = await serve(t, (ex) => ex.response.send(200, {}, "0123456789"));
  const r = await raw(port, ["HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"], /0123456789$/);
  const rs = responses(r.text);
  assert.match(rs[0]!, /Content-Length: 10\r\n[^]*\r\n\r\n$/);
  assert.ok(rs[1]!.endsWith("\r\n\r\n0123456789"));
});

for (const [what, bytes, status] of [
  ["a malformed request line", "GARBAGE\r\n\r\n", 400],
  ["HTTP/2 on the request line", "GET / HTTP/2.0\r\n\r\n", 400],
  ["a header without a colon", "GET / HTTP/1.1\r\nBroken header\r\n\r\n", 400],
  ["a header name with a space", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400],
  ["two different Content-Lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400],
  ["Content-Length and Transfer-Encoding together", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
  ["a Transfer-Encoding other than chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400],
  ["a negative Content-Length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400],
  ["an unknown expectation", "POST / HTTP/1.1\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417],
  ["a head over 16 KB", `GET / HTTP/1.1\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`, 431],
  ["an asterisk target for a method other than OPTIONS", "PUT * HTTP/1.1\r\n\r\n", 400],
  ["a head of 201 header lines", `GET / HTTP/1.1\r\n${Array.from({ length: 201 }, (_, i) => `X-${i}: 1\r\n`).join("")}\r\n`, 431],
] as const) {
  test(`${what} gets ${status} and the connection is closed; the handler never sees it`, async (t) => {
    const { port, seen } = await serve(t);
    const r = await raw(port, [bytes]);
    assert.match(r.text, new RegExp(`^HTTP/1\\.1 ${status} [^\\r]+\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n$`));
    assert.equal(r.closed, true);
    assert.equal(seen.length, 0);
  });
}

test("a broken chunk size ends the connection and the waiting handler's body read fails", async (t) => {
  let failure: unknown;
  const { port } = await serve(t, (ex) => void ex.body(1000).catch((err) => (failure = err)));
  const r = await raw(port, ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]);
  assert.equal(r.closed, true);
  await until(() => failure !== undefined, "the body read failed");
  assert.match(String(failure), /malformed chunked body/);
  assert.ok(failure instanceof ClientGone);
});

test("a client that goes away mid-body fails the body read and fires close listeners", async (t) => {
  let failure: unknown;
  let closed = false;
  let reading = false;
  const { port } = await serve(t, (ex) => {
    ex.response.once("close", () => (closed = true));
    reading = true;
    void ex.body(1000).catch((err) => (failure = err));
  });
  const s = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => s.on("connect", resolve));
  s.write("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial");
  await until(() => reading, "the handler reading the body");
  s.destroy();
  await until(() => failure !== undefined && closed, "the body read failed and close listeners fired");
  assert.match(String(failure), /closed the connection/);
  assert.ok(failure instanceof ClientGone);
  assert.equal(closed, true);
});

test("a head that does not arrive in time gets 408; an idle connection is closed, a busy one is not", async (t) => {
  let release: (() => void) | undefined;
  const { port } = await serve(
    t,
    (ex) => {
      if (ex.head.url === "/slow") release = () => ex.response.send(200, {}, "late");
      else ex.response.send(200, {}, "ok");
    },
    { headTimeoutMs: 100, keepAliveMs: 200 },
  );
  const slowloris = await raw(port, ["GET / HTTP/1.1\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n"], undefined, 60);
  assert.match(slowloris.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.equal(slowloris.closed, true);
  const idle = await raw(port, ["GET / HTTP/1.1\r\n\r\n"]);
  assert.match(idle.text, /Keep-Alive: timeout=0\r\n\r\nok$/);
  assert.equal(idle.closed, true, "closed after 200 ms idle");
  // A request answered after several idle periods still gets its answer.
  const s = net.connect(port, "127.0.0.1");
  let text = "";
  s.on("data", (d) => (text += d));
  s.write("GET /slow HTTP/1.1\r\n\r\n");
  await new Promise((resolve) => setTimeout(resolve, 600));
  release!();
  await until(() => /late$/.test(text), "the late answer");
  s.destroy();
});

test("a header value with a line break is refused before anything is written; the handler can still answer", async (t) => {
  const { port } = await serve(t, (ex) => {
    try {
      ex.response.send(200, { "X-Echo": "a\r\nSet-Cookie: forged=1" }, "forged");
    } catch (err) {
      ex.response.send(500, {}, String((err as Error).message));
    }
  });
  const r = await raw(port, ["GET / HTTP/1.1\r\n\r\n"], /header[^]*$/);
  assert.match(r.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
  assert.doesNotMatch(r.text, /forged/);
});

test("a large response body arrives whole, after its head", async (t) => {
  const big = Buffer.alloc(3 * 1024 * 1024, "x");
  big.write("END", big.length - 3);
  const { port } = await serve(t, (ex) => ex.response.send(200, { "Content-Type": "application/octet-stream" }, big));
  const r = await raw(port, ["GET / HTTP/1.1\r\n\r\n"], /END$/);
  const [head, body] = [r.text.slice(0, r.text.indexOf("\r\n\r\n")), r.text.slice(r.text.indexOf("\r\n\r\n") + 4)];
  assert.match(head, new RegExp(`Content-Length: ${big.length}`));
  assert.equal(body.length, big.length);
});

test("a handler that throws loses its connection, not the server", async (t) => {
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/throw") throw new Error("handler bug");
    ex.response.send(200, {}, "fine");
  });
  const broken = await raw(port, ["GET /throw HTTP/1.1\r\n\r\n"]);
  assert.equal(broken.closed, true);
  assert.equal(broken.text, "");
  assert.match((await raw(port, ["GET / HTTP/1.1\r\n\r\n"], /fine$/)).text, /fine$/);
});

test("a client that keeps its side open after a refusal is dropped at the idle timeout", async (t) => {
  const { port } = await serve(t, undefined, { keepAliveMs: 150 });
  const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  let text = "";
  s.on("data", (d) => (text += d));
  const gone = new Promise<string>((resolve) => {
    s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
    s.on("close", () => resolve("close"));
  });
  s.write("GARBAGE\r\n\r\n");
  await new Promise((resolve) => setTimeout(resolve, 400));
  // The server closed its socket at the timeout: what the client still sends is refused.
  s.write("more\r\n");
  setTimeout(() => s.write("more\r\n"), 50);
  const how = await withinPatience(gone, "still open");
  s.destroy();
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.notEqual(how, "still open");
});

test("sendWhenNext holds an answer while the client's next request is already waiting, and sends both together", async (t) => {
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/a") ex.response.sendWhenNext(202, {}, "A");
    else setTimeout(() => ex.response.send(200, {}, "B"), 150);
  });
  const s = net.connect(port, "127.0.0.1");
  const arrivals: { at: number; text: string }[] = [];
  const started = Date.now();
  s.on("data", (d) => arrivals.push({ at: Date.now() - started, text: d.toString("latin1") }));
  s.write("POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  const received = () => responses(arrivals.map((a) => a.text).join("")).length;
  await until(() => received() === 2, "both answers");
  // Not pipelined: the held-back form goes at once.
  s.write("POST /a HTTP/1.1\r\n\r\n");
  await until(() => received() === 3, "the third answer");
  s.destroy();
  const all = arrivals.map((a) => a.text).join("");
  assert.equal(responses(all).length, 3, all);
  assert.ok(arrivals[0]!.at >= 140, `the 202 left before the next answer (${arrivals[0]!.at} ms)`);
  assert.match(arrivals[0]!.text, /^HTTP\/1\.1 202 Accepted\r\n[^]*\r\n\r\nAHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nB/);
  assert.match(arrivals.at(-1)!.text, /202 Accepted[^]*A$/);
});

/**
 * As Python's `http.client`: write the whole request before reading anything, then read the answer
 * until the server closes. `taken` says whether the kernel took all of the request.
 */
async function writeAllThenRead(port: number, request: Buffer): Promise<{ taken: boolean; text: string; error: string | undefined }> {
  const s = net.connect(port, "127.0.0.1");
  s.pause();
  let error: string | undefined;
  s.on("error", (err: NodeJS.ErrnoException) => (error ??= err.code ?? String(err)));
  const closed = new Promise<void>((resolve) => s.on("close", () => resolve()));
  try {
    const taken = await withinPatience(new Promise<boolean>((resolve) => s.write(request, (err) => resolve(!err))), false);
    if (!taken) return { taken, text: "", error };
    let text = "";
    s.on("data", (d: Buffer) => (text += d.toString("latin1")));
    s.resume();
    await withinPatience(closed, undefined);
    return { taken, text, error };
  } finally {
    s.destroy();
  }
}

/** Write `head`, then `piece` again and again (every `gapMs`) without reading, until the server drops the connection. */
async function writeUntilDropped(port: number, head: string, piece: Buffer, gapMs = 0): Promise<{ written: number; how: string }> {
  const s = net.connect(port, "127.0.0.1");
  s.pause();
  const gone = new Promise<string>((resolve) => {
    s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
    s.on("close", () => resolve("close"));
  });
  let how: string | undefined;
  void gone.then((h) => (how = h));
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, PATIENCE_MS)));
  let patient = true;
  void patience.then(() => (patient = false));
  let written = 0;
  s.write(head);
  while (how === undefined && patient) {
    await Promise.race([new Promise<void>((resolve) => s.write(piece, (err) => (err ? resolve() : ((written += piece.length), resolve())))), gone, patience]);
    if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  clearTimeout(timer);
  s.destroy();
  return { written, how: how ?? "still open" };
}

/** The Lambda route's head refused on sight: `api/server.ts` closes after the answer and never reads the body. */
const refuse = (ex: Exchange) => {
  ex.response.closeAfterResponse();
  ex.response.send(403, { "Content-Type": "application/json" }, `{"message":"Missing Authentication Token"}`);
};
const UPLOAD = 6.3 * 1024 * 1024;

test("a client that writes its whole body before reading gets the answer to a head refused on sight", async (t) => {
  const { port } = await serve(t, refuse);
  const body = Buffer.alloc(UPLOAD, "x");
  const r = await writeAllThenRead(port, Buffer.concat([Buffer.from(`POST /2015-03-31/functions/x/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  assert.equal(r.taken, true, "the server read the whole body");
  assert.match(r.text, /^HTTP\/1\.1 403 Forbidden\r\n[^]*\r\nConnection: close\r\n\r\n\{"message":"Missing Authentication Token"\}$/);
  assert.equal(r.error, undefined);
  // A chunked body is drained by its framing.
  const chunks: Buffer[] = [Buffer.from("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")];
  for (let sent = 0; sent < UPLOAD; sent += 64 * 1024) chunks.push(Buffer.from("10000\r\n"), body.subarray(0, 64 * 1024), Buffer.from("\r\n"));
  chunks.push(Buffer.from("0\r\n\r\n"));
  const chunked = await writeAllThenRead(port, Buffer.concat(chunks));
  assert.equal(chunked.taken, true, "the server read the whole chunked body");
  assert.match(chunked.text, /^HTTP\/1\.1 403 Forbidden\r\n[^]*Missing Authentication Token"\}$/);
  assert.equal(chunked.error, undefined);
});

test("a head over 16 KB gets its 431 even when a large body follows and is written before the client reads", async (t) => {
  const { port, seen } = await serve(t);
  const request = Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nX-Big: ${"a".repeat(20 * 1024)}\r\nContent-Length: ${UPLOAD}\r\n\r\n`), Buffer.alloc(UPLOAD, "x")]);
  const r = await writeAllThenRead(port, request);
  assert.equal(r.taken, true, "the server read what followed the head");
  assert.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n$/);
  assert.equal(r.error, undefined);
  assert.equal(seen.length, 0);
});

test("a body that stalls gets 408 and its connection closed; the handler's read fails", async (t) => {
  let failure: unknown;
  const { port } = await serve(
    t,
    (ex) => {
      if (ex.head.url === "/read") void ex.body(1000).catch((err) => (failure = err));
      else ex.response.send(200, {}, "not read");
    },
    { bodyTimeoutMs: 200 },
  );
  const held = await raw(port, ["POST /read HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial"]);
  assert.match(held.text, /^HTTP\/1\.1 408 Request Timeout\r\nContent-Length: 0\r\n[^]*Connection: close\r\n\r\n$/);
  assert.equal(held.closed, true);
  assert.ok(failure instanceof ClientGone);
  assert.match(String(failure), /no byte of the body arrived for 200 ms/);
  // Answered without reading a small body that never ends: the connection closes too.
  const drained = await raw(port, ["POST /answer HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial"]);
  assert.match(drained.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: keep-alive\r\n[^]*not read$/);
  assert.equal(drained.closed, true);
});

test("a drain after a refusal stops at its byte bound", async (t) => {
  const { port } = await serve(t, refuse, { drainBytes: 1024 * 1024, keepAliveMs: 0 });
  const r = await writeUntilDropped(port, `POST / HTTP/1.1\r\nContent-Length: ${1 << 30}\r\n\r\n`, Buffer.alloc(64 * 1024, "x"));
  assert.notEqual(r.how, "still open");
  assert.ok(r.written >= 1024 * 1024, `the server read at least the bound (${r.written} bytes written)`);
});

test("a drain after a refusal stops at its time bound", async (t) => {
  const { port } = await serve(t, refuse, { drainTimeoutMs: 300, bodyTimeoutMs: 0, keepAliveMs: 0 });
  const r = await writeUntilDropped(port, `POST / HTTP/1.1\r\nContent-Length: ${1 << 30}\r\n\r\n`, Buffer.alloc(1024, "x"), 20);
  assert.notEqual(r.how, "still open");
});

test("a body drained to its end after a refusal: the server closes without waiting for the client to", async (t) => {
  const { port } = await serve(t, refuse, { keepAliveMs: 0, drainTimeoutMs: 600_000 });
  const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  let text = "";
  s.on("data", (d) => (text += d));
  const gone = new Promise<string>((resolve) => {
    s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
    s.on("close", () => resolve("close"));
  });
  s.write("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  await until(() => text.endsWith("}"), "the answer");
  // The server dropped the connection after a short grace: what the client still sends is refused.
  const poke = setInterval(() => s.write("more"), 50);
  const how = await withinPatience(gone, "still open");
  clearInterval(poke);
  s.destroy();
  assert.match(text, /^HTTP\/1\.1 403 /);
  assert.notEqual(how, "still open");
});

test("an answer that closes a connection with nothing left to drain is not cut short by the drain's time bound", async (t) => {
  const big = Buffer.alloc(8 * 1024 * 1024, "x");
  big.write("END", big.length - 3);
  const { port } = await serve(t, (ex) => ex.response.send(200, {}, big), { drainTimeoutMs: 50 });
  const s = net.connect(port, "127.0.0.1");
  s.pause();
  s.write("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  // Read only well after the drain's time bound.
  await new Promise((resolve) => setTimeout(resolve, 500));
  let text = "";
  s.on("data", (d: Buffer) => (text += d.toString("latin1")));
  s.resume();
  await until(() => text.endsWith("END") || s.destroyed, "the whole answer or the end of the connection");
  s.destroy();
  assert.ok(text.endsWith("END"), `the whole answer arrived (${text.length} bytes)`);
});

test("a streamed response is chunked as written, ends with the terminating chunk, and the connection goes on", async (t) => {
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/next") return ex.response.send(200, {}, "next");
    const out = ex.response.stream(200, { "Content-Type": "text/plain" });
    out.write("one ");
    setImmediate(() => out.end("two"));
  });
  const r = await raw(port, ["GET /s HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n"], /\r\n\r\nnext$/);
  const [streamed] = r.text.split("HTTP/1.1 200 OK").filter(Boolean);
  assert.match(streamed!, /Transfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(streamed!, /Content-Length/);
  assert.match(streamed!, /\r\n\r\n4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n$/);
});

test("an HTTP/1.0 client gets a streamed body up to the connection's close", async (t) => {
  const { port } = await serve(t, (ex) => {
    const out = ex.response.stream(200, {});
    out.end("whole");
  });
  const r = await raw(port, ["GET / HTTP/1.0\r\n\r\n"]);
  assert.ok(r.closed);
  assert.match(r.text, /Connection: close\r\n\r\nwhole$/);
});

test("a streamed response cut before its end cuts the connection; a client that goes destroys the stream", async (t) => {
  let seenError: unknown;
  const { port } = await serve(t, (ex) => {
    const out = ex.response.stream(200, {});
    out.on("error", (err) => (seenError = err));
    if (ex.head.url === "/cut") {
      out.write("partial");
      setImmediate(() => out.destroy(new Error("function failed")));
    } else out.write("waiting for the client to go");
  });
  const cut = await raw(port, ["GET /cut HTTP/1.1\r\n\r\n"]);
  assert.ok(cut.closed);
  assert.doesNotMatch(cut.text, /0\r\n\r\n$/);
  await raw(port, ["GET /left HTTP/1.1\r\n\r\n"], /waiting/);
  await until(() => seenError instanceof ClientGone, "the stream learns that its client went");
});

test("a body read as a stream arrives chunk by chunk with its trailers, and the next request waits for its end", async (t) => {
  const bodies: { text: string; trailers: Record<string, string> }[] = [];
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/next") return ex.response.send(200, {}, `next after ${bodies.length}`);
    const body = ex.bodyStream!();
    // Answered before the body ends (as the Runtime API tells a streaming runtime that its caller went): the connection stays.
    ex.response.send(202, {}, "early");
    let text = "";
    body.on("data", (d: Buffer) => (text += d.toString()));
    body.on("end", () => bodies.push({ text, trailers: { ...body.trailers } }));
  });
  const r = await raw(port, ["POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "2\r\nde\r\n0\r\nLambda-Runtime-Function-Error-Type: E\r\nX-B: 1\r\n\r\nGET /next HTTP/1.1\r\n\r\n"], /next after 1$/, 20);
  assert.match(r.text, /202 Accepted[\s\S]*early[\s\S]*next after 1$/);
  assert.deepEqual(bodies, [{ text: "abcde", trailers: { "lambda-runtime-function-error-type": "E", "x-b": "1" } }]);
});

test("a streamed body that is not read stops the connection's reading (backpressure) and resumes when read", async (t) => {
  let body: import("./http-server.js").BodyStream | undefined;
  let received = 0;
  const { port } = await serve(t, (ex) => {
    body = ex.bodyStream!();
    body.on("end", () => ex.response.send(200, {}, `got ${received}`));
  });
  const total = 8 * 1024 * 1024;
  const s = net.connect(port, "127.0.0.1");
  t.after(() => s.destroy());
  await new Promise((r) => s.once("connect", r));
  s.write(`POST / HTTP/1.1\r\nContent-Length: ${total}\r\n\r\n`);
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  // Write until the kernel's buffers are full: the server holds at most its stream's high-water mark and a socket read.
  for (let more = true; written < total && more; written += chunk.length) more = s.write(chunk);
  await until(() => body !== undefined && body.readableLength > 0, "the body starts arriving");
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(written < total, "the client was held back by the server's backpressure");
  assert.ok(body!.readableLength <= 512 * 1024, `the server holds ${body!.readableLength} bytes unread`);
  const answer = new Promise<string>((resolve) => s.on("data", (d) => resolve(d.toString())));
  body!.on("data", (d: Buffer) => (received += d.length));
  for (; written < total; written += chunk.length) if (!s.write(chunk)) await new Promise((r) => s.once("drain", r));
  assert.match(await answer, /got 8388608$/);
});

test("a header given as a list is sent as that many lines (Set-Cookie)", async (t) => {
  const { port } = await serve(t, (ex) => ex.response.send(200, { "Set-Cookie": ["a=1", "b=2; Path=/"] }, "ok"));
  const r = await raw(port, ["GET / HTTP/1.1\r\n\r\n"], /ok$/);
  assert.match(r.text, /Set-Cookie: a=1\r\nSet-Cookie: b=2; Path=\/\r\n/);
});

test("a streamed chunked body whose reads end inside the chunk framing arrives whole", async (t) => {
  let got = "";
  const { port } = await serve(t, (ex) => {
    const body = ex.bodyStream!();
    body.on("data", (d: Buffer) => (got += d.toString()));
    body.on("end", () => ex.response.send(200, {}, `got ${got.length}`));
  });
  const big = "y".repeat(70_000);
  // Each write ends inside a size line or a CRLF; the next one is large.
  const r = await raw(port, ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r", `\n${big.length.toString(16)}\r\n${big}\r\n1`, `0\r\n${"z".repeat(16)}\r\n0\r\n\r\n`], /got \d+$/, 20);
  assert.match(r.text, /got 70019$/);
  assert.equal(got, `abc${big}${"z".repeat(16)}`);
});

test("headers that frame the response are the server's: a handler's Content-Length, Transfer-Encoding or Connection is dropped", async (t) => {
  const { port } = await serve(t, (ex) => {
    if (ex.head.url === "/stream") return void ex.response.stream(200, { "transfer-encoding": "identity", "Content-Length": "1" }).end("streamed");
    ex.response.send(200, { "Content-Length": "1", "Transfer-Encoding": "chunked", Connection: "close", "X-Kept": "yes" }, "hello");
  });
  const r = await raw(port, ["GET / HTTP/1.1\r\n\r\nGET /stream HTTP/1.1\r\n\r\n"], /0\r\n\r\n$/);
  const [first, second] = responses(r.text);
  assert.match(first!, /^HTTP\/1\.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 5\r\nDate: [^\r]+\r\nConnection: keep-alive\r\n/);
  assert.doesNotMatch(first!, /Transfer-Encoding|Content-Length: 1\r/);
  assert.match(second!, /Transfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(second!, /identity|Content-Length/);
});

test("a client gone before a streamed response starts: the stream is destroyed, and nothing is left unhandled", async (t) => {
  let destroyed: Promise<boolean> | undefined;
  const { port } = await serve(t, (ex) => {
    ex.response.once("close", () => {
      const out = ex.response.stream(200, {});
      destroyed = new Promise((resolve) => setImmediate(() => resolve(out.destroyed)));
    });
  });
  const s = net.connect(port, "127.0.0.1");
  s.write("GET / HTTP/1.1\r\n\r\n");
  await new Promise((r) => setTimeout(r, 20));
  s.destroy();
  await until(() => destroyed !== undefined, "the handler streamed after its client left");
  assert.equal(await destroyed, true);
});
