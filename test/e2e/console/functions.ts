/** The functions page: a function created with the AWS CLI v2 appears, with its runtime and memory, and search finds it (the search in the URL, kept across Back). */
import assert from "node:assert/strict";
import { zipFixture } from "../../harness/zip.js";
import { ROLE, uniqueName } from "../../harness/flint.js";
import { writeFile, rm, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConsoleContext } from "./context.js";

export async function functionsScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const name = uniqueName("console-cli");
  const dir = await mkdtemp(path.join(tmpdir(), "flint-test-console-"));
  try {
    const zip = path.join(dir, "f.zip");
    await writeFile(zip, await zipFixture("nodejs"));
    const created = await flint.aws(["lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "echo.handler", "--role", ROLE, "--memory-size", "256", "--zip-file", `fileb://${zip}`]);
    assert.equal(created.code, 0, created.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await page.goto(`${base}/functions`);
  await page.getByLabel("Search functions by name").fill(name);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await row.waitFor();
  const cells = await row.getByRole("cell").allTextContents();
  assert.deepEqual(cells.slice(0, 3), [name, "nodejs20.x", "256"]);
  await row.getByRole("cell").nth(3).filter({ hasText: "Active" }).waitFor();
  await shot("functions");
  // The search is in the URL: the function's page and Back return to it.
  assert.equal(new URL(page.url()).searchParams.get("q"), name);
  await row.getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  await page.goBack();
  await row.waitFor();
  assert.equal(await page.getByLabel("Search functions by name").inputValue(), name);
  assert.equal(await page.getByRole("table").getByRole("row").count(), 2);
  // A name that no function has: the table says so.
  await page.getByLabel("Search functions by name").fill(`${name}-none`);
  await page.getByText(`Nothing matches “${name}-none”.`).waitFor();
  // A URL that is not valid percent-encoding is "no such page", not a broken app.
  await page.goto(`${base}/functions/%E0`);
  await page.getByRole("heading", { level: 1, name: "No such page" }).waitFor();
}
