/**
 * Decisions remembered, so that a caller asking the same thing again is answered without evaluating
 * its policies again (in a server a decision over 200 statements costs far more than in a tight
 * loop: its objects are no longer in the CPU's caches).
 *
 * A decision depends only on the caller, its policies, the action, the resource, the resource's
 * policy and tags, the request's condition keys and the time. The cache is keyed by all of them:
 * the caller object and its identity-policy list (both replaced, never changed, when IAM changes
 * them), then the rest as text. The time enters as the number of instants at which the policies'
 * date and epoch conditions can change their answer that have passed: between two such instants
 * every decision stands. A policy that reads the time any other way (a pattern, a variable, a set
 * operator) is not cached at all.
 */
import { type Policy, parsePolicy } from "./policy.js";
import type { Caller, Decision, NamedPolicy } from "./types.js";

const TIME_KEYS = new Set(["aws:currenttime", "aws:epochtime"]);
const COMPARISONS = /^(Date|Numeric)(Not)?(Equals|LessThan|LessThanEquals|GreaterThan|GreaterThanEquals)$/;
/** A variable naming a time key (`${aws:CurrentTime}`): its value changes every millisecond. */
const TIME_VARIABLE = /\$\{\s*aws:(currenttime|epochtime)/i;

/** "opaque": reads the time in a way change instants cannot describe. */
type Instants = number[] | "opaque";

function instant(op: string, value: string): number[] | undefined {
  // As evaluate.ts reads them: Date* take ISO text or epoch seconds; Numeric* epoch seconds (EpochTime).
  const t = op.startsWith("Date") ? (/^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value)) : Number(value) * 1000;
  if (!Number.isFinite(t)) return []; // never true or always false: no instant changes it
  // Either side of the instant, to the millisecond and to the second (aws:EpochTime has seconds only).
  const second = Math.floor(t / 1000) * 1000;
  return [t, t + 1, second, second + 1000];
}

const byPolicy = new WeakMap<Policy, Instants>();
/** The instants at which a policy's answers may change with the time, or "opaque". */
export function policyInstants(policy: Policy): Instants {
  let known = byPolicy.get(policy);
  if (known !== undefined) return known;
  const out: number[] = [];
  let opaque = false;
  for (const s of policy.statements) {
    const texts = [...(s.resource ?? []), ...(s.notResource ?? [])].map((p) => p.text);
    for (const c of s.conditions) {
      texts.push(...c.values);
      if (!TIME_KEYS.has(c.key)) continue;
      if (c.set !== undefined || !COMPARISONS.test(c.op)) {
        opaque = true;
        continue;
      }
      for (const v of c.values) {
        const at = instant(c.op, v);
        if (at === undefined || v.includes("${")) opaque = true;
        else out.push(...at);
      }
    }
    if (texts.some((t) => TIME_VARIABLE.test(t))) opaque = true;
  }
  known = opaque ? "opaque" : [...new Set(out)].sort((a, b) => a - b);
  byPolicy.set(policy, known);
  return known;
}

/** The instants of several policies merged, or "opaque" if any is. */
function merged(policies: readonly NamedPolicy[]): Instants {
  const all: number[] = [];
  for (const p of policies) {
    let policy: Policy;
    try {
      policy = parsePolicy(p.document, p.kind);
    } catch {
      return "opaque"; // evaluation says what is wrong with it, every time
    }
    const instants = policyInstants(policy);
    if (instants === "opaque") return "opaque";
    all.push(...instants);
  }
  return [...new Set(all)].sort((a, b) => a - b);
}

/** How many of the sorted instants are at or before `now`. */
function passed(instants: number[], now: number): number {
  let lo = 0;
  let hi = instants.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (instants[mid]! <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What a remembered decision is looked up by, besides the caller and its policy list. */
export interface DecisionKey {
  action: string;
  resource: string;
  resourcePolicy: NamedPolicy | undefined;
  boundary: NamedPolicy | undefined;
  /** The request's other condition keys as text (source address, transport, the ask's keys, the resource's tags). */
  context: string;
  now: number;
}

const MAX_ENTRIES = 1000;

export class DecisionCache {
  private readonly byCaller = new WeakMap<Caller, WeakMap<readonly NamedPolicy[], Map<string, Decision>>>();
  /** An identity list's instants, kept with the list. */
  private readonly listInstants = new WeakMap<readonly NamedPolicy[], Instants>();
  /** A boundary's or resource policy's number and instants, by its text (the key names it by number). */
  private readonly documents = new Map<string, { id: number; instants: Instants }>();
  private nextId = 0;

  /** The remembered decision, or `decide()`'s, remembered when the policies allow it. */
  get(caller: Caller, identity: readonly NamedPolicy[], key: DecisionKey, decide: () => Decision): Decision {
    let list = this.listInstants.get(identity);
    if (list === undefined) this.listInstants.set(identity, (list = merged(identity)));
    const boundary = this.document(key.boundary);
    const resource = this.document(key.resourcePolicy);
    if (list === "opaque" || boundary.instants === "opaque" || resource.instants === "opaque") return decide();
    const epoch = passed(list, key.now) + passed(boundary.instants, key.now) + passed(resource.instants, key.now);
    const text = `${key.action}\n${key.resource}\n${epoch}\n${boundary.id}\n${resource.id}${key.resourcePolicy?.trust ? "t" : ""}\n${key.context}`;
    let byList = this.byCaller.get(caller);
    if (!byList) this.byCaller.set(caller, (byList = new WeakMap()));
    let decisions = byList.get(identity);
    if (!decisions) byList.set(identity, (decisions = new Map()));
    let decision = decisions.get(text);
    if (!decision) {
      decision = decide();
      if (decisions.size >= MAX_ENTRIES) decisions.clear();
      decisions.set(text, decision);
    }
    return decision;
  }

  private document(policy: NamedPolicy | undefined): { id: number; instants: Instants } {
    if (!policy) return NONE;
    const text = typeof policy.document === "string" ? policy.document : JSON.stringify(policy.document);
    let known = this.documents.get(text);
    if (!known) {
      if (this.documents.size >= MAX_ENTRIES) this.documents.clear();
      this.documents.set(text, (known = { id: ++this.nextId, instants: merged([policy]) }));
    }
    return known;
  }
}

const NONE = { id: 0, instants: [] as number[] };
