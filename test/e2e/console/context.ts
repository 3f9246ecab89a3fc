/** What every console scenario gets: one server, a signed-in page, and the clients a user would also have. */
import type { Browser, Page } from "playwright-core";
import type { FlintProcess } from "../../harness/flint.js";

export interface ConsoleContext {
  flint: FlintProcess;
  /** For a second context (another user signed in): close what you open. */
  browser: Browser;
  /** Signed in as the test root key. */
  page: Page;
  /** `${endpoint}/_flint/console` */
  base: string;
  /** Save a screenshot of the page as test-output/console/<name>.png. */
  shot(name: string): Promise<void>;
}
