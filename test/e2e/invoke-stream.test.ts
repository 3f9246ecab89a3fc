/** InvokeWithResponseStream through the SDK v3 and the CLI v2: chunks as the function writes them, errors in InvokeComplete. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction } from "../harness/functions.js";

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
});
