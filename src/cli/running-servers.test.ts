import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { resolveConfig } from "../config/config.js";
import { recordServer, runningServers } from "./running-servers.js";

test("servers are recorded per user: in XDG_RUNTIME_DIR, else XDG_STATE_HOME, else ~/.local/state", () => {
  assert.equal(resolveConfig([], { XDG_RUNTIME_DIR: "/run/user/1000", HOME: "/home/u" }).serversDir, "/run/user/1000/flint/servers");
  assert.equal(resolveConfig([], { XDG_STATE_HOME: "/home/u/state", HOME: "/home/u" }).serversDir, "/home/u/state/flint/servers");
  assert.equal(resolveConfig([], { HOME: "/home/u" }).serversDir, "/home/u/.local/state/flint/servers");
  assert.equal(resolveConfig([], { XDG_RUNTIME_DIR: "relative", HOME: "/home/u" }).serversDir, "/home/u/.local/state/flint/servers", "a relative XDG path is invalid");
});

test("a data dir named by --data-dir or FLINT_DATA_DIR is marked as given; the ./.flint default is not", () => {
  assert.equal(resolveConfig([], {}).dataDirGiven, false);
  assert.equal(resolveConfig(["--data-dir", "x"], {}).dataDirGiven, true);
  assert.equal(resolveConfig([], { FLINT_DATA_DIR: "x" }).dataDirGiven, true);
});

test("a recorded server is running until it forgets itself; records of killed servers are ignored, then cleared", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-servers-"));
  try {
    // A pid that no process has, and this process's pid started at another time (a reused pid).
    await writeFile(path.join(dir, "4194305.json"), JSON.stringify({ pid: 4194305, started: "1", endpoint: "http://127.0.0.1:1", dataDir: "/gone" }));
    await writeFile(path.join(dir, `${process.pid}.json`), JSON.stringify({ pid: process.pid, started: "1", endpoint: "http://127.0.0.1:2", dataDir: "/reused" }));
    assert.deepEqual(await runningServers(dir), []);

    const forget = await recordServer(dir, { endpoint: "http://127.0.0.1:9000", dataDir: "/srv/flint" });
    assert.deepEqual(
      (await runningServers(dir)).map((s) => [s.pid, s.endpoint, s.dataDir]),
      [[process.pid, "http://127.0.0.1:9000", "/srv/flint"]],
    );
    assert.deepEqual(await readdir(dir), [`${process.pid}.json`], "the dead server's record is cleared");
    await forget();
    assert.deepEqual(await runningServers(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
