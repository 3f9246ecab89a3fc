/**
 * What IAM enforcement costs on the hot paths (issue 14: ≤ 5% on warm invoke p50 and on SQS
 * SendMessage throughput): one data dir, prepared once, served in turn with `--iam enforce` and
 * `--iam off` (rounds in ABBA order: enforce, off, off, enforce, …), each round a fresh server on
 * the same data. The caller is an IAM principal holding 10 customer managed policies of 20
 * statements each, with conditions; the statement that allows `lambda:InvokeFunction` on the
 * benchmark function and `sqs:SendMessage` on the queue is the last policy's last but one, and
 * many statements before it name the same actions on other resources or under conditions that do
 * not hold, so a decision scans most of them.
 *
 * The caller is an IAM user (CreateUser, AttachUserPolicy, CreateAccessKey) unless
 * `BENCH_IAM_PRINCIPAL=role`: then a session of a role holding the same 10 policies, from STS
 * AssumeRole by that user (the role's trust policy names the user), for when Flint has STS.
 *
 * Each round measures, next to a bare Node echo server sampled in the same round with the same
 * client: warm invoke latency over `BENCH_IAM_INVOKES` (1000) sequential invokes, and SQS
 * SendMessage (JSON protocol) requests per second over `BENCH_IAM_SECONDS` (3) with
 * `BENCH_IAM_CLIENTS` (4) concurrent clients; each with the AWS SDK for JavaScript v3
 * (@aws-sdk/client-lambda, @aws-sdk/client-sqs) and with the benchmarks' light client
 * (`lib/client.ts`), whose own cost hides less of the server's. `BENCH_IAM_ROUNDS` (4) rounds per
 * mode. Servers run with `--sandbox none`, as `ab.ts`'s do.
 * Run: `npm run build && node dist/bench/iam-ab.js`.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ACCOUNT, REGION, ROOT, TEST_CREDENTIALS, type FlintProcess, startFlint } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { ALLOW_AT, BENCH_TAGS, benchPolicy } from "./lib/iam-policies.js";
import { summarize, table } from "./lib/stats.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PRINCIPAL = process.env.BENCH_IAM_PRINCIPAL === "role" ? "role" : "user";
const ROUNDS = Number(process.env.BENCH_IAM_ROUNDS ?? 4);
const INVOKES = Number(process.env.BENCH_IAM_INVOKES ?? 1000);
const SECONDS = Number(process.env.BENCH_IAM_SECONDS ?? 3);
const CLIENTS = Number(process.env.BENCH_IAM_CLIENTS ?? 4);
const WARMUP = 200;
/** A directory: each round's server writes a V8 CPU profile there (lib/cpu-profile.cjs), named by mode and pid. */
const PROFILE = process.env.BENCH_IAM_PROFILE;
const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
const FUNCTION = "bench-iam-echo";
const QUEUE = "bench-iam";
const USER = "bench-caller";
const ROLE_NAME = "bench-worker";
const BENCH_RESOURCES = { account: ACCOUNT, region: REGION, functionName: FUNCTION, queueName: QUEUE };
interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The principal, its 10 policies, the function and the queue; returns the user's access key. */
async function prepare(flint: FlintProcess): Promise<Creds> {
  const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const sqs = new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  try {
    const arns: string[] = [];
    for (let p = 0; p < 10; p++) {
      const document = benchPolicy(p, BENCH_RESOURCES);
      const out = await iam.send(new CreatePolicyCommand({ PolicyName: `bench-policy-${p}`, PolicyDocument: document }));
      arns.push(out.Policy!.Arn!);
    }
    const tags = Object.entries(BENCH_TAGS).map(([Key, Value]) => ({ Key, Value }));
    const user = await iam.send(new CreateUserCommand({ UserName: USER, Tags: tags }));
    for (const arn of arns) await iam.send(new AttachUserPolicyCommand({ UserName: USER, PolicyArn: arn }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: user.User!.Arn! }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };
    await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: JSON.stringify(trust), Tags: tags }));
    for (const arn of arns) await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: arn }));
    const assume = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }] };
    await iam.send(new PutUserPolicyCommand({ UserName: USER, PolicyName: "assume-bench-worker", PolicyDocument: JSON.stringify(assume) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: USER }));
    await createFunction(flint, await zipFixture("nodejs"), "echo.handler", { FunctionName: FUNCTION, MemorySize: 1769 });
    await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
    sqs.destroy();
  }
}

/** A session of the role, from STS AssumeRole signed by the user (needs Flint's STS). */
async function assumeRole(endpoint: string, user: Creds): Promise<Creds> {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ endpoint, region: REGION, credentials: user, maxAttempts: 1 });
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`, RoleSessionName: "bench", DurationSeconds: 3600 }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } finally {
    sts.destroy();
  }
}

/** The clients of one target (a Flint server or the bare echo), all signed by `creds`. */
interface Clients {
  lambda: LambdaClient;
  sqs: SQSClient;
  rawLambda: SignedClient;
  rawSqs: SignedClient;
  queueUrl: string;
  close(): void;
}

function clients(port: number, creds: Creds): Clients {
  const endpoint = `http://127.0.0.1:${port}`;
  // Flint finds the queue by the URL's path; the SDK may send to the URL's host, so it is this target's.
  const queueUrl = `${endpoint}/${ACCOUNT}/${QUEUE}`;
  // md5: false: the echo answers without MD5OfMessageBody; the client does the same work for both.
  const lambda = new LambdaClient({ endpoint, region: REGION, credentials: creds, maxAttempts: 1 });
  const sqs = new SQSClient({ endpoint, region: REGION, credentials: creds, maxAttempts: 1, md5: false });
  const t: Target = { host: "127.0.0.1", port, ...creds, region: REGION };
  const rawLambda = new SignedClient(t, CLIENTS);
  const rawSqs = new SignedClient(t, CLIENTS, "sqs");
  return {
    lambda,
    sqs,
    rawLambda,
    rawSqs,
    queueUrl,
    close() {
      lambda.destroy();
      sqs.destroy();
      rawLambda.close();
      rawSqs.close();
    },
  };
}

type Op = () => Promise<void>;

function ops(c: Clients): { sdkInvoke: Op; rawInvoke: Op; sdkSend: Op; rawSend: Op } {
  const invokePath = `/2015-03-31/functions/${FUNCTION}/invocations`;
  const json = Buffer.from(JSON.stringify({ QueueUrl: c.queueUrl, MessageBody: "hello" }));
  const sqsHeaders = { "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" };
  const ok = (what: string) => (r: { status: number; body: Buffer }) => {
    if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${String(r.body).slice(0, 300)}`);
  };
  return {
    sdkInvoke: async () => {
      const out = await c.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: PAYLOAD }));
      if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke: ${out.StatusCode} ${out.FunctionError}`);
    },
    rawInvoke: () => c.rawLambda.post(invokePath, PAYLOAD).then(ok("invoke")),
    sdkSend: async () => {
      await c.sqs.send(new SendMessageCommand({ QueueUrl: c.queueUrl, MessageBody: "hello" }));
    },
    rawSend: () => c.rawSqs.post("/", json, sqsHeaders).then(ok("SendMessage")),
  };
}

/** Latencies (ms) of `n` sequential calls. */
async function sequential(op: Op, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  return ms;
}

/** Calls per second of `CLIENTS` concurrent loops of `op` for `SECONDS`. */
async function throughput(op: Op): Promise<number> {
  let done = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        await op();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

type Mode = "enforce" | "off";
const MEASURES = ["sdkInvoke", "rawInvoke", "sdkSend", "rawSend"] as const;

interface RoundResult {
  mode: Mode;
  flint: { sdkInvoke: number[]; rawInvoke: number[]; sdkSend: number; rawSend: number };
  echo: { sdkInvoke: number[]; rawInvoke: number[]; sdkSend: number; rawSend: number };
  load: number;
}

async function round(mode: Mode, dataDir: string, creds: Creds, echoPort: number): Promise<RoundResult> {
  const load = loadavg()[0]!;
  const env = PROFILE ? { NODE_OPTIONS: `--require ${path.join(ROOT, "bench/lib/cpu-profile.cjs")}`, BENCH_CPU_PROFILE_DIR: PROFILE, BENCH_CPU_PROFILE_NAME: mode } : undefined;
  const flint = await startFlint({ dataDir, args: ["--sandbox", "none", "--iam", mode], executionRole: false, ...(env ? { env } : {}) });
  const f = clients(flint.port, creds);
  const e = clients(echoPort, creds);
  try {
    // The mode is in force: the principal may not read the function's configuration under enforce.
    const denied = await f.lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION })).then(
      () => false,
      (err: Error) => {
        if (err.name !== "AccessDeniedException") throw err;
        return true;
      },
    );
    if (denied !== (mode === "enforce")) throw new Error(`--iam ${mode}: GetFunction by the principal was ${denied ? "denied" : "allowed"}`);
    const fo = ops(f);
    const eo = ops(e);
    for (const o of [fo, eo]) for (const m of MEASURES) await sequential(o[m], WARMUP);
    const flintR = { sdkInvoke: await sequential(fo.sdkInvoke, INVOKES), rawInvoke: [] as number[], sdkSend: 0, rawSend: 0 };
    const echoR = { sdkInvoke: await sequential(eo.sdkInvoke, INVOKES), rawInvoke: [] as number[], sdkSend: 0, rawSend: 0 };
    flintR.rawInvoke = await sequential(fo.rawInvoke, INVOKES);
    echoR.rawInvoke = await sequential(eo.rawInvoke, INVOKES);
    flintR.sdkSend = await throughput(fo.sdkSend);
    echoR.sdkSend = await throughput(eo.sdkSend);
    flintR.rawSend = await throughput(fo.rawSend);
    echoR.rawSend = await throughput(eo.rawSend);
    return { mode, flint: flintR, echo: echoR, load };
  } finally {
    f.close();
    e.close();
    await flint.stop();
  }
}

async function main() {
  const started = performance.now();
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
  const dataDir = mkdtempSync(path.join(tmpdir(), "flint-iam-ab-"));
  const echo = spawn(process.execPath, [path.join(HERE, "baseline-echo.js")], { stdio: ["ignore", "pipe", "inherit"], env: { PATH: "/usr/bin:/bin" } });
  const echoPort = await new Promise<number>((resolve) => echo.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  try {
    // Prepared once, by the root, on a server whose IAM is enforced (as a user's would be).
    const setup = await startFlint({ dataDir, args: ["--sandbox", "none", "--iam", "enforce"] });
    let creds: Creds;
    try {
      const user = await prepare(setup);
      creds =
        PRINCIPAL === "role"
          ? await assumeRole(setup.endpoint, user).catch((err: Error) => {
              throw new Error(`BENCH_IAM_PRINCIPAL=role needs STS AssumeRole in this build: ${err.name}: ${err.message}`);
            })
          : user;
    } finally {
      await setup.stop();
    }
    const principal = PRINCIPAL === "role" ? `a session of role ${ROLE_NAME} (STS AssumeRole by user ${USER})` : `IAM user ${USER}`;
    const results: RoundResult[] = [];
    // One round of each mode first, not counted: the first server started on the data dir, and the
    // first round's echo, ran far slower than any later one (page cache, JIT of the clients).
    for (const mode of ["enforce", "off"] as const) await round(mode, dataDir, creds, echoPort);
    // ABBA: enforce, off, off, enforce, …: a drift in the host's speed falls on both alike.
    for (let r = 0; r < ROUNDS; r++) {
      const order: Mode[] = r % 2 === 0 ? ["enforce", "off"] : ["off", "enforce"];
      for (const mode of order) {
        const res = await round(mode, dataDir, creds, echoPort);
        results.push(res);
        console.error(
          `round ${r + 1} ${mode}: invoke p50 sdk ${summarize(res.flint.sdkInvoke).p50.toFixed(3)} ms raw ${summarize(res.flint.rawInvoke).p50.toFixed(3)} ms; SendMessage sdk ${res.flint.sdkSend.toFixed(0)}/s raw ${res.flint.rawSend.toFixed(0)}/s; echo raw p50 ${summarize(res.echo.rawInvoke).p50.toFixed(3)} ms; load ${res.load.toFixed(2)}`,
        );
      }
    }
    console.log(report(results, principal, `${head}${dirty ? "+" : ""}`, (performance.now() - started) / 1000));
  } finally {
    echo.kill();
    if (!process.env.BENCH_IAM_KEEP) rmSync(dataDir, { recursive: true, force: true });
    else console.error(`data dir kept: ${dataDir}`);
  }
}

function report(results: RoundResult[], principal: string, build: string, seconds: number): string {
  const of = (mode: Mode) => results.filter((r) => r.mode === mode);
  const median = (xs: number[]) => summarize(xs).p50;
  const pooled = (rs: RoundResult[], side: "flint" | "echo", m: "sdkInvoke" | "rawInvoke") => summarize(rs.flatMap((r) => r[side][m]));
  const rate = (rs: RoundResult[], side: "flint" | "echo", m: "sdkSend" | "rawSend") => rs.map((r) => r[side][m]);
  const rows: (string | number)[][] = [];
  const ratios: Record<string, number> = {};
  for (const [client, inv, send] of [
    ["AWS SDK v3", "sdkInvoke", "sdkSend"],
    ["light client", "rawInvoke", "rawSend"],
  ] as const) {
    for (const mode of ["enforce", "off"] as const) {
      const lat = pooled(of(mode), "flint", inv);
      const rps = rate(of(mode), "flint", send);
      rows.push([client, `Flint --iam ${mode}`, lat.p50, lat.p99, median(rps), Math.min(...rps), Math.max(...rps)]);
    }
    const e = pooled(of("enforce"), "flint", inv);
    const o = pooled(of("off"), "flint", inv);
    const er = median(rate(of("enforce"), "flint", send));
    const or = median(rate(of("off"), "flint", send));
    ratios[`${client} invoke p50`] = e.p50 / o.p50;
    ratios[`${client} SendMessage req/s`] = er / or;
    rows.push([client, "ratio enforce / off", e.p50 / o.p50, e.p99 / o.p99, er / or, "", ""]);
    for (const mode of ["enforce", "off"] as const) {
      const lat = pooled(of(mode), "echo", inv);
      const rps = rate(of(mode), "echo", send);
      rows.push([client, `bare Node echo (in the ${mode} rounds)`, lat.p50, lat.p99, median(rps), Math.min(...rps), Math.max(...rps)]);
    }
  }
  const verdicts: (string | number)[][] = Object.entries(ratios).map(([what, ratio]) => {
    const cost = what.endsWith("req/s") ? 1 - ratio : ratio - 1;
    return [what, ratio, `${(cost * 100).toFixed(1)}%`, cost <= 0.05 ? "yes" : "**no**"];
  });
  const perRound: (string | number)[][] = results.map((r, i) => [
    i + 1,
    r.mode,
    summarize(r.flint.sdkInvoke).p50,
    summarize(r.flint.rawInvoke).p50,
    r.flint.sdkSend,
    r.flint.rawSend,
    summarize(r.echo.rawInvoke).p50,
    r.echo.rawSend,
    r.load,
  ]);
  return [
    `build ${build}; caller: ${principal}, holding 10 customer managed policies × 20 statements with conditions (the allowing statement: policy ${ALLOW_AT.policy + 1}, statement ${ALLOW_AT.statement + 1}); ${ROUNDS} rounds per mode in ABBA order, a fresh server (--sandbox none) on the same data dir each round; ${INVOKES} sequential warm invokes and ${SECONDS} s of SendMessage (JSON protocol) by ${CLIENTS} concurrent clients per round, after one uncounted warm-up round of each mode; ${seconds.toFixed(0)} s in all`,
    "",
    table(
      "Warm invoke latency (sequential, samples pooled over the rounds) and SQS SendMessage throughput (median round)",
      ["client", "target", "invoke p50 ms", "invoke p99 ms", "SendMessage req/s", "min", "max"],
      rows,
    ),
    table("Enforcement's cost (issue 14: ≤ 5%)", ["measure", "enforce / off", "cost", "within 5%"], verdicts),
    table(
      "Per round",
      ["round", "mode", "SDK invoke p50 ms", "light invoke p50 ms", "SDK SendMessage req/s", "light SendMessage req/s", "echo light p50 ms", "echo light req/s", "load (1 min) at start"],
      perRound,
    ),
  ].join("\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
