#!/usr/bin/env node
// Installs the Debian packages Flint needs on this machine kind when running as root, or prints the
// exact command otherwise. `start` needs what functions run with; `test` also needs the AWS CLI v2.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

const purpose = process.argv[2] ?? "start";
const needs = [
  { pkg: "python3", path: "/usr/bin/python3", why: "runs python3.x functions" },
  { pkg: "curl", path: "/usr/bin/curl", why: "used by custom-runtime examples and tests" },
  { pkg: "bubblewrap", path: "/usr/bin/bwrap", why: "strict isolation of execution environments" },
  { pkg: "socat", path: "/usr/bin/socat", why: "the Runtime API bridge of custom runtimes in isolated networks" },
  { pkg: "python3-boto3", path: "/usr/lib/python3/dist-packages/boto3/__init__.py", why: "boto3 for Python functions, as Lambda's Python runtimes carry it (and a client the tests drive)" },
];
if (purpose === "test") {
  needs.push({ pkg: "awscli", path: "/usr/bin/aws", why: "the AWS CLI v2 the end-to-end tests drive" });
  needs.push({ pkg: "chromium", path: "/usr/bin/chromium", why: "the headless browser the console's end-to-end test drives (through playwright-core; no browser is downloaded)" });
  needs.push({ pkg: "postgresql", path: "/usr/lib/postgresql", why: "a throwaway PostgreSQL server for the store's contract tests and the cluster tests" });
}
const missing = needs.filter((n) => !existsSync(n.path));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((m) => m.pkg))];
const command = `apt-get install -y --no-install-recommends ${pkgs.join(" ")}`;
for (const m of missing) console.error(`flint setup: ${m.pkg} is missing (${m.why})`);
if (process.getuid?.() !== 0) {
  console.error(`flint setup: run as root:\n  sudo apt-get update && sudo ${command}`);
  process.exit(purpose === "test" ? 1 : 0);
}
const run = (cmd) => execFileSync("sh", ["-c", cmd], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
try {
  run(command);
} catch {
  run(`apt-get update && ${command}`);
}
