/**
 * Accessibility as axe-core (the engine browsers' audit tools use) checks it: WCAG 2 A and AA rules,
 * labels and colour contrast among them, run inside the page as it is.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

let source: Promise<string> | undefined;

interface AxeResult {
  violations: { id: string; impact?: string; help: string; nodes: { target: unknown[] }[] }[];
}

/** What axe finds wrong with the page now: one line per rule, with the elements it names. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  source ??= readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the debugging protocol, which the console's Content-Security-Policy does not
  // apply to (it allows only the console's own scripts).
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(await source);
  const result = (await page.evaluate("window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })")) as AxeResult;
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
}
