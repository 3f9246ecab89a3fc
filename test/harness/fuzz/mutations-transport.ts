/**
 * Mutations of the HTTP message itself, made after signing: header floods near the head limit,
 * malformed header lines and request lines, chunked bodies (well and badly framed), bodies shorter
 * than their Content-Length with the client ending its side, odd Content-Length and Expect headers,
 * HTTP/1.0, and a second request pipelined behind the first.
 */
import { type MutationKind, wire } from "./mutation.js";
import { Rng } from "./rng.js";
import { HEAD_LIMIT, type Wire, wireBytes } from "./wire.js";

/** Marks a wire request to which the builder appends a signed GetAccountSettings. */
export const PIPELINE_FOLLOW_UP = Buffer.from("pipelined GetAccountSettings");

const headSize = (w: Wire) => w.requestLine.length + w.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0) + 4;
const letters = (r: Rng, n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + r.int(26))).join("");
/** The headers without those that frame the body, for a mutation to frame it its own way. */
const unframed = (w: Wire) => w.headers.filter(([k]) => k !== "content-length" && k !== "transfer-encoding");

export const TRANSPORT_MUTATIONS: MutationKind[] = [
  {
    name: "header-flood",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const target = r.pick([HEAD_LIMIT - 2000, HEAD_LIMIT - 300, HEAD_LIMIT - 20, HEAD_LIMIT + 20, HEAD_LIMIT + 2000, 4 * HEAD_LIMIT]);
      const seed = r.fork();
      const apply = (w: Wire) => {
        const rr = new Rng(seed);
        for (let i = 0; headSize(w) < target; i++) {
          const room = target - headSize(w) - `x-fuzz-${i}: `.length - 2;
          w.headers.push([`x-fuzz-${i}`, letters(rr, Math.max(1, Math.min(room, rr.between(20, 400))))]);
        }
      };
      return wire(this.name, `head of ${target} bytes`, apply, { transport: true });
    },
  },
  {
    name: "header-huge",
    weight: 1,
    applies: () => true,
    make(_op, r) {
      const size = r.pick([8_000, HEAD_LIMIT, HEAD_LIMIT + 1_000, 100_000]);
      return wire(this.name, `${size} bytes`, (w) => void w.headers.push(["x-fuzz-big", "v".repeat(size)]), { transport: true });
    },
  },
  {
    name: "header-repeated",
    weight: 1,
    applies: () => true,
    make(_op, r) {
      const n = r.pick([100, 700, 3_000]);
      return wire(this.name, `${n} times`, (w) => void w.headers.push(...Array.from({ length: n }, (): [string, string] => ["x-fuzz-repeat", "v"])), { transport: true });
    },
  },
  {
    name: "header-malformed",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const [label, line] = r.pick<[string, [string, string]]>([
        ["no colon", ["", "no colon here"]],
        ["space in name", ["bad name", "x"]],
        ["obs-fold", ["", " folded continuation"]],
        ["NUL in value", ["x-fuzz", "a\u0000b"]],
        ["empty name", ["", ": empty name"]],
        ["DEL in name", ["x-fuzz\u007f", "v"]],
        ["latin1 value", ["x-fuzz", "\xff\xfe"]],
        ["bare CR", ["x-fuzz", "a\rb"]],
      ]);
      const seed = r.fork();
      return wire(this.name, label, (w) => void w.headers.splice(1 + new Rng(seed).int(w.headers.length), 0, line), { transport: true });
    },
  },
  {
    name: "request-line",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const [label, change] = r.pick<[string, (line: string) => string]>([
        ["HTTP/2.0", (l) => l.replace(/HTTP\/1\.1$/, "HTTP/2.0")],
        ["HTTP/1.2", (l) => l.replace(/HTTP\/1\.1$/, "HTTP/1.2")],
        ["lower-case version", (l) => l.replace(/HTTP\/1\.1$/, "http/1.1")],
        ["no version", (l) => l.replace(/ HTTP\/1\.1$/, "")],
        ["extra word", (l) => `${l} extra`],
        ["space in method", (l) => `G ${l}`],
        ["double space", (l) => l.replace(" ", "  ")],
        ["absolute form", (l) => l.replace(" /", " http://127.0.0.1/")],
        ["asterisk", (l) => l.replace(/ \S+ /, " * ")],
        ["NUL", (l) => l.replace(" ", "\u0000 ")],
        ["8 KB of path", (l) => l.replace(/ (\S+) /, (_m, t: string) => ` ${t}${t.includes("?") ? "&" : "?"}x=${"a".repeat(8000)} `)],
        ["20 KB of path", (l) => l.replace(/ (\S+) /, (_m, t: string) => ` ${t}${t.includes("?") ? "&" : "?"}x=${"a".repeat(20_000)} `)],
      ]);
      return wire(this.name, label, (w) => void (w.requestLine = change(w.requestLine)), { transport: true });
    },
  },
  {
    name: "http-1.0",
    weight: 1,
    applies: () => true,
    make() {
      return wire(this.name, "", (w) => void (w.requestLine = w.requestLine.replace(/HTTP\/1\.1$/, "HTTP/1.0")));
    },
  },
  {
    name: "chunked",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const sizes = Array.from({ length: r.between(1, 8) }, () => r.pick([1, 2, 7, 100, 4096, 65536]));
      return wire(this.name, `${sizes.length} chunks`, (w) => void (w.framing = { kind: "chunked", sizes }));
    },
  },
  {
    name: "chunked-badly",
    weight: 3,
    applies: () => true,
    make(_op, r) {
      // [what, the framing headers sent, body bytes, the client ends its side (the framing is incomplete, not wrong)]
      const chunked: [string, string] = ["transfer-encoding", "chunked"];
      const [label, headers, body, end] = r.pick<[string, [string, string][], string, boolean]>([
        ["size not hex", [chunked], "zz\r\nabc\r\n0\r\n\r\n", false],
        ["data longer than size", [chunked], "3\r\nabcdef\r\n0\r\n\r\n", false],
        ["negative size", [chunked], "-5\r\nabcde\r\n0\r\n\r\n", false],
        ["13 hex digits", [chunked], "FFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n", false],
        ["size line over the head limit", [chunked], "1".repeat(HEAD_LIMIT + 100), false],
        ["huge extension", [chunked], `3;${"x".repeat(20_000)}\r\nabc\r\n0\r\n\r\n`, false],
        ["LF only", [chunked], "3\nabc\n0\n\n", true],
        ["size larger than data", [chunked], "100\r\nabc", true],
        ["no last chunk", [chunked], "3\r\nabc\r\n", true],
        ["unterminated trailer", [chunked], "3\r\nabc\r\n0\r\nx-trailer: 1", true],
        ["gzip, chunked", [["transfer-encoding", "gzip, chunked"]], "3\r\nabc\r\n0\r\n\r\n", false],
        ["with Content-Length", [chunked, ["content-length", "3"]], "3\r\nabc\r\n0\r\n\r\n", false],
        ["chunked twice", [chunked, chunked], "3\r\nabc\r\n0\r\n\r\n", false],
        ["identity", [["transfer-encoding", "identity"]], "abc", false],
      ]);
      const apply = (w: Wire) => {
        w.headers = [...unframed(w), ...headers];
        w.body = Buffer.from(body, "latin1");
        w.framing = { kind: "raw" };
        w.end ||= end;
      };
      return wire(this.name, label, apply, { transport: true });
    },
  },
  {
    name: "truncated",
    weight: 3,
    applies: () => true,
    make(_op, r) {
      const [label, missing] = r.pick<[string, number]>([["1 byte short", 1], ["100 bytes short", 100], ["1 MB short", 1_000_000], ["head cut", -1]]);
      const at = r.next();
      const apply = (w: Wire) => {
        w.end = true;
        w.framing = { kind: "raw" };
        if (missing < 0) {
          // Only part of the head, cut inside its headers.
          const head = wireBytes({ ...w, body: Buffer.alloc(0), pipelined: undefined });
          w.raw = head.subarray(0, w.requestLine.length + 2 + Math.floor(at * (head.length - w.requestLine.length - 6)));
          return;
        }
        w.headers = [...unframed(w), ["content-length", String(w.body.length + missing)]];
      };
      return wire(this.name, label, apply, { transport: true });
    },
  },
  {
    name: "content-length-odd",
    weight: 2,
    applies: () => true,
    make(_op, r) {
      const [label, values] = r.pick<[string, (n: number) => string[]]>([
        ["not a number", () => ["abc"]],
        ["negative", () => ["-1"]],
        ["exponent", () => ["1e3"]],
        ["hex", () => ["0x10"]],
        ["padded", (n) => [` ${n} `]],
        ["16 digits", () => ["9999999999999999"]],
        ["repeated, same", (n) => [String(n), String(n)]],
        ["repeated, different", (n) => [String(n), String(n + 1)]],
        ["smaller than the body", (n) => [String(Math.max(0, n - 5))]],
        ["empty", () => [""]],
      ]);
      const apply = (w: Wire) => {
        w.headers = [...unframed(w), ...values(w.body.length).map((v): [string, string] => ["content-length", v])];
        w.framing = { kind: "raw" };
      };
      return wire(this.name, label, apply, { transport: true });
    },
  },
  {
    name: "expect",
    weight: 1,
    applies: () => true,
    make(_op, r) {
      const value = r.pick(["100-continue", "100-Continue", "fuzz", ""]);
      const valid = value.toLowerCase() === "100-continue";
      return wire(this.name, value, (w) => void w.headers.push(["expect", value]), { transport: !valid });
    },
  },
  {
    name: "connection-close",
    weight: 1,
    applies: () => true,
    make() {
      return wire(this.name, "", (w) => void w.headers.push(["connection", "close"]));
    },
  },
  {
    name: "pipelined",
    weight: 2,
    applies: () => true,
    make() {
      return wire(this.name, "then GetAccountSettings", (w) => void (w.pipelined = PIPELINE_FOLLOW_UP));
    },
  },
];
