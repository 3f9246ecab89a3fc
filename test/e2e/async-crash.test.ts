/**
 * No accepted event is lost: 2,000 Event invokes of a function that holds each event at a gate the
 * test controls; a known number are let through and end, then the server is killed with `kill -9`
 * while the rest are provably in flight (some running, held at the gate, the others queued), and
 * restarted on the same data dir. Once the gate opens, every event that got its 202 ends exactly
 * once: those that had ended are not run again, every other one is recovered and runs once more.
 * Nothing here depends on how fast the machine is: what is in flight at the kill is decided by the
 * gate, not by a race between sending and running.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { sdkClient } from "../harness/sqs-clients.js";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { Barrier } from "../harness/parallel.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";
import { timelineOf, type TimelineView } from "../harness/async.js";

const EVENTS = 2000;
/** Events let through the gate, and ended, before the kill. */
const ENDED = 100;
/** Events the first server runs at once (`--async-concurrency`): at the kill, these are at the gate. */
const RUNNING = 4;

async function endedCount(flint: FlintProcess, functionName: string): Promise<number> {
  const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n")) if (line.startsWith(`flint_async_events_total{function="${functionName}"`)) n += Number(line.split(" ").at(-1));
  return n;
}

describe("asynchronous events survive kill -9", () => {
  let dataDir: string;
  let gate: Barrier;
  const servers: FlintProcess[] = [];
  after(async () => {
    for (const s of servers) await s.stop({ cleanup: false }).catch(() => undefined);
    await gate?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test(`${EVENTS} events in flight, the server killed and restarted: every accepted event ends exactly once`, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-crash-"));
    gate = await Barrier.create();
    const first = await startFlint({ dataDir, args: ["--async-concurrency", String(RUNNING)] });
    servers.push(first);
    // The `hold` fixture stays at the gate until the test lets it go (createFunction gives it Lambda's longest timeout).
    const name = await createFunction(first, await zipFixture("nodejs"), "hold.handler");
    // Each success leaves a record in a queue: the independent count of how often each event ran.
    const sqs = sdkClient(first.endpoint);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "crash-successes" }))).QueueUrl!;
    sqs.destroy();
    await first.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: "arn:aws:sqs:us-east-1:000000000000:crash-successes" } } }));
    // A client that does not retry: an event counts as accepted only when its 202 arrived.
    const client = new LambdaClient({ endpoint: first.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const accepted: string[] = [];
    // Every send is answered (no crash yet): a refusal would be a failure.
    let next = 0;
    let refused = 0;
    const sender = async () => {
      while (next < EVENTS) {
        const i = next++;
        try {
          const out = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ port: gate.port, i })) }));
          assert.equal(out.StatusCode, 202);
          accepted.push(out.$metadata.requestId!);
        } catch {
          refused++;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    client.destroy();
    assert.equal(refused, 0);
    assert.equal(accepted.length, EVENTS);

    // The gate has been shut all along: the first events are held there and none has ended.
    await gate.arrived(RUNNING);
    assert.equal(await endedCount(first, name), 0);
    // Let ENDED through; each frees its slot for the next event, which the gate holds again.
    gate.admit(ENDED);
    await eventually(async () => (await endedCount(first, name)) === ENDED && gate.arrivals.length === ENDED + RUNNING, PATIENCE_MS, `${ENDED} events ended and the next ${RUNNING} at the gate`);
    // Settled: no event can end or start while the gate stays shut. At the kill, ENDED events have
    // ended (their outcomes stored), RUNNING are running and the rest are queued.
    assert.equal(await endedCount(first, name), ENDED);
    assert.equal(gate.arrivals.length, ENDED + RUNNING);
    await first.kill9();

    const second = await startFlint({ dataDir });
    servers.push(second);
    assert.match(second.output(), new RegExp(`flint: ${EVENTS - ENDED} asynchronous event\\(s\\) from the last run are queued again`), "every event that had not ended, and no other");
    gate.release();
    const views = new Map<string, TimelineView>();
    await eventually(
      async () => {
        for (const id of accepted) {
          if (views.has(id)) continue;
          const view = await timelineOf(second, id);
          if (view?.State === "ended") views.set(id, view);
        }
        return views.size === accepted.length;
      },
      180_000,
      "every accepted event ended",
    );

    let recovered = 0;
    for (const [id, view] of views) {
      const kinds = view.Timeline.map((e) => e.Kind);
      assert.equal(kinds[0], "accepted", id);
      assert.equal(kinds.filter((k) => k === "ended").length, 1, `${id} ends once: ${kinds.join(",")}`);
      assert.equal(view.Outcome, "succeeded", id);
      assert.equal(kinds.filter((k) => k === "attempt").length, 1, `${id} ran once as far as Flint recorded: ${kinds.join(",")}`);
      if (kinds.includes("recovered")) recovered++;
    }
    // Events that had ended before the crash were not picked up again; every other one was.
    assert.equal(recovered, EVENTS - ENDED);
    // The ones the kill cut short at the gate came back to it once more; no other event did.
    assert.equal(gate.arrivals.length, EVENTS + RUNNING);

    // The queue holds a Success record per run that was recorded. The kill caught no event between
    // running and recording (those at the gate had not finished running), so each has exactly one.
    const runs = new Map<string, number>();
    const reader = sdkClient(second.endpoint);
    const url = new URL(new URL(queueUrl).pathname, second.endpoint).toString();
    for (let empty = 0; empty < 2; ) {
      const out = await reader.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) empty++;
      for (const m of messages) {
        const id = JSON.parse(m.Body!).requestContext.requestId as string;
        runs.set(id, (runs.get(id) ?? 0) + 1);
      }
      if (messages.length) await reader.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    reader.destroy();
    for (const id of accepted) assert.equal(runs.get(id), 1, `${id} has one success record`);
    assert.equal(runs.size, accepted.length, "no record for an event that was never accepted");
    process.stdout.write(`# accepted ${accepted.length}, ended before the crash ${ENDED}, in flight ${EVENTS - ENDED} (${RUNNING} running), recovered ${recovered}\n`);
  });
});
