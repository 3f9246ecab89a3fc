/** What a mutation is, and how the fuzz test reads a set of them. */
import type { Operation } from "./operations.js";
import type { Rng } from "./rng.js";
import type { Draft, Signing, Wire } from "./wire.js";

interface Common {
  /** The kind, e.g. `scope-service`: what failures are grouped by. */
  name: string;
  /** What this one did, e.g. `s3`. */
  detail: string;
  /** A correct server refuses any request this was applied to. */
  refuses: boolean;
  /** Breaks the head or the body's framing: the HTTP layer may refuse it with an empty body, or close. */
  transport: boolean;
}

/** `apply` returns false when it found nothing to change (then it neither refuses nor breaks anything). */
export type Mutation =
  | (Common & { stage: "draft"; apply(draft: Draft): boolean | void })
  | (Common & { stage: "sign"; apply(signing: Signing): boolean | void })
  | (Common & { stage: "wire"; apply(wire: Wire): boolean | void });

/** What a mutation says of itself; by default, neither refused nor breaking the framing. */
type Says = Partial<Pick<Common, "refuses" | "transport">>;

/** A mutation of the draft (before signing), of the signing, or of the wire request: each names only what differs from the default. */
export const draft = (name: string, detail: string, apply: (d: Draft) => boolean | void, { refuses = false, transport = false }: Says = {}): Mutation => ({ name, detail, stage: "draft", refuses, transport, apply });
export const signing = (name: string, detail: string, apply: (s: Signing) => boolean | void, { refuses = false, transport = false }: Says = {}): Mutation => ({ name, detail, stage: "sign", refuses, transport, apply });
export const wire = (name: string, detail: string, apply: (w: Wire) => boolean | void, { refuses = false, transport = false }: Says = {}): Mutation => ({ name, detail, stage: "wire", refuses, transport, apply });

export interface MutationKind {
  name: string;
  weight: number;
  /** Kinds never drawn together with this one (they would undo or blur each other). */
  conflicts?: string[];
  /** Whether it can be applied to this operation's request (`real`: it addresses the real resources). */
  applies(op: Operation, draft: Draft, real: boolean): boolean;
  /** Draw everything random now, so that applying it again gives the same request. */
  make(op: Operation, r: Rng): Mutation;
}

export const describe = (m: Mutation) => (m.detail ? `${m.name}(${m.detail})` : m.name);

/** Text for a report: printable ASCII kept, the rest escaped, long runs cut. */
export function excerpt(text: string, max = 160): string {
  const escaped = text.replace(/[^\x20-\x7e]/g, (c) => (c === "\r" ? "\\r" : c === "\n" ? "\\n" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
  return escaped.length <= max ? escaped : `${escaped.slice(0, max)}… (${text.length} chars)`;
}
