/**
 * The platform's (system) log lines of an environment in its function's LogFormat, and the last 4 KB
 * of one invocation's log for `X-Amz-Log-Result`.
 *
 * Text: AWS's `INIT_START`, `START`, `END`, `REPORT` lines
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). JSON: the Telemetry
 * API's `platform.*` records (`{"time","type","record"}`,
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html), each written only at
 * or above the function's SystemLogLevel, at the level AWS's system log-level event mapping gives it
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
 */
import type { LoggingConfig } from "../services/lambda/model.js";

const TAIL_BYTES = 4096;

const SYSTEM_LEVELS = { DEBUG: 0, INFO: 1, WARN: 2 } as const;
type SystemLevel = keyof typeof SYSTEM_LEVELS;

/** Application log levels, least severe first (ApplicationLogLevel's values). */
const APP_LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 } as const;
/** The level names runtimes and logging libraries write, as Lambda reads them (Python's WARNING, CRITICAL). */
const APP_LEVEL_NAMES: Record<string, number> = { ...APP_LEVELS, WARNING: APP_LEVELS.WARN, CRITICAL: APP_LEVELS.FATAL };
/** A JSON line's level; `log_level` is the key of awslambdaric's error records (which AWS frames as ERROR). */
const LEVEL_FIELD = /"(?:log_)?level"\s*:\s*"([A-Za-z]+)"/;

export type InitializationType = "on-demand" | "provisioned-concurrency";

/** How one invocation ended, as `platform.runtimeDone` and `platform.report` tell it. */
export interface InvocationEnd {
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** The function answered with an error (runtimeDone `failure`); the report stays `success`. */
  functionError?: boolean;
  /** The platform ended it: REPORT's `Status:` (and `Error Type:`). */
  status?: "timeout" | "error";
  errorType?: string;
  producedBytes?: number;
}

/** One environment's platform lines, in its LogFormat and filtered by its SystemLogLevel. */
export class PlatformLog {
  readonly json: boolean;
  private readonly systemLevel: number;
  /** Application lines below this are dropped (JSON only; TRACE, the lowest, drops nothing). */
  private readonly appLevel: number;

  constructor(config: Pick<LoggingConfig, "LogFormat" | "SystemLogLevel" | "ApplicationLogLevel">) {
    this.json = config.LogFormat === "JSON";
    this.systemLevel = SYSTEM_LEVELS[(config.SystemLogLevel ?? "INFO") as SystemLevel] ?? SYSTEM_LEVELS.INFO;
    this.appLevel = this.json ? (APP_LEVELS[(config.ApplicationLogLevel ?? "INFO") as keyof typeof APP_LEVELS] ?? APP_LEVELS.INFO) : APP_LEVELS.TRACE;
  }

  /**
   * Whether Lambda keeps a line the function wrote. With JSON, a JSON object's `level` below the
   * ApplicationLogLevel drops it, as Lambda filters output of logging methods its runtimes do not
   * filter themselves; a missing or unknown level counts as INFO. Anything else is kept.
   */
  keepsAppLine(line: string): boolean {
    if (this.appLevel === APP_LEVELS.TRACE || line.charCodeAt(0) !== 0x7b) return true;
    const level = LEVEL_FIELD.exec(line)?.[1]?.toUpperCase();
    return (APP_LEVEL_NAMES[level ?? "INFO"] ?? APP_LEVELS.INFO) >= this.appLevel;
  }

  /** A `platform.*` record at its system log level: none when that is below the SystemLogLevel. */
  record(level: SystemLevel, type: string, record: Record<string, unknown>): string[] {
    if (SYSTEM_LEVELS[level] < this.systemLevel) return [];
    return [JSON.stringify({ time: new Date().toISOString(), type, record })];
  }

  initStart(p: { initializationType: InitializationType; runtimeVersion: string; functionName: string; functionVersion: string; driver: string }): string[] {
    if (!this.json) return [`INIT_START Runtime Version: ${p.runtimeVersion}\tFlint Driver: ${p.driver}`];
    const { initializationType, runtimeVersion, functionName, functionVersion } = p;
    // INFO, as an initStart with its runtimeVersion set is.
    return this.record("INFO", "platform.initStart", { initializationType, phase: "init", runtimeVersion, functionName, functionVersion });
  }

  /** Init finished (the runtime's first `/next`) or failed. Text has a line for a failure only. */
  initDone(p: { initializationType: InitializationType; durationMs: number; errorType?: string }): string[] {
    const failed = p.errorType !== undefined;
    if (!this.json) {
      return failed ? [`INIT_REPORT Init Duration: ${p.durationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${p.errorType}`] : [];
    }
    const status = failed ? { status: "error", errorType: p.errorType } : { status: "success" };
    const head = { initializationType: p.initializationType, phase: "init" };
    return [
      ...this.record(failed ? "WARN" : "DEBUG", "platform.initRuntimeDone", { ...head, ...status }),
      ...this.record(failed ? "WARN" : p.initializationType === "on-demand" ? "DEBUG" : "INFO", "platform.initReport", {
        ...head,
        ...status,
        metrics: { durationMs: round2(p.durationMs) },
      }),
    ];
  }

  /** The platform's words for an invocation it ended (Text only: JSON's records carry the status). */
  ended(line: string): string[] {
    return this.json ? [] : [line];
  }
}

/** One invocation's platform lines, and the tail of its log when the caller asked for it. */
export class InvocationLog {
  private readonly lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly platform: PlatformLog,
    private readonly requestId: string,
    private readonly version: string,
    private readonly keepTail: boolean,
  ) {}

  start(): string[] {
    if (!this.platform.json) return [this.keep(`START RequestId: ${this.requestId} Version: ${this.version}`)];
    return this.keepAll(this.platform.record("INFO", "platform.start", { requestId: this.requestId, version: this.version }));
  }

  /** A line written during the invocation (already in the log stream). */
  append(line: string): void {
    this.keep(line);
  }

  end(e: InvocationEnd): string[] {
    const billed = Math.ceil(e.durationMs + (e.initDurationMs ?? 0));
    if (!this.platform.json) {
      let report =
        `REPORT RequestId: ${this.requestId}\tDuration: ${e.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
        `Memory Size: ${e.memorySizeMb} MB\tMax Memory Used: ${e.maxMemoryUsedMb} MB\t`;
      if (e.initDurationMs !== undefined) report += `Init Duration: ${e.initDurationMs.toFixed(2)} ms\t`;
      if (e.status) report += `Status: ${e.status}\t`;
      if (e.errorType) report += `Error Type: ${e.errorType}\t`;
      return [this.keep(`END RequestId: ${this.requestId}`), this.keep(report)];
    }
    const runtimeStatus = e.status ?? (e.functionError ? "failure" : "success");
    const errorType = e.errorType ? { errorType: e.errorType } : {};
    return this.keepAll([
      ...this.platform.record(runtimeStatus === "success" ? "DEBUG" : "WARN", "platform.runtimeDone", {
        requestId: this.requestId,
        status: runtimeStatus,
        ...errorType,
        metrics: { durationMs: round2(e.durationMs), producedBytes: e.producedBytes ?? 0 },
      }),
      ...this.platform.record(e.status ? "WARN" : "INFO", "platform.report", {
        requestId: this.requestId,
        metrics: {
          durationMs: round2(e.durationMs),
          billedDurationMs: billed,
          memorySizeMB: e.memorySizeMb,
          maxMemoryUsedMB: e.maxMemoryUsedMb,
          ...(e.initDurationMs !== undefined ? { initDurationMs: round2(e.initDurationMs) } : {}),
        },
        status: e.status ?? "success",
        ...errorType,
      }),
    ]);
  }

  private keepAll(lines: string[]): string[] {
    for (const line of lines) this.keep(line);
    return lines;
  }

  private keep(line: string): string {
    if (!this.keepTail) return line;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    while (this.bytes - Buffer.byteLength(this.lines[0]!) - 1 >= TAIL_BYTES && this.lines.length > 1) {
      this.bytes -= Buffer.byteLength(this.lines.shift()!) + 1;
    }
    return line;
  }

  /** Base64 of the last 4 KB (cut on a UTF-8 character boundary). */
  tailBase64(): string {
    let buf = Buffer.from(this.lines.join("\n") + "\n", "utf8");
    if (buf.length > TAIL_BYTES) {
      let start = buf.length - TAIL_BYTES;
      while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
      buf = buf.subarray(start);
    }
    return buf.toString("base64");
  }
}

/** Telemetry records give milliseconds to two decimals, as REPORT does. */
function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
