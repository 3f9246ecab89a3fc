/**
 * The console as a user sees it: Debian's Chromium (installed by scripts/setup.mjs; no browser is
 * downloaded), headless, driven by playwright-core. Screenshots go to test-output/console/ (not
 * committed) so a run can be looked at afterwards.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ROOT, TEST_CREDENTIALS, type Credentials } from "./flint.js";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(ROOT, "test-output/console");

/**
 * Chromium with what this kind of machine needs: no sandbox as root, and no background networking
 * (its closed network refuses those connections, many at a time).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** A fresh context (no storage) at a laptop's size, with a page in it. */
export async function newPage(browser: Browser, width = 1280, height = 800): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  return { context, page };
}

/** Sign in through the form at `GET /`, and wait for the functions page it lands on. */
export async function signIn(page: Page, endpoint: string, credentials: Credentials = TEST_CREDENTIALS): Promise<void> {
  await page.goto(`${endpoint}/`);
  await page.getByLabel("Access key ID").fill(credentials.accessKeyId);
  await page.getByLabel("Secret access key").fill(credentials.secretAccessKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Functions" }).waitFor();
}

/** Save a full-page screenshot as test-output/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
