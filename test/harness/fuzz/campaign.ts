/**
 * Sending the fuzz requests with bounded concurrency, counting answers, collecting failures by
 * class (the first few of each, with their bytes), shrinking each example to the fewest mutations
 * that still fail the same way, and writing the report.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { exchange, type Exchanged, type HttpAnswer } from "../raw-http.js";
import { judge, type Finding } from "./judge.js";
import { describe, excerpt } from "./mutation.js";
import { label, type Targets } from "./operations.js";
import { build, type Built, type FuzzRequest } from "./requests.js";
import { answerLabel } from "./shapes.js";

export interface CampaignOptions {
  port: number;
  targets: Targets;
  concurrency: number;
  /** How long an exchange may take before it counts as a hang. */
  boundMs: number;
  /** Stop sending new requests after this many hangs: each costs `boundMs`. */
  maxHangs: number;
  /** Examples kept per failure class (one per distinct set of mutations). */
  examplesPerClass: number;
}

export interface Example {
  req: FuzzRequest;
  what: string;
  sent: string;
  answer: string;
  /** Indexes of the mutations that are enough to fail this way, once shrunk. */
  minimal?: number[];
}

export interface FailureClass {
  key: string;
  count: number;
  examples: Example[];
}

export interface Campaign {
  sent: number;
  stoppedEarly?: string;
  byProtocol: Record<string, number>;
  byStatus: Record<string, number>;
  byService: Record<string, number>;
  classes: Map<string, FailureClass>;
  /** The slowest exchanges: how long, and which request. */
  slowest: { ms: number; req: FuzzRequest }[];
  /** The test's own longest stall: a hang is only the server's if this stayed well under the bound. */
  clientStallMs: number;
}

export interface Sent {
  built: Built;
  exchanged: Exchanged;
  findings: Finding[];
}

export async function send(req: FuzzRequest, opts: Pick<CampaignOptions, "port" | "targets" | "boundMs">, keep?: ReadonlySet<number>): Promise<Sent> {
  const built = await build(req, opts.targets, keep);
  const exchanged = await exchange(opts.port, built.bytes, {
    end: built.wire.end,
    answers: built.pipelined ? 2 : 1,
    noBody: (i) => i === 0 && /^HEAD /.test(built.wire.requestLine),
    boundMs: opts.boundMs,
  });
  return { built, exchanged, findings: judge(req, built, exchanged) };
}

/** The bytes of a request for a report: the head, and the start of the body. */
export function sentText(built: Built): string {
  const bytes = built.bytes.toString("latin1");
  const end = bytes.indexOf("\r\n\r\n");
  const head = end < 0 ? bytes : bytes.slice(0, end + 4);
  const lines = head.split("\r\n").map((l) => excerpt(l, 200));
  const body = end < 0 ? "" : bytes.slice(end + 4);
  return `${lines.join("\n      ")}${body ? `\n      ${excerpt(body, 300)}` : ""}`;
}

const answerText = (a: HttpAnswer | undefined, ex: Exchanged) =>
  a ? `${a.status} ${answerLabel(a)} ${excerpt(a.body.toString("utf8"), 240)}` : `no answer (${ex.ending}, ${ex.received} bytes received)`;

export async function runCampaign(requests: FuzzRequest[], opts: CampaignOptions): Promise<Campaign> {
  const c: Campaign = { sent: 0, byProtocol: {}, byStatus: {}, byService: {}, classes: new Map(), slowest: [], clientStallMs: 0 };
  const stalls = monitorEventLoopDelay({ resolution: 20 });
  stalls.enable();
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  let hangs = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests.length && !c.stoppedEarly) {
      const req = requests[next++]!;
      const sentAt = Date.now();
      const { built, exchanged, findings } = await send(req, opts);
      c.slowest = [...c.slowest, { ms: Date.now() - sentAt, req }].sort((a, b) => b.ms - a.ms).slice(0, 5);
      c.sent++;
      bump(c.byProtocol, built.expected.length === 3 ? "any" : built.expected.join(" or "));
      bump(c.byService, label(req.op).split(" ")[0]!);
      bump(c.byStatus, exchanged.answers[0] ? String(exchanged.answers[0].status) : exchanged.ending);
      for (const f of findings) {
        let cls = c.classes.get(f.key);
        if (!cls) c.classes.set(f.key, (cls = { key: f.key, count: 0, examples: [] }));
        cls.count++;
        const set = req.mutations.map((m) => m.name).join("+");
        if (cls.examples.length < opts.examplesPerClass && !cls.examples.some((e) => e.req.mutations.map((m) => m.name).join("+") === set)) {
          cls.examples.push({ req, what: f.what, sent: sentText(built), answer: answerText(exchanged.answers[0], exchanged) });
        }
        if (f.key.startsWith("hang") && ++hangs >= opts.maxHangs) c.stoppedEarly = `${hangs} hangs of ${opts.boundMs} ms each`;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  stalls.disable();
  c.clientStallMs = Math.round(stalls.max / 1e6);
  return c;
}

/**
 * Shrink each example: drop its mutations one at a time while it still fails in the same class.
 * Hangs are left whole (each try would cost the whole bound). At most `budget` requests in all.
 */
export async function shrink(c: Campaign, opts: CampaignOptions, budget: number): Promise<void> {
  for (const cls of c.classes.values()) {
    if (cls.key.startsWith("hang")) continue;
    for (const e of cls.examples) {
      let keep = e.req.mutations.map((_, i) => i);
      for (const i of [...keep]) {
        if (budget-- <= 0) return;
        const trial = keep.filter((k) => k !== i);
        const { findings, built, exchanged } = await send(e.req, opts, new Set(trial));
        if (findings.some((f) => f.key === cls.key)) {
          keep = trial;
          e.sent = sentText(built);
          e.answer = answerText(exchanged.answers[0], exchanged);
        }
      }
      e.minimal = keep;
    }
  }
}

/** How to send one request again: `FLINT_FUZZ_ONLY=<index>` or `<index>:<mutation indexes>`. */
export const reproduce = (seed: number, e: Example) =>
  `FLINT_FUZZ_SEED=${seed} FLINT_FUZZ_ONLY=${e.req.index}${e.minimal && e.minimal.length < e.req.mutations.length ? `:${e.minimal.join(",") || "-"}` : ""} node scripts/run-tests.mjs fuzz.test`;

export function summary(c: Campaign, seed: number, ms: number): string {
  const line = (m: Record<string, number>) =>
    Object.entries(m)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  return [
    `seed ${seed} (set FLINT_FUZZ_SEED to replay), ${c.sent} requests in ${(ms / 1000).toFixed(1)} s${c.stoppedEarly ? `, stopped early: ${c.stoppedEarly}` : ""}`,
    `by service: ${line(c.byService)}`,
    `by expected protocol: ${line(c.byProtocol)}`,
    `by status: ${line(c.byStatus)}`,
    `the test process's longest event-loop stall: ${c.clientStallMs} ms (a hang is the server's only if this stayed well under the wait)`,
    `slowest: ${c.slowest.map(({ ms, req }) => `#${req.index} ${label(req.op)} + ${req.mutations.map(describe).join(" + ") || "nothing"} ${ms} ms`).join("; ")}`,
  ].join("\n");
}

export function failureReport(c: Campaign, seed: number): string {
  const classes = [...c.classes.values()].sort((a, b) => b.count - a.count);
  const out = [`${classes.length} failure classes:`];
  for (const cls of classes) {
    out.push(`\n● ${cls.key} — ${cls.count} requests`);
    const seen = new Set<string>();
    for (const e of cls.examples) {
      const kept = e.minimal ?? e.req.mutations.map((_, i) => i);
      const what = `${label(e.req.op)}${e.req.real ? " (real resources)" : ""}${kept.length ? ` + ${kept.map((i) => describe(e.req.mutations[i]!)).join(" + ")}` : ", unmutated"}`;
      const shape = `${label(e.req.op).split(" ")[0]} ${kept.map((i) => e.req.mutations[i]!.name).join("+")}`;
      // After shrinking, examples that came down to the same mutations are one example.
      if (seen.has(shape)) continue;
      seen.add(shape);
      out.push(`  #${e.req.index} ${what}${kept.length < e.req.mutations.length ? " (shrunk)" : ""}`, `    ${e.what}`, `    reproduce: ${reproduce(seed, e)}`, `    sent: ${e.sent}`, `    got:  ${e.answer}`);
    }
  }
  return out.join("\n");
}
