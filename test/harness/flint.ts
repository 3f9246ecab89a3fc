/**
 * Start a real `flint serve` on a free loopback port, as a user would, and talk to it with the real
 * AWS CLI v2 and the AWS SDK for JavaScript v3.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { PATIENCE_MS } from "./processes.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = path.join(ROOT, "dist/src/cli/main.js");
/** The AWS CLI v2 from Debian's `awscli` package (the `aws` first on PATH is the image's CLI v1). */
export const AWS_CLI_V2 = "/usr/bin/aws";

/** What a client signs with: an access key and its secret, and a temporary key's session token. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const TEST_CREDENTIALS = { accessKeyId: "AKIAFLINTTESTKEY0001", secretAccessKey: "flint-test-secret-key-0000000000000000000" };
export const REGION = "us-east-1";
export const ACCOUNT = "000000000000";

export interface FlintProcess {
  endpoint: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  lambda: LambdaClient;
  /** Run the AWS CLI v2 against this server; resolves with exit code and output, never rejects. */
  aws(args: string[], opts?: { input?: string }): Promise<CliResult>;
  /** Graceful stop (SIGTERM), keeping the data dir unless `cleanup`. */
  stop(opts?: { cleanup?: boolean }): Promise<number | null>;
  kill9(): Promise<void>;
  /** A terminal's Ctrl-C: SIGINT to the server's whole process group (needs `ownProcessGroup`); resolves with its exit code. */
  interrupt(): Promise<number | null>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Start the server in a process group of its own, as a shell runs a foreground command. */
  ownProcessGroup?: boolean;
  /** Run the server as this unprivileged uid, in these delegated groups (cgroup.procs files). */
  asUser?: { uid: number; procs: string[] };
  /** The CLI to run (another build's `dist/src/cli/main.js`, for A/B benchmarks); default this build's. */
  cli?: string;
  /** False: do not create the test execution role (`ROLE`) once the server listens. */
  executionRole?: false;
}

/** The environment a user's shell would have, minus any FLINT_* and AWS_* settings of this machine. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("FLINT_") && !k.startsWith("AWS_")) env[k] = v;
  return { ...env, ...extra };
}

export async function startFlint(opts: StartOptions = {}): Promise<FlintProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(tmpdir(), "flint-test-")));
  const serve = [process.execPath, opts.cli ?? CLI, "serve", "--port", "0", "--data-dir", dataDir, ...(opts.args ?? [])];
  // As another user: a shell joins the delegated groups, then becomes the server through setpriv.
  const user = opts.asUser;
  // A test file that the runner ends (a timeout) must not leave its server running: the server gets
  // SIGTERM, and shuts down cleanly, when this process dies (setpriv execs it, keeping its pid).
  const argv = user
    ? ["/bin/sh", "-c", `for f in ${user.procs.map((p) => `'${p}'`).join(" ")}; do echo $$ > "$f"; done; exec "$@"`, "sh", "/usr/bin/setpriv", `--reuid=${user.uid}`, `--regid=${user.uid}`, "--clear-groups", "--pdeathsig", "SIGTERM", "--", ...serve]
    : ["/usr/bin/setpriv", "--pdeathsig", "SIGTERM", "--", ...serve];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: cleanEnv({
      FLINT_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      FLINT_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      ...(user ? { HOME: dataDir } : {}),
      ...opts.env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.ownProcessGroup ?? false,
  });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const listening = new Promise<string>((resolve, reject) => {
    // A server prints its address once it has recovered what the last run left (async events, SNS
    // deliveries): on a loaded host with a couple of thousand of those, well over 20 s.
    const timer = setTimeout(() => reject(new Error(`flint did not start within ${PATIENCE_MS} ms:\n${out}`)), PATIENCE_MS);
    const onData = () => {
      const m = /Flint listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`flint exited with ${code} before listening:\n${out}`));
    });
  });
  // A server that never listened leaves nothing behind: not its process, not the data dir made for it.
  const endpoint = await listening.catch(async (err: unknown) => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    }
    if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  const port = Number(new URL(endpoint).port);
  const lambda = new LambdaClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  if (opts.executionRole !== false) await ensureTestRole(endpoint);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  return {
    endpoint,
    port,
    dataDir,
    child,
    output: () => out,
    lambda,
    aws: (args, o) => runAwsCli(endpoint, args, o?.input),
    async stop({ cleanup = true } = {}) {
      lambda.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const code = await exited;
      if (cleanup && !opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
    async kill9() {
      lambda.destroy();
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    async interrupt() {
      if (!opts.ownProcessGroup) throw new Error("interrupt() needs a server started with ownProcessGroup");
      lambda.destroy();
      process.kill(-child.pid!, "SIGINT");
      return exited;
    },
  };
}

/** What an AWS client run by a test sees: these credentials, and no config file or instance metadata to fall back on. */
export function awsClientEnv(credentials: Credentials = TEST_CREDENTIALS): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

export function runAwsCli(endpoint: string, args: string[], input?: string, credentials: Credentials = TEST_CREDENTIALS): Promise<CliResult> {
  return runCli(AWS_CLI_V2, endpoint, args, input, credentials);
}

/** Run an AWS CLI (`cli` is its path: the v2 above, or a v1 found on PATH) against `endpoint`, with `credentials` (temporary ones with their token). */
export function runCli(cli: string, endpoint: string, args: string[], input?: string, credentials: Credentials = TEST_CREDENTIALS): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cli,
      ["--endpoint-url", endpoint, "--region", REGION, "--output", "json", ...args],
      {
        env: cleanEnv({ ...awsClientEnv(credentials), AWS_PAGER: "" }),
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

export const ROLE = `arn:aws:iam::${ACCOUNT}:role/flint-test`;

/** The trust policy of an execution role, as AWS's Lambda tutorials write it. */
export const LAMBDA_TRUST_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/**
 * The execution role the tests' functions use (`ROLE`), made as AWS's tutorials make one: a role
 * Lambda may assume, with AWSLambdaBasicExecutionRole attached and an inline policy for the
 * destinations and dead-letter targets the tests send to. Kept if it exists (a restarted data dir).
 */
export async function ensureTestRole(endpoint: string): Promise<void> {
  const iam = new IAMClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  try {
    try {
      await iam.send(new CreateRoleCommand({ RoleName: "flint-test", AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    } catch (err) {
      if ((err as Error).name === "EntityAlreadyExistsException") return;
      throw err;
    }
    await iam.send(new AttachRolePolicyCommand({ RoleName: "flint-test", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }));
    const destinations = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"], Resource: "*" }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: "flint-test", PolicyName: "destinations", PolicyDocument: JSON.stringify(destinations) }));
  } finally {
    iam.destroy();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
