/**
 * A request refused on its head is answered, whatever body follows: a client that writes its whole
 * body before it reads (Python's `http.client`, which sends the request, then reads) gets the 403 or
 * 431, not a blocked send, a `BrokenPipeError` or a reset.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import net from "node:net";
import { startFlint, type FlintProcess, REGION } from "../harness/flint.js";
import { PATIENCE_MS } from "../harness/processes.js";

/** The size of the uploads that went unanswered: just over Lambda's 6 MB invoke payload. */
const UPLOAD = Math.round(6.3 * 1024 * 1024);

/** POST `UPLOAD` bytes with the system Python's http.client (a 60 s socket timeout); what it read, or the exception it ended in. */
const PYTHON_UPLOAD = `
import http.client, json, sys
port, path, headers = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
body = b"x" * ${UPLOAD}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
try:
    conn.request("POST", path, body=body, headers=headers)
    r = conn.getresponse()
    print(json.dumps({"status": r.status, "errorType": r.getheader("x-amzn-ErrorType"), "body": r.read().decode()}))
except Exception as e:
    print(json.dumps({"exception": type(e).__name__, "message": str(e)}))
`;

interface Upload {
  status?: number;
  errorType?: string;
  body?: string;
  exception?: string;
  message?: string;
}

function pythonUpload(port: number, path: string, headers: Record<string, string>): Promise<Upload> {
  return new Promise((resolve, reject) => {
    // The system Python, not the pyenv shim first on PATH, with none of this machine's settings.
    execFile("/usr/bin/python3", ["-c", PYTHON_UPLOAD, String(port), path, JSON.stringify(headers)], { env: { PATH: "/usr/bin:/bin" }, timeout: 2 * PATIENCE_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`python3 failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Upload);
    });
  });
}

/** Over a raw socket: write all of `request`, then read until the server closes. */
function writeAllThenRead(port: number, request: Buffer): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.pause();
    let text = "";
    let error: string | undefined;
    s.on("error", (err: NodeJS.ErrnoException) => (error ??= err.code ?? String(err)));
    s.on("close", () => resolve({ text, ...(error ? { error } : {}) }));
    s.write(request, () => {
      s.on("data", (d: Buffer) => (text += d.toString("latin1")));
      s.resume();
    });
  });
}

describe("refused requests with large bodies", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint();
  });
  after(() => flint.stop());

  test("an unsigned 6.3 MB invoke sent by Python's http.client reads its 403", async () => {
    const r = await pythonUpload(flint.port, "/2015-03-31/functions/x/invocations", { "Content-Type": "application/json" });
    assert.equal(r.exception, undefined, `${r.exception}: ${r.message}`);
    assert.equal(r.status, 403);
    assert.equal(r.errorType, "MissingAuthenticationTokenException");
  });

  test("a 6.3 MB form POST to / signed for SQS with an unknown key id, sent by Python's http.client, reads its 403", async () => {
    const date = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
    const r = await pythonUpload(flint.port, "/", {
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
      "X-Amz-Date": date,
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIANOTAREALKEY00000/${date.slice(0, 8)}/${REGION}/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${"0".repeat(64)}`,
    });
    assert.equal(r.exception, undefined, `${r.exception}: ${r.message}`);
    assert.equal(r.status, 403);
    assert.match(r.body ?? "", /UnrecognizedClient|security token included in the request is invalid/);
  });

  test("an unsigned 6.3 MB form POST to /, sent by Python's http.client, reads its 403 in the query protocol", async () => {
    const r = await pythonUpload(flint.port, "/", { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" });
    assert.equal(r.exception, undefined, `${r.exception}: ${r.message}`);
    assert.equal(r.status, 403);
    assert.match(r.body ?? "", /^<\?xml version="1\.0"\?><ErrorResponse><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
  });

  test("a 20 KB head gets its 431 though 6.3 MB of body follow it and the client reads only after sending them", async () => {
    const head = `POST /2015-03-31/functions/x/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${"a".repeat(20 * 1024)}\r\nContent-Length: ${UPLOAD}\r\n\r\n`;
    const r = await writeAllThenRead(flint.port, Buffer.concat([Buffer.from(head), Buffer.alloc(UPLOAD, "x")]));
    assert.equal(r.error, undefined);
    assert.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[^]*\r\nConnection: close\r\n\r\n$/);
  });

  test("the server still answers after the refusals", async () => {
    const res = await fetch(`${flint.endpoint}/_flint/health`);
    assert.equal(res.status, 200);
  });
});
