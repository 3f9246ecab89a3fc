/**
 * Test-only: the pollers' dependencies in memory (a scripted function, an on-failure destination,
 * reports), a mapping record with AWS's defaults, and `until`, which moves a ManualClock in small
 * steps and lets the event loop run between them, so retries, windows and record age pass without
 * waiting and a poller that never gets there fails fast instead of hanging.
 */
import type { ManualClock } from "../clock/manual-clock.js";
import type { ExecuteOutcome } from "../async/queue.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { MappingStore } from "../store/mapping-store.js";
import { EventSourcePollers, type PollerDeps } from "./pollers.js";

export const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn";
export const ROLE = "arn:aws:iam::000000000000:role/esm";

/** How the scripted function answers one invocation. */
export type Answer =
  | "ok"
  /** The handler threw: AWS's `Unhandled` function error. */
  | "throw"
  | "throttled"
  /** ReportBatchItemFailures: these item identifiers failed. */
  | { failures: string[] }
  /** Any JSON response (a tumbling window's `{state}`). */
  | { respond: unknown };

export interface Call {
  requestId: string;
  event: Record<string, unknown> & { Records: Record<string, unknown>[] };
}

export function mapping(over: Partial<MappingRecord>): MappingRecord {
  return {
    uuid: "00000000-0000-4000-8000-000000000001",
    eventSourceArn: "",
    source: "sqs",
    functionName: "fn",
    enabled: true,
    state: "Enabled",
    stateTransitionReason: "USER_INITIATED",
    lastModified: 0,
    created: 0,
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    functionResponseTypes: [],
    tags: {},
    ...over,
  };
}

export interface Harness {
  pollers: EventSourcePollers;
  calls: Call[];
  /** On-failure records as delivered, parsed. */
  delivered: { destination: string; record: Record<string, unknown> }[];
  reports: { lastProcessingResult?: string; stateTransitionReason?: string }[];
  /** The function's behaviour; a promise holds the invocation until it settles. */
  answer: (event: Call["event"], call: number) => Answer | Promise<Answer>;
  /** Invocations running now, and the most ever at once. */
  inFlight: number;
  maxInFlight: number;
}

export function harness(clock: ManualClock, checkpoints: MappingStore, sources: Pick<PollerDeps, "sqs" | "streams" | "leases">): Harness {
  const h: Harness = {
    pollers: undefined as unknown as EventSourcePollers,
    calls: [],
    delivered: [],
    reports: [],
    answer: () => "ok",
    inFlight: 0,
    maxInFlight: 0,
  };
  const execute = async (_m: MappingRecord, requestId: string, payload: Buffer): Promise<ExecuteOutcome> => {
    const event = JSON.parse(payload.toString("utf8")) as Call["event"];
    h.calls.push({ requestId, event });
    h.maxInFlight = Math.max(h.maxInFlight, ++h.inFlight);
    try {
      const a = await h.answer(event, h.calls.length - 1);
      if (a === "throttled") return { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", disabled: false, functionArn: FUNCTION_ARN };
      const completed = (body: unknown, functionError?: string): ExecuteOutcome => ({ kind: "completed", executedVersion: "$LATEST", functionArn: FUNCTION_ARN, payload: Buffer.from(JSON.stringify(body)), ...(functionError ? { functionError } : {}) });
      if (a === "ok") return completed(null);
      if (a === "throw") return completed({ errorType: "Error", errorMessage: "poison" }, "Unhandled");
      if ("failures" in a) return completed({ batchItemFailures: a.failures.map((itemIdentifier) => ({ itemIdentifier })) });
      return completed(a.respond);
    } finally {
      h.inFlight--;
    }
  };
  h.pollers = new EventSourcePollers({
    clock,
    region: "us-east-1",
    ...sources,
    checkpoints,
    metrics: { polled() {}, batch() {}, deleted() {}, discarded() {}, onFailure() {}, iteratorAge() {} },
    execute,
    authorize() {},
    deliver: async (_m, destination, body) => void h.delivered.push({ destination, record: JSON.parse(body) as Record<string, unknown> }),
    report: (_uuid, report) => void h.reports.push(report),
    roleOf: () => ROLE,
    functionTimeout: () => 3,
    functionArn: () => FUNCTION_ARN,
    executedVersion: () => "$LATEST",
  });
  return h;
}

/**
 * Move `clock` forward `stepMs` at a time, letting the event loop run between steps, until
 * `condition` holds; fails after `maxSteps` so a poller that never gets there fails fast.
 */
export async function until(clock: ManualClock, condition: () => boolean | Promise<boolean>, what = "condition", { stepMs = 10, maxSteps = 20_000 } = {}): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await new Promise((r) => setImmediate(r));
    if (await condition()) return;
    clock.advance(stepMs);
  }
  throw new Error(`gave up waiting for ${what} after ${maxSteps} steps of ${stepMs} ms`);
}

/** Let the pollers run `ms` of Flint time (to show that nothing more happens). */
export async function elapse(clock: ManualClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await new Promise((r) => setImmediate(r));
    clock.advance(stepMs);
  }
  await new Promise((r) => setImmediate(r));
}
