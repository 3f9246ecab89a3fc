/**
 * Mutations of who a request says it is from and what it is for: signed for another service or
 * region (with a signature that is correct for that scope), with an unknown key or a wrong secret,
 * at a stale date, presigned, unsigned; an Authorization or X-Amz-Date header garbled after signing;
 * the body, path or query changed after signing; actions and X-Amz-Targets that do not exist.
 * Each of these is one a correct server refuses (`refuses`), except where an operation is served
 * without a signature (SNS's SubscribeURL and UnsubscribeURL links).
 */
import { createHash } from "node:crypto";
import { draft, type MutationKind, signing, wire } from "./mutation.js";
import { signingService, type Operation } from "./operations.js";
import { Raw, type Draft, type Wire } from "./wire.js";

const MINUTE = 60_000;
/** Services Flint does not implement, and the ones it does (a request signed for a sibling). */
const OTHER_SERVICES = ["s3", "iam", "sts", "monitoring", "dynamodb", "kinesis", "logs"];
const IMPLEMENTED = ["lambda", "sqs", "sns"];
const UNKNOWN_ACTIONS = ["FuzzUnknownAction", "", "__proto__", "constructor", "toString", "hasOwnProperty", "listqueues", "ListTopics2", "ListQueues\u0000", "Publish%"];
const UNKNOWN_TARGETS = ["AmazonSQSX.ListQueues", "AmazonSQS", "AmazonSQS.", "AmazonSQS.FuzzUnknown", "AmazonSQS.__proto__", "AmazonSQS.constructor", "amazonsqs.ListQueues", "AWSStepFunctions.ListStateMachines", "AmazonSNS.ListTopics", "AmazonSQS.ListQueues, AmazonSQS.ListQueues", "AmazonSQS.ListQueues\u0001"];

const header = (w: Wire, name: string) => w.headers.find(([k]) => k === name);
const setHeader = (w: Wire, name: string, value: string) => {
  const h = header(w, name);
  if (h) h[1] = value;
  else w.headers.push([name, value]);
};

/** Every correct server refuses the mutation, unless the operation takes unsigned requests. */
const refused = (op: Operation) => ({ refuses: !op.unsigned });

const GARBLED: [string, (auth: string) => string][] = [
  ["empty", () => ""],
  ["garbage", () => "garbage"],
  ["algorithm only", () => "AWS4-HMAC-SHA256"],
  ["other algorithm", (a) => a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")],
  ["one signature digit changed", (a) => a.replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`)],
  ["signature in upper case", (a) => a.replace(/Signature=([0-9a-f]{64})/, (_m, s: string) => `Signature=${s.toUpperCase().replace(/^[0-9]/, "A")}`)],
  ["no signature", (a) => a.replace(/,\s*Signature=.*/, "")],
  ["no signed headers", (a) => a.replace(/SignedHeaders=[^,]*/, "SignedHeaders=")],
  ["only host signed", (a) => a.replace(/SignedHeaders=[^,]*/, "SignedHeaders=host")],
  ["no access key", (a) => a.replace(/Credential=[^/]*/, "Credential=")],
  ["scope with 6 parts", (a) => a.replace("/aws4_request", "/aws4_request/extra")],
  ["scope with 4 parts", (a) => a.replace("/aws4_request", "")],
  ["extra part", (a) => `${a}, Extra=1`],
  ["10 KB", () => `AWS4-HMAC-SHA256 Credential=${"A".repeat(10_000)}`],
  ["latin1 bytes", (a) => `${a}\xff\xfe`],
  ["bearer", () => "Bearer fuzz"],
  ["sigv2", () => "AWS AKIAFLINTTESTKEY0001:ZnV6eg=="],
];
/** What is garbled when a request has no Authorization of its own (presigned or unsigned): one for its own service. */
const someAuth = (op: Operation) => `AWS4-HMAC-SHA256 Credential=AKIAFLINTTESTKEY0001/20260101/us-east-1/${signingService(op)}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;

const hasAuth = (w: Wire) => header(w, "authorization") !== undefined;
const query = (op: Operation) => op.protocol === "query";
const params = (d: Draft) => (d.body.kind === "form" ? d.body.params : d.query);

export const AUTH_MUTATIONS: MutationKind[] = [
  {
    name: "scope-service",
    weight: 4,
    applies: () => true,
    make(op, r) {
      const own = signingService(op);
      const service = r.chance(0.7) ? r.pick(OTHER_SERVICES) : r.pick(IMPLEMENTED.filter((s) => s !== own));
      return signing(this.name, service, (s) => void (s.service = service), { refuses: true });
    },
  },
  {
    name: "scope-region",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const region = r.pick(["eu-west-1", "us-west-2", "cn-north-1", "US-EAST-1", "us-east-1x", "aws-global"]);
      return signing(this.name, region, (s) => void (s.region = region), { refuses: true });
    },
  },
  {
    name: "unknown-key",
    weight: 1,
    applies: () => true,
    make(op, r) {
      const key = r.pick(["AKIAFUZZUNKNOWN00000", "AKIAFLINTTESTKEY0001x", "A".repeat(2000), "akiaflinttestkey0001"]);
      return signing(this.name, key.length > 30 ? `${key.length} chars` : key, (s) => void (s.accessKeyId = key), refused(op));
    },
  },
  {
    name: "wrong-secret",
    weight: 1,
    applies: () => true,
    make(op) {
      return signing(this.name, "", (s) => void (s.secretAccessKey = "fuzz-wrong-secret"), refused(op));
    },
  },
  {
    name: "date-skew",
    weight: 2,
    // A presigned request carries its own validity window; presigned-expired sets the date itself.
    conflicts: ["presigned", "presigned-expired"],
    applies: () => true,
    make(op, r) {
      const [label, skew] = r.pick<[string, number]>([["-16 min", -16 * MINUTE], ["+16 min", 16 * MINUTE], ["-1 day", -1440 * MINUTE], ["+1 day", 1440 * MINUTE], ["1996", -30 * 525_960 * MINUTE], ["2096", 70 * 525_960 * MINUTE]]);
      return signing(this.name, label, (s) => void (s.skewMs = skew), refused(op));
    },
  },
  {
    name: "presigned",
    weight: 2,
    conflicts: ["presigned-expired", "unsigned"],
    applies: () => true,
    make() {
      return signing(this.name, "", (s) => void (s.mode = "presign"));
    },
  },
  {
    name: "presigned-expired",
    weight: 1,
    applies: () => true,
    make(op) {
      return signing(this.name, "", (s) => void Object.assign(s, { mode: "presign", expiresIn: 1, skewMs: -10 * MINUTE }), refused(op));
    },
  },
  {
    name: "unsigned",
    weight: 3,
    conflicts: ["presigned-expired"],
    applies: () => true,
    make(op) {
      return signing(this.name, "", (s) => void (s.mode = "none"), refused(op));
    },
  },
  {
    name: "auth-garbled",
    weight: 4,
    applies: () => true,
    make(op, r) {
      const [label, garble] = r.pick(GARBLED);
      return wire(this.name, label, (w) => setHeader(w, "authorization", garble(header(w, "authorization")?.[1] ?? someAuth(op))), refused(op));
    },
  },
  {
    name: "auth-repeated",
    weight: 1,
    applies: () => true,
    make(op, r) {
      const first = r.chance(0.5);
      const apply = (w: Wire) => {
        const at = w.headers.findIndex(([k]) => k === "authorization");
        if (at < 0) return false;
        w.headers.splice(first ? at : at + 1, 0, ["authorization", "garbage"]);
      };
      return first ? wire(this.name, "garbage first", apply, refused(op)) : wire(this.name, "garbage second", apply);
    },
  },
  {
    name: "date-garbled",
    weight: 2,
    applies: () => true,
    make(op, r) {
      const value = r.pick(["garbage", "", "20261301T000000Z", "2026-12-05T09:00:00Z", "99999999T999999Z", "20260230T000000Z", "20261205T250000Z", "20261205T000000"]);
      const apply = (w: Wire) => {
        const h = header(w, "x-amz-date");
        if (!h || !hasAuth(w)) return false;
        h[1] = value;
      };
      return wire(this.name, JSON.stringify(value), apply, refused(op));
    },
  },
  {
    name: "date-removed",
    weight: 1,
    applies: () => true,
    make(op) {
      const apply = (w: Wire) => {
        if (!header(w, "x-amz-date") || !hasAuth(w)) return false;
        w.headers = w.headers.filter(([k]) => k !== "x-amz-date");
      };
      return wire(this.name, "", apply, refused(op));
    },
  },
  {
    name: "tampered-after-signing",
    weight: 3,
    applies: () => true,
    make(op, r) {
      const what = r.pick(["body", "path", "query", "signed header", "content-sha256"] as const);
      const at = r.next();
      const apply = (w: Wire) => {
        if (what === "body") {
          if (w.body.length === 0) w.body = Buffer.from("x");
          else {
            const body = Buffer.from(w.body);
            const i = Math.floor(at * body.length);
            body[i] = body[i] === 0x41 ? 0x42 : 0x41;
            w.body = body;
          }
        } else if (what === "path") w.requestLine = w.requestLine.replace(/^(\S+ [^?\s]*)/, "$1fuzz");
        else if (what === "query") w.requestLine = w.requestLine.replace(/^(\S+ [^?\s]*)(\?\S*)?/, (_m, p: string, q?: string) => `${p}${q ? `${q}&` : "?"}fuzz=1`);
        else if (what === "signed header") {
          const h = w.headers.find(([k]) => k === "content-type" || k === "x-amz-target");
          if (!h || !hasAuth(w)) return false;
          h[1] = `${h[1]};fuzz`;
        } else {
          if (!hasAuth(w)) return false;
          setHeader(w, "x-amz-content-sha256", at < 0.5 ? "UNSIGNED-PAYLOAD" : createHash("sha256").update("fuzz").digest("hex"));
        }
      };
      return wire(this.name, what, apply, refused(op));
    },
  },

  // Operations that do not exist.
  {
    name: "action-unknown",
    weight: 2,
    applies: (op) => query(op),
    make(_op, r) {
      const action = r.pick(UNKNOWN_ACTIONS);
      const apply = (d: Draft) => {
        const p = params(d).find(([k]) => k === "Action");
        if (!p) return false;
        p[1] = action === "Publish%" ? new Raw("Publish%") : action;
      };
      return draft(this.name, JSON.stringify(action), apply, { refuses: true });
    },
  },
  {
    name: "action-missing",
    weight: 1,
    applies: (op) => query(op),
    make() {
      const apply = (d: Draft) => {
        const list = params(d);
        const at = list.findIndex(([k]) => k === "Action");
        if (at < 0) return false;
        list.splice(at, 1);
      };
      return draft(this.name, "", apply, { refuses: true });
    },
  },
  {
    name: "target-unknown",
    weight: 2,
    // SNS has no JSON protocol: no SNS client sends an X-Amz-Target.
    applies: (op) => op.protocol === "json" || op.service === "sqs",
    make(op, r) {
      const target = r.pick(UNKNOWN_TARGETS);
      const apply = (d: Draft) => void (d.headers = [...d.headers.filter(([k]) => k !== "x-amz-target"), ["x-amz-target", target]]);
      // What names the operation of a JSON request; a query request that also carries one is
      // ambiguous, and may be served by its Action.
      return draft(this.name, JSON.stringify(target), apply, { refuses: op.protocol === "json" });
    },
  },
];
