#!/usr/bin/env node
/** The `flint` command. */
import { resolveConfig, ConfigError } from "../config/config.js";
import { serve } from "./serve.js";
import { events } from "./events.js";
import { logs } from "./logs.js";
import { IAM_USAGE, iam } from "./iam.js";
import { MAPPINGS_USAGE, mappings } from "./mappings.js";
import { MIGRATE_USAGE, migrate } from "./migrate.js";

const USAGE = `usage: flint <command> [options]

commands:
  serve [--port N] [--host H] [--data-dir DIR] [--idle-timeout SECONDS] [--time-scale N]
        start Flint (AWS-compatible endpoint on http://127.0.0.1:9000 by default)
  logs <function> [--data-dir DIR | --store URL] [--follow]
        print a function's logs (every stream, oldest first); exits 1 when it has none
  events <request-id> [--data-dir DIR | --store URL] [--json]
        the timeline of an asynchronous invocation: each attempt, its outcome, where the event went
${IAM_USAGE}
${MAPPINGS_USAGE}
${MIGRATE_USAGE}
logs and events read the PostgreSQL store --store URL (FLINT_STORE) names, else --data-dir DIR, else
./.flint, else the data dir of the flint serve running for this user (from any directory); they exit 1 when there is none, or several to choose from.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // A reader that went away (`flint … | head`, a closed terminal, a supervisor restarted) is not a
  // failure: `serve` keeps serving and shuts down cleanly with its output dropped (EPIPE, or EIO
  // from a terminal that closed); the other commands stop, quietly after EPIPE as a Unix filter
  // does. (Unhandled, the error threw from the next write.)
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (command !== "serve") process.exit(err.code === "EPIPE" ? 0 : 1);
    });
  }
  try {
    switch (command) {
      case "serve":
        return await serve(resolveConfig(rest));
      case "logs":
        return await logs(rest);
      case "events":
        return await events(rest);
      case "iam":
        return await iam(rest);
      case "mappings":
        return await mappings(rest);
      case "migrate":
        return await migrate(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`flint: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flint: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || process.argv[2] !== "serve") process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`flint: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
