/**
 * Every page, as the other scenarios left the server (so the pages have data): no WCAG 2 A/AA
 * violation axe-core can find (labels, names, contrast, structure), no sideways scrolling at a
 * laptop's width, and the main navigation reachable and usable from the keyboard alone. The detail
 * pages are reached the way a user reaches them, by a click on a list's first link (whatever the
 * earlier scenarios made). After the first, every page is reached by a click within the app (so
 * each move is checked to put focus on the new page's h1).
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { accessibilityViolations } from "../../harness/a11y.js";
import type { ConsoleContext } from "./context.js";

/** The navigation's pages, by their link in it; after "IAM", the explainer by its link on the IAM page. */
const NAV = ["Functions", "Logs", "Async events", "Metrics", "Queues", "Topics", "Streams", "Tables", "Event source mappings", "APIs and URLs", "IAM"];

/** List pages whose first row's link leads to a detail page worth checking (and from there `then`, a link on it). */
const DETAILS: { nav: string; then?: string }[] = [{ nav: "Functions", then: "Invoke" }, { nav: "Logs" }, { nav: "Queues" }, { nav: "Tables" }, { nav: "Event source mappings" }];

/** The page has drawn what its first calls answered: its heading, and no "Loading…" left in it. */
async function settled(page: Page, what: string): Promise<void> {
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  try {
    await page.waitForFunction(() => !document.querySelector("main .loading"), undefined, { timeout: 10_000 });
  } catch {
    assert.fail(`${what}: still loading after 10 s: ${await page.locator("main .loading").first().textContent()}`);
  }
}

async function check(page: Page, what: string, found: string[]): Promise<void> {
  for (const v of await accessibilityViolations(page)) found.push(`${what}: ${v}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) found.push(`${what}: the page scrolls sideways by ${overflow} px at 1280 px wide`);
}

/**
 * Click a link in the app, wait for the page it leads to, check that focus moved to that page's h1
 * (a screen reader announces the new page), wait for its content, and check it.
 */
async function visit(page: Page, link: Locator, found: string[], axe = true): Promise<void> {
  const href = (await link.getAttribute("href"))!;
  await link.click();
  await page.waitForURL((u) => u.pathname + u.search === href);
  const what = decodeURIComponent(href.replace(/^\/_flint\/console/, ""));
  await page.waitForFunction(() => document.activeElement?.tagName === "H1", undefined, { timeout: 10_000 }).catch(() => undefined);
  const focused = await page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent, h1: document.querySelector("h1")?.textContent }));
  assert.deepEqual({ tag: focused.tag, text: focused.text }, { tag: "H1", text: focused.h1 }, `after a click to ${what}, focus is on its h1`);
  await settled(page, what);
  if (axe) await check(page, what, found);
}

export async function accessibilityScenario({ page, base }: ConsoleContext): Promise<void> {
  // One page load; every other page is reached as a user reaches it, by links within the app.
  await page.goto(`${base}/functions`);
  await settled(page, "/functions");
  const found: string[] = [];
  await check(page, "/functions", found);
  const nav = (name: string) => page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });
  for (const name of NAV.slice(1)) await visit(page, nav(name), found);
  await visit(page, page.getByRole("main").getByRole("link", { name: "Policy explainer", exact: true }), found);

  // A detail page of each kind: the first one its list shows (whatever the earlier scenarios made).
  for (const { nav: list, then } of DETAILS) {
    await visit(page, nav(list), found, false); // checked above
    const first = page.getByRole("main").getByRole("table").first().getByRole("row").nth(1).getByRole("link").first();
    assert.ok((await first.count()) > 0, `${list} lists something to open (the earlier scenarios made it)`);
    await visit(page, first, found);
    if (then) await visit(page, page.getByRole("main").getByRole("link", { name: then, exact: true }), found);
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
  // A move within the app made from the keyboard puts focus on the new page's heading too.
  await page.waitForFunction(() => document.activeElement?.tagName === "H1" && document.activeElement.textContent === "Queues");

  // Tabs from the keyboard (the IAM page's): End selects the last tab and Home the first, each in the URL.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "IAM", exact: true }).click();
  // The new page's heading takes focus first (after a move within the app); then the tab is focused.
  await page.waitForFunction(() => document.activeElement?.tagName === "H1" && document.activeElement.textContent === "IAM");
  const roles = page.getByRole("tab", { name: "Roles" });
  await roles.focus();
  await page.keyboard.press("End");
  await page.waitForURL(/\/iam\?tab=policies$/);
  assert.equal(await page.getByRole("tab", { name: "Policies" }).getAttribute("aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Policies");
  await page.keyboard.press("Home");
  await page.waitForURL(/\/iam$/);
  assert.equal(await roles.getAttribute("aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.id), await roles.getAttribute("id"));
}
