/**
 * `flint migrate --from <data dir> --to postgres://…`: move a stopped single-node installation onto
 * PostgreSQL, where several nodes can share it. Copies the store's rows with its logs and CloudWatch
 * metrics (store/copy.ts), then what the data dir kept as files: code packages that functions use,
 * an older Flint's log files, the clock's reading and generated root credentials (so the CLI profile
 * that worked keeps working). The database must hold no Flint data yet; the data dir is only read.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { clockFile, clockSetting } from "../clock/clock.js";
import { resolveConfig } from "../config/config.js";
import { ROOT_CREDENTIALS_KEY } from "../credentials.js";
import { CodeStore } from "../services/lambda/code.js";
import { importLogFiles } from "../services/logs/log-store.js";
import { SqliteToPg, nonEmptyTables } from "../store/copy.js";
import { PgStore } from "../store/postgres.js";
import { runningServers } from "./running-servers.js";

export const MIGRATE_USAGE = `  migrate --from DIR --to postgres://… [--leave-behind]
        copy a stopped installation's data dir (store, code packages, logs, clock, credentials)
        into an empty PostgreSQL database; --leave-behind copies even when some data has no place there`;

export async function migrate(argv: string[]): Promise<number> {
  const value = (flag: string) => argv[argv.indexOf(flag) + 1];
  const from = argv.includes("--from") ? value("--from") : undefined;
  const to = argv.includes("--to") ? value("--to") : undefined;
  const leaveBehind = argv.includes("--leave-behind");
  if (!from || !to) {
    process.stderr.write(`usage: flint migrate --from DIR --to postgres://… [--leave-behind]\n`);
    return 2;
  }
  if (!/^postgres(ql)?:\/\//.test(to)) {
    process.stderr.write("flint: --to must be a postgres:// URL\n");
    return 2;
  }
  if (!existsSync(path.join(from, "flint.db"))) {
    process.stderr.write(`flint: no Flint data in ${from}\n`);
    return 1;
  }
  const running = (await runningServers(resolveConfig([]).serversDir)).find((s) => path.resolve(s.dataDir) === path.resolve(from));
  if (running) {
    process.stderr.write(`flint: a flint serve (pid ${running.pid}) is running on ${from}: stop it first, so nothing changes while it is copied\n`);
    return 1;
  }
  const target = await PgStore.open(to);
  try {
    const full = await nonEmptyTables(target.db);
    if (full.length) {
      process.stderr.write(`flint: the database already holds Flint data (${full.join(", ")}): migrate into an empty one\n`);
      return 1;
    }
    const say = (line: string) => process.stdout.write(`${line}\n`);
    // The store's file, then the logs' and the metrics' own files (sqlite-logs.ts, sqlite-metrics.ts,
    // every resolution's rows): all planned before any is copied.
    const copiers = [await SqliteToPg.open(from, target.db), await SqliteToPg.open(from, target.db, "logs.db"), await SqliteToPg.open(from, target.db, "metrics.db")];
    try {
      const plans = await Promise.all(copiers.map((c) => c.plan()));
      const lost = plans.flatMap((plan) => [
        ...plan.missingTables.filter((t) => t.rows > 0).map((t) => `table ${t.table} (${t.rows} rows)`),
        ...plan.missingColumns.map((c) => `column ${c.table}.${c.column}`),
      ]);
      if (lost.length && !leaveBehind) {
        process.stderr.write(`flint: this Flint's PostgreSQL schema has no place for: ${lost.join(", ")}; nothing was copied (--leave-behind copies the rest)\n`);
        return 1;
      }
      for (const [i, plan] of plans.entries()) {
        await copiers[i]!.copy(plan);
        for (const t of plan.tables) if (t.rows) say(`copied ${t.rows} row(s) of ${t.table}`);
      }
      for (const what of lost) say(`left behind ${what}`);
    } finally {
      for (const c of copiers) c.close();
    }
    const code = await CodeStore.create(from);
    let packages = 0;
    for (const id of await code.savedIds()) {
      if (!(await target.codeInUse(id))) continue;
      await target.blobs.put(id, await readFile(code.zipOf({ id, sha256: "", size: 0 })));
      packages++;
    }
    say(`copied ${packages} code package(s)`);
    const imported = await importLogFiles(from, target.logs);
    if (imported) say(`copied ${imported} log event(s) from an older Flint's log files`);
    const reading = await clockFile(path.join(from, "clock.json")).load();
    if (reading) {
      await clockSetting(target.settings).save(reading);
      say("copied the clock's reading");
    }
    const credentials = await readFile(path.join(from, "credentials.json"), "utf8").catch(() => undefined);
    if (credentials) {
      const { accessKeyId, secretAccessKey } = JSON.parse(credentials) as { accessKeyId: string; secretAccessKey: string };
      await target.settings.putIfAbsent(ROOT_CREDENTIALS_KEY, JSON.stringify({ accessKeyId, secretAccessKey }));
      say(`copied the generated root credentials (access key ${accessKeyId})`);
    }
    say(`done: start each node with --store (or FLINT_STORE) set to that database`);
    return 0;
  } finally {
    await target.close();
  }
}
