/**
 * Logs: find a function's log group by prefix, then on its page watch a live tail (StartLiveTail's
 * event stream in the browser) show an invocation's first line while the invocation is still running
 * and its second line after, filter its events with a pattern (and see an invalid pattern refused as
 * the API refuses it), and find one invocation's START/END/REPORT lines by its request id. The tail's
 * log region does not speak each line: a polite status counts the new ones, unless "Announce each
 * line" is ticked.
 *
 * The function prints a line, then waits at the test's barrier (an HTTP server on loopback) until the
 * test has seen that line on the page, then prints another: "before the invocation returned" holds by
 * construction, however fast or slow the host is, rather than by racing a sleep.
 */
import assert from "node:assert/strict";
import { uniqueName } from "../../harness/flint.js";
import { createFunction, invoke, type Invoked } from "../../harness/functions.js";
import { Barrier } from "../../harness/parallel.js";
import { zipFiles } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

const HANDLER = `
const http = require("node:http");
const arrive = (port) =>
  new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: "/arrive", agent: false }, (res) => { res.resume(); res.on("end", resolve); }).on("error", reject);
  });
exports.handler = async (event) => {
  console.log("first line " + event.tag);
  await arrive(event.port);
  console.log("second line " + event.tag);
  console.log(JSON.stringify({ level: "info", tag: event.tag, step: 2 }));
  return { done: event.tag };
};
`;

export async function logsScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const barrier = await Barrier.create();
  try {
    const name = await createFunction(flint, await zipFiles({ "index.js": HANDLER }), "index.handler", { FunctionName: uniqueName("console-logs"), Timeout: 60 });
    const group = `/aws/lambda/${name}`;
    // A first invocation, let straight through, makes the group (and lines to filter later).
    barrier.admit(1);
    const warm = await invoke(flint, name, { tag: "warmup", port: barrier.port });
    assert.equal(warm.functionError, undefined, warm.raw);

    // The groups page asks for the prefix; the group links to its page.
    await page.goto(`${base}/logs`);
    await page.getByRole("heading", { level: 1, name: "Log groups" }).waitFor();
    await page.getByLabel("Log group name prefix").fill(group);
    await page.getByRole("button", { name: "Search" }).click();
    const link = page.getByRole("link", { name: group, exact: true });
    await link.waitFor();
    assert.equal(new URL(page.url()).searchParams.get("prefix"), group);
    assert.equal(await page.getByRole("table").getByRole("row").count(), 2, "the header and the one group with that prefix");
    await shot("logs-groups");
    await link.click();
    await page.getByRole("heading", { level: 1, name: group }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/_flint/console/logs/${encodeURIComponent(group)}`);
    const events = page.getByRole("table", { name: /oldest first/ });
    await events.getByRole("cell", { name: "second line warmup" }).waitFor();
    const streams = page.getByRole("table", { name: /latest event first/ });
    assert.match((await streams.getByRole("link").first().innerText()).trim(), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
    await shot("logs-group");

    // Live tail: started, then an invocation's lines arrive while it runs.
    const tail = page.getByRole("log", { name: "Live tail" });
    assert.equal(await tail.getAttribute("aria-live"), "off", "each line is not announced by default");
    await page.getByRole("button", { name: "Start live tail" }).click();
    await page.getByRole("status").filter({ hasText: "Tailing every event" }).waitFor();
    let returned = false;
    const running: Promise<Invoked> = invoke(flint, name, { tag: "live", port: barrier.port }).finally(() => (returned = true));
    await tail.getByText("first line live").waitFor();
    await barrier.arrived(2);
    assert.equal(returned, false, "the first line is on the page while the invocation still runs");
    assert.equal(await tail.getByText("second line live").count(), 0);
    barrier.release();
    await tail.getByText("second line live").waitFor();
    const live = await running;
    assert.equal(live.functionError, undefined, live.raw);
    // What a screen reader hears instead of every line: how many arrived.
    await page.getByRole("status", { name: "New lines" }).filter({ hasText: /^\d+ new lines? in the live tail; \d+ shown\.$/ }).waitFor();
    await page.getByRole("checkbox", { name: "Announce each line" }).check();
    assert.equal(await tail.getAttribute("aria-live"), "polite");
    await page.getByRole("checkbox", { name: "Announce each line" }).uncheck();
    assert.equal(await tail.getAttribute("aria-live"), "off");
    // JSON lines pretty-printed by default.
    const json = tail.locator(".logs-message").filter({ hasText: '"step": 2' });
    await json.waitFor();
    assert.match(await json.innerText(), /\tINFO\t\n\{\n {2}"level": "info",\n {2}"tag": "live",\n {2}"step": 2\n\}$/);
    await shot("logs-live-tail");
    // Stop ends the session: the browser drops StartLiveTail's streaming response.
    const dropped = page.waitForEvent("requestfailed", (r) => r.headers()["x-amz-target"] === "Logs_20140328.StartLiveTail");
    await page.getByRole("button", { name: "Stop live tail" }).click();
    await page.getByRole("button", { name: "Start live tail" }).waitFor();
    assert.match((await dropped).failure()?.errorText ?? "", /ERR_ABORTED/);

    // A filter pattern: the one line it matches, in the URL.
    await page.getByLabel("Filter pattern").fill('"second line warmup"');
    await page.getByRole("button", { name: "Apply filter" }).click();
    await events.getByRole("cell", { name: "second line warmup" }).waitFor();
    assert.equal(await events.getByRole("cell", { name: "first line warmup" }).count(), 0);
    assert.equal(await events.getByRole("cell", { name: "second line live" }).count(), 0);
    assert.equal(new URL(page.url()).searchParams.get("pattern"), '"second line warmup"');
    // An invalid one: the API's refusal as it gave it.
    await page.getByLabel("Filter pattern").fill("{ $.level = ");
    await page.getByRole("button", { name: "Apply filter" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "FilterLogEvents" });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /InvalidParameterException \(HTTP 400\)\s+Invalid filter pattern/);

    // An invocation by its request id: its own START, END and REPORT lines, and nothing of the other one.
    const requestId = live.out.$metadata.requestId!;
    await page.getByLabel("Request id").fill(requestId);
    await page.getByRole("button", { name: "Find invocation" }).click();
    await events.getByRole("cell", { name: `END RequestId: ${requestId}` }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("requestId"), requestId);
    const messages = (await events.locator("pre").allInnerTexts()).map((m) => m.split("\t")[0]!.split(" Version:")[0]!.trim());
    assert.deepEqual(messages.filter((m) => /^(START|END|REPORT) /.test(m)), [`START RequestId: ${requestId}`, `END RequestId: ${requestId}`, `REPORT RequestId: ${requestId}`]);
    assert.ok(messages.every((m) => !m.includes("warmup")), messages.join("\n"));

    // Back to all events: JSON messages on one line, then a time range that ends before the function existed.
    await page.getByLabel("Filter pattern").fill("");
    await page.getByRole("button", { name: "Show all events" }).click();
    await events.getByRole("cell", { name: "second line warmup" }).waitFor();
    await page.getByLabel("JSON messages").selectOption({ label: "One line" });
    await events.getByRole("cell", { name: '{"level":"info","tag":"warmup","step":2}' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("json"), "line");
    await page.getByLabel("Time range").selectOption({ label: "Between…" });
    await page.getByLabel("From (local time)").fill("2020-01-01T00:00");
    await page.getByLabel("To (local time)").fill("2020-01-02T00:00");
    await page.getByRole("button", { name: "Apply filter" }).click();
    await events.getByRole("cell", { name: "No events match." }).waitFor();
    const q = new URL(page.url()).searchParams;
    assert.deepEqual([q.get("range"), q.get("start"), q.get("end"), q.get("requestId")], ["custom", "2020-01-01T00:00", "2020-01-02T00:00", null]);
  } finally {
    await barrier.close();
  }
}
