/**
 * Replaying what LocalStack's parity suite recorded from real AWS Lambda (test/fixtures/aws-recorded)
 * against a real `flint serve`, and comparing. Shared by the recorded-parity test files.
 *
 * Errors: code, HTTP status, message text, and which body members AWS sends (`Type`, `message` or
 * `Message`). Results: status, the keys at every level, and every value the recording kept. Ids,
 * hashes and dates are placeholders there (`<uuid:3>`, `<code-sha256:1>`): within one recorded test the
 * same placeholder must stand for the same value and different ones for different values, so a
 * revision id that AWS changes (or keeps) must change (or stay) in Flint too. A member holding a JSON
 * document (GetPolicy's Policy, AddPermission's Statement), recorded parsed, is parsed and compared the
 * same way, its keys also in the recorded order. A recorded `datetime` (a
 * timestamp member boto3 parsed) must be epoch seconds, a `date` an ISO date string.
 *
 * Recorded texts name AWS's account, region and resources by placeholders; `fill()` puts Flint's
 * account, region and partition in, and each case says which of its names stand for the rest.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import {
  CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import { ACCOUNT, REGION, ROLE, ROOT, TEST_CREDENTIALS } from "./flint.js";
import { WAITER } from "./functions.js";

// ---- the recording ---------------------------------------------------------------------------------

const RECORDING = path.join(ROOT, "test/fixtures/aws-recorded/lambda-api.snapshot.json");
const PREFIX = "tests/aws/services/lambda_/test_lambda_api.py::";
export const snapshot: Record<string, { "recorded-content": Record<string, any> }> = JSON.parse(readFileSync(RECORDING, "utf8"));
export const stepOf = (test: string, step: string): any => snapshot[PREFIX + test]?.["recorded-content"][step];

interface ErrorShape {
  status: number;
  type?: string;
  /** The body member carrying the text; unknown for errors outside Lambda's model (boto3 drops those members). */
  messageKey?: "message" | "Message";
}

const shapeOf = (v: any): ErrorShape => ({
  status: v.ResponseMetadata.HTTPStatusCode,
  type: v.Type,
  messageKey: "message" in v ? "message" : "Message" in v ? "Message" : undefined,
});

/** How AWS sends each error code, by majority over every response boto3 recorded whole. */
const SHAPES = (() => {
  const counts = new Map<string, Map<string, number>>();
  const visit = (v: any): void => {
    if (!v || typeof v !== "object") return;
    if (v.Error?.Code && v.ResponseMetadata) {
      const byShape = counts.get(v.Error.Code) ?? counts.set(v.Error.Code, new Map()).get(v.Error.Code)!;
      const key = JSON.stringify(shapeOf(v));
      byShape.set(key, (byShape.get(key) ?? 0) + 1);
    }
    Object.values(v).forEach(visit);
  };
  visit(snapshot);
  return new Map([...counts].map(([code, byShape]) => [code, JSON.parse([...byShape].sort((a, b) => b[1] - a[1])[0]![0]) as ErrorShape]));
})();

export type Names = Record<string, string>;

/** The recorded text with Flint's account, region and partition, `<a:len(N)>` expanded, and the case's names. */
export function fill(text: string, names: Names): string {
  let out = text.replace(/<a:len\((\d+)\)>/g, (_, n) => "a".repeat(Number(n)));
  for (const [from, to] of Object.entries({ "111111111111": ACCOUNT, "<region>": REGION, "<partition>": "aws", ...names })) {
    out = out.replaceAll(from, to);
  }
  return out;
}

/** Placeholders of values that differ on every run. */
const VOLATILE = /<(code-sha256|code-size|uuid|resource|location)(:\d+)?>/;
/** A whole value that is a numbered placeholder: the same number means the same value within a recorded test. */
const BOUND = /^<(code-sha256|uuid):\d+>$/;

/** What each numbered placeholder stood for so far in one recorded test. */
export type Bindings = Map<string, unknown>;

// ---- Flint, through an SDK client that also keeps each raw response body ---------------------------

export interface Outcome {
  status: number;
  /** The error code, when the call failed. */
  code?: string;
  body: any;
}

/** Any Lambda command: the SDK's own parameter type is too narrow to mix them in one table. */
export type Command = { readonly input: unknown };

export function recordingClient(endpoint: string) {
  const lambda = new LambdaClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  let raw = Buffer.alloc(0);
  // Innermost in the deserialize step: sees the HTTP response before the SDK parses (and consumes) it.
  lambda.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as { body: Readable };
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      raw = Buffer.concat(chunks);
      response.body = Readable.from([raw]);
      return out;
    },
    { step: "deserialize", priority: "low", name: "keepRawBody" },
  );
  const body = () => (raw.length ? JSON.parse(raw.toString("utf8")) : {});
  return {
    lambda,
    async call(command: Command): Promise<Outcome> {
      try {
        const out = await lambda.send(command as never);
        return { status: out.$metadata.httpStatusCode!, body: body() };
      } catch (err: any) {
        if (!err.$metadata) throw err;
        return { status: err.$metadata.httpStatusCode, code: err.name, body: body() };
      }
    },
  };
}

// ---- comparison ------------------------------------------------------------------------------------

/** A documented Flint deviation: for packages it cannot unpack, Flint adds the reason, in parentheses, after AWS's text. */
export type Tolerance = { reasonSuffix?: true };

export function assertRecorded(test: string, step: string, got: Outcome, names: Names = {}, tolerance: Tolerance = {}, bindings: Bindings = new Map()): void {
  const rec = stepOf(test, step);
  const at = `${test} › ${step}`;
  assert.ok(rec !== undefined, `${at} is not in the recording`);
  if (rec.Error || typeof rec.Code === "string") {
    // boto3's whole response, or LocalStack's condensed { Code, Message } / { Code, Count, Errors }.
    const shape = rec.Error ? shapeOf(rec) : SHAPES.get(rec.Code)!;
    const text: string | null = rec.Error
      ? rec.Error.Message
      : (rec.Message ?? `${rec.Count} validation error${rec.Count === 1 ? "" : "s"} detected: ${rec.Errors.join("; ")}`);
    assert.equal(got.code, rec.Error?.Code ?? rec.Code, `${at}: ${JSON.stringify(got.body).slice(0, 500)}`);
    assert.equal(got.status, shape.status, `${at}: status`);
    const message = got.body.message ?? got.body.Message ?? null;
    // A placeholder in a message stands for what it stood for earlier in the test (a CodeSha256, say).
    const bound = Object.fromEntries([...bindings].map(([k, v]) => [k, String(v)]));
    const want = text === null ? null : fill(fill(text, bound), names);
    if (want !== null && tolerance.reasonSuffix) assert.ok(message.startsWith(`${want} (`), `${at}: ${message}`);
    else assert.equal(message, want, `${at}: message`);
    assert.equal(got.body.Type, shape.type, `${at}: Type`);
    if (shape.messageKey) assert.deepEqual(["message", "Message"].filter((k) => k in got.body), [shape.messageKey], `${at}: message member`);
    return;
  }
  assert.equal(got.code, undefined, `${at}: ${JSON.stringify(got.body).slice(0, 500)}`);
  // LocalStack's create fixture wraps CreateFunction's response; StatusCode is boto3's copy of the status.
  // Results a paginator put together have no ResponseMetadata (and no status to compare).
  const { ResponseMetadata, StatusCode: _, ...expected } = rec.CreateFunctionResponse ?? rec;
  if (ResponseMetadata) assert.equal(got.status, ResponseMetadata.HTTPStatusCode, `${at}: status`);
  assertShape(expected, got.body, names, at, bindings);
}

/** Same keys at every level, and equal values wherever the recording kept the value. */
function assertShape(want: unknown, got: any, names: Names, at: string, bindings: Bindings): void {
  if (want && typeof want === "object" && !Array.isArray(want) && typeof got === "string") {
    // A member holding a JSON document (a policy, a statement): LocalStack recorded it parsed, its
    // keys in the order AWS wrote them, and that order is part of what AWS answers.
    const document = JSON.parse(got);
    assertKeyOrder(want, document, `${at} (document)`);
    return assertShape(want, document, names, at, bindings);
  }
  if (want && typeof want === "object") {
    assert.ok(got && typeof got === "object", `${at}: expected an object, got ${JSON.stringify(got)}`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${at}: keys`);
    for (const [k, v] of Object.entries(want)) assertShape(v, got[k], names, `${at}.${k}`, bindings);
    return;
  }
  // boto3 parsed a timestamp member (epoch seconds on the wire) into `datetime`; a string member holding a
  // date (FunctionConfiguration.LastModified, `2024-01-31T12:34:56.789+0000`) became `date`.
  if (want === "datetime") return assert.ok(typeof got === "number" && got > 1e9 && got < 1e10, `${at}: epoch seconds, got ${JSON.stringify(got)}`);
  if (want === "date") return assert.ok(typeof got === "string" && /^\d{4}-\d{2}-\d{2}T/.test(got), `${at}: a date, got ${JSON.stringify(got)}`);
  if (typeof want === "string" && BOUND.test(want)) return bind(bindings, want, got, at);
  const value = typeof want === "string" ? fill(want, names) : want;
  if (typeof value !== "string" || !VOLATILE.test(value)) assert.deepEqual(got, value, at);
}

/** The keys of every object of a document in the recorded order. */
function assertKeyOrder(want: unknown, got: any, at: string): void {
  if (!want || typeof want !== "object") return;
  if (!Array.isArray(want)) assert.deepEqual(Object.keys(got), Object.keys(want), `${at}: key order`);
  for (const [k, v] of Object.entries(want)) assertKeyOrder(v, got?.[k], `${at}.${k}`);
}

function bind(bindings: Bindings, placeholder: string, got: unknown, at: string): void {
  if (bindings.has(placeholder)) {
    assert.deepEqual(got, bindings.get(placeholder), `${at}: ${placeholder} stood for ${JSON.stringify(bindings.get(placeholder))} before`);
    return;
  }
  const kind = placeholder.slice(0, placeholder.indexOf(":"));
  for (const [other, value] of bindings) {
    if (other.startsWith(kind)) assert.notDeepEqual(got, value, `${at}: ${placeholder} must differ from ${other} (${JSON.stringify(value)})`);
  }
  bindings.set(placeholder, got);
}

// ---- inputs ----------------------------------------------------------------------------------------

export const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;
export const a = (n: number) => "a".repeat(n);

/** What LocalStack's `create_lambda_function` fixture creates: Python, `handler.handler`, 30 s, an empty environment. */
export const fixtureFunction = (zip: Buffer, name: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
  new CreateFunctionCommand({ FunctionName: name, Runtime: "python3.12", Handler: "handler.handler", Role: ROLE, Code: { ZipFile: zip }, Timeout: 30, Environment: { Variables: {} }, ...extra });

export interface Case {
  test: string;
  step: string;
  call: () => Command;
  names?: Names;
  tolerance?: Tolerance;
}

/** The cases of one recorded test, by step. */
export const steps = (test: string, calls: Record<string, () => Command>, extra: Pick<Case, "names" | "tolerance"> = {}): Case[] =>
  Object.entries(calls).map(([step, call]) => ({ test, step, call, ...extra }));

// ---- a replay against one server -------------------------------------------------------------------

export function replay(endpoint: string) {
  const client = recordingClient(endpoint);
  const call = (command: Command) => client.call(command);
  return {
    client,
    call,
    waitActive: (name: string, qualifier?: string) => waitUntilFunctionActiveV2({ client: client.lambda, ...WAITER }, { FunctionName: name, Qualifier: qualifier }),
    waitUpdated: (name: string) => waitUntilFunctionUpdatedV2({ client: client.lambda, ...WAITER }, { FunctionName: name }),
    /** Create a function and wait until it is active; returns the CreateFunction outcome. */
    async createActive(command: CreateFunctionCommand): Promise<Outcome> {
      const created = await call(command);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await waitUntilFunctionActiveV2({ client: client.lambda, ...WAITER }, { FunctionName: command.input.FunctionName });
      return created;
    },
    /** Checks steps of one recorded test, whose resources have the given names. */
    recordedTest(test: string, names: Names) {
      const bindings: Bindings = new Map();
      return (step: string, got: Outcome) => assertRecorded(test, step, got, names, {}, bindings);
    },
    close: () => client.lambda.destroy(),
  };
}
