/**
 * A fuzz test of the request path: a few thousand requests to every Lambda, SQS (both protocols)
 * and SNS operation, and to services Flint does not implement, each a valid signed request with
 * up to three mutations (test/harness/fuzz/), sent on raw sockets eight at a time to one real
 * `flint serve` holding a small fixed state. Every answer must be a 2xx/3xx/4xx in the shape the
 * request's client expects, every connection answered or closed within PATIENCE_MS, no request
 * that must be refused accepted, the state the same afterwards, and the server up and healthy.
 *
 * The seed is fixed and printed; FLINT_FUZZ_SEED replays another, FLINT_FUZZ_COUNT changes how
 * many requests are drawn, FLINT_FUZZ_ONLY="<index>[:<mutation indexes>|:-] …" sends only those
 * (with only those of their mutations) and prints each exchange in full.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { type Campaign, failureReport, runCampaign, send, sentText, shrink, summary } from "../harness/fuzz/campaign.js";
import { describe as describeMutation, excerpt } from "../harness/fuzz/mutation.js";
import { label, type Targets } from "../harness/fuzz/operations.js";
import { generate } from "../harness/fuzz/requests.js";
import { answerLabel } from "../harness/fuzz/shapes.js";
import { createState, snapshot } from "../harness/fuzz/state.js";
import { eventually, PATIENCE_MS } from "../harness/processes.js";

/** The listener's idle timeout (lib/http-server.ts keepAliveMs). */
const IDLE_TIMEOUT_MS = 65_000;
const SEED = Number(process.env.FLINT_FUZZ_SEED ?? 1205);
const COUNT = Number(process.env.FLINT_FUZZ_COUNT ?? 4000);
const ONLY = process.env.FLINT_FUZZ_ONLY?.trim().split(/\s+/).map((entry) => {
  const [index, keep] = entry.split(":");
  return { index: Number(index), keep: keep === undefined ? undefined : new Set(keep === "-" ? [] : keep.split(",").map(Number)) };
});

/** Server-side sockets on `port` whose client has closed and the server has not (TCP CLOSE_WAIT). */
async function closeWaitSockets(port: number): Promise<number> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let n = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local?.endsWith(hexPort) && state === "08") n++;
    }
  }
  return n;
}

/** The server's own account of requests that failed inside it: each distinct error once, with where it was thrown. */
function serverErrors(output: string): string[] {
  const lines = output.split("\n");
  const seen = new Map<string, "">();
  lines.forEach((line, i) => {
    if (!/flint: (internal error|request failed|request handler failed)/.test(line)) return;
    const message = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    const where = lines.slice(i + 1, i + 4).find((l) => /^\s+at /.test(l))?.trim() ?? "";
    seen.set(`${message}\n      ${where}`, "");
  });
  return [...seen.keys()].slice(0, 12);
}

describe("fuzzing the request path", () => {
  let flint: FlintProcess;
  let targets: Targets;
  let initial: Record<string, unknown>;
  let campaign: Campaign | undefined;
  const opts = () => ({ port: flint.port, targets, concurrency: 8, boundMs: PATIENCE_MS, maxHangs: 8, examplesPerClass: 10 });

  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"] });
    targets = await createState(flint);
    initial = await snapshot(flint);
  });
  after(() => flint?.stop());

  test("every answer is a 2xx/3xx/4xx in its protocol's shape, no connection hangs, nothing that must be refused is accepted", async (t) => {
    const requests = generate(SEED, ONLY ? Math.max(...ONLY.map((o) => o.index)) + 1 : COUNT, targets);
    if (ONLY) {
      const problems: string[] = [];
      for (const { index, keep } of ONLY) {
        const req = requests[index]!;
        const sentAt = Date.now();
        const { built, exchanged, findings } = await send(req, opts(), keep);
        const ms = Date.now() - sentAt;
        const lines = [
          `#${index} ${label(req.op)}${req.real ? " (real resources)" : ""}: ${built.applied.map(describeMutation).join(" + ") || "unmutated"}; expects ${built.expected.join(" or ")}; ${ms} ms, ${exchanged.ending}`,
          `  sent: ${sentText(built)}`,
          ...exchanged.answers.map((a) => `  got:  ${a.status} ${answerLabel(a)} ${JSON.stringify(a.headers)}\n        ${excerpt(a.body.toString("utf8"), 2000)}`),
        ];
        for (const line of lines.join("\n").split("\n")) t.diagnostic(line);
        problems.push(...findings.map((f) => `#${index}: ${f.key}: ${f.what}`));
      }
      assert.deepEqual(problems, []);
      return;
    }
    const started = Date.now();
    campaign = await runCampaign(requests, opts());
    const ran = Date.now() - started;
    await shrink(campaign, opts(), 600);
    for (const line of summary(campaign, SEED, ran).split("\n")) t.diagnostic(line);
    t.diagnostic(`shrinking took ${((Date.now() - started - ran) / 1000).toFixed(1)} s`);
    if (campaign.classes.size === 0) return;
    const errors = serverErrors(flint.output());
    assert.fail(`${summary(campaign, SEED, ran)}\n\n${failureReport(campaign, SEED)}${errors.length ? `\n\nthe server logged:\n  ${errors.join("\n  ")}` : ""}`);
  });

  test("the state is what it was before", async () => {
    const now = await snapshot(flint);
    try {
      assert.deepEqual(now, initial);
    } catch (err) {
      const accepted = [...(campaign?.classes.values() ?? [])].filter((c) => c.key.startsWith("accepted"));
      assert.fail(
        `${(err as Error).message}\n\n` +
          (accepted.length
            ? `Requests that were accepted though they must be refused (any of them may have changed it):\n${accepted.map((c) => `  ${c.key} (${c.count}), e.g. #${c.examples[0]!.req.index}`).join("\n")}`
            : "No request that must be refused was answered 2xx: the change came from a request the test expected to change nothing."),
      );
    }
  });

  test("the server is still up and healthy, and closes every connection its clients closed", async (t) => {
    assert.equal(flint.child.exitCode, null, `the server exited:\n${flint.output().slice(-4000)}`);
    assert.equal(flint.child.signalCode, null, `the server was killed:\n${flint.output().slice(-4000)}`);
    const health = await fetch(`${flint.endpoint}/_flint/health`);
    assert.equal(health.status, 200, await health.text());
    // A connection the server stopped reading (a refused body it would not drain) only learns that
    // its client left at its idle timeout, 65 s: that is the bound.
    const started = Date.now();
    const left = await closeWaitSockets(flint.port);
    await eventually(async () => (await closeWaitSockets(flint.port)) === 0, IDLE_TIMEOUT_MS + PATIENCE_MS, "the server to close every connection its clients closed (TCP CLOSE_WAIT on its port)");
    t.diagnostic(`${left} connections in CLOSE_WAIT after the run, all closed ${Date.now() - started} ms later`);
  });
});
