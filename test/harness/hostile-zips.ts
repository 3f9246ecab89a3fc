/**
 * A catalogue of hostile and broken function packages, each with the refusal AWS gives it. The
 * unit tests of the package validator and the end-to-end tests through the SDK and CLI both run it,
 * so the two layers are checked against the same cases.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rawZip, type RawEntry } from "./zip.js";

/** AWS's text for every package it cannot unpack; Flint adds the reason in parentheses. */
export const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";
export const MAX_ZIPPED = 52_428_800;
export const MAX_UNZIPPED = 262_144_000;

const MB = 1024 * 1024;

export const file = (name: string, content: string | Buffer = "x", mode = 0o100644): RawEntry => ({ name, data: Buffer.from(content), mode });
export const dir = (name: string): RawEntry => ({ name, data: Buffer.alloc(0), mode: 0o040755 });
export const link = (name: string, target: string): RawEntry => ({ name, data: Buffer.from(target), mode: 0o120777 });
const handler = file("index.js", "exports.handler = async (event) => event;\n");
const zeros = (name: string, bytes: number, declaredSize?: number): RawEntry => ({ name, data: Buffer.alloc(bytes), deflate: true, declaredSize });

export interface HostileCase {
  /** What is wrong with the package, as a test name. */
  name: string;
  zip(): Buffer;
  code: "InvalidParameterValueException" | "RequestEntityTooLargeException";
  status: number;
  /** An exact message, or the reason expected after AWS's "Could not unzip" text. */
  message: string | RegExp;
}

/** The shape of a refusal, whether it came from `CodeStore.inspect()` or over the wire. */
export interface Refusal {
  code: string;
  status: number | undefined;
  message: string;
}

function hostile(name: string, build: () => Buffer | RawEntry[], code: HostileCase["code"], status: number, message: string | RegExp): HostileCase {
  let zip: Buffer | undefined;
  const zipOnce = () => {
    if (!zip) {
      const built = build();
      zip = Buffer.isBuffer(built) ? built : rawZip(built);
    }
    return zip;
  };
  return { name, zip: zipOnce, code, status, message };
}

const unzippable = (name: string, build: () => Buffer | RawEntry[], reason: RegExp) => hostile(name, build, "InvalidParameterValueException", 400, reason);

function withFlippedByte(entries: RawEntry[], offset: number): Buffer {
  const zip = rawZip(entries);
  zip[offset] = zip[offset]! ^ 0xff;
  return zip;
}

/** A local header is 30 bytes then the name: this is the first data byte of the first entry. */
const firstDataByte = (entries: RawEntry[]) => 30 + Buffer.byteLength(entries[0]!.name);
const text = Buffer.from("exports.handler = async () => 'a long enough body for deflate to have a real stream';\n".repeat(40));

export const HOSTILE: HostileCase[] = [
  // names
  unzippable("an entry climbing out with ../", () => [handler, file("../evil.js")], /invalid relative path: \.\.\/evil\.js/),
  unzippable("an entry climbing out from deeper in the tree", () => [handler, file("lib/../../evil.js")], /invalid relative path/),
  unzippable("an absolute path entry", () => [handler, file("/etc/x")], /absolute path: \/etc\/x/),
  unzippable("a Windows drive path entry", () => [handler, file("C:/Windows/x")], /absolute path/),
  unzippable("a backslash traversal entry", () => [handler, file("..\\..\\evil.js")], /invalid characters in fileName/),
  // symlinks
  unzippable("a symlink to an absolute path", () => [handler, link("passwd", "/etc/passwd")], /symlink 'passwd' points outside the package/),
  unzippable("a symlink climbing out with ../", () => [handler, link("lib/passwd", "../../etc/passwd")], /symlink 'lib\/passwd' points outside/),
  unzippable("a symlink escaping through another symlink (a -> ., b -> a/..)", () => [handler, link("a", "."), link("b", "a/..")], /symlink 'b' points outside/),
  unzippable("a symlink escaping through a symlinked directory", () => [handler, dir("sub/deeper/"), link("d", "sub/deeper"), link("up", "d/../../..")], /symlink 'up' points outside/),
  unzippable("a symlink whose name hides its depth with ./", () => [handler, link("x/./l", "../..")], /symlink 'x\/l' points outside/),
  unzippable("a symlink whose name hides its depth with //", () => [handler, link("x//l", "../..")], /symlink 'x\/l' points outside/),
  unzippable("a file written through a symlink whose name hides its depth", () => [handler, link("d/./up", "../.."), file("d/up/escaped.txt", "outside")], /lies below symlink 'd\/up'/),
  unzippable("an entry placed under a symlinked directory", () => [handler, dir("sub/"), link("l", "sub"), file("l/x.js")], /entry 'l\/x\.js' lies below symlink 'l'/),
  unzippable("an entry placed under a symlink reached through ./", () => [handler, dir("sub/"), link("l", "sub"), file("./l/x.js")], /lies below symlink 'l'/),
  unzippable("an entry placed under a symlink to /etc", () => [handler, link("etc", "/etc"), file("etc/cron.d/x")], /lies below symlink 'etc'/),
  unzippable("a symlink with an empty target", () => [handler, link("l", "")], /symlink 'l' has an empty target/),
  // sizes
  unzippable("an entry inflating past its declared size", () => [handler, { name: "big.js", data: text, deflate: true, declaredSize: 100 }], /past its declared size|too many bytes/),
  unzippable("an entry inflating short of its declared size", () => [handler, { name: "big.js", data: text, deflate: true, declaredSize: text.length + 1000 }], /not enough bytes/),
  unzippable("a stored entry whose sizes disagree", () => [handler, { name: "big.js", data: text, declaredSize: text.length - 1 }], /size mismatch for stored file/),
  unzippable("a deflate bomb of 200 MB of zeros", () => [handler, zeros("bomb.bin", 200 * MB)], /compression ratio \d+:1 exceeds 1000:1/),
  hostile("a deflate bomb over 250 MB unzipped", () => [handler, zeros("bomb.bin", 260 * MB)], "InvalidParameterValueException", 400, `Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`),
  unzippable("a bomb hidden beside incompressible padding", () => [handler, zeros("bomb.bin", 100 * MB), file("padding.bin", randomBytes(MB / 2))], /entry 'bomb\.bin' has compression ratio above 1000:1/),
  unzippable("a bomb whose headers claim a tiny size", () => [handler, zeros("bomb.bin", 20 * MB, 1000)], /past its declared size|too many bytes/),
  // corruption
  unzippable("random bytes", () => randomBytes(4096), /End of central directory record signature not found/),
  unzippable("a truncated zip", () => rawZip([handler, file("lib.js", text)]).subarray(0, 1000), /End of central directory record signature not found/),
  unzippable("an empty body", () => Buffer.alloc(0), /End of central directory record signature not found/),
  unzippable("a stored entry whose bytes fail their CRC-32", () => withFlippedByte([handler], firstDataByte([handler])), /CRC-32/),
  unzippable("a corrupt deflate stream", () => withFlippedByte([{ name: "lib.js", data: text, deflate: true }], firstDataByte([{ name: "lib.js", data: text }]) + 3), /./),
  unzippable("an encrypted entry", () => [{ ...handler, deflate: true, flags: 0x0001 }], /entry 'index\.js' is encrypted/),
  // names that collide once unpacked
  unzippable("duplicate entries", () => [handler, handler], /duplicate entry 'index\.js'/),
  unzippable("duplicate entries hidden by ./", () => [handler, { ...handler, name: "./index.js" }], /duplicate entry 'index\.js'/),
  unzippable("a file and a directory of one name", () => [handler, file("lib"), dir("lib/")], /duplicate entry 'lib'/),
  unzippable("a file named .", () => [handler, file(".")], /entry '\.' has no name/),
  unzippable("an entry below a file", () => [handler, file("lib"), file("lib/x.js")], /entry 'lib\/x\.js' lies below file 'lib'/),
  // the zipped limit, with incompressible data so nothing but the size is wrong
  hostile("a zip over 50 MB zipped", () => [handler, file("blob.bin", randomBytes(MAX_ZIPPED + 1024))], "RequestEntityTooLargeException", 413, `Zipped size must be smaller than ${MAX_ZIPPED} bytes`),
];

export function assertRefused(got: Refusal, c: HostileCase): void {
  assert.equal(got.code, c.code, `${c.name}: ${got.message}`);
  assert.equal(got.status, c.status);
  if (typeof c.message === "string") return assert.equal(got.message, c.message);
  assert.ok(got.message.startsWith(UNZIP_FAILED), `message starts with AWS's text: ${got.message}`);
  assert.match(got.message, c.message);
}

/**
 * A package whose symlinks all stay inside, as the kernel resolves them: the handler is reached
 * through a symlink (and a chain of two), data through a symlinked directory, and `climb.txt` climbs
 * out of a symlinked directory and back in (outside by string arithmetic, inside physically).
 */
export function insidePackage(): Buffer {
  const app = `const fs = require("node:fs");
const path = require("node:path");
const read = (name) => fs.readFileSync(path.join(process.env.LAMBDA_TASK_ROOT, name), "utf8");
exports.handler = async () => ({ viaDir: read("assets/current/greeting.txt"), viaClimb: read("climb.txt"), file: path.basename(__filename) });
`;
  return rawZip([
    file("lib/app.js", app),
    link("index.js", "lib/app.js"),
    link("chain.js", "index.js"),
    dir("assets/v1/"),
    file("assets/v1/greeting.txt", "hello through a symlink"),
    link("assets/current", "v1"),
    link("deep", "assets/v1"),
    link("climb.txt", "deep/../../assets/v1/greeting.txt"),
  ]);
}
