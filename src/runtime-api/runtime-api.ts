/**
 * The Lambda Runtime API (2018-06-01) for one execution environment.
 *
 * Each environment gets its own listener, so identity comes from the connection: a runtime can only
 * fetch and answer the invocations of the environment whose socket it reached. One invocation at a
 * time; the runtime's state follows one transition table and an illegal move is answered with AWS's
 * 403 InvalidStateTransition. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StateMachine } from "../lib/state-machine.js";

/** 6 MiB + 100 bytes, as the Runtime Interface Emulator's MaxPayloadSize. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
const PREFIX = "/2018-06-01/runtime/";

export const RuntimeState = {
  Initializing: "Initializing",
  InitError: "InitError",
  Ready: "Ready",
  Running: "Running",
  ResponseSent: "RuntimeResponseSentState",
  Closed: "Closed",
} as const;
export type RuntimeState = (typeof RuntimeState)[keyof typeof RuntimeState];

const runtimeStates = new StateMachine<RuntimeState>("runtime", {
  Initializing: ["Ready", "InitError", "Closed"],
  InitError: ["Closed"],
  Ready: ["Running", "Closed"],
  Running: ["RuntimeResponseSentState", "Closed"],
  RuntimeResponseSentState: ["Ready", "Closed"],
  Closed: [],
});

export interface Invocation {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  clientContext?: string;
  cognitoIdentity?: string;
  traceId: string;
}

export type RuntimeOutcome =
  | { kind: "response"; body: Buffer; contentType: string }
  | { kind: "error"; body: Buffer; errorType: string }
  | { kind: "tooLarge"; size: number };

export interface RuntimeApiEvents {
  /** First `/next`: the runtime finished init. */
  initDone(): void;
  /** `/init/error`: the body the first invocation must answer with. */
  initError(body: Buffer, errorType: string): void;
  /** The runtime is parked on `/next` with nothing to do (a safe moment to freeze it). */
  waiting(): void;
}

type Listen = { host: string; port: number } | { path: string };

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value) + "\n";
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function runtimeError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  json(res, status, { errorMessage, errorType });
}

const ACCEPTED = Buffer.from('{"status":"OK"}\n');
function accepted(res: ServerResponse): void {
  res.writeHead(202, { "Content-Type": "application/json", "Content-Length": ACCEPTED.length });
  res.end(ACCEPTED);
}

/** Read a body up to `limit`; past it, keep draining and report the size. */
function readLimited(req: IncomingMessage, limit: number): Promise<{ body?: Buffer; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => resolve(size <= limit ? { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), size } : { size }));
    req.on("error", reject);
  });
}

export class RuntimeApi {
  private state: RuntimeState = RuntimeState.Initializing;
  private parkedNext: ServerResponse | undefined;
  private pending: Invocation | undefined;
  private current: { invocation: Invocation; settle: (o: RuntimeOutcome) => void } | undefined;
  private readonly server: http.Server;

  private constructor(private readonly events: RuntimeApiEvents) {
    this.server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0 }, (req, res) => this.route(req, res));
  }

  /** Start a listener for one environment. `address` is the AWS_LAMBDA_RUNTIME_API value for TCP listeners. */
  static async listen(target: Listen, events: RuntimeApiEvents): Promise<{ api: RuntimeApi; address: string }> {
    const api = new RuntimeApi(events);
    await new Promise<void>((resolve, reject) => {
      api.server.once("error", reject);
      if ("path" in target) api.server.listen(target.path, resolve);
      else api.server.listen(target.port, target.host, resolve);
    });
    const addr = api.server.address();
    const address = typeof addr === "string" ? addr : `${(addr as AddressInfo).address}:${(addr as AddressInfo).port}`;
    return { api, address };
  }

  get runtimeState(): RuntimeState {
    return this.state;
  }

  /** Is the runtime parked on `/next` right now? */
  get waiting(): boolean {
    return this.parkedNext !== undefined;
  }

  /** Hand an invocation to the runtime (now, or at its next `/next`) and wait for its answer. */
  dispatch(invocation: Invocation): Promise<RuntimeOutcome> {
    if (this.current || this.pending) throw new Error("runtime API: one invocation at a time");
    return new Promise((settle) => {
      this.current = { invocation, settle };
      if (this.parkedNext) this.deliver(this.parkedNext, invocation);
      else this.pending = invocation;
    });
  }

  /** The invocation ended without the runtime answering (timeout, crash): forget it. */
  abandon(): void {
    this.current = undefined;
    this.pending = undefined;
  }

  close(): void {
    if (this.state !== RuntimeState.Closed) this.state = runtimeStates.move(this.state, RuntimeState.Closed);
    this.parkedNext?.destroy();
    this.parkedNext = undefined;
    this.server.close();
    this.server.closeAllConnections();
  }

  private deliver(res: ServerResponse, inv: Invocation): void {
    this.parkedNext = undefined;
    this.pending = undefined;
    this.state = runtimeStates.move(this.state, RuntimeState.Running);
    const headers: Record<string, string | number> = {
      "Content-Type": "application/json",
      "Content-Length": inv.payload.length,
      "Lambda-Runtime-Aws-Request-Id": inv.requestId,
      "Lambda-Runtime-Deadline-Ms": inv.deadlineMs,
      "Lambda-Runtime-Invoked-Function-Arn": inv.invokedFunctionArn,
      "Lambda-Runtime-Trace-Id": inv.traceId,
    };
    if (inv.clientContext) headers["Lambda-Runtime-Client-Context"] = inv.clientContext;
    if (inv.cognitoIdentity) headers["Lambda-Runtime-Cognito-Identity"] = inv.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.payload);
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) return runtimeError(res, 404, "NotFound", "Not found");
    const rest = url.slice(PREFIX.length);
    if (req.method === "GET" && rest === "invocation/next") return this.next(res);
    if (req.method === "POST" && rest === "init/error") return void this.initError(req, res);
    const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
    if (req.method === "POST" && m) return void this.answer(req, res, decodeURIComponent(m[1]!), m[2] as "response" | "error");
    runtimeError(res, 404, "NotFound", "Not found");
  }

  private next(res: ServerResponse): void {
    if (this.state === RuntimeState.Initializing) {
      this.state = runtimeStates.move(this.state, RuntimeState.Ready);
      this.events.initDone();
    } else if (this.state === RuntimeState.ResponseSent) {
      this.state = runtimeStates.move(this.state, RuntimeState.Ready);
    } else if (this.state !== RuntimeState.Ready || this.parkedNext) {
      return runtimeError(res, 403, "InvalidStateTransition", `State transition from ${this.state} to Ready failed for runtime. Error: State transition is not allowed`);
    }
    if (this.state !== RuntimeState.Ready) return;
    if (this.pending) this.deliver(res, this.pending);
    else {
      this.parkedNext = res;
      res.on("close", () => {
        if (this.parkedNext === res) this.parkedNext = undefined;
      });
      this.events.waiting();
    }
  }

  private async initError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { body = Buffer.alloc(0) } = await readLimited(req, MAX_RESPONSE_BYTES);
    if (this.state !== RuntimeState.Initializing) {
      return runtimeError(res, 403, "InvalidStateTransition", `State transition from ${this.state} to InitError failed for runtime. Error: State transition is not allowed`);
    }
    this.state = runtimeStates.move(this.state, RuntimeState.InitError);
    accepted(res);
    this.events.initError(body, headerString(req, "lambda-runtime-function-error-type") ?? "Runtime.Unknown");
  }

  private async answer(req: IncomingMessage, res: ServerResponse, requestId: string, kind: "response" | "error"): Promise<void> {
    const { body, size } = await readLimited(req, MAX_RESPONSE_BYTES);
    const current = this.current;
    const target = kind === "response" ? "InvocationResponse" : "InvocationErrorResponse";
    if (this.state === RuntimeState.ResponseSent && current === undefined) {
      return runtimeError(res, 403, "InvalidStateTransition", `State transition from ${this.state} to ${target} failed for runtime. Error: State transition is not allowed`);
    }
    if (!current || current.invocation.requestId !== requestId || this.state !== RuntimeState.Running) {
      return runtimeError(res, 400, "InvalidRequestID", "Invalid request ID");
    }
    this.state = runtimeStates.move(this.state, RuntimeState.ResponseSent);
    this.current = undefined;
    if (body === undefined) {
      runtimeError(res, 413, "RequestEntityTooLarge", `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
      current.settle({ kind: "tooLarge", size });
      return;
    }
    accepted(res);
    if (kind === "response") current.settle({ kind, body, contentType: headerString(req, "content-type") ?? "application/json" });
    else current.settle({ kind, body, errorType: headerString(req, "lambda-runtime-function-error-type") ?? "Runtime.Unknown" });
  }
}

function headerString(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
