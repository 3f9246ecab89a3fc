// Starts a throwaway PostgreSQL server for the tests: Debian's `postgresql` binaries, a fresh cluster in
// a temporary directory, listening on a free loopback port. As root it runs as the `postgres` user
// (PostgreSQL refuses to run as root). `stop()` ends it (by its pid) and removes the directory.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** The newest installed server's bin directory, or undefined. */
export function postgresBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], "bin");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function owner() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** Resolves `{ url, stop }`: `url` names the `postgres` database as the superuser `flint`. */
export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed: run `sudo apt-get install -y postgresql`");
  const dir = mkdtempSync(path.join(os.tmpdir(), "flint-pg-"));
  const ids = owner();
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid);
  const env = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: dir };
  const data = path.join(dir, "data");
  const init = spawnSync(path.join(bin, "initdb"), ["-D", data, "-U", "flint", "-A", "trust", "-E", "UTF8", "--no-sync"], { ...ids, env, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const child = spawn(
    path.join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400", "-c", "shared_buffers=64MB"],
    { ...ids, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `postgres://flint@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = spawnSync(path.join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", "flint"], { env });
    if (ready.status === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null) {
        child.kill("SIGINT"); // fast shutdown: ends sessions, checkpoints
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  return { url, port, pid: child.pid, stop };
}
