/**
 * Mutations of JSON bodies (Lambda's REST-JSON, SQS's JSON 1.0, the JSON services Flint does not
 * implement), made before signing so the request reaches the decoders: members of the wrong type,
 * enormous or negative numbers, very long strings, invalid UTF-8, deep nesting, huge collections,
 * unknown, missing and repeated members, bodies that are not a structure or not JSON. None touches
 * an operation's protected members, so what a creating operation names stays invalid.
 */
import type { MutationKind } from "./mutation.js";
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

const json = (op: Operation, d: Draft) => jsonBody(d) !== undefined && op.protocol !== "query";
const deep = (depth: number, r: Rng) => (r.chance(0.5) ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));

export const JSON_MUTATIONS: MutationKind[] = [
  {
    name: "json-wrong-type",
    weight: 4,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const value = r.pick(WRONG_TYPES);
      return { name: this.name, detail: JSON.stringify(value), stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => structuredClone(value)) };
    },
  },
  {
    name: "json-enormous-number",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const n = r.pick(ENORMOUS);
      return { name: this.name, detail: n.length > 40 ? `${n.slice(0, 12)}…` : n, stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => new Raw(n)) };
    },
  },
  {
    name: "json-negative-number",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const n = r.pick(NEGATIVE);
      return { name: this.name, detail: n, stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => new Raw(n)) };
    },
  },
  {
    name: "json-long-string",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const n = r.pick(LONG);
      return { name: this.name, detail: `${n} chars`, stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => longString(n)) };
    },
  },
  {
    name: "json-invalid-utf8",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const bytes = r.pick(INVALID_UTF8);
      const quoted = Buffer.concat([Buffer.from('"'), utf8Junk(bytes), Buffer.from('"')]);
      return { name: this.name, detail: bytes.toString("hex"), stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => new Raw(quoted)) };
    },
  },
  {
    name: "json-deep-nesting",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(op, r) {
      const seed = r.fork();
      const depth = r.pick(DEPTHS);
      const whole = r.chance(0.3);
      return {
        name: this.name,
        detail: `depth ${depth}${whole ? ", whole body" : ""}`,
        stage: "draft",
        refuses: false,
        transport: false,
        apply(d) {
          if (whole) {
            d.body = { kind: "json", value: new Raw(deep(depth, new Rng(seed))) };
            return true;
          }
          return replaceMember(d, op, seed, (rr) => new Raw(deep(depth, rr)));
        },
      };
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
      return { name: this.name, detail: `${object ? "object" : "array"} of ${n}`, stage: "draft", refuses: false, transport: false, apply: (d) => replaceMember(d, op, seed, () => new Raw(text())) };
    },
  },
  {
    name: "json-unknown-member",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(_op, r) {
      const value = r.pick(WRONG_TYPES);
      const key = r.pick(["FuzzUnknown", "__proto__", "constructor", "", "toString"]);
      return {
        name: this.name,
        detail: key,
        stage: "draft",
        refuses: false,
        transport: false,
        apply(d) {
          const body = jsonBody(d);
          if (!isObject(body)) return false;
          // defineProperty: a member named __proto__ is a member, not the object's prototype.
          Object.defineProperty(body, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
        },
      };
    },
  },
  {
    name: "json-dropped-member",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(_op, r) {
      const seed = r.fork();
      return {
        name: this.name,
        detail: "",
        stage: "draft",
        refuses: false,
        transport: false,
        apply(d) {
          const body = jsonBody(d);
          const keys = isObject(body) ? Object.keys(body) : [];
          if (!isObject(body) || keys.length === 0) return false;
          delete body[new Rng(seed).pick(keys)];
        },
      };
    },
  },
  {
    name: "json-not-a-structure",
    weight: 1,
    applies: (op, d) => json(op, d),
    make(_op, r) {
      const text = r.pick(["[]", '"str"', "1", "null", "true", "[{}]", "1e400"]);
      return { name: this.name, detail: text, stage: "draft", refuses: false, transport: false, apply: (d) => void (d.body = { kind: "bytes", bytes: Buffer.from(text) }) };
    },
  },
  {
    name: "json-malformed",
    weight: 2,
    applies: (op, d) => json(op, d),
    make(_op, r) {
      const how = r.pick(["truncated", "trailing garbage", "empty", "bom", "single quotes", "NaN", "comment", "trailing comma"] as const);
      return {
        name: this.name,
        detail: how,
        stage: "draft",
        refuses: false,
        transport: false,
        apply(d) {
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
        },
      };
    },
  },
  {
    name: "json-duplicate-key",
    weight: 1,
    applies: (op, d) => json(op, d) && isObject(jsonBody(d)),
    make(op, r) {
      const seed = r.fork();
      return {
        name: this.name,
        detail: "",
        stage: "draft",
        refuses: false,
        transport: false,
        apply(d) {
          const body = jsonBody(d);
          const keys = isObject(body) ? Object.keys(body).filter((k) => !op.protected?.includes(k)) : [];
          if (!isObject(body) || keys.length === 0) return false;
          const key = new Rng(seed).pick(keys);
          // Written twice: the first as given, the second of another type.
          body[key] = new Raw(`${JSON.stringify(body[key] instanceof Raw ? null : body[key])},${JSON.stringify(key)}:[1]`);
        },
      };
    },
  },
];
