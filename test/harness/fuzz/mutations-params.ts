/**
 * Mutations of parameters, made before signing so the request reaches the decoders: the query
 * protocol's (SQS, SNS, the query services Flint does not implement) with very long dotted names,
 * sub-names on scalar members, repetitions, odd names, thousands of them, values out of range or
 * not UTF-8; Lambda's paths, query strings and headers; and the Content-Type of any request. None
 * touches an operation's protected members or names a real resource.
 */
import { draft, type MutationKind } from "./mutation.js";
import type { Operation } from "./operations.js";
import { Rng } from "./rng.js";
import { ENORMOUS, INVALID_UTF8, LONG, longString, NEGATIVE, utf8Junk } from "./values.js";
import { type Draft, type Param, Raw } from "./wire.js";

const DOTTED_PARTS = [1_000, 5_000, 20_000, 60_000];

/** Where a query-protocol operation's parameters are: its form body, or the URL's query. */
const params = (d: Draft): Param[] => (d.body.kind === "form" ? d.body.params : d.query);
const named = (p: Param) => (typeof p[0] === "string" ? p[0] : "");
/** Parameters a value-changing mutation may change: not Action or Version, not protected. */
const changeable = (d: Draft, op: Operation) => params(d).filter((p) => !["Action", "Version", ...(op.protected ?? [])].includes(named(p)));

function changeParam(d: Draft, op: Operation, seed: number, value: (r: Rng) => string | Raw): boolean {
  const all = changeable(d, op);
  if (all.length === 0) return false;
  const r = new Rng(seed);
  r.pick(all)[1] = value(r);
  return true;
}

const query = (op: Operation) => op.protocol === "query";

export const PARAM_MUTATIONS: MutationKind[] = [
  // The query protocol.
  ...(
    [
      ["param-wrong-value", 3, (r: Rng) => r.pick(["", " ", "true", "NaN", "0x10", " 5 ", "1.5", "\u0000", "null", "[]", "{}", "%", "+"])],
      ["param-enormous-number", 2, (r: Rng) => r.pick(ENORMOUS)],
      ["param-negative-number", 2, (r: Rng) => r.pick(NEGATIVE)],
      ["param-invalid-utf8", 2, (r: Rng) => new Raw(`fuzz${[...r.pick(INVALID_UTF8)].map((b) => `%${b.toString(16).toUpperCase()}`).join("")}`)],
    ] as const
  ).map(
    ([name, weight, value]): MutationKind => ({
      name,
      weight,
      applies: (op, d) => query(op) && changeable(d, op).length > 0,
      make(op, r) {
        const seed = r.fork();
        const sample = value(new Rng(seed));
        return draft(name, sample instanceof Raw ? String(sample.bytes) : JSON.stringify(sample).slice(0, 24), (d) => changeParam(d, op, seed, value));
      },
    }),
  ),
  {
    name: "param-long-string",
    weight: 2,
    applies: (op, d) => query(op) && changeable(d, op).length > 0,
    make(op, r) {
      const seed = r.fork();
      const n = r.pick(LONG);
      return draft(this.name, `${n} chars`, (d) => changeParam(d, op, seed, () => longString(n)));
    },
  },
  {
    name: "param-raw-invalid-utf8",
    weight: 1,
    applies: (op, d) => query(op) && d.body.kind === "form",
    make(_op, r) {
      const bytes = r.pick(INVALID_UTF8);
      // Bytes that are not UTF-8 in the form body itself, not percent-encoded.
      return draft(this.name, bytes.toString("hex"), (d) => void params(d).push([new Raw("Fuzz"), new Raw(utf8Junk(bytes))]));
    },
  },
  {
    name: "param-scalar-subname",
    weight: 4,
    applies: (op, d) => query(op) && params(d).length > 0,
    make(op, r) {
      const seed = r.fork();
      const sub = r.pick(["x", "1", "member.1", "entry.1.key", "x.y.z", "1.Name"]);
      // SQS's integer members are named outright: a present one is not needed to reach their decoder.
      const extra = op.service === "sqs" && r.chance(0.5) ? r.pick(["DelaySeconds", "MaxResults", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds"]) : undefined;
      return draft(this.name, `${extra ?? "<member>"}.${sub}`, (d) => {
        const names = changeable(d, op).map(named).filter((n) => n && !n.includes("."));
        const name = extra ?? (names.length ? new Rng(seed).pick(names) : undefined);
        if (!name) return false;
        params(d).push([`${name}.${sub}`, "1"]);
      });
    },
  },
  {
    name: "param-long-dotted-name",
    weight: 3,
    applies: (op) => query(op),
    make(op, r) {
      const parts = r.pick(DOTTED_PARTS);
      const prefix = op.service === "sqs" ? r.pick(["", "Attribute.1.Value.", "MessageAttribute.1.Value.", `${op.name}RequestEntry.1.`]) : r.pick(["", "Attributes.entry.1.value.", "Tags.member.1."]);
      const name = `${prefix}${"a.".repeat(parts)}x`;
      return draft(this.name, `${prefix}${parts} parts`, (d) => void params(d).push([name, "1"]));
    },
  },
  {
    name: "param-repeated",
    weight: 2,
    applies: (op, d) => query(op) && params(d).length > 0,
    make(op, r) {
      const seed = r.fork();
      const same = r.chance(0.5);
      return draft(this.name, same ? "same value" : "other value", (d) => {
        const all = params(d).filter((p) => !op.protected?.includes(named(p)));
        if (all.length === 0) return false;
        const rr = new Rng(seed);
        const [name, value] = rr.pick(all);
        // Another Action is one that does not exist: the operation stays either what it was or nothing.
        const other = name === "Action" ? "FuzzUnknownAction" : rr.pick(["", "fuzz", "-1", "1e400"]);
        params(d).splice(rr.int(params(d).length + 1), 0, [name, same ? value : other]);
      });
    },
  },
  {
    name: "param-odd-name",
    weight: 2,
    applies: (op) => query(op),
    make(_op, r) {
      const name = r.pick(["", "=", "__proto__.polluted", "constructor.prototype.polluted", "Attribute.0.Name", "Attribute.-1.Name", "Attribute.99999999999999999999.Name", "Attribute.1e3.Name", ".", "..", "a..b", "Tags.member.0.Key", "Attributes.entry.00001.key", "MessageAttribute.1.Value.__proto__"]);
      return draft(this.name, JSON.stringify(name), (d) => void params(d).push([name, "1"]));
    },
  },
  {
    name: "param-many",
    weight: 1,
    applies: (op) => query(op),
    make(_op, r) {
      const n = r.pick([1_000, 20_000]);
      const nested = r.chance(0.5);
      return draft(this.name, `${n}${nested ? " list entries" : ""}`, (d) => void params(d).push(...Array.from({ length: n }, (_, i): Param => [nested ? `Attribute.${i + 1}.Name` : `Fuzz${i}`, String(i)])));
    },
  },

  // Lambda's paths, query strings and headers.
  {
    name: "path-odd-name",
    weight: 3,
    applies: (op, d) => op.service === "lambda" && /^\/[\d-]+\/(functions|tags)\/[^/]+/.test(d.path),
    make(_op, r) {
      const junk = r.pick(["%ZZ", "%FF", "%00", "%2F", "..", ".", "%2e%2e", "a".repeat(8000), "\xff\xfe", "fuzz%20ghost", "arn%3Aaws%3Alambda%3Aeu-west-1%3A111111111111%3Afunction%3Ax", "%24LATEST", "fuzz-ghost%3A1%3A2%3A3", "", "%C0%AF", "%ED%A0%80"]);
      return draft(this.name, JSON.stringify(junk.length > 40 ? `${junk.length} chars` : junk), (d) => void (d.path = d.path.replace(/^(\/[\d-]+\/(?:functions|tags)\/)[^/]+/, `$1${junk}`)));
    },
  },
  {
    name: "path-odd-shape",
    weight: 1,
    applies: (op) => op.service === "lambda",
    make(_op, r) {
      const how = r.pick(["trailing //", "double slash", "dot segment", "upper case", "no leading slash"] as const);
      return draft(this.name, how, (d) => {
        d.path = { "trailing //": `${d.path}//`, "double slash": d.path.replace("/", "//"), "dot segment": d.path.replace(/\/([^/]+)$/, "/./$1"), "upper case": d.path.toUpperCase(), "no leading slash": d.path.slice(1) }[how];
      });
    },
  },
  {
    name: "lambda-odd-query",
    weight: 2,
    applies: (op) => op.service === "lambda",
    make(_op, r) {
      const extra: Param[] = r.pick<Param[]>([
        [["Qualifier", r.pick(["", "a".repeat(5000), "$LATEST:1", "-1", "..", "\u0000"])]],
        [["Qualifier", "1"], ["Qualifier", "2"]],
        [["Qualifier", new Raw("%FF")]],
        [["MaxItems", r.pick(["-1", "0", "1e400", "abc", "", "10001", "1.5", "99999999999999999999"])]],
        [["Marker", r.pick(["", "%%%", "a".repeat(5000), "eyJ4IjoxfQ=="])]],
        [["FunctionVersion", r.pick(["bogus", "", "all"])]],
        [["List", r.pick(["bogus", "", "all"])]],
        [["tagKeys", ""]],
      ]);
      return draft(this.name, extra.map(([k]) => k).join("&"), (d) => void d.query.push(...extra));
    },
  },
  {
    name: "lambda-odd-header",
    weight: 1,
    applies: (op) => op.service === "lambda" && op.name === "Invoke",
    make(_op, r) {
      const header = r.pick<[string, string]>([
        ["x-amz-invocation-type", r.pick(["", "Sync", "event", "DryRun, Event", "RequestResponse "])],
        ["x-amz-log-type", r.pick(["", "Full", "tail"])],
        ["x-amz-client-context", r.pick(["%%%", Buffer.from("not json").toString("base64"), "A".repeat(12_000), Buffer.from('{"custom":' + "[".repeat(5000)).toString("base64")])],
      ]);
      return draft(this.name, header[0], (d) => {
        // A real function's DryRun stays a DryRun: it must not run.
        if (header[0] === "x-amz-invocation-type" && d.headers.some(([k, v]) => k === header[0] && v === "DryRun")) return false;
        d.headers = [...d.headers.filter(([k]) => k !== header[0]), header];
      });
    },
  },

  // Any protocol.
  {
    name: "content-type",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const type = r.pick([undefined, "text/plain", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x", "", "application/x-amz-json-1.1", "application/xml"]);
      return draft(this.name, type === undefined ? "none" : JSON.stringify(type), (d) => void (d.headers = [...d.headers.filter(([k]) => k !== "content-type"), ...(type === undefined ? [] : [["content-type", type] as [string, string]])]));
    },
  },
];
