/**
 * The console in a real browser (Debian's headless Chromium through playwright-core) against one
 * real `flint serve`: sign in with the root key, then each page as a user drives it, with the AWS
 * CLI v2 and SDK making what the pages show. Screenshots of every page land in test-output/console/.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { launchBrowser, newPage, screenshot, signIn } from "../harness/browser.js";
import { signedFetch } from "../harness/signed-fetch.js";
import type { ConsoleContext } from "./console/context.js";
import { functionsScenario } from "./console/functions.js";
import { functionPageScenario, invokeScenario } from "./console/invoke.js";
import { timelineScenario } from "./console/timeline.js";
import { logsScenario } from "./console/logs.js";
import { metricsScenario } from "./console/metrics.js";
import { queuesScenario } from "./console/queues.js";
import { streamsScenario } from "./console/streams.js";
import { mappingsScenario } from "./console/mappings.js";
import { apisScenario } from "./console/apis.js";
import { iamScenario } from "./console/iam.js";
import { accessibilityScenario } from "./console/a11y.js";
import { scaleScenario } from "./console/scale.js";

describe("console", () => {
  let flint: FlintProcess;
  let browser: Browser;
  let context: BrowserContext;
  let ctx: ConsoleContext;
  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"] });
    browser = await launchBrowser();
    const opened = await newPage(browser);
    context = opened.context;
    const page = opened.page;
    ctx = { flint, browser, page, base: `${flint.endpoint}/_flint/console`, shot: async (name) => void (await screenshot(page, name)) };
    // Signed in once, through the form at `GET /`: every test below uses this page.
    await signIn(page, flint.endpoint);
    await screenshot(page, "signed-in");
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await flint?.stop();
  });

  test("GET / is the console's sign-in page, with the security headers a console needs", async () => {
    const res = await fetch(`${flint.endpoint}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.match(await res.text(), /<div id="app">/);
    // A signed GET to `/` is still the API's: SQS's query protocol, answered in its XML, not the app.
    const api = await signedFetch(flint.endpoint, { path: "/", query: { Action: "ListQueues", Version: "2012-11-05" }, service: "sqs" });
    assert.equal(api.status, 200, String(api.body));
    assert.match(api.headers.get("content-type") ?? "", /xml/);
    assert.match(String(api.body), /<ListQueuesResponse[\s>]/);
    assert.doesNotMatch(String(api.body), /<div id="app">/);
  });

  test("signed in with the root key at /, the console moved to its functions page; a function created with the CLI appears there", async () => {
    assert.equal(new URL(ctx.page.url()).pathname, "/_flint/console/functions");
    await functionsScenario(ctx);
  });

  // Each scenario starts from a page.goto of its own; they share the server and the signed-in page.
  test("a function's page: configuration, versions and aliases, concurrency, policy, URL, tags", () => functionPageScenario(ctx));
  test("invoke from the page: the result, its log lines, duration and memory", () => invokeScenario(ctx));
  test("an async event that fails into its dead-letter queue, followed on the timeline", () => timelineScenario(ctx));
  test("a live log tail updates while a function runs; filter patterns; an invocation by request id", () => logsScenario(ctx));
  test("metrics: a function's invocations, errors and duration charted", () => metricsScenario(ctx));
  test("queues and topics: peek an SQS message, send one, a topic's subscriptions", () => queuesScenario(ctx));
  test("streams and tables: shards, records, items and stream records", () => streamsScenario(ctx));
  test("event source mappings: state, last result and lag", () => mappingsScenario(ctx));
  test("APIs and function URLs", () => apisScenario(ctx));
  test("IAM: roles, policies, the policy explainer, and an IAM user refused a page it may not read", () => iamScenario(ctx));
  test("accessible: every page passes axe's WCAG 2 AA rules, fits a laptop's width, and the navigation works from the keyboard", () => accessibilityScenario(ctx));
  // Last: it adds 1,000 functions to the server the others share.
  test("1,000 functions and 100,000 log events: listed, searched and filtered; page load times reported", async (t) => {
    const timings = await scaleScenario(ctx);
    // The target is the first page interactive in ≤ 1 s with 1,000 functions: reported next to it.
    const targets: Partial<Record<string, string>> = { functionsFirstRows: " (target: ≤ 1,000 ms)" };
    for (const [what, ms] of Object.entries(timings)) t.diagnostic(`${what}: ${Math.round(ms)} ms${targets[what] ?? ""}`);
  });
});
