/**
 * For tests that attack the sandbox from inside a function: the hostile `escape` fixture in each
 * runtime, a healthy bystander that must keep answering, and views of the host the function must
 * not be able to touch.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { test, type TestContext } from "node:test";
import type { CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import type { FlintProcess } from "./flint.js";
import { createFunction, invoke, type Invoked } from "./functions.js";
import { zipFixture } from "./zip.js";

/** The runtimes whose `escape` fixture speaks the same actions. */
export const HOSTILE_RUNTIMES = [
  { label: "Node.js", runtime: "nodejs20.x", fixture: "nodejs" },
  { label: "Python", runtime: "python3.12", fixture: "python" },
] as const;
export type HostileRuntime = (typeof HOSTILE_RUNTIMES)[number];

/**
 * A test that only means something under strict isolation; elsewhere it is skipped with the reason
 * the server gives (its /_flint/health `isolation`). `arena` is read when the test runs.
 */
export function sandboxTest(name: string, arena: () => Arena, fn: (t: TestContext) => Promise<void>): void {
  test(name, async (t) => {
    const { isolation, layout } = arena();
    if (isolation !== "strict") return t.skip(`the server's isolation is '${isolation}' (/_flint/health), not 'strict': functions are not sandboxed here`);
    t.diagnostic(`cgroup layout: ${layout}`);
    await fn(t);
  });
}

/** One hostile function per runtime and a healthy echo function, created once per server. */
export class Arena {
  private readonly zips = new Map<string, Buffer>();
  echo = "";
  isolation = "unknown";
  /** The host's cgroup layout, as the server names it. */
  layout = "unknown";

  constructor(readonly flint: FlintProcess) {}

  async start(): Promise<this> {
    const health = await (await fetch(`${this.flint.endpoint}/_flint/health`)).json();
    this.isolation = health.isolation;
    this.layout = health.limits.layout;
    this.echo = await createFunction(this.flint, await this.zip("nodejs"), "echo.handler");
    return this;
  }

  async zip(fixture: string): Promise<Buffer> {
    if (!this.zips.has(fixture)) this.zips.set(fixture, await zipFixture(fixture));
    return this.zips.get(fixture)!;
  }

  /** A new `escape` function of this runtime. */
  async hostile(rt: HostileRuntime, opts: Partial<CreateFunctionCommandInput> = {}): Promise<string> {
    return createFunction(this.flint, await this.zip(rt.fixture), "escape.handler", { runtime: rt.runtime, ...opts });
  }

  /** Invoke an `escape` action (with the log tail, for evidence when it fails). */
  act(name: string, action: string, args: Record<string, unknown> = {}): Promise<Invoked> {
    return invoke(this.flint, name, { action, ...args }, { tail: true });
  }

  /** The echo function answers its own payload, correctly. */
  async assertHealthy(): Promise<void> {
    const token = randomUUID();
    const r = await invoke(this.flint, this.echo, { token });
    assert.equal(r.functionError, undefined, `echo failed: ${r.raw}`);
    assert.deepEqual(r.payload, { token }, "the healthy function answers correctly");
  }

  /** Run an attack while the healthy function keeps being invoked, and once more right after. */
  async whileServing<T>(attack: () => Promise<T>): Promise<T> {
    let attacking = true;
    const echoes = (async () => {
      while (attacking) await this.assertHealthy();
    })();
    echoes.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    try {
      return await attack();
    } finally {
      attacking = false;
      await echoes;
      await this.assertHealthy();
    }
  }
}

/** The errorType of a failed invocation's payload (asserting it did fail). */
export function errorTypeOf(r: Invoked): string {
  assert.equal(r.functionError, "Unhandled", `expected a function error, got ${r.raw}\n${r.log ?? ""}`);
  return r.payload.errorType;
}

/** Host pids of processes running as `uid` (sandbox uids are unique per live environment). */
export function hostPidsOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readFileSync(`/proc/${entry}/status`, "utf8"))) out.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** Resident memory of a host process, in MB. */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/** Loopback TCP ports a host process listens on (its sockets' inodes, found in /proc/net/tcp). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[3] === "0A" && inodes.has(f[9]!))
    .map((f) => parseInt(f[1]!.split(":")[1]!, 16));
}
