/**
 * One execution environment: a sandboxed runtime process, its own Runtime API listener and its log
 * stream. Lifecycle (one transition table): creating → initializing → idle ⇄ busy → destroyed.
 * Init runs once; a timed-out, crashed or init-failed environment is destroyed, never reused.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { StateMachine } from "../lib/state-machine.js";
import { RuntimeApi, type RuntimeOutcome } from "../runtime-api/runtime-api.js";
import type { ExitInfo, NetworkMode, Sandbox, SandboxDriver, SandboxShape } from "../sandbox/driver.js";
import type { FunctionVersion } from "../services/lambda/model.js";
import { runtimeFamily } from "../services/lambda/runtimes.js";
import type { LogStore, LogStreamWriter } from "../services/logs/log-store.js";
import { InvocationLog, PlatformLog } from "./invocation-log.js";
import { describeExit, errorPayload, normaliseErrorBody, RESPONSE_TOO_LARGE, traceId } from "./outcomes.js";
import type { Spare } from "./spares.js";

export const EnvState = {
  Creating: "creating",
  Initializing: "initializing",
  Idle: "idle",
  Busy: "busy",
  Destroyed: "destroyed",
} as const;
export type EnvState = (typeof EnvState)[keyof typeof EnvState];

const envStates = new StateMachine<EnvState>("environment", {
  creating: ["initializing", "destroyed"],
  initializing: ["idle", "busy", "destroyed"],
  idle: ["busy", "destroyed"],
  busy: ["idle", "destroyed"],
  destroyed: [],
});

export type InitType = "on-demand" | "provisioned-concurrency";

/** On-demand init gets 10 s before it counts against the invocation (AWS: "suppressed init"). */
const INIT_LIMIT_MS = 10_000;
/** CloudWatch's event size limit. */
const MAX_LINE = 256 * 1024;
/** How long an idle environment keeps running before it is frozen. */
const FREEZE_AFTER_MS = 10;

export interface EnvironmentDeps {
  driver: SandboxDriver;
  network: NetworkMode;
  logs: LogStore;
  region: string;
  codeDir: string;
  /** Extra Lambda-defined variables, never the server's own environment. */
  extraEnv?: Record<string, string>;
  /** Temporary credentials (and the endpoint to use them on) for this environment's AWS calls. */
  credentials?: (version: FunctionVersion) => { env: Record<string, string>; revoke(): void };
  /**
   * Every line a function prints that looks like a JSON object (`{` first): CloudWatch turns those
   * in Embedded Metric Format into metrics (services/cloudwatch/emf.ts).
   */
  onJsonLine?: (version: FunctionVersion, line: string) => void;
}

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  invokedFunctionArn: string;
  clientContext?: string;
  tail: boolean;
}

export interface InvokeOutcome {
  payload: Buffer;
  functionError?: "Unhandled";
  /** Base64 of the last 4 KB of this invocation's log, when asked for. */
  logResult?: string;
  /** Time the function code ran. */
  durationMs: number;
  /** Set when this invocation waited for the environment's init (a cold start). */
  initDurationMs?: number;
  /** The function answered with a stream (`payload` is then empty): its bytes follow, and its end. */
  stream?: StreamedInvocation;
}

export interface StreamedInvocation {
  /** The function's bytes as it writes them; ends when the function's stream ends, however it ends. */
  body: Readable;
  contentType: string;
  /** The invocation's outcome once the stream has ended: `functionError` and the error `payload` if it failed mid-stream. */
  done: Promise<InvokeOutcome>;
  /** The caller went: the function's stream is closed and what it still writes is dropped. */
  abandon(): void;
}

type InitResult = { ok: true } | { ok: false; errorType: string; body: Buffer } | { ok: false; exit: ExitInfo };
type Outcome = RuntimeOutcome | { kind: "timeout" } | { kind: "exit"; exit: ExitInfo } | { kind: "streamed" };

const EMPTY = Buffer.alloc(0);
export function logStreamName(version: string, now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return `${d}/[${version}]${randomBytes(16).toString("hex")}`;
}

/** The sandbox a function version needs. */
export function shapeOf(version: FunctionVersion, network: NetworkMode): SandboxShape {
  return { runtime: version.runtime, family: runtimeFamily(version.runtime), memoryMb: version.memorySize, ephemeralStorageMb: version.ephemeralStorage, network };
}

export class Environment {
  readonly id: string;
  private _state: EnvState = EnvState.Creating;
  private sandbox?: Sandbox;
  private api?: RuntimeApi;
  private writer?: LogStreamWriter;
  private readonly logStream: string;
  private initStart = 0;
  private initDurationMs = 0;
  private initReported = false;
  private init!: Promise<InitResult>;
  private resolveInit!: (r: InitResult) => void;
  private current?: InvocationLog;
  private readonly platform: PlatformLog;
  private partial = { stdout: "", stderr: "" };
  private readonly onDeath: (env: Environment) => void;
  /** Resolves the running invocation (from the runtime's answer, the timeout or the process's exit). */
  private settle?: (o: Outcome) => void;
  private freezeTimer?: NodeJS.Timeout;
  /** Called when the runtime next parks on `/next` (a streamed invocation waits for that to end). */
  private parked?: () => void;
  /** Writes END and REPORT of the last invocation, if that has not happened yet. */
  private pendingFinish?: () => void;
  /** Set when the pool decides this environment must not be reused (its function changed). */
  retired = false;
  /** Clock time it was created, for the pool's maximum environment age. */
  createdAt = 0;
  private credentials?: { env: Record<string, string>; revoke(): void };

  private constructor(
    readonly version: FunctionVersion,
    readonly initType: InitType,
    private readonly deps: EnvironmentDeps,
    onDeath: (env: Environment) => void,
    private readonly spare?: Spare,
  ) {
    this.id = spare?.id ?? randomBytes(8).toString("hex");
    this.logStream = logStreamName(version.version);
    this.platform = new PlatformLog(version.loggingConfig);
    this.onDeath = onDeath;
    this.init = new Promise((r) => (this.resolveInit = r));
  }

  get state(): EnvState {
    return this._state;
  }

  private move(to: EnvState): void {
    this._state = envStates.move(this._state, to);
  }

  /** Create the sandbox and start init. Resolves once the runtime process runs (init continues). */
  static async start(version: FunctionVersion, initType: InitType, deps: EnvironmentDeps, onDeath: (env: Environment) => void, spare?: Spare): Promise<Environment> {
    const env = new Environment(version, initType, deps, onDeath, spare);
    try {
      await env.boot();
    } catch (err) {
      await env.destroy();
      throw err;
    }
    return env;
  }

  private lambdaEnv(): Record<string, string> {
    const v = this.version;
    return {
      AWS_LAMBDA_FUNCTION_NAME: v.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: v.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(v.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: v.loggingConfig.LogGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStream,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initType,
      AWS_REGION: this.deps.region,
      AWS_DEFAULT_REGION: this.deps.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${v.runtime}`,
      // The runtimes format and filter their own log methods by these (AWS's runtime interface clients read the same).
      ...(v.loggingConfig.LogFormat === "JSON" ? { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: v.loggingConfig.ApplicationLogLevel ?? "INFO" } : {}),
      _HANDLER: v.handler,
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      ...this.deps.extraEnv,
      ...(this.credentials ??= this.deps.credentials?.(v))?.env,
      ...v.environment,
    };
  }

  private async boot(): Promise<void> {
    this.writer = await this.deps.logs.openStream(this.version.loggingConfig.LogGroup, this.logStream);
    const { driver } = this.deps;
    const events = {
      initDone: () => {
        this.initDurationMs = performance.now() - this.initStart;
        this.sandbox?.initialized();
        this.writePlatform(this.platform.initDone({ initializationType: this.initType, durationMs: this.initDurationMs }));
        this.resolveInit({ ok: true });
      },
      initError: (body: Buffer, errorType: string) => {
        this.initDurationMs = performance.now() - this.initStart;
        this.resolveInit({ ok: false, errorType, body });
      },
      waiting: () => {
        this.parked?.();
        this.parked = undefined;
        this.scheduleFreeze();
      },
    };
    if (this.spare) {
      // A spare: its runtime already runs; give it the package, then its function's environment.
      this.api = this.spare.api;
      this.api.events = events;
      this.sandbox = this.spare.sandbox;
      this.move(EnvState.Initializing);
      this.initStart = performance.now();
      this.writeInitStart();
      const placed = await this.sandbox.bind(this.deps.codeDir);
      this.api.bind({ ...this.lambdaEnv(), ...placed });
    } else {
      const targets = driver.runtimeApiTargets(this.id, shapeOf(this.version, this.deps.network));
      const { api, addresses } = await RuntimeApi.listen(targets.socket ? [targets.tcp, targets.socket] : [targets.tcp], events);
      this.api = api;
      this.move(EnvState.Initializing);
      this.initStart = performance.now();
      this.writeInitStart();
      this.sandbox = await driver.create(
        { ...shapeOf(this.version, this.deps.network), id: this.id, codeDir: this.deps.codeDir, env: this.lambdaEnv() },
        { tcp: addresses[0]!, socket: addresses[1] },
      );
    }
    this.capture("stdout");
    this.capture("stderr");
    void this.sandbox.exited.then((exit) => {
      this.resolveInit({ ok: false, exit });
      if (this.settle) this.settle({ kind: "exit", exit });
      else void this.destroy();
    });
  }

  private writeInitStart(): void {
    const v = this.version;
    this.writePlatform(
      this.platform.initStart({ initializationType: this.initType, runtimeVersion: v.runtime, functionName: v.functionName, functionVersion: v.version, driver: this.deps.driver.name }),
    );
  }

  /** Platform lines: into the log stream, and the running invocation's tail. */
  private writePlatform(lines: string[]): void {
    for (const line of lines) {
      this.current?.append(line);
      this.writer?.write(line);
    }
  }

  /**
   * Freeze a parked runtime once it has been idle for FREEZE_AFTER_MS: between invocations nothing in
   * the environment runs, yet back-to-back invocations do not pay a freeze and a thaw each.
   */
  private scheduleFreeze(): void {
    if (this._state !== EnvState.Idle || this.freezeTimer) return;
    this.freezeTimer = setTimeout(() => {
      this.freezeTimer = undefined;
      if (this._state === EnvState.Idle && this.api?.waiting) void this.sandbox?.freeze();
    }, FREEZE_AFTER_MS);
    this.freezeTimer.unref();
  }

  /** Route the runtime's output into the log stream, line by line, with backpressure. */
  private capture(which: "stdout" | "stderr"): void {
    const stream = this.sandbox![which];
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const text = this.partial[which] + chunk;
      const lines = text.split("\n");
      let rest = lines.pop()!;
      let ok = true;
      for (const line of lines) ok = this.logLine(line) && ok;
      // A runaway line without a newline must not grow without bound: emit it in pieces.
      while (rest.length >= MAX_LINE) {
        ok = this.logLine(rest.slice(0, MAX_LINE)) && ok;
        rest = rest.slice(MAX_LINE);
      }
      this.partial[which] = rest;
      if (!ok && this.writer) {
        stream.pause();
        this.writer.onDrain(() => stream.resume());
      }
    });
    stream.on("end", () => {
      if (this.partial[which]) this.logLine(this.partial[which]);
      this.partial[which] = "";
    });
  }

  /** A line the function printed: kept or dropped by its level (JSON), seen by the EMF hook if it is a JSON object. */
  private logLine(line: string): boolean {
    if (line.charCodeAt(0) === 0x7b) {
      if (!this.platform.keepsAppLine(line)) return true;
      // Whatever a function prints, a hook's failure must not reach the output stream's handler
      // (an exception there would end the server).
      try {
        this.deps.onJsonLine?.(this.version, line);
      } catch (err) {
        console.error(`flint: a JSON log line of ${this.version.functionName}: ${(err as Error).message}`);
      }
    }
    this.current?.append(line);
    return this.writer?.write(line) ?? true;
  }

  /** Let output the runtime wrote before answering reach us before END/REPORT are written. */
  private settleOutput(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Run one invocation. The pool guarantees one at a time. */
  async invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    const coldStart = this._state === EnvState.Initializing;
    if (this._state === EnvState.Destroyed) throw new Error("environment already destroyed");
    this.move(EnvState.Busy);
    if (this.freezeTimer) {
      clearTimeout(this.freezeTimer);
      this.freezeTimer = undefined;
    }
    this.pendingFinish?.();
    const log = new InvocationLog(this.platform, req.requestId, this.version.version, req.tail);
    const timeoutMs = this.version.timeout * 1000;

    if (coldStart) {
      const init = await this.awaitInit(timeoutMs);
      if (!init.ok) return this.finishFailedInit(init, log, req);
    }
    if (this.sandbox!.frozen) await this.sandbox!.thaw();
    this.current = log;
    for (const line of log.start()) this.writer!.write(line);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const first = await new Promise<Outcome>((settle) => {
      this.settle = settle;
      timer = setTimeout(() => this.settle?.({ kind: "timeout" }), timeoutMs);
      this.api!.dispatch(
        {
          requestId: req.requestId,
          payload: req.payload,
          deadlineMs: Date.now() + timeoutMs,
          invokedFunctionArn: req.invokedFunctionArn,
          clientContext: req.clientContext,
          traceId: traceId(req.requestId),
        },
        settle,
      );
    });
    const finish = (outcome: Outcome) => {
      this.settle = undefined;
      clearTimeout(timer);
      return this.complete(outcome, req, log, started, coldStart, timeoutMs);
    };
    if (first.kind !== "stream") return finish(first);
    // A streamed answer has begun: the invocation goes on (its timeout too) until the stream has
    // ended and the runtime is back on /next. A handler still running after its stream closed (one
    // that waits for a 'drain' that never comes once its caller left) keeps its environment until
    // it returns, exits or times out: the next invocation never meets it.
    const { response } = first;
    const ended = new Promise<Outcome>((settle) => {
      this.settle = settle;
      void response.ended.then(async (end) => {
        if (!this.api!.waiting) await new Promise<void>((resolve) => (this.parked = resolve));
        settle(end.ok ? { kind: "streamed" } : { kind: "error", body: end.errorBody, errorType: end.errorType });
      });
    });
    const done = ended.then((outcome) => {
      if (outcome.kind === "timeout" || outcome.kind === "exit") response.abandon();
      return finish(outcome);
    });
    return { payload: EMPTY, durationMs: 0, stream: { body: response.body, contentType: response.contentType, done, abandon: response.abandon } };
  }

  /** The invocation's outcome as its caller sees it; END and REPORT; a broken environment is destroyed. */
  private async complete(outcome: Outcome, req: InvokeRequest, log: InvocationLog, started: number, coldStart: boolean, timeoutMs: number): Promise<InvokeOutcome> {
    const durationMs = performance.now() - started;
    const initMs = coldStart && !this.initReported ? this.initDurationMs : undefined;
    if (initMs !== undefined) this.initReported = true;

    let result: InvokeOutcome;
    let broken = false;
    let exitErrorType: string | undefined;
    switch (outcome.kind) {
      case "streamed":
        result = { payload: EMPTY, durationMs, initDurationMs: initMs };
        break;
      case "stream":
        throw new Error("a stream is answered once");
      case "response":
        result = { payload: outcome.body, durationMs, initDurationMs: initMs };
        break;
      case "error":
        result = { payload: normaliseErrorBody(outcome.body, outcome.errorType), functionError: "Unhandled", durationMs, initDurationMs: initMs };
        break;
      case "tooLarge":
        result = { payload: RESPONSE_TOO_LARGE, functionError: "Unhandled", durationMs, initDurationMs: initMs };
        break;
      case "timeout": {
        broken = true;
        this.api!.abandon();
        const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
        this.writePlatform(this.platform.ended(`${new Date().toISOString()} ${req.requestId} ${message}`));
        result = { payload: errorPayload("Sandbox.Timedout", `RequestId: ${req.requestId} Error: ${message}`), functionError: "Unhandled", durationMs, initDurationMs: initMs };
        break;
      }
      case "exit": {
        broken = true;
        this.api!.abandon();
        const { errorType, message } = describeExit(outcome.exit);
        exitErrorType = errorType;
        this.writePlatform(this.platform.ended(`RequestId: ${req.requestId} Error: ${message}`));
        this.writePlatform(this.platform.ended(errorType));
        result = { payload: errorPayload(errorType, `RequestId: ${req.requestId} Error: ${message}`), functionError: "Unhandled", durationMs, initDurationMs: initMs };
        break;
      }
    }
    // END and REPORT follow the output the runtime wrote before answering, which may still be in
    // the pipe: they are written one event-loop turn later. Only a caller that wants the log tail
    // waits for that; everyone else gets the answer now.
    const finish = () => {
      this.pendingFinish = undefined;
      this.current = undefined;
      const maxMemory = this.sandbox?.maxMemoryUsedMb() ?? 0;
      const ended = log.end({
        durationMs,
        memorySizeMb: this.version.memorySize,
        maxMemoryUsedMb: maxMemory,
        initDurationMs: initMs,
        functionError: result.functionError !== undefined,
        status: outcome.kind === "timeout" ? "timeout" : exitErrorType ? "error" : undefined,
        errorType: exitErrorType,
        producedBytes: result.payload.length,
      });
      for (const line of ended) this.writer!.write(line);
    };
    if (broken || req.tail) {
      if (!broken) await this.settleOutput();
      finish();
      if (req.tail) result.logResult = log.tailBase64();
    } else {
      this.pendingFinish = finish;
      setImmediate(() => this.pendingFinish?.());
    }
    if (broken) await this.destroy();
    return result;
  }

  private async awaitInit(timeoutMs: number): Promise<InitResult> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.init,
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), INIT_LIMIT_MS + timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (result === "timeout") {
      return { ok: false, errorType: "Sandbox.Timedout", body: Buffer.alloc(0) };
    }
    return result;
  }

  private async finishFailedInit(init: Exclude<InitResult, { ok: true }>, log: InvocationLog, req: InvokeRequest): Promise<InvokeOutcome> {
    await this.settleOutput();
    const initMs = this.initDurationMs || performance.now() - this.initStart;
    let payload: Buffer;
    let errorType: string;
    if ("exit" in init) {
      const d = describeExit(init.exit);
      errorType = d.errorType;
      payload = errorPayload(errorType, `RequestId: ${req.requestId} Error: ${d.message}`);
    } else if (init.errorType === "Sandbox.Timedout") {
      errorType = init.errorType;
      payload = errorPayload(errorType, `RequestId: ${req.requestId} Error: Task timed out after ${this.version.timeout.toFixed(2)} seconds`);
    } else {
      errorType = init.errorType;
      payload = normaliseErrorBody(init.body, init.errorType);
    }
    this.writePlatform(this.platform.initDone({ initializationType: this.initType, durationMs: initMs, errorType }));
    for (const line of log.start()) this.writer?.write(line);
    const ended = log.end({ durationMs: 0, memorySizeMb: this.version.memorySize, maxMemoryUsedMb: this.sandbox?.maxMemoryUsedMb() ?? 0, status: "error", errorType });
    for (const line of ended) this.writer?.write(line);
    await this.destroy();
    return { payload, functionError: "Unhandled", durationMs: 0, initDurationMs: initMs, ...(req.tail ? { logResult: log.tailBase64() } : {}) };
  }

  /**
   * The invocation is over and the environment healthy: it goes idle, and is frozen once its runtime
   * is parked on `/next` (freezing earlier could stop a runtime that is on its way out) and has stayed
   * idle for FREEZE_AFTER_MS.
   */
  async park(): Promise<void> {
    if (this._state !== EnvState.Busy) return;
    this.move(EnvState.Idle);
    if (this.api?.waiting) this.scheduleFreeze();
  }

  /** Mark a provisioned environment ready once its init finished. */
  async waitInit(): Promise<boolean> {
    const r = await this.init;
    if (r.ok && this._state === EnvState.Initializing) {
      this.move(EnvState.Idle);
      if (this.api?.waiting) this.scheduleFreeze();
    }
    return r.ok;
  }

  async destroy(): Promise<void> {
    if (this._state === EnvState.Destroyed) return;
    this.move(EnvState.Destroyed);
    if (this.freezeTimer) clearTimeout(this.freezeTimer);
    this.pendingFinish?.();
    this.api?.close();
    this.credentials?.revoke();
    await this.sandbox?.destroy();
    await this.writer?.close();
    this.onDeath(this);
  }
}
