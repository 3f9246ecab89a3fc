/**
 * The console at scale, as the issue measures it: 1,000 functions and a log group of 100,000
 * events, made through the APIs, then page loads timed in the browser (performance.now() is time
 * since the navigation began). Used once by the end-to-end test (which reports, never asserts, the
 * times) and repeatedly by bench/console.ts.
 */
import { CreateFunctionCommand, LambdaClient, type Runtime } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { Page } from "playwright-core";
import { REGION, ROLE, TEST_CREDENTIALS, type FlintProcess } from "./flint.js";
import { zipFiles } from "./zip.js";

export interface Seeded {
  functions: string[];
  group: string;
  events: number;
  /** A term in 1 event of every 10,000. */
  rare: string;
  /** Time to make it all, ms. */
  seedMs: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
export const scaleFunction = (i: number) => `scale-${pad(i, 4)}`;
export const scaleEvent = (i: number) => `event-${pad(i, 6)} GET /items/${i % 997} answered 200 in ${(i * 7919) % 1000} ms${i % 10_000 === 4242 ? " needle" : ""}`;

export async function seedScale(flint: FlintProcess, functions = 1_000, events = 100_000): Promise<Seeded> {
  const began = Date.now();
  const zip = await zipFiles({ "index.js": "exports.handler = async (e) => e;\n" });
  let next = 0;
  const names = Array.from({ length: functions }, (_, i) => scaleFunction(i));
  // The SDK's own retries, as a user's script has them: a pooled connection the server closed while
  // idle (a keep-alive race every HTTP/1.1 client meets) is retried, not a failed seed.
  const lambda = new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  const logs = new CloudWatchLogsClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  const group = "/console/scale";
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < functions) {
          const name = names[next++]!;
          await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x" as Runtime, Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }));
        }
      }),
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
    // Within the last half hour, a few ms apart, oldest first: 10,000 events per PutLogEvents.
    const start = Date.now() - 30 * 60_000;
    for (let from = 0; from < events; from += 10_000) {
      const batch = Array.from({ length: Math.min(10_000, events - from) }, (_, k) => ({ timestamp: start + Math.floor(((from + k) * 1_500_000) / events), message: scaleEvent(from + k) }));
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: batch }));
    }
  } finally {
    lambda.destroy();
    logs.destroy();
  }
  return { functions: names, group, events, rare: "needle", seedMs: Date.now() - began };
}

export interface Timings {
  /** Navigation to the functions page's first rows on screen (the page is usable from then). */
  functionsFirstRows: number;
  /** ... to every function listed (searchable). */
  functionsAll: number;
  /** Typing a name into the search to its row showing. */
  functionsSearch: number;
  /** Navigation to a function's page showing its configuration. */
  functionPage: number;
  /** Navigation to the 100,000-event group's page showing its first events. */
  logsFirstEvents: number;
  /** A filter pattern matching 10 of 100,000 events, from submitting it to the matches shown. */
  logsFilter: number;
}

/** Time since this page's navigation began, in the browser. */
const since = (page: Page) => page.evaluate(() => performance.now());

/**
 * One round of page loads, each a fresh navigation with the browser's cache off (every script is
 * fetched again, as on a first visit).
 */
export async function measureConsole(page: Page, base: string, seeded: Seeded): Promise<Timings> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  try {
    await page.goto(`${base}/functions`);
    await page.getByRole("link", { name: seeded.functions[0], exact: true }).or(page.locator("tbody tr td a").first()).first().waitFor();
    const functionsFirstRows = await since(page);
    await page.getByText(/^[\d,]+ functions?$/).waitFor();
    const functionsAll = await since(page);
    const search = page.getByLabel("Search functions by name");
    const last = seeded.functions.at(-1)!;
    const typed = Date.now();
    await search.fill(last);
    await page.getByRole("link", { name: last, exact: true }).waitFor();
    const functionsSearch = Date.now() - typed;

    await page.goto(`${base}/functions/${encodeURIComponent(last)}`);
    await page.getByRole("heading", { level: 1, name: last }).waitFor();
    await page.getByText("index.handler").first().waitFor();
    const functionPage = await since(page);

    await page.goto(`${base}/logs/${encodeURIComponent(seeded.group)}`);
    await page.getByText(scaleEvent(0).slice(0, 12)).first().waitFor();
    const logsFirstEvents = await since(page);
    const pattern = page.getByLabel("Filter pattern");
    await pattern.fill(seeded.rare);
    const filtered = Date.now();
    await pattern.press("Enter");
    await page.getByText(scaleEvent(4242).slice(0, 12)).first().waitFor();
    const logsFilter = Date.now() - filtered;
    return { functionsFirstRows, functionsAll, functionsSearch, functionPage, logsFirstEvents, logsFilter };
  } finally {
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
    await cdp.detach();
  }
}
