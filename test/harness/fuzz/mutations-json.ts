/**
 * Mutations of JSON bodies (Lambda's REST-JSON, SQS's JSON 1.0, the JSON services Flint does not
 * implement), made before signing so the request reaches the decoders: members of the wrong type,
 * enormous or negative numbers, very long strings, invalid UTF-8, deep nesting, huge collections,
 * unknown, missing and repeated members, bodies that are not a structure or not JSON. None touches
 * an operation's protected members, so what a creating operation names stays invalid.
 */
import { draft, type MutationKind } from "./mutation.js";
import type { Operation } from "./operations.js";
import { Rng } from "./rng.js";
import { ENORMOUS, INVALID_UTF8, LONG, longString, NEGATIVE, utf8Junk, WRONG_TYPES } from "./values.js";
import { type Draft, type Json, type JsonObject, Raw } from "./wire.js";

const DEPTHS = [100, 10_000, 100_000, 1_000_000];

const jsonBody = (d: Draft): Json | undefined => (d.body.kind === "json" ? d.body.value : undefined);
const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Raw);

/** Every member (at any depth) a value-changing mutation may replace: the protected top-level ones left out. */
function slots(value: Json, protect: readonly string[] = [], top = true): { parent: JsonObject | Json[]; key: string | number }[] {
  const out: { parent: JsonObject | Json[]; key: string | number }[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push({ parent: value, key: i }, ...slots(v, protect, false)));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (!(top && protect.includes(k))) out.push({ parent: value, key: k }, ...slots(v, protect, false));
  }
  return out;
}

/** Replace one member's value (picked by `seed`) with what `value` gives. */
function replaceMember(d: Draft, op: Operation, seed: number, value: (r: Rng) => Json): boolean {
  const body = jsonBody(d);
  const all = body === undefined ? [] : slots(body, op.protected);
  if (all.length === 0) return false;
  const r = new Rng(seed);
  const slot = r.pick(all);
  (slot.parent as Record<string | number, Json>)[slot.key] = value(r);
  return true;
}

/** One of the body's top-level members, picked by `seed`, the `protect`ed ones left out. */
function member(d: Draft, seed: number, protect: readonly string[] = []): { body: JsonObject; key: string } | undefined {
  const body = jsonBody(d);
  const keys = isObject(body) ? Object.keys(body).filter((k) => !protect.includes(k)) : [];
  return isObject(body) && keys.length > 0 ? { body, key: new Rng(seed).pick(keys) } : undefined;
}

const json = (op: Operation, d: Draft) => jsonBody(d) !== undefined && op.protocol !== "query";

/** A kind that replaces one member's value (which one drawn when applied) with one of `values` (drawn when made). */
function replacing<T>(name: string, weight: number, values: readonly T[], detail: (v: T) => string, value: (v: T) => Json): MutationKind {
  return {
    name,
    weight,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const v = r.pick(values);
      return draft(name, detail(v), (d) => replaceMember(d, op, seed, () => value(v)));
    },
  };
}
const deep = (depth: number, r: Rng) => (r.chance(0.5) ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));

export const JSON_MUTATIONS: MutationKind[] = [
  replacing("json-wrong-type", 4, WRONG_TYPES, (v) => JSON.stringify(v), (v) => structuredClone(v)),
  replacing("json-enormous-number", 2, ENORMOUS, (n) => (n.length > 40 ? `${n.slice(0, 12)}…` : n), (n) => new Raw(n)),
  replacing("json-negative-number", 2, NEGATIVE, (n) => n, (n) => new Raw(n)),
  replacing("json-long-string", 2, LONG, (n) => `${n} chars`, longString),
  replacing("json-invalid-utf8", 2, INVALID_UTF8, (b) => b.toString("hex"), (b) => new Raw(Buffer.concat([Buffer.from('"'), utf8Junk(b), Buffer.from('"')]))),
  {
    name: "json-deep-nesting",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const depth = r.pick(DEPTHS);
      const whole = r.chance(0.3);
      return draft(this.name, `depth ${depth}${whole ? ", whole body" : ""}`, (d) => {
        if (whole) {
          d.body = { kind: "json", value: new Raw(deep(depth, new Rng(seed))) };
          return true;
        }
        return replaceMember(d, op, seed, (rr) => new Raw(deep(depth, rr)));
      });
    },
  },
  {
    name: "json-huge-collection",
    weight: 1,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const n = r.pick([10_000, 300_000]);
      const object = r.chance(0.5);
      // Made when applied, not kept with the request: a few MB each.
      const text = () => (object ? `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}` : `[${"0,".repeat(n - 1)}0]`);
      return draft(this.name, `${object ? "object" : "array"} of ${n}`, (d) => replaceMember(d, op, seed, () => new Raw(text())));
    },
  },
  {
    name: "json-unknown-member",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(_op, r) {
      const value = r.pick(WRONG_TYPES);
      const key = r.pick(["FuzzUnknown", "__proto__", "constructor", "", "toString"]);
      return draft(this.name, key, (d) => {
        const body = jsonBody(d);
        if (!isObject(body)) return false;
        // defineProperty: a member named __proto__ is a member, not the object's prototype.
        Object.defineProperty(body, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
      });
    },
  },
  {
    name: "json-dropped-member",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(_op, r) {
      const seed = r.fork();
      return draft(this.name, "", (d) => {
        const m = member(d, seed);
        if (!m) return false;
        delete m.body[m.key];
      });
    },
  },
  {
    name: "json-not-a-structure",
    weight: 1,
    applies: (op, d) => json(op, d),
    make(_op, r) {
      const text = r.pick(["[]", '"str"', "1", "null", "true", "[{}]", "1e400"]);
      return draft(this.name, text, (d) => void (d.body = { kind: "bytes", bytes: Buffer.from(text) }));
    },
  },
  {
    name: "json-malformed",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(_op, r) {
      const how = r.pick(["truncated", "trailing garbage", "empty", "bom", "single quotes", "NaN", "comment", "trailing comma"] as const);
      return draft(this.name, how, (d) => {
        const text = Buffer.from(JSON.stringify({ fuzz: 1 }));
        const bytes = {
          truncated: text.subarray(0, text.length - 2),
          "trailing garbage": Buffer.concat([text, Buffer.from("}}garbage")]),
          empty: Buffer.alloc(0),
          bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]),
          "single quotes": Buffer.from("{'fuzz': 1}"),
          NaN: Buffer.from('{"fuzz": NaN}'),
          comment: Buffer.from('{/* c */"fuzz": 1}'),
          "trailing comma": Buffer.from('{"fuzz": 1,}'),
        }[how];
        d.body = { kind: "bytes", bytes };
      });
    },
  },
  {
    name: "json-duplicate-key",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(op, r) {
      const seed = r.fork();
      return draft(this.name, "", (d) => {
        const m = member(d, seed, op.protected);
        if (!m) return false;
        const { body, key } = m;
        // Written twice: the first as given, the second of another type.
        body[key] = new Raw(`${JSON.stringify(body[key] instanceof Raw ? null : body[key])},${JSON.stringify(key)}:[1]`);
      });
    },
  },
];
