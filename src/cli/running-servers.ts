/**
 * Where `flint logs` and `flint events` find a server's data when run from any directory.
 *
 * Each running `flint serve` records itself (pid, endpoint, data dir) in `config.serversDir`, one file
 * per server, and removes the record when it stops. A record left by a server that was killed is
 * recognised by its pid: gone, or now a process that started at another time.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FlintConfig } from "../config/config.js";

export interface ServerRecord {
  pid: number;
  /** The process's start time (clock ticks after boot, `/proc/<pid>/stat`), so a reused pid does not pass for the server. */
  started: string;
  endpoint: string;
  dataDir: string;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]; // field 22; fields after the name start at 3
  } catch {
    return undefined;
  }
}

async function readRecords(dir: string): Promise<{ file: string; record: ServerRecord; live: boolean }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    const file = path.join(dir, name);
    try {
      const record = JSON.parse(await readFile(file, "utf8")) as ServerRecord;
      out.push({ file, record, live: startTime(record.pid) === record.started });
    } catch {
      // removed between the listing and the read
    }
  }
  return out;
}

/**
 * Record this process as a running server (and forget the records of servers that were killed).
 * Resolves with what removes the record; rejects when it cannot be written.
 */
export async function recordServer(dir: string, server: { endpoint: string; dataDir: string }): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const { file, live } of await readRecords(dir)) if (!live) await rm(file, { force: true });
  const record: ServerRecord = { pid: process.pid, started: startTime(process.pid) ?? "", ...server };
  const file = path.join(dir, `${process.pid}.json`);
  await writeFile(`${file}.part`, JSON.stringify(record) + "\n", { mode: 0o600 });
  await rename(`${file}.part`, file);
  return () => rm(file, { force: true });
}

/** The servers of this user that are running now, oldest pid first. */
export async function runningServers(dir: string): Promise<ServerRecord[]> {
  return (await readRecords(dir))
    .filter((r) => r.live)
    .map((r) => r.record)
    .sort((a, b) => a.pid - b.pid);
}

const holdsData = (dir: string) => existsSync(path.join(dir, "flint.db"));

/**
 * The data dir to read: the one `--data-dir`/`FLINT_DATA_DIR` names, else `./.flint` when it holds
 * data, else the running server's. Undefined, with the reason and what to do on stderr, when there
 * is none or more than one to choose from.
 */
export async function dataDirToRead(config: FlintConfig): Promise<string | undefined> {
  if (holdsData(config.dataDir)) return config.dataDir;
  if (config.dataDirGiven) {
    process.stderr.write(`flint: no Flint data in ${config.dataDir}\n`);
    return undefined;
  }
  const servers = await runningServers(config.serversDir);
  const dirs = [...new Set(servers.map((s) => s.dataDir))];
  if (dirs.length === 1) return dirs[0];
  if (dirs.length === 0) {
    process.stderr.write(
      `flint: no Flint data in ${config.dataDir}, and no flint serve of this user is running.\n` +
        "  Run this in the directory where Flint was started, or pass --data-dir DIR (`flint serve` prints its data dir).\n",
    );
  } else {
    process.stderr.write(
      `flint: no Flint data in ${config.dataDir}, and ${servers.length} Flint servers are running; say whose data to read:\n` +
        servers.map((s) => `  --data-dir ${s.dataDir}   (${s.endpoint}, pid ${s.pid})\n`).join(""),
    );
  }
  return undefined;
}
