/** Not written yet: see the console issue's brief. */
import type { ConsoleContext } from "./context.js";

export async function apisScenario(_: ConsoleContext): Promise<void> {
  throw new Error("not written yet");
}
