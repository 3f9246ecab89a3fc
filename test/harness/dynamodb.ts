/**
 * DynamoDB end-to-end helpers: an in-process dynalite (the differential tests' and the benchmark's
 * reference server), the AWS CLIs' DynamoDB commands with their error parsed, Python (boto3) scripts
 * run with a JSON argument, and the SDK v3 clients configured as a user would.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { REGION, TEST_CREDENTIALS, awsClientEnv, cleanEnv, runCli, type CliResult } from "./flint.js";

const require = createRequire(import.meta.url);

export interface Dynalite {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** dynalite in this process, in memory, tables ACTIVE at once, on a free loopback port. */
export async function startDynalite(): Promise<Dynalite> {
  const dynalite = require("dynalite") as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export const dynamoClient = (endpoint: string) => new DynamoDBClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
export const streamsClient = (endpoint: string) => new DynamoDBStreamsClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

/** An AWS CLI's failure: its exit code, and the service's error code and message as the CLI printed them. */
export interface CliError {
  exit: number;
  code: string;
  message: string;
  stderr: string;
}

/** The error code and message in an AWS CLI's "An error occurred (Code) when calling the Op operation: message". */
export function cliError(r: CliResult): CliError {
  const m = /An error occurred \(([^)]+)\)(?: \(reached max retries: \d+\))? when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)/s.exec(r.stderr);
  return { exit: r.code, code: m?.[1] ?? "", message: (m?.[2] ?? "").trim(), stderr: r.stderr };
}

/** Run `python` with `script`, giving it `arg` as JSON in sys.argv[1]; resolves with its stdout parsed as JSON. */
export function runPython(python: string, script: string, arg: unknown, env: Record<string, string> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ["-c", script, JSON.stringify(arg)],
      {
        env: cleanEnv({ ...awsClientEnv(), AWS_DEFAULT_REGION: REGION, ...env }),
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${python} failed (${err.message}):\n${stderr}\n${stdout}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`${python} printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** The AWS CLI (`cli`: a path) run with `args` against `endpoint`. */
export const ddbCli = (cli: string, endpoint: string, args: string[]) => runCli(cli, endpoint, args);

export interface DynamoServer {
  endpoint: string;
  /** The `flint serve` behind `endpoint`; undefined when checking the tests against dynalite. */
  flint?: import("./flint.js").FlintProcess;
  stop(): Promise<void>;
}

/**
 * The server the DynamoDB end-to-end tests talk to: a real `flint serve`. With DDB_E2E_DYNALITE=1,
 * dynalite instead: a way to check the tests themselves where dynalite follows AWS (it has no
 * streams and no transactions, so those tests fail there).
 */
export async function startDynamoServer(args: string[] = ["--spares", "0"]): Promise<DynamoServer> {
  if (process.env.DDB_E2E_DYNALITE === "1") {
    const d = await startDynalite();
    return { endpoint: d.endpoint, stop: d.stop };
  }
  const { startFlint } = await import("./flint.js");
  const flint = await startFlint({ args });
  return { endpoint: flint.endpoint, flint, stop: async () => void (await flint.stop()) };
}
