/**
 * The fuzz test's requests: drawn from a seed (an operation, real or ghost resources, zero to three
 * mutations), and built into bytes on demand, with any subset of their mutations (to reproduce one
 * request, or to find the fewest mutations that still fail).
 */
import { type Mutation, type MutationKind } from "./mutation.js";
import { AUTH_MUTATIONS } from "./mutations-auth.js";
import { JSON_MUTATIONS } from "./mutations-json.js";
import { PARAM_MUTATIONS } from "./mutations-params.js";
import { PIPELINE_FOLLOW_UP, TRANSPORT_MUTATIONS } from "./mutations-transport.js";
import { isLambdaPath, OPERATIONS, signingService, type Operation, type Protocol, type Targets } from "./operations.js";
import { Rng } from "./rng.js";
import { defaultSigning, type Draft, HEAD_LIMIT, toWire, type Wire, wireBytes } from "./wire.js";

export interface FuzzRequest {
  index: number;
  op: Operation;
  /** Addresses the real resources (read-only operations only). */
  real: boolean;
  seed: number;
  mutations: Mutation[];
}

export interface Built {
  bytes: Buffer;
  wire: Wire;
  /** The mutations that changed something. */
  applied: Mutation[];
  /** The protocols whose shape the request's client can take an answer in, judged from what it carries. */
  expected: Protocol[];
  /** The head is over the listener's limit: the HTTP layer refuses it before any protocol is known. */
  oversizedHead: boolean;
  /** A second (GetAccountSettings) request follows on the connection. */
  pipelined: boolean;
}

const KINDS: MutationKind[] = [...AUTH_MUTATIONS, ...JSON_MUTATIONS, ...PARAM_MUTATIONS, ...TRANSPORT_MUTATIONS];

export function generate(seed: number, count: number, targets: Targets): FuzzRequest[] {
  const r = new Rng(seed);
  return Array.from({ length: count }, (_, index) => {
    const op = r.pick(OPERATIONS);
    const real = !op.mutates && !op.unimplemented && r.chance(0.7);
    const base = r.fork();
    const draft = op.build(targets, real, new Rng(base));
    const n = r.pick([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3]);
    const mutations: Mutation[] = [];
    const chosen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const clash = (k: MutationKind) => k.conflicts?.some((c) => chosen.has(c)) || KINDS.some((o) => chosen.has(o.name) && o.conflicts?.includes(k.name));
      const candidates = KINDS.filter((k) => !chosen.has(k.name) && !clash(k) && k.applies(op, draft, real));
      let pick = r.next() * candidates.reduce((sum, k) => sum + k.weight, 0);
      const kind = candidates.find((k) => (pick -= k.weight) < 0) ?? candidates[0]!;
      chosen.add(kind.name);
      mutations.push(kind.make(op, r));
    }
    return { index, op, real, seed: base, mutations };
  });
}

/**
 * X-Amz-Target means an AWS JSON client, a form body or `Action=` a query client, a Lambda path a
 * REST-JSON client; a request that carries both a target and a form could come from either, and
 * one that carries none of these from any.
 */
function expectedProtocols(wire: Wire): Protocol[] {
  const header = (name: string) => wire.headers.find(([k]) => k.toLowerCase() === name)?.[1];
  // An absolute-form target (`http://host/path`) names the same path.
  const target = (wire.requestLine.split(" ")[1] ?? "").replace(/^[a-z]+:\/\/[^/]*/i, "");
  const form = /[?&]Action=/.test(target) || /(^|&)Action=/.test(wire.body.toString("latin1")) || /x-www-form-urlencoded/i.test(header("content-type") ?? "");
  if (header("x-amz-target") !== undefined) return form ? ["json", "query"] : ["json"];
  if (isLambdaPath(target.split("?")[0]!)) return ["rest-json"];
  return form ? ["query"] : ["rest-json", "json", "query"];
}

/** A valid, signed request of a read-only operation, sent behind another on the same connection. */
async function followUp(host: string): Promise<Buffer> {
  const draft: Draft = { method: "GET", path: "/2016-08-19/account-settings/", query: [], headers: [], body: { kind: "none" } };
  return wireBytes(await toWire(draft, defaultSigning("lambda"), host));
}

/** Build a request's bytes for `targets.host`, with only the mutations at `keep` (all by default). */
export async function build(req: FuzzRequest, targets: Targets, keep?: ReadonlySet<number>): Promise<Built> {
  const mutations = req.mutations.filter((_, i) => !keep || keep.has(i));
  const applied: Mutation[] = [];
  const note = (m: Mutation, changed: boolean | void) => changed !== false && applied.push(m);
  const draft = req.op.build(targets, req.real, new Rng(req.seed));
  for (const m of mutations) if (m.stage === "draft") note(m, m.apply(draft));
  const signing = defaultSigning(signingService(req.op));
  for (const m of mutations) if (m.stage === "sign") note(m, m.apply(signing));
  const wire = await toWire(draft, signing, targets.host);
  // Once the bytes are fixed (a head cut short), nothing more changes them.
  for (const m of mutations) if (m.stage === "wire" && !wire.raw) note(m, m.apply(wire));
  const pipelined = wire.pipelined === PIPELINE_FOLLOW_UP && !wire.raw;
  wire.pipelined = pipelined ? await followUp(targets.host) : undefined;
  const bytes = wireBytes(wire);
  const headEnd = bytes.indexOf("\r\n\r\n");
  return { bytes, wire, applied, expected: expectedProtocols(wire), oversizedHead: (headEnd < 0 ? bytes.length : headEnd) > HEAD_LIMIT, pipelined };
}
