/**
 * The SQS clients the end-to-end tests drive, behind one call shape: an operation name and its input
 * in AWS's member names; the output the same way (binary values as base64), or an SqsCallError with
 * the error code the client reports. Which wire protocol each uses is the client's own choice:
 * AWS CLI v2 2.9 (Debian) and Debian's boto3 speak the query protocol, AWS CLI v1 and
 * @aws-sdk/client-sqs the JSON protocol.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import * as sdk from "@aws-sdk/client-sqs";
import { AWS_CLI_V2, REGION, TEST_CREDENTIALS, runCli } from "./flint.js";

export class SqsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface SqsDriver {
  label: string;
  protocol: "query" | "json";
  /** Whether binary attribute values go through as bytes (the AWS CLI v1 sends the text as given). */
  binary: boolean;
  call<T = any>(operation: string, input?: Record<string, unknown>): Promise<T>;
  close(): void;
}

const kebab = (op: string) => op.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

/** An AWS CLI driving `service` (default `sqs`; SNS reuses it). */
export function cliDriver(label: string, cli: string, protocol: "query" | "json", endpoint: string, service = "sqs"): SqsDriver {
  return {
    label,
    protocol,
    binary: protocol === "query",
    async call(operation, input = {}) {
      // Through a file: one command-line argument is limited to 128 KiB, a message may be 256 KiB.
      const dir = await mkdtemp(path.join(tmpdir(), "flint-cli-input-"));
      const file = path.join(dir, "input.json");
      await writeFile(file, JSON.stringify(input));
      const r = await runCli(cli, endpoint, [service, kebab(operation), "--cli-input-json", `file://${file}`]).finally(() => rm(dir, { recursive: true, force: true }));
      if (r.code !== 0) {
        const m = /An error occurred \(([^)]+)\) when calling the \w+ operation: (.*)/s.exec(r.stderr);
        throw new SqsCallError(m?.[1] ?? "CliFailed", (m?.[2] ?? r.stderr).trim());
      }
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    },
    close() {},
  };
}

export const cliV2 = (endpoint: string) => cliDriver("AWS CLI v2 (query protocol)", AWS_CLI_V2, "query", endpoint);
export const cliV1 = (cli: string, endpoint: string) => cliDriver("AWS CLI v1 (JSON protocol)", cli, "json", endpoint);

/** The first `aws` on PATH that is the CLI v1 (not Debian's v2 at /usr/bin/aws), or why there is none. */
export function findAwsCliV1(): { path?: string; reason?: string } {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = path.join(dir, "aws");
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) === realpathSync(AWS_CLI_V2)) continue;
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
      if (/^aws-cli\/1\./.test(version.trim())) return { path: candidate };
    } catch {
      // not there, or not runnable
    }
  }
  return { reason: "no AWS CLI v1 (`aws` reporting aws-cli/1.x) on PATH besides /usr/bin/aws" };
}

const fromBase64Binary = (input: unknown): unknown => {
  if (Array.isArray(input)) return input.map(fromBase64Binary);
  if (typeof input !== "object" || input === null) return input;
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === "BinaryValue" && typeof v === "string" ? Buffer.from(v, "base64") : fromBase64Binary(v)]));
};

const toBase64Binary = (output: unknown): unknown => {
  if (output instanceof Uint8Array) return Buffer.from(output).toString("base64");
  if (Array.isArray(output)) return output.map(toBase64Binary);
  if (typeof output !== "object" || output === null) return output;
  return Object.fromEntries(Object.entries(output).filter(([k]) => k !== "$metadata").map(([k, v]) => [k, toBase64Binary(v)]));
};

export function sdkClient(endpoint: string): sdk.SQSClient {
  return new sdk.SQSClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

export function sdkDriver(endpoint: string): SqsDriver {
  return sdkDriverFor("@aws-sdk/client-sqs v3 (JSON protocol)", "json", sdk, sdkClient(endpoint));
}

/** A driver over an AWS SDK v3 client, running `<Operation>Command`s of its package (SNS reuses it). */
export function sdkDriverFor(label: string, protocol: "query" | "json", commands: object, client: { send(command: never): Promise<unknown>; destroy(): void }): SqsDriver {
  return {
    label,
    protocol,
    binary: true,
    async call(operation, input = {}) {
      const Command = (commands as Record<string, new (input: unknown) => unknown>)[`${operation}Command`]!;
      try {
        return toBase64Binary(await client.send(new Command(fromBase64Binary(input)) as never)) as never;
      } catch (err) {
        const e = err as { Code?: string; name: string; message: string };
        throw new SqsCallError(e.Code ?? e.name, e.message, err);
      }
    },
    close: () => client.destroy(),
  };
}

const BOTO3_WORKER = String.raw`
import base64, json, os, sys
import boto3, botocore
from botocore import xform_name
from botocore.config import Config
client = boto3.client(sys.argv[2], endpoint_url=sys.argv[1], region_name=os.environ["AWS_DEFAULT_REGION"], config=Config(retries={"max_attempts": 1}, read_timeout=60))
def dec(v, key=None):
    if key == "BinaryValue" and isinstance(v, str): return base64.b64decode(v)
    if isinstance(v, dict): return {k: dec(x, k) for k, x in v.items()}
    if isinstance(v, list): return [dec(x) for x in v]
    return v
def enc(v):
    if isinstance(v, (bytes, bytearray)): return base64.b64encode(v).decode()
    if hasattr(v, "isoformat"): return v.isoformat()
    if isinstance(v, dict): return {k: enc(x) for k, x in v.items()}
    if isinstance(v, list): return [enc(x) for x in v]
    return v
for line in sys.stdin:
    req = json.loads(line)
    try:
        out = getattr(client, xform_name(req["op"]))(**dec(req["input"]))
        out.pop("ResponseMetadata", None)
        res = {"ok": enc(out)}
    except botocore.exceptions.ClientError as e:
        res = {"error": {"code": e.response["Error"].get("Code", "?"), "message": e.response["Error"].get("Message", "")}}
    except Exception as e:
        res = {"error": {"code": type(e).__name__, "message": str(e)}}
    print(json.dumps(res), flush=True)
`;

/** Can /usr/bin/python3 import boto3? Returns its version, or undefined. */
export function boto3Version(): string | undefined {
  try {
    return execFileSync("/usr/bin/python3", ["-c", "import boto3; print(boto3.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 20_000 }).trim();
  } catch {
    return undefined;
  }
}

/** boto3 in one long-lived Python process: one JSON line per call each way, calls in order (`service`: SNS reuses it). */
export function boto3Driver(endpoint: string, service = "sqs"): SqsDriver {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const child: ChildProcess = spawn("/usr/bin/python3", ["-c", BOTO3_WORKER, endpoint, service], { env, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  let chain: Promise<unknown> = Promise.resolve();
  return {
    label: "boto3 (query protocol)",
    protocol: "query",
    binary: true,
    call(operation, input = {}) {
      const run = async () => {
        const answer = new Promise<string>((resolve) => waiting.push(resolve));
        child.stdin!.write(`${JSON.stringify({ op: operation, input })}\n`);
        const res = JSON.parse(await answer) as { ok?: any; error?: { code: string; message: string } };
        if (res.error) throw new SqsCallError(res.error.code, res.error.message);
        return res.ok;
      };
      const next = chain.then(run, run);
      chain = next.catch(() => undefined);
      return next;
    },
    close: () => {
      child.stdin!.end();
      child.kill();
    },
  };
}
