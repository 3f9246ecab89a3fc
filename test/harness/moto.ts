/** moto's standalone server (`moto_server`, the pyenv Python's), on a free loopback port, in memory. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { eventually } from "./processes.js";

export const MOTO_SERVER = "/root/.pyenv/shims/moto_server";

export interface Moto {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Start `moto_server -H 127.0.0.1 -p PORT` and wait until it answers HTTP. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  const done = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited && child.pid) process.kill(child.pid, "SIGTERM");
    await done;
  };
  try {
    await eventually(async () => {
      if (exited) throw new Error(`moto_server exited: ${stderr}`);
      try {
        await fetch(`${endpoint}/moto-api/`);
        return true;
      } catch {
        return false;
      }
    }, 60_000, "moto_server answering");
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, pid: child.pid!, stop };
}
