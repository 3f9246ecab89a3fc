/** The bare Node HTTP echo server every suite measures its baseline on (`baseline-echo.ts`), in its own process. */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ECHO = path.join(path.dirname(fileURLToPath(import.meta.url)), "../baseline-echo.js");

export async function startBaseline(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [ECHO], { stdio: ["ignore", "pipe", "inherit"], env: { PATH: "/usr/bin:/bin" } });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  return { port, stop: () => child.kill() };
}
