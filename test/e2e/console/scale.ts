/**
 * The scale: 1,000 functions and a log group of 100,000 events. The pages list, search and
 * filter them; how long each load took (in the browser, cache off) is reported, not asserted: the
 * figures for bench/RESULTS.md come from bench/console.ts, which repeats this.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { SCREENSHOTS } from "../../harness/browser.js";
import { measureConsole, seedScale, type Timings } from "../../harness/console-scale.js";
import type { ConsoleContext } from "./context.js";

export async function scaleScenario({ flint, page, base, shot }: ConsoleContext): Promise<Timings> {
  const seeded = await seedScale(flint);
  const timings = await measureConsole(page, base, seeded);
  // What the measurement waited for is there: the 100,000-event group filtered to its 10 matches,
  await shot("logs-100k-filtered");
  assert.equal(await page.getByText(/^event-\d{6} .* needle$/).count(), 10);
  // and every function listed (the caption counts them once all are loaded).
  await page.goto(`${base}/functions`);
  const caption = page.getByText(/^[\d,]+ functions$/);
  await caption.waitFor();
  assert.ok(Number((await caption.textContent())!.replace(/\D/g, "")) >= 1000);
  await shot("functions-1000");
  await mkdir(SCREENSHOTS, { recursive: true });
  await writeFile(path.join(SCREENSHOTS, "timings.json"), JSON.stringify({ ...timings, seedMs: seeded.seedMs }, null, 2));
  return timings;
}
