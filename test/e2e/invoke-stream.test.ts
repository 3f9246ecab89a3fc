/** InvokeWithResponseStream through the SDK v3 and the CLI v2: chunks as the function writes them, errors in InvokeComplete. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
import { REGION, startFlint, TEST_CREDENTIALS, type FlintProcess } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

/**
 * A Python whose boto3 has invoke_with_response_stream (botocore 1.29.1xx and later; Debian's 1.29.27
 * predates it): the `python3` on PATH where it is one; undefined where none is.
 */
function streamingBoto3(): string | undefined {
  try {
    execFileSync("python3", ["-c", "import boto3; assert hasattr(boto3.client('lambda', region_name='us-east-1'), 'invoke_with_response_stream')"], { stdio: "ignore", timeout: 30_000 });
    return "python3";
  } catch {
    return undefined;
  }
}

const BOTO3_STREAM = `
import json, sys, boto3
client = boto3.client("lambda", endpoint_url=sys.argv[1], region_name=sys.argv[3])
out = client.invoke_with_response_stream(FunctionName=sys.argv[2], Payload=b'{"chunks": 3, "pauseMs": 0}')
events = []
for e in out["EventStream"]:
    if "PayloadChunk" in e: events.append({"chunk": e["PayloadChunk"]["Payload"].decode()})
    if "InvokeComplete" in e: events.append({"complete": e["InvokeComplete"]})
print(json.dumps({"status": out["StatusCode"], "version": out.get("ExecutedVersion"), "events": events}))
`;

interface Received {
  chunks: { text: string; at: number }[];
  complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
  contentType?: string;
  executedVersion?: string;
}

async function invokeStreaming(flint: FlintProcess, name: string, event: unknown, logType?: "Tail"): Promise<Received> {
  const out = await flint.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: logType }));
  const received: Received = { chunks: [], complete: undefined, contentType: out.ResponseStreamContentType, executedVersion: out.ExecutedVersion };
  for await (const e of out.EventStream!) {
    if (e.PayloadChunk) received.chunks.push({ text: Buffer.from(e.PayloadChunk.Payload!).toString(), at: Date.now() });
    if (e.InvokeComplete) received.complete = e.InvokeComplete;
  }
  return received;
}

describe("InvokeWithResponseStream", () => {
  let flint: FlintProcess;
  let custom: string;
  before(async () => {
    flint = await startFlint();
    custom = await createFunction(flint, await zipFixture("provided-stream"), "stream", { runtime: "provided.al2023" });
  });
  after(() => flint.stop());

  test("a custom runtime's chunks arrive as chunks, each in its own PayloadChunk", async () => {
    const r = await invokeStreaming(flint, custom, { chunks: 4, pauseMs: 200 });
    // The function pauses between chunks: an answer collected whole would come as one PayloadChunk.
    assert.deepEqual(r.chunks.map((c) => c.text), ["chunk 0\n", "chunk 1\n", "chunk 2\n", "chunk 3\n"]);
    assert.deepEqual(r.complete, {});
    assert.equal(r.contentType, "text/plain");
    assert.equal(r.executedVersion, "$LATEST");
  });

  test("an error after some chunks is InvokeComplete's ErrorCode and ErrorDetails, with the log tail when asked", async () => {
    const r = await invokeStreaming(flint, custom, { chunks: 2, pauseMs: 0, error: "went wrong" }, "Tail");
    assert.deepEqual(r.chunks.map((c) => c.text).join(""), "chunk 0\nchunk 1\n");
    assert.equal(r.complete?.ErrorCode, "Custom.StreamError");
    assert.equal(r.complete?.ErrorDetails, "went wrong");
    assert.match(Buffer.from(r.complete!.LogResult!, "base64").toString(), /streaming [0-9a-f-]{36}/);
  });

  test("a function that does not stream answers in one chunk", async () => {
    const echo = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    const r = await invokeStreaming(flint, echo, { hello: "world" });
    assert.deepEqual(JSON.parse(r.chunks.map((c) => c.text).join("")), { hello: "world" });
    assert.deepEqual(r.complete, {});
  });

  test("the environment is free again once the stream ended: the next invocation reuses it", async () => {
    const first = await invokeStreaming(flint, custom, { chunks: 1, pauseMs: 0 }, "Tail");
    const second = await invokeStreaming(flint, custom, { chunks: 1, pauseMs: 0 }, "Tail");
    assert.doesNotMatch(Buffer.from(second.complete!.LogResult!, "base64").toString(), /INIT_START|Init Duration/);
    assert.ok(first.complete);
  });

  const python = streamingBoto3();
  test("boto3's invoke_with_response_stream reads the same events", { skip: python ? false : "no boto3 with invoke_with_response_stream on this machine" }, async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey };
    const { stdout } = await promisify(execFile)(python!, ["-c", BOTO3_STREAM, flint.endpoint, custom, REGION], { env, timeout: 120_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.status, 200);
    assert.equal(out.version, "$LATEST");
    assert.deepEqual(out.events, [{ chunk: "chunk 0\n" }, { chunk: "chunk 1\n" }, { chunk: "chunk 2\n" }, { complete: {} }]);
  });
});
