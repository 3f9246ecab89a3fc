/**
 * The Lambda Runtime API (2018-06-01) for one execution environment.
 *
 * Each environment gets its own listeners, so identity comes from the connection: a runtime can only
 * fetch and answer the invocations of the environment whose socket it reached. One invocation at a
 * time; the runtime's state follows one transition table and an illegal move is answered with AWS's
 * 403 InvalidStateTransition. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import type net from "node:net";
import { StateMachine } from "../lib/state-machine.js";
import { RuntimeHttpServer, type Reply, type RuntimeRequest } from "./http1.js";
import { isPeer, type Peer } from "./peer.js";
import { type StreamedResponse, streamedResponse } from "./streamed-response.js";

/** 6 MiB + 100 bytes, as the Runtime Interface Emulator's MaxPayloadSize. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
const PREFIX = "/2018-06-01/runtime/";

export const RuntimeState = {
  /** A spare runtime started ahead of demand, waiting to learn which function it runs. */
  Unbound: "Unbound",
  Initializing: "Initializing",
  InitError: "InitError",
  Ready: "Ready",
  Running: "Running",
  ResponseSent: "RuntimeResponseSentState",
  Closed: "Closed",
} as const;
export type RuntimeState = (typeof RuntimeState)[keyof typeof RuntimeState];

const runtimeStates = new StateMachine<RuntimeState>("runtime", {
  Unbound: ["Initializing", "Closed"],
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
  | { kind: "tooLarge"; size: number }
  /** A streamed answer: it has begun; its bytes and its end follow. */
  | { kind: "stream"; response: StreamedResponse };

export interface RuntimeApiEvents {
  /** First `/next`: the runtime finished init. */
  initDone(): void;
  /** `/init/error`: the body the first invocation must answer with. */
  initError(body: Buffer, errorType: string): void;
  /** The runtime is parked on `/next` with nothing to do (a safe moment to freeze it). */
  waiting(): void;
}

/** `peer`: only connections from this environment are served (TCP on a shared loopback). */
export type ListenTarget = { host: string; port: number; peer?: Peer } | { path: string };

const JSON_TYPE = "application/json";
const ACCEPTED = Buffer.from('{"status":"OK"}\n');

function runtimeError(reply: Reply, status: number, errorType: string, errorMessage: string): void {
  reply.send(status, { "Content-Type": JSON_TYPE }, JSON.stringify({ errorMessage, errorType }) + "\n");
}

export class RuntimeApi {
  private state: RuntimeState = RuntimeState.Initializing;
  private parkedNext: Reply | undefined;
  private pending: Invocation | undefined;
  private current: { invocation: Invocation; settle: (o: RuntimeOutcome) => void } | undefined;
  private readonly server: RuntimeHttpServer;
  /** A spare runtime's parked request for its binding, and the binding once known. */
  private parkedBinding: Reply | undefined;
  private binding: Record<string, string> | undefined;
  private sentBinding = false;
  private resolveStarted!: () => void;
  /** A pooled runtime is up: it asked for its binding. */
  readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));

  private constructor(
    public events: RuntimeApiEvents,
    pooled: boolean,
  ) {
    this.server = new RuntimeHttpServer((req, reply) => this.route(req, reply), MAX_RESPONSE_BYTES);
    if (pooled) this.state = RuntimeState.Unbound;
  }

  /**
   * Start the listeners of one environment; returns their addresses in order (host:port or path).
   * A `pooled` runtime first asks for its binding (the function's environment) before it initialises.
   */
  static async listen(targets: ListenTarget[], events: RuntimeApiEvents, pooled = false): Promise<{ api: RuntimeApi; addresses: string[] }> {
    const api = new RuntimeApi(events, pooled);
    const addresses = [];
    for (const t of targets) {
      const peer = "peer" in t ? t.peer : undefined;
      const authorize = peer === undefined ? undefined : (socket: net.Socket) => isPeer(peer, socket.remotePort!, socket.localPort!);
      addresses.push(await api.server.listen(t, authorize));
    }
    return { api, addresses };
  }

  /** Give a spare runtime its function: the environment it initialises with. */
  bind(env: Record<string, string>): void {
    this.state = runtimeStates.move(this.state, RuntimeState.Initializing);
    this.binding = env;
    if (this.parkedBinding) this.sendBinding(this.parkedBinding);
  }

  private sendBinding(reply: Reply): void {
    this.parkedBinding = undefined;
    this.sentBinding = true;
    reply.send(200, { "Content-Type": JSON_TYPE }, JSON.stringify({ env: this.binding }));
  }

  /** Is the runtime parked on `/next` right now? */
  get waiting(): boolean {
    return this.parkedNext !== undefined;
  }

  /** Hand an invocation to the runtime (now, or at its next `/next`); `settle` gets its answer. */
  dispatch(invocation: Invocation, settle: (o: RuntimeOutcome) => void): void {
    if (this.current) throw new Error("runtime API: one invocation at a time");
    this.current = { invocation, settle };
    if (this.parkedNext) this.deliver(this.parkedNext, invocation);
    else this.pending = invocation;
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
    this.parkedBinding?.destroy();
    this.server.close();
  }

  private deliver(reply: Reply, inv: Invocation): void {
    this.parkedNext = undefined;
    this.pending = undefined;
    this.state = runtimeStates.move(this.state, RuntimeState.Running);
    const headers: Record<string, string | number> = {
      "Content-Type": JSON_TYPE,
      "Lambda-Runtime-Aws-Request-Id": inv.requestId,
      "Lambda-Runtime-Deadline-Ms": inv.deadlineMs,
      "Lambda-Runtime-Invoked-Function-Arn": inv.invokedFunctionArn,
      "Lambda-Runtime-Trace-Id": inv.traceId,
    };
    if (inv.clientContext) headers["Lambda-Runtime-Client-Context"] = inv.clientContext;
    if (inv.cognitoIdentity) headers["Lambda-Runtime-Cognito-Identity"] = inv.cognitoIdentity;
    reply.send(200, headers, inv.payload);
  }

  private route(req: RuntimeRequest, reply: Reply): void {
    this.serve(req, reply);
    // A streamed body refused (a wrong request id, a wrong state) is read and dropped: the runtime's
    // connection, and the `GET /next` it pipelines behind it, must not stall behind it.
    if (req.stream && req.stream.readableFlowing === null) req.stream.resume();
  }

  private serve(req: RuntimeRequest, reply: Reply): void {
    if (!req.path.startsWith(PREFIX)) return runtimeError(reply, 404, "NotFound", "Not found");
    const rest = req.path.slice(PREFIX.length);
    if (req.method === "GET" && rest === "invocation/next") return this.next(reply);
    if (req.method === "GET" && rest === "flint/binding") return this.bindingRequest(reply);
    if (req.method === "POST" && rest === "init/error") return this.initError(req, reply);
    if (req.method === "POST" && rest.startsWith("invocation/")) {
      const slash = rest.lastIndexOf("/");
      const kind = rest.slice(slash + 1);
      if (kind === "response" || kind === "error") return this.answer(req, reply, decodeURIComponent(rest.slice("invocation/".length, slash)), kind);
    }
    runtimeError(reply, 404, "NotFound", "Not found");
  }

  private next(reply: Reply): void {
    if (this.state === RuntimeState.Initializing) {
      this.state = runtimeStates.move(this.state, RuntimeState.Ready);
      this.events.initDone();
    } else if (this.state === RuntimeState.ResponseSent) {
      this.state = runtimeStates.move(this.state, RuntimeState.Ready);
    } else if (this.state !== RuntimeState.Ready || this.parkedNext) {
      return runtimeError(reply, 403, "InvalidStateTransition", `State transition from ${this.state} to Ready failed for runtime. Error: State transition is not allowed`);
    }
    if (this.pending) return this.deliver(reply, this.pending);
    this.parkedNext = reply;
    reply.once("close", () => {
      if (this.parkedNext === reply) this.parkedNext = undefined;
    });
    this.events.waiting();
  }

  /** Flint's own bootstraps, started ahead of demand, wait here for the function they will run. */
  private bindingRequest(reply: Reply): void {
    if (this.state === RuntimeState.Unbound && !this.parkedBinding) {
      this.resolveStarted();
      this.parkedBinding = reply;
      reply.once("close", () => {
        if (this.parkedBinding === reply) this.parkedBinding = undefined;
      });
    } else if (this.state === RuntimeState.Initializing && this.binding && !this.sentBinding) {
      this.resolveStarted();
      this.sentBinding = true;
      this.sendBinding(reply);
    } else {
      runtimeError(reply, 403, "InvalidStateTransition", `State transition from ${this.state} to Bound failed for runtime. Error: State transition is not allowed`);
    }
  }

  private initError(req: RuntimeRequest, reply: Reply): void {
    if (this.state !== RuntimeState.Initializing) {
      return runtimeError(reply, 403, "InvalidStateTransition", `State transition from ${this.state} to InitError failed for runtime. Error: State transition is not allowed`);
    }
    this.state = runtimeStates.move(this.state, RuntimeState.InitError);
    reply.send(202, { "Content-Type": JSON_TYPE }, ACCEPTED);
    this.events.initError(req.body ?? Buffer.alloc(0), req.headers["lambda-runtime-function-error-type"] ?? "Runtime.Unknown");
  }

  private answer(req: RuntimeRequest, reply: Reply, requestId: string, kind: "response" | "error"): void {
    const current = this.current;
    if (this.state === RuntimeState.ResponseSent && current === undefined) {
      const target = kind === "response" ? "InvocationResponse" : "InvocationErrorResponse";
      return runtimeError(reply, 403, "InvalidStateTransition", `State transition from ${this.state} to ${target} failed for runtime. Error: State transition is not allowed`);
    }
    if (!current || current.invocation.requestId !== requestId || this.state !== RuntimeState.Running) {
      return runtimeError(reply, 400, "InvalidRequestID", "Invalid request ID");
    }
    this.state = runtimeStates.move(this.state, RuntimeState.ResponseSent);
    this.current = undefined;
    if (req.stream && kind === "response") return current.settle({ kind: "stream", response: streamedResponse({ ...req, stream: req.stream }, reply) });
    if (req.body === undefined) {
      runtimeError(reply, 413, "RequestEntityTooLarge", `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
      current.settle({ kind: "tooLarge", size: req.bodySize });
      return;
    }
    reply.sendWhenNext(202, { "Content-Type": JSON_TYPE }, ACCEPTED);
    if (kind === "response") current.settle({ kind, body: req.body, contentType: req.headers["content-type"] ?? JSON_TYPE });
    else current.settle({ kind, body: req.body, errorType: req.headers["lambda-runtime-function-error-type"] ?? "Runtime.Unknown" });
  }
}
