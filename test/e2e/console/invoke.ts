/** Not written yet: see the console issue's brief. */
import type { ConsoleContext } from "./context.js";

export async function functionPageScenario(_: ConsoleContext): Promise<void> {
  throw new Error("not written yet");
}

export async function invokeScenario(_: ConsoleContext): Promise<void> {
  throw new Error("not written yet");
}
