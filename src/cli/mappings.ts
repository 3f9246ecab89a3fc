/**
 * `flint mappings`: each event source mapping of a running server, with its state, how far behind
 * its source it is (an SQS queue's messages waiting and in flight; a stream's IteratorAge per
 * shard) and its last result or problem, from `GET /_flint/mappings`.
 */
import { parseArgs } from "node:util";
import { resolveConfig } from "../config/config.js";
import { runningServers } from "./running-servers.js";

export const MAPPINGS_USAGE = `  mappings [--endpoint URL] [--json]
        each event source mapping: state, lag behind its source, last result or why it cannot poll`;

interface MappingStatus {
  UUID: string;
  EventSourceArn: string;
  FunctionArn: string;
  State: string;
  StateTransitionReason: string;
  LastProcessingResult?: string;
  Lag: { MessagesWaiting?: number; MessagesInFlight?: number; Shards?: { ShardId: string; IteratorAgeMilliseconds: number }[] };
}

/** The lag column: messages for a queue, the oldest shard's IteratorAge for a stream. */
function lagOf(m: MappingStatus): string {
  if (m.Lag.MessagesWaiting !== undefined) return `${m.Lag.MessagesWaiting} waiting, ${m.Lag.MessagesInFlight} in flight`;
  const shards = m.Lag.Shards ?? [];
  if (shards.length === 0) return m.EventSourceArn.includes(":sqs:") ? "queue gone" : "not read yet";
  const worst = Math.max(...shards.map((s) => s.IteratorAgeMilliseconds));
  return `IteratorAge ${worst < 1000 ? `${worst} ms` : `${(worst / 1000).toFixed(1)} s`} (${shards.length} shard${shards.length === 1 ? "" : "s"})`;
}

export async function mappings(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { endpoint: { type: "string" }, json: { type: "boolean" } }, strict: true }).values;
  } catch (e) {
    err(`flint mappings: ${(e as Error).message}\nusage: flint${MAPPINGS_USAGE}\n`);
    return 2;
  }
  let endpoint = args.endpoint;
  if (endpoint === undefined) {
    const servers = await runningServers(resolveConfig([]).serversDir);
    if (servers.length !== 1) {
      err(servers.length === 0 ? "flint mappings: no flint serve of this user is running; pass --endpoint URL\n" : `flint mappings: ${servers.length} Flint servers are running; pass --endpoint with one of: ${servers.map((s) => s.endpoint).join(", ")}\n`);
      return 1;
    }
    endpoint = servers[0]!.endpoint;
  }
  let list: MappingStatus[];
  try {
    const res = await fetch(new URL("/_flint/mappings", endpoint));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    list = ((await res.json()) as { EventSourceMappings: MappingStatus[] }).EventSourceMappings;
  } catch (e) {
    err(`flint mappings: cannot read ${endpoint}: ${(e as Error).message}\n`);
    return 1;
  }
  if (args.json) {
    out(JSON.stringify(list, null, 2) + "\n");
    return 0;
  }
  if (list.length === 0) {
    out("no event source mappings\n");
    return 0;
  }
  const rows = list.map((m) => [m.UUID, m.State, m.EventSourceArn.split(":").slice(5).join(":") || m.EventSourceArn, m.FunctionArn.split(":").slice(6).join(":"), lagOf(m), m.LastProcessingResult ?? m.StateTransitionReason]);
  const header = ["UUID", "STATE", "SOURCE", "FUNCTION", "LAG", "LAST RESULT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ") + "\n";
  out(line(header));
  for (const r of rows) out(line(r));
  // A mapping that cannot poll says why.
  for (const m of list) if (/^PROBLEM/.test(m.LastProcessingResult ?? "") && m.StateTransitionReason && !/^(USER_INITIATED|User action)$/.test(m.StateTransitionReason)) out(`${m.UUID}: ${m.StateTransitionReason}\n`);
  return 0;
}
