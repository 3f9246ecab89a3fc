/**
 * Every page, as the other scenarios left the server (so the pages have data): no WCAG 2 A/AA
 * violation axe-core can find (labels, names, contrast, structure), no sideways scrolling at a
 * laptop's width, and the main navigation reachable and usable from the keyboard alone.
 */
import assert from "node:assert/strict";
import { accessibilityViolations } from "../../harness/a11y.js";
import type { ConsoleContext } from "./context.js";

const PAGES = ["/functions", "/logs", "/events", "/metrics", "/queues", "/topics", "/streams", "/tables", "/mappings", "/apis", "/iam", "/iam/explain"];

export async function accessibilityScenario({ page, base }: ConsoleContext): Promise<void> {
  const found: string[] = [];
  for (const path of PAGES) {
    await page.goto(`${base}${path}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    // Let the page's first calls answer, so what is checked is the page with its data.
    await page.waitForLoadState("networkidle");
    for (const v of await accessibilityViolations(page)) found.push(`${path}: ${v}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) found.push(`${path}: the page scrolls sideways by ${overflow} px at 1280 px wide`);
  }
  assert.deepEqual(found, [], found.join("\n"));

  // The keyboard alone: the first Tab reaches "Skip to content"; the navigation's links follow in order.
  await page.goto(`${base}/functions`);
  await page.getByRole("heading", { level: 1, name: "Functions" }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Skip to content");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Queues";
  }
  assert.ok(reached, "Tab reaches the navigation's Queues link");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Queues" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/_flint/console/queues");
}
