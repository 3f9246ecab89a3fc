import { test } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { HttpServer, type Exchange, type HttpServerOptions } from "./http-server.js";

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/** An h2c server whose handler echoes the request (`x-limit` bounds the body it asks for). */
async function serve(t: { after(fn: () => Promise<void> | void): void }, options: HttpServerOptions = { h2c: true }, handler?: (ex: Exchange) => void) {
  const seen: Exchange["head"][] = [];
  const server = new HttpServer(
    handler ??
      ((ex) => {
        seen.push(ex.head);
        const limit = Number(ex.head.headers["x-limit"] ?? 1 << 20);
        void ex.body(limit).then(
          (b) => {
            if (b.ok) ex.response.send(200, { "Content-Type": "text/plain", Connection: "keep-alive", "Keep-Alive": "timeout=65" }, `${ex.head.method} ${ex.head.url} ${ex.hasBody} ${b.body.length}:${b.body.toString()}`);
            else ex.response.send(413, {}, `too large: ${b.size}`);
          },
          () => undefined,
        );
      }),
    options,
  );
  const { port } = (await server.listen({ host: "127.0.0.1", port: 0 })) as net.AddressInfo;
  t.after(() => server.close());
  return { server, port, seen };
}

function connect(t: { after(fn: () => void): void }, port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  t.after(() => session.destroy());
  return session;
}

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  text: string;
}

/** One request on `session`; resolves with the response, rejects if the stream fails. */
function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": "/", ...headers }, { endStream: body === undefined });
    let text = "";
    let head: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (head = h));
    stream.on("data", (d: Buffer) => (text += d.toString()));
    stream.on("end", () => resolve({ status: Number(head[":status"]), headers: head, text }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

/** Raw bytes on a fresh connection; everything that comes back until the server closes (or 5 s pass). */
function raw(port: number, chunks: (string | Buffer)[], gapMs = 0): Promise<{ bytes: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const got: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(patience);
      s.destroy();
      resolve({ bytes: Buffer.concat(got), closed });
    };
    s.on("data", (d) => got.push(d));
    s.on("close", () => finish(true));
    s.on("error", () => {});
    s.on("connect", async () => {
      for (const c of chunks) {
        s.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    const patience = setTimeout(() => finish(false), 5000);
  });
}

test("h2c: a GET and a POST on one session reach the handler as HTTP/1.1 requests would", async (t) => {
  const { port, seen } = await serve(t);
  const session = connect(t, port);
  const get = await request(session, { ":method": "GET", ":path": "/2015-03-31/functions?Marker=a%20b", "x-amz-date": "20260101T000000Z" });
  assert.equal(get.status, 200);
  assert.equal(get.text, "GET /2015-03-31/functions?Marker=a%20b false 0:");
  assert.equal(get.headers["content-length"], String(get.text.length));
  const post = await request(session, { ":method": "POST", ":path": "/q", "content-type": "application/x-amz-json-1.0", "content-length": 7 }, '{"a":1}');
  assert.equal(post.text, 'POST /q true 7:{"a":1}');
  // Without a declared length, as a streaming client sends it.
  const streamed = await request(session, { ":method": "PUT", ":path": "/s" }, "streamed body");
  assert.equal(streamed.text, "PUT /s true 13:streamed body");
  // Lower-case names, no pseudo-headers, `host` from `:authority` (SigV4 signs it).
  assert.equal(seen[0]!.headers.host, `127.0.0.1:${port}`);
  assert.equal(seen[0]!.headers["x-amz-date"], "20260101T000000Z");
  assert.ok(Object.keys(seen[0]!.headers).every((k) => !k.startsWith(":")));
  assert.equal(seen[1]!.headers["content-type"], "application/x-amz-json-1.0");
});

test("h2c: a host header the client sends is kept over :authority", async (t) => {
  const { port, seen } = await serve(t);
  const session = connect(t, port);
  await request(session, { ":method": "GET", host: "localhost:4566" });
  assert.equal(seen[0]!.headers.host, "localhost:4566");
});

test("h2c: a body over the limit is refused with its size, and the session serves on", async (t) => {
  const { port } = await serve(t);
  const session = connect(t, port);
  const big = Buffer.alloc(300 * 1024, "x");
  const declared = await request(session, { ":method": "POST", "x-limit": 1000, "content-length": big.length }, big);
  assert.equal(declared.status, 413);
  assert.equal(declared.text, `too large: ${big.length}`);
  const undeclared = await request(session, { ":method": "POST", "x-limit": 1000 }, big);
  assert.equal(undeclared.text, `too large: ${big.length}`);
  assert.equal((await request(session, { ":method": "POST", "content-length": 2 }, "ok")).text, "POST / true 2:ok");
});

test("h2c: a body declared larger than the limit and the drain is answered without reading it", async (t) => {
  const { port } = await serve(t, { h2c: true, drainBytes: 1024 });
  const session = connect(t, port);
  const stream = session.request({ ":method": "POST", ":path": "/", "x-limit": 10, "content-length": 10 * 1024 * 1024 });
  stream.on("error", () => {});
  // Only the first 64 KB (the stream's window) can leave; the answer must come anyway.
  stream.write(Buffer.alloc(64 * 1024));
  const status = await new Promise((resolve) => stream.on("response", (h) => resolve(h[":status"])));
  assert.equal(status, 413);
  assert.equal((await request(session, { ":method": "GET" })).status, 200);
});

test("h2c: many concurrent streams on one session, more than it allows at once", async (t) => {
  const { port } = await serve(t, { h2c: true }, (ex) => {
    // Every answer waits until all 300 requests have arrived: they must be open together, or queued by the client.
    void ex.body(1024).then((b) => setTimeout(() => ex.response.send(200, {}, b.ok ? b.body : "?"), 50));
  });
  const session = connect(t, port);
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => request(session, { ":method": "POST", "content-length": String(i).length }, String(i))));
  assert.deepEqual(
    answers.map((a) => a.text),
    Array.from({ length: 300 }, (_, i) => String(i)),
  );
});

test("h2c: HTTP/1.1 still works on the same port, next to an HTTP/2 session", async (t) => {
  const { port } = await serve(t);
  const session = connect(t, port);
  assert.equal((await request(session, { ":method": "GET", ":path": "/h2" })).text, "GET /h2 false 0:");
  const { bytes } = await raw(port, ["GET /h1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]);
  assert.match(bytes.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/h1 false 0:$/);
  // A request line that starts as the preface does ("P…") is still HTTP/1.1.
  const put = await raw(port, ["P", "UT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"], 20);
  assert.match(put.bytes.toString(), /\r\n\r\nPUT \/p true 2:hi$/);
});

test("h2c: a preface split across writes is still HTTP/2", async (t) => {
  const { port } = await serve(t);
  // The preface in three pieces, then the client's SETTINGS (empty): the server answers with its own SETTINGS.
  const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  const { bytes } = await new Promise<{ bytes: Buffer }>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const got: Buffer[] = [];
    s.on("data", (d) => {
      got.push(d);
      const all = Buffer.concat(got);
      if (all.length >= 9) {
        s.destroy();
        resolve({ bytes: all });
      }
    });
    s.on("connect", async () => {
      for (const piece of [PREFACE.slice(0, 3), PREFACE.slice(3, 17), Buffer.concat([Buffer.from(PREFACE.slice(17)), settings])]) {
        s.write(piece);
        await new Promise((r) => setTimeout(r, 30));
      }
    });
  });
  // A SETTINGS frame (type 4) on stream 0, not an HTTP/1.1 status line.
  assert.equal(bytes[3], 4);
  assert.ok(!bytes.toString("latin1").startsWith("HTTP/1.1"));
  // And through a real client whose socket splits the preface.
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    createConnection: () => {
      const s = net.connect(port, "127.0.0.1");
      const write = s.write.bind(s);
      let first = true;
      s.write = ((chunk: Buffer, ...rest: never[]) => {
        if (!first) return write(chunk, ...rest);
        first = false;
        write(chunk.subarray(0, 5));
        return write(chunk.subarray(5), ...rest);
      }) as typeof s.write;
      return s;
    },
  });
  t.after(() => session.destroy());
  assert.equal((await request(session, { ":method": "GET", ":path": "/split" })).text, "GET /split false 0:");
});

test("h2c: garbage after the preface ends that session, not the server", async (t) => {
  const { port } = await serve(t);
  const garbage = [Buffer.from(PREFACE + "this is not a frame at all, just bytes".repeat(10)), Buffer.concat([Buffer.from(PREFACE), Buffer.from([0xff, 0xff, 0xff, 0x01, 0xff, 0, 0, 0, 1]), Buffer.alloc(100, 0xab)]), Buffer.from(PREFACE)];
  for (const bytes of garbage) {
    const { closed } = await raw(port, [bytes, Buffer.alloc(50, 0)]);
    assert.ok(closed, "the server closed the broken session");
  }
  // A HEADERS frame whose header block does not decode.
  await raw(port, [PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 4, 1, 5, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])]);
  const session = connect(t, port);
  assert.equal((await request(session, { ":method": "GET", ":path": "/after" })).text, "GET /after false 0:");
});

test("h2c: a client that resets its stream mid-body leaves the handler a ClientGone, and the session serves on", async (t) => {
  let failure: unknown;
  const { port } = await serve(t, { h2c: true }, (ex) => {
    if (ex.head.url === "/reset")
      return void ex.body(1 << 20).then(
        () => ex.response.send(200, {}),
        (err: unknown) => (failure = err),
      );
    ex.response.send(200, {}, "fine");
  });
  const session = connect(t, port);
  const stream = session.request({ ":method": "POST", ":path": "/reset", "content-length": 100 });
  stream.on("error", () => {});
  stream.write("partial");
  await new Promise((r) => setTimeout(r, 50));
  stream.close(http2.constants.NGHTTP2_CANCEL);
  for (let i = 0; i < 100 && !failure; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((failure as Error)?.constructor.name, "ClientGone");
  assert.equal((await request(session, { ":method": "GET", ":path": "/" })).text, "fine");
});

test("h2c: a header list over 16 KB is refused on its stream, before and after the client acknowledged the limit", async (t) => {
  const { port, seen } = await serve(t);
  const session = connect(t, port);
  const big = { ":method": "GET", "x-big": "a".repeat(20 * 1024) };
  // The session's first request leaves before the server's SETTINGS are acknowledged: refused by Flint.
  assert.equal((await request(session, big)).status, 431);
  // Later ones by Node, on the header list the client was told of: the stream is reset.
  await assert.rejects(request(session, big));
  assert.equal(seen.length, 0);
  assert.equal((await request(session, { ":method": "GET", "x-fine": "a".repeat(8 * 1024) })).status, 200);
});

test("h2c: HTTP/2's connection-specific headers are left out of responses; HEAD and 204 carry no body", async (t) => {
  const { port } = await serve(t, { h2c: true }, (ex) => {
    if (ex.head.url === "/204") return ex.response.send(204, { Connection: "close", "Transfer-Encoding": "chunked" }, "ignored");
    ex.response.send(200, { "X-Amzn-RequestId": "r1", Connection: "close" }, "body");
  });
  const session = connect(t, port);
  const head = await request(session, { ":method": "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.text, "");
  assert.equal(head.headers["content-length"], "4");
  assert.equal(head.headers["x-amzn-requestid"], "r1");
  assert.equal(head.headers.connection, undefined);
  const none = await request(session, { ":method": "DELETE", ":path": "/204" });
  assert.equal(none.status, 204);
  assert.equal(none.text, "");
  // closeAfterResponse ends the stream, not the session.
  assert.equal((await request(session, { ":method": "GET" })).text, "body");
});

test("h2c: an idle session is closed after the keep-alive time, one with a request in flight is not", async (t) => {
  let answer: (() => void) | undefined;
  const { port } = await serve(t, { h2c: true, keepAliveMs: 200 }, (ex) => {
    if (ex.head.url === "/slow") answer = () => ex.response.send(200, {}, "slow");
    else ex.response.send(200, {}, "fast");
  });
  const busy = connect(t, port);
  const slow = request(busy, { ":method": "GET", ":path": "/slow" });
  const idle = connect(t, port);
  await request(idle, { ":method": "GET" });
  const closed = await new Promise<boolean>((resolve) => {
    idle.on("close", () => resolve(true));
    setTimeout(() => resolve(false), 3000);
  });
  assert.ok(closed, "the idle session went");
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(!busy.closed && !busy.destroyed, "the busy session stays");
  answer!();
  assert.equal((await slow).text, "slow");
});

test("h2c: a connection that never sends a byte is closed after the keep-alive time", async (t) => {
  const { port } = await serve(t, { h2c: true, keepAliveMs: 200 });
  const { closed } = await raw(port, []);
  assert.ok(closed, "the silent connection went");
});

test("h2c: closing the server ends its sessions", async (t) => {
  const { server, port } = await serve(t);
  const session = connect(t, port);
  await request(session, { ":method": "GET" });
  const closed = new Promise<void>((resolve) => session.on("close", () => resolve()));
  await server.close();
  await closed;
});

test("without the h2c option the preface is a bad HTTP/1.1 request (the Runtime API stays HTTP/1.1 only)", async (t) => {
  const { port, seen } = await serve(t, {});
  const { bytes, closed } = await raw(port, [PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
  assert.match(bytes.toString("latin1"), /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.ok(closed);
  assert.equal(seen.length, 0);
});

test("h2c: a response header with a line break throws, as on HTTP/1.1, and the handler can still answer", async (t) => {
  const thrown: unknown[] = [];
  const { port } = await serve(t, { h2c: true }, (ex) => {
    try {
      ex.response.send(200, { "X-Bad": "a\r\nInjected: yes" }, "never");
    } catch (err) {
      thrown.push(err);
      ex.response.send(500, {}, "answered");
    }
  });
  const session = connect(t, port);
  const answer = await request(session, { ":method": "GET" });
  assert.equal(thrown.length, 1);
  assert.equal(answer.status, 500);
  assert.equal(answer.text, "answered");
  assert.equal(answer.headers.injected, undefined);
});

test("h2c: a body that stalls past the body timeout gets 408 on its stream, and the session serves on", async (t) => {
  const { port } = await serve(t, { h2c: true, bodyTimeoutMs: 200 });
  const session = connect(t, port);
  const stream = session.request({ ":method": "POST", ":path": "/", "content-length": 100 });
  stream.on("error", () => {});
  stream.write("only a part");
  const status = await new Promise((resolve) => stream.on("response", (h) => resolve(h[":status"])));
  assert.equal(status, 408);
  assert.equal((await request(session, { ":method": "GET" })).status, 200);
});

test("h2c: Expect: 100-continue is answered when the handler asks for the body", async (t) => {
  const { port } = await serve(t);
  const session = connect(t, port);
  const stream = session.request({ ":method": "PUT", ":path": "/c", "content-length": 4, expect: "100-continue" });
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  await new Promise<void>((resolve) => stream.once("continue", () => resolve()));
  stream.end("body");
  await new Promise((resolve) => stream.on("end", resolve));
  assert.equal(text, "PUT /c true 4:body");
});
