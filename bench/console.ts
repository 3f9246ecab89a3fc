/**
 * The console's page loads at the issue's scale (1,000 functions, a log group of 100,000 events;
 * first page interactive ≤ 1 s on loopback), in Debian's headless Chromium, each navigation with the
 * browser cache off. Baseline in the same run: the same browser loading a bare page from a bare
 * Node server that fetches 50 rows (a body the size of ListFunctions' first page) from its echo
 * and draws them as a table. `BENCH_CONSOLE_ROUNDS` (7). `npm run build && node dist/bench/console.js`
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFlint } from "../test/harness/flint.js";
import { launchBrowser, newPage, signIn } from "../test/harness/browser.js";
import { measureConsole, seedScale, type Timings } from "../test/harness/console-scale.js";
import { summarize, table } from "./lib/stats.js";
import { hostLayout } from "../src/sandbox/cgroups/host.js";

const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 7);

const BARE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title><script type="module" src="/app.js"></script></head><body><table><tbody id="rows"></tbody></table></body></html>`;
const BARE_JS = `const rows = Array.from({ length: 50 }, (_, i) => ({ FunctionName: "scale-" + String(i).padStart(4, "0"), Runtime: "nodejs20.x", MemorySize: 128, LastModified: new Date().toISOString() }));
const r = await fetch("/echo", { method: "POST", body: JSON.stringify({ Functions: rows }) });
const { Functions } = await r.json();
document.getElementById("rows").innerHTML = Functions.map((f) => "<tr><td><a href='#'>" + f.FunctionName + "</a></td><td>" + f.Runtime + "</td><td>" + f.MemorySize + "</td></tr>").join("");`;

function bareServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === "/app.js") return res.writeHead(200, { "Content-Type": "text/javascript" }).end(BARE_JS);
    if (req.url === "/echo") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end(Buffer.concat(chunks)));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" }).end(BARE_HTML);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function consoleBench(): Promise<string> {
  const flint = await startFlint({ args: ["--spares", "0"] });
  const browser = await launchBrowser();
  const bare = await bareServer();
  try {
    const seeded = await seedScale(flint);
    const { context, page } = await newPage(browser);
    await signIn(page, flint.endpoint);
    const base = `${flint.endpoint}/_flint/console`;
    const rounds: Timings[] = [];
    const baseline: number[] = [];
    const barePage = await context.newPage();
    const cdp = await context.newCDPSession(barePage);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    // One round first, not counted: the server's first answers compile its code paths.
    await measureConsole(page, base, seeded);
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(await measureConsole(page, base, seeded));
      await barePage.goto(bareUrl);
      await barePage.locator("#rows a").first().waitFor();
      baseline.push(await barePage.evaluate(() => performance.now()));
    }
    await context.close();
    const b = summarize(baseline);
    const row = (label: string, key: keyof Timings) => {
      const s = summarize(rounds.map((r) => r[key]));
      const sorted = rounds.map((r) => r[key]).sort((x, y) => x - y);
      return [label, s.p50, sorted[0]!, sorted.at(-1)!];
    };
    const layout = hostLayout();
    return [
      `Host: ${"problem" in layout ? "no usable" : layout.label} cgroup layout; ${seeded.functions.length} functions and ${seeded.events.toLocaleString("en-US")} log events made in ${(seeded.seedMs / 1000).toFixed(1)} s; ${ROUNDS} rounds, browser cache off.`,
      "",
      table(
        "Console page loads in headless Chromium (ms; navigation start to what the row names, measured in the browser)",
        ["what", "p50", "min", "max"],
        [
          row("functions page: first rows on screen (interactive)", "functionsFirstRows"),
          row("functions page: all 1,000 listed", "functionsAll"),
          row("search 1,000 functions: typed → row shown", "functionsSearch"),
          row("a function's page: configuration shown", "functionPage"),
          row("log group of 100,000 events: first events shown", "logsFirstEvents"),
          row("filter pattern over 100,000 events: submitted → 10 matches shown", "logsFilter"),
          ["baseline: bare page from a bare Node server, 50 rows fetched from its echo", b.p50, Math.min(...baseline), Math.max(...baseline)],
        ],
      ),
    ].join("\n");
  } finally {
    bare.close();
    await browser.close();
    await flint.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await consoleBench());
