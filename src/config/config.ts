/**
 * Options, defaults and environment variables, resolved and validated once.
 * This is the only module that reads `process.env` for Flint's own settings; everything downstream
 * receives a FlintConfig.
 */
import os from "node:os";
import path from "node:path";
import { IAM_MODES, type IamMode } from "../iam/authorizer.js";

export interface FlintConfig {
  /** Interface to listen on. Flag `--host`, env `FLINT_HOST`. Default `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks a free one. Flag `--port`, env `FLINT_PORT`. Default 9000. */
  port: number;
  /** Where state lives (SQLite database, code packages, logs). Flag `--data-dir`, env `FLINT_DATA_DIR`. Default `./.flint`. */
  dataDir: string;
  /**
   * Where shared state lives: undefined for the embedded SQLite file in the data dir, or a
   * `postgres://` URL, which several nodes may share (cluster mode). Flag `--store`, env `FLINT_STORE`.
   */
  store?: string;
  /** Whether `--data-dir` or `FLINT_DATA_DIR` named the data dir; when neither did, `flint logs` and `flint events` look for a running server's where `./.flint` has no data. */
  dataDirGiven: boolean;
  /**
   * Where each running `flint serve` records its data dir, endpoint and pid (one file per server), so
   * `flint logs` and `flint events` find its data from any directory. Per user: `$XDG_RUNTIME_DIR/flint/servers`
   * (emptied at logout), else `$XDG_STATE_HOME/flint/servers` (default `~/.local/state/flint/servers`).
   */
  serversDir: string;
  /** Region Flint answers as. Env `FLINT_REGION`. Default `us-east-1`. */
  region: string;
  /** Account id in every ARN. Env `FLINT_ACCOUNT_ID`. Default `000000000000`. */
  accountId: string;
  /** Root credentials. Env `FLINT_ACCESS_KEY_ID` / `FLINT_SECRET_ACCESS_KEY`; when unset they are generated at first start and kept in the data dir. */
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  /** How long an idle execution environment is kept warm. Flag `--idle-timeout` (seconds), env `FLINT_IDLE_TIMEOUT`. Default 600 s, as Lambda's typical keep-alive. */
  idleTimeoutMs: number;
  /** Flint seconds per real second for retries, expiry and windows. Flag `--time-scale`, env `FLINT_TIME_SCALE`. Default 1. */
  timeScale: number;
  /** Spare sandboxes kept ready per shape (runtime family, memory, storage, network); 0 turns them off. Flag `--spares`, env `FLINT_SPARES`. Default 2. */
  sparesPerShape: number;
  /** Execution environment isolation: `auto` (strict when possible), `strict` or `none`. Flag `--sandbox`, env `FLINT_SANDBOX`. Default `auto`. */
  sandbox: "auto" | "strict" | "none";
  /** IAM: `enforce` (AWS's behaviour), `report` (allow, but log and count what enforcement would deny) or `off`. Flag `--iam`, env `FLINT_IAM`. Default `enforce`. */
  iam: IamMode;
  /** The account's concurrent executions limit. Flag `--concurrency-limit`, env `FLINT_CONCURRENCY_LIMIT`. Default 1000, as a new AWS account. */
  concurrencyLimit: number;
  /** New execution environments one function may start per 10 seconds. Flag `--scaling-rate`, env `FLINT_SCALING_RATE`. Default 1000, as AWS. */
  scalingRate: number;
  /** Asynchronous events one function runs at once (they also obey reserved and account concurrency). Flag `--async-concurrency`, env `FLINT_ASYNC_CONCURRENCY`. Default 10. */
  asyncConcurrency: number;
}

export class ConfigError extends Error {}

const FLAGS: Record<string, keyof FlintConfig> = {
  "--host": "host",
  "--port": "port",
  "--data-dir": "dataDir",
  "--store": "store",
  "--idle-timeout": "idleTimeoutMs",
  "--time-scale": "timeScale",
  "--spares": "sparesPerShape",
  "--sandbox": "sandbox",
  "--iam": "iam",
  "--concurrency-limit": "concurrencyLimit",
  "--scaling-rate": "scalingRate",
  "--async-concurrency": "asyncConcurrency",
};

function int(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got '${raw}'`);
  return raw as T;
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new ConfigError(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** Resolve configuration from command-line flags (which win) and the environment. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FlintConfig {
  const flags: Partial<Record<keyof FlintConfig, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) throw new ConfigError(`unknown option '${arg}'`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`option '${flag}' needs a value`);
    flags[key] = value;
  }
  const pick = (key: keyof FlintConfig, envName: string) => flags[key] ?? env[envName];

  const region = env.FLINT_REGION ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new ConfigError(`FLINT_REGION '${region}' is not a region name like us-east-1`);
  const accountId = env.FLINT_ACCOUNT_ID ?? "000000000000";
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`FLINT_ACCOUNT_ID must be 12 digits, got '${accountId}'`);
  if (Boolean(env.FLINT_ACCESS_KEY_ID) !== Boolean(env.FLINT_SECRET_ACCESS_KEY)) {
    throw new ConfigError("set both FLINT_ACCESS_KEY_ID and FLINT_SECRET_ACCESS_KEY, or neither");
  }
  const dataDir = pick("dataDir", "FLINT_DATA_DIR");
  // The XDG base directory spec: a relative path in these variables is invalid and ignored.
  const xdg = (name: "XDG_RUNTIME_DIR" | "XDG_STATE_HOME") => (env[name] && path.isAbsolute(env[name]) ? env[name] : undefined);
  const stateHome = xdg("XDG_STATE_HOME") ?? path.join(env.HOME || os.homedir(), ".local", "state");
  const store = pick("store", "FLINT_STORE") || undefined;
  if (store !== undefined && store !== "sqlite" && !/^postgres(ql)?:\/\//.test(store)) {
    throw new ConfigError(`store must be 'sqlite' or a postgres:// URL, got '${store}'`);
  }
  const idle = pick("idleTimeoutMs", "FLINT_IDLE_TIMEOUT");
  const scale = pick("timeScale", "FLINT_TIME_SCALE");
  return {
    host: pick("host", "FLINT_HOST") ?? "127.0.0.1",
    port: int("port", pick("port", "FLINT_PORT") ?? "9000", 0, 65535),
    dataDir: path.resolve(cwd, dataDir ?? ".flint"),
    dataDirGiven: dataDir !== undefined,
    ...(store && store !== "sqlite" ? { store } : {}),
    serversDir: path.join(xdg("XDG_RUNTIME_DIR") ?? stateHome, "flint", "servers"),
    region,
    accountId,
    rootAccessKeyId: env.FLINT_ACCESS_KEY_ID || undefined,
    rootSecretAccessKey: env.FLINT_SECRET_ACCESS_KEY || undefined,
    idleTimeoutMs: idle === undefined ? 600_000 : positive("idle timeout", idle) * 1000,
    timeScale: scale === undefined ? 1 : positive("time scale", scale),
    sparesPerShape: int("spares", pick("sparesPerShape", "FLINT_SPARES") ?? "2", 0, 16),
    sandbox: oneOf("sandbox", pick("sandbox", "FLINT_SANDBOX") ?? "auto", ["auto", "strict", "none"] as const),
    iam: oneOf("iam", pick("iam", "FLINT_IAM") ?? "enforce", IAM_MODES),
    concurrencyLimit: int("concurrency limit", pick("concurrencyLimit", "FLINT_CONCURRENCY_LIMIT") ?? "1000", 101, 1_000_000),
    scalingRate: int("scaling rate", pick("scalingRate", "FLINT_SCALING_RATE") ?? "1000", 1, 1_000_000),
    asyncConcurrency: int("async concurrency", pick("asyncConcurrency", "FLINT_ASYNC_CONCURRENCY") ?? "10", 1, 1000),
  };
}
