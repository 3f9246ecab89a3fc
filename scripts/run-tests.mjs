#!/usr/bin/env node
// Runs every compiled `*.test.js` under dist/ with Node's test runner (Node 20 takes no globs, and a
// plain directory argument would also run the helpers under test/ as if they were tests).
// Arguments are substrings that select test files: `node scripts/run-tests.mjs lifecycle`.
import { spawnSync } from "node:child_process";
import { startPostgres } from "./postgres.mjs";
import { readdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../dist");
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.js")) files.push(p);
  }
};
walk(root);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error("no test files selected");
  process.exit(1);
}
// The timeout only guards against a hang: Node applies it to each file and suite as well as to each
// test, and a file of a few hundred AWS CLI runs took more than 5 minutes on a loaded 2-core host.
// One throwaway PostgreSQL server for the run: each test file that needs it makes its own database there.
const postgres = await startPostgres();
let r;
try {
  r = spawnSync(process.execPath, ["--test", "--test-concurrency=3", "--test-timeout=1800000", ...selected], {
    stdio: "inherit",
    env: { ...process.env, FLINT_TEST_PG: postgres.url },
  });
} finally {
  await postgres.stop();
}
process.exit(r.status ?? 1);
