/**
 * The metrics pages: a function invoked 5 times successfully and twice with an error through the
 * SDK shows 7 invocations, 2 errors and its duration on its metrics page (waited for by refreshing:
 * Flint stores metrics every second), and the account's page shows at least as many, and the
 * asynchronous invocation made after.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { createFunction, invoke } from "../../harness/functions.js";
import { zipFiles } from "../../harness/zip.js";
import { eventually, PATIENCE_MS } from "../../harness/processes.js";
import { uniqueName } from "../../harness/flint.js";
import type { ConsoleContext } from "./context.js";

const HANDLER = `exports.handler = async (event) => {
  if (event.fail) throw new Error("asked to fail");
  return { ok: true, n: event.n };
};
`;

export async function metricsScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const name = await createFunction(flint, await zipFiles({ "index.js": HANDLER }), "index.handler", { FunctionName: uniqueName("console-metrics") });
  for (let n = 0; n < 5; n++) {
    const ok = await invoke(flint, name, { n });
    assert.equal(ok.functionError, undefined, ok.raw);
  }
  for (let n = 0; n < 2; n++) {
    const failed = await invoke(flint, name, { fail: true });
    assert.equal(failed.functionError, "Unhandled", failed.raw);
  }

  // The function's page, over the last 15 minutes (per minute).
  await page.goto(`${base}/functions/${encodeURIComponent(name)}/metrics?range=15m`);
  await page.getByRole("heading", { level: 1, name: `Metrics: ${name}` }).waitFor();
  assert.equal(await page.getByLabel("Time range").inputValue(), "15m");
  const invocations = page.getByRole("figure", { name: /^Invocations Sum per minute/ });
  const errors = page.getByRole("figure", { name: /^Errors Sum per minute/ });
  await refreshUntil(page, async () => /Total 7 ·/.test(await caption(invocations)) && /Total 2 of 7 invocations/.test(await caption(errors)), "7 invocations and 2 errors on the function's page");
  assert.match(await caption(errors), /error rate 28\.6%/);
  const duration = page.getByRole("figure", { name: /^Duration / });
  assert.match(await caption(duration), /Over the range: p50 [\d.,]+ m?s, p90 [\d.,]+ m?s, p99 [\d.,]+ m?s, max [\d.,]+ m?s/);
  // Iterator age has no data (no stream mapping) and says why.
  await page.getByRole("figure", { name: /^Iterator age/ }).getByText("only event source mappings that read streams").waitFor();
  // Each chart's points as a table: the invocations' periods add up to 7.
  await invocations.getByText("Show data").click();
  const table = invocations.getByRole("table");
  await table.waitFor();
  const counts = (await table.locator("tbody tr td:nth-child(2)").allTextContents()).map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), 7, `invocations per period: ${counts.join(", ")}`);
  // The canvas is drawn, hidden from screen readers (the caption and table carry the numbers).
  const canvas = invocations.locator(".metric-canvas");
  assert.equal(await canvas.getAttribute("aria-hidden"), "true");
  assert.ok(((await canvas.locator("canvas").boundingBox())?.width ?? 0) > 300, "the chart takes the figure's width");
  await shot("metrics-function");

  // The range is in the URL: a week is read per hour.
  await page.getByLabel("Time range").selectOption("1w");
  await page.getByRole("figure", { name: /^Invocations Sum per hour/ }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get("range"), "1w");

  // No asynchronous invocations yet: the page says so instead of charting nothing.
  await page.getByText("No asynchronous invocations in this range").waitFor();
  // One event invocation: its metrics (AsyncEventsReceived...) appear on the account's page.
  const queued = await flint.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ n: 99 })) }));
  assert.equal(queued.StatusCode, 202);

  // The account: every function's invocations together, at least this function's.
  await page.goto(`${base}/metrics?range=15m`);
  await page.getByRole("heading", { level: 1, name: "Metrics" }).waitFor();
  const accountInvocations = page.getByRole("figure", { name: /^Invocations Sum per minute/ });
  const accountErrors = page.getByRole("figure", { name: /^Errors Sum per minute/ });
  const accountAsync = page.getByRole("figure", { name: /^Async events received Sum per minute/ });
  await refreshUntil(
    page,
    async () => total(await caption(accountInvocations)) >= 7 && total(await caption(accountErrors)) >= 2 && (await accountAsync.count()) === 1 && total(await caption(accountAsync)) >= 1,
    "the account's totals",
  );
  await shot("metrics-account");

  // The function picker goes to the function's own page, keeping the range.
  await page.getByLabel("Function", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Show function metrics" }).click();
  await page.getByRole("heading", { level: 1, name: `Metrics: ${name}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/_flint/console/functions/${encodeURIComponent(name)}/metrics`);
  assert.equal(new URL(page.url()).searchParams.get("range"), "15m");
}

async function caption(figure: Locator): Promise<string> {
  return (await figure.locator("figcaption").textContent({ timeout: PATIENCE_MS })) ?? "";
}

/** "Total 12 …" → 12 (NaN when the caption has no total yet). */
function total(text: string): number {
  const m = /Total ([\d,]+)/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, "")) : NaN;
}

/**
 * Click Refresh until `check` holds (Flint stores metrics once a second, so they show within a few
 * refreshes); after each click, the note says "Updated" again once the refresh is drawn. The note is
 * not a live region (a refresh a minute is not announced), so it is found by its text.
 */
async function refreshUntil(page: Page, check: () => Promise<boolean>, what: string): Promise<void> {
  const refresh = page.getByRole("button", { name: "Refresh", exact: true });
  const updated = page.getByText(/^Updated .*; refreshes every minute\.$/);
  await updated.waitFor();
  await eventually(
    async () => {
      if (await check()) return true;
      await refresh.click();
      await updated.waitFor();
      return check();
    },
    PATIENCE_MS,
    what,
  );
}
