/**
 * No accepted event is lost: 2,000 Event invokes, the server killed with `kill -9` while they run,
 * restarted on the same data dir; every event that got its 202 reaches exactly one end, and an event
 * runs more than once only when the crash caught it between running and recording that it ran.
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
import { eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";
import { timelineOf, type TimelineView } from "../harness/async.js";

const EVENTS = 2000;

async function endedCount(flint: FlintProcess, functionName: string): Promise<number> {
  const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n")) if (line.startsWith(`flint_async_events_total{function="${functionName}"`)) n += Number(line.split(" ").at(-1));
  return n;
}

describe("asynchronous events survive kill -9", () => {
  let dataDir: string;
  const servers: FlintProcess[] = [];
  after(async () => {
    for (const s of servers) await s.stop({ cleanup: false }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  test(`${EVENTS} events in flight, the server killed and restarted: every accepted event ends exactly once`, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-crash-"));
    const first = await startFlint({ dataDir, args: ["--async-concurrency", "4"] });
    servers.push(first);
    const name = await createFunction(first, await zipFixture("nodejs"), "slow.handler");
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
          const out = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ ms: 30, i })) }));
          assert.equal(out.StatusCode, 202);
          accepted.push(out.$metadata.requestId!);
        } catch {
          refused++;
        }
      }
    };
    // The function works 30 ms and runs four events at a time: they are accepted faster than they run.
    await Promise.all(Array.from({ length: 16 }, sender));
    client.destroy();
    const endedBeforeCrash = await endedCount(first, name);
    await first.kill9();
    assert.equal(refused, 0);
    assert.equal(accepted.length, EVENTS);
    assert.ok(endedBeforeCrash < EVENTS / 2, `the crash caught events in flight (${endedBeforeCrash} of ${EVENTS} had ended)`);

    const second = await startFlint({ dataDir });
    servers.push(second);
    assert.match(second.output(), /asynchronous event\(s\) from the last run are queued again/);
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
    // The queue holds a Success record per run that was recorded: every event at least once, and
    // a second time only for events the crash caught between running and recording.
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
    for (const id of accepted) assert.ok((runs.get(id) ?? 0) >= 1, `${id} has a success record`);
    const twice = [...runs].filter(([, n]) => n > 1);
    for (const [id, n] of twice) {
      assert.equal(n, 2, `${id} recorded ${n} times`);
      assert.ok(views.get(id)!.Timeline.some((e) => e.Kind === "recovered"), `${id} ran twice without a crash in between`);
    }
    assert.ok(twice.length <= 4, `${twice.length} events ran twice: no more than were running at the crash`);
    assert.equal(runs.size, accepted.length, "no record for an event that was never accepted");

    // Events that had ended before the crash were not picked up again; the rest were.
    assert.ok(recovered > 0 && recovered <= accepted.length - endedBeforeCrash, `${recovered} recovered`);
    process.stdout.write(`# accepted ${accepted.length}, ended before the crash ${endedBeforeCrash}, recovered ${recovered}, ran twice ${twice.length}\n`);
  });
});
