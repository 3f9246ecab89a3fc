/** Asynchronous invocations as a test sees them: Event invokes and the events' timelines. */
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { FlintProcess } from "./flint.js";
import { PATIENCE_MS, eventually } from "./processes.js";
import { signedFetch } from "./signed-fetch.js";

export interface TimelineView {
  RequestId: string;
  State: "pending" | "ended";
  Outcome?: string;
  Timeline: { At: string; Kind: string; [k: string]: unknown }[];
}

export async function timelineOf(flint: FlintProcess, requestId: string): Promise<TimelineView | undefined> {
  const r = await signedFetch(flint.endpoint, { path: `/_flint/events/${requestId}` });
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as TimelineView;
}

export async function endedTimeline(flint: FlintProcess, requestId: string, ms = PATIENCE_MS): Promise<TimelineView> {
  let view: TimelineView | undefined;
  await eventually(async () => (view = await timelineOf(flint, requestId))?.State === "ended", ms, `event ${requestId} ended`);
  return view!;
}

export async function invokeEvent(flint: FlintProcess, functionName: string, event: unknown, qualifier?: string): Promise<string> {
  const out = await flint.lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)), Qualifier: qualifier }));
  assert.equal(out.StatusCode, 202);
  assert.equal(out.ExecutedVersion, undefined, "an Event invoke names no executed version");
  assert.equal(Buffer.from(out.Payload ?? []).length, 0, "an Event invoke answers with an empty payload");
  return out.$metadata.requestId!;
}

