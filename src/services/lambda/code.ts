/**
 * Function code packages: validation of uploaded zips and their content-addressed storage on disk.
 *
 * A package is checked completely before anything is written: corrupt archives, entries with `..` or
 * absolute paths, symlinks that resolve outside the package, declared sizes that lie, zip bombs
 * (250 MB unzipped, compression ratios no real package has), encrypted entries, names that collide
 * once unpacked and archives with no entries at all are refused with AWS's InvalidParameterValueException.
 * Accepted zips are kept as `<data>/code/<sha256>.zip` and unpacked to `<data>/code/<sha256>/`, which
 * environments use read-only. On a store nodes share, the store's blobs are the packages' home and the
 * data dir is this node's cache of them: a node that never saw an upload fetches the zip on first use.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import { Writable } from "node:stream";
import yauzl from "yauzl";
import { awsError } from "../../errors.js";
import type { BlobStore } from "../../store/blob-store.js";
import type { CodeRef } from "./model.js";
import { type LayoutEntry, layoutProblem } from "./package-layout.js";

export const MAX_ZIPPED_BYTES = 52_428_800;
export const MAX_UNZIPPED_BYTES = 262_144_000;
const MAX_ENTRIES = 100_000;
/** Deflate cannot compress better than ~1032:1; real packages stay far below this. */
const MAX_RATIO = 1000;

const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

function refuse(reason?: string): never {
  throw awsError("InvalidParameterValueException", reason ? `${UNZIP_FAILED} (${reason})` : UNZIP_FAILED);
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

interface Entry extends LayoutEntry {
  mode: number;
  size: number;
  raw: yauzl.Entry;
}

function openZip(buf: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: true }, (err, zf) =>
      err ? reject(err) : resolve(zf!),
    ),
  );
}

function readEntries(zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zf.on("entry", (e: yauzl.Entry) => {
      out.push(e);
      if (out.length > MAX_ENTRIES) {
        zf.close();
        reject(new Error(`more than ${MAX_ENTRIES} entries`));
      } else zf.readEntry();
    });
    zf.on("end", () => resolve(out));
    zf.on("error", reject);
    zf.readEntry();
  });
}

function openStream(zf: yauzl.ZipFile, e: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zf.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s!))));
}

/**
 * Inflate an entry, counting bytes; yauzl also fails when the actual size differs from the declared one.
 * yauzl never checks CRC-32, so a corrupt stored entry would pass unless we do.
 */
async function inflate(zf: yauzl.ZipFile, e: yauzl.Entry, sink?: (chunk: Buffer) => void): Promise<number> {
  let n = 0;
  let crc = 0;
  const stream = await openStream(zf, e);
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        n += chunk.length;
        if (n > e.uncompressedSize) return cb(new Error(`entry '${e.fileName}' inflates past its declared size`));
        crc = crc32(chunk, crc);
        sink?.(chunk);
        cb();
      },
    }),
  );
  if (crc !== e.crc32) throw new Error(`entry '${e.fileName}' fails its CRC-32 check`);
  return n;
}

function classify(e: yauzl.Entry): Entry {
  const unixMode = e.versionMadeBy >> 8 === 3 ? (e.externalFileAttributes >>> 16) & 0xffff : 0;
  const type = unixMode & S_IFMT;
  // Judge the name extraction writes: path.join drops "." and empty components, so "x/./l" is "x/l". Left
  // raw, "x/./l" -> "../.." looked one level deeper than it lands, and "d/./up" hid from the below-symlink check.
  const name = e.fileName.split("/").filter((part) => part !== "" && part !== ".").join("/");
  if (type === S_IFLNK) return { name, kind: "symlink", mode: 0o777, size: e.uncompressedSize, raw: e };
  if (e.fileName.endsWith("/") || type === S_IFDIR) return { name, kind: "dir", mode: 0o755, size: 0, raw: e };
  return { name, kind: "file", mode: unixMode & 0o111 ? 0o755 : 0o644, size: e.uncompressedSize, raw: e };
}

export class CodeStore {
  private constructor(
    private readonly dir: string,
    private readonly blobs: BlobStore | undefined,
  ) {}

  /** The directory holding every package (sandbox drivers mount it read-only). */
  get root(): string {
    return this.dir;
  }

  /** `blobs`: the shared store's, when nodes share one; without it the data dir is the packages' only home. */
  static async create(dataDir: string, blobs?: BlobStore): Promise<CodeStore> {
    const dir = path.join(dataDir, "code");
    await mkdir(dir, { recursive: true });
    return new CodeStore(dir, blobs);
  }

  /** Extracted package directory. */
  dirOf(code: CodeRef): string {
    return path.join(this.dir, code.id);
  }

  zipOf(code: CodeRef): string {
    return path.join(this.dir, `${code.id}.zip`);
  }

  /** Check a package completely without writing anything. */
  async inspect(zip: Buffer): Promise<CodeRef> {
    // Both limits are exclusive ("must be smaller than"): AWS refuses a file of exactly 262144000 bytes
    // (recorded: TestLambdaSizeLimits::test_oversized_unzipped_lambda).
    if (zip.length >= MAX_ZIPPED_BYTES) {
      throw awsError("RequestEntityTooLargeException", `Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes`);
    }
    let zf: yauzl.ZipFile;
    let raw: yauzl.Entry[];
    try {
      zf = await openZip(zip);
      raw = await readEntries(zf);
    } catch (err) {
      refuse((err as Error).message);
    }
    // A zip of no entries (only its end-of-central-directory record) unzips fine, into nothing.
    if (raw.length === 0) throw awsError("InvalidParameterValueException", "Uploaded file must be a non-empty zip");
    const entries = raw.map(classify);
    const declared = raw.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declared >= MAX_UNZIPPED_BYTES) throw awsError("InvalidParameterValueException", `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    if (zip.length > 0 && declared / zip.length > MAX_RATIO) refuse(`compression ratio ${Math.round(declared / zip.length)}:1 exceeds ${MAX_RATIO}:1`);
    const kinds = new Map<string, Entry["kind"]>();
    try {
      for (const e of entries) {
        if (e.raw.isEncrypted()) refuse(`entry '${e.name}' is encrypted`);
        if (!e.name && e.kind !== "dir") refuse(`entry '${e.raw.fileName}' has no name`);
        // Only directories may repeat: a file and a directory of one name cannot both be unpacked.
        const seen = kinds.get(e.name);
        if (seen && (seen !== "dir" || e.kind !== "dir")) refuse(`duplicate entry '${e.name}'`);
        kinds.set(e.name, e.kind);
        if (e.raw.compressedSize > 0 && e.size > 1_048_576 && e.size / e.raw.compressedSize > MAX_RATIO) {
          refuse(`entry '${e.name}' has compression ratio above ${MAX_RATIO}:1`);
        }
        if (e.kind === "symlink") {
          if (e.size > 4096) refuse(`symlink '${e.name}' is too long`);
          const chunks: Buffer[] = [];
          await inflate(zf, e.raw, (c) => chunks.push(c));
          const target = Buffer.concat(chunks).toString("utf8");
          if (!target) refuse(`symlink '${e.name}' has an empty target`);
          e.target = target;
        } else if (e.kind === "file") {
          await inflate(zf, e.raw);
        }
      }
    } catch (err) {
      if ((err as { code?: string }).code === "InvalidParameterValueException") throw err;
      refuse((err as Error).message);
    } finally {
      zf.close();
    }
    const problem = layoutProblem(entries);
    if (problem) refuse(problem);
    const digest = createHash("sha256").update(zip).digest();
    return { id: digest.toString("hex"), sha256: digest.toString("base64"), size: zip.length };
  }

  /** Keep the zip durably (the source of truth, and what GetFunction's Code.Location serves). */
  async save(zip: Buffer, code: CodeRef): Promise<void> {
    await this.blobs?.put(code.id, zip);
    await this.writeZip(zip, code);
  }

  /** The zip on this node's disk, fetched from the shared store when this node has no copy. */
  async localZip(code: CodeRef): Promise<string> {
    const file = this.zipOf(code);
    if (this.blobs && !(await exists(file))) {
      const zip = await this.blobs.get(code.id);
      if (!zip) throw new Error(`package ${code.id} is in no store`);
      await this.writeZip(zip, code);
    }
    return file;
  }

  private async writeZip(zip: Buffer, code: CodeRef): Promise<void> {
    const final = this.zipOf(code);
    if (await exists(final)) return;
    const tmp = `${final}.${randomBytes(6).toString("hex")}.tmp`;
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(zip);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  }

  /** Unpack a saved package (idempotent). Returns the extracted directory. */
  async extract(code: CodeRef): Promise<string> {
    const final = this.dirOf(code);
    if (await exists(final)) return final;
    const staging = `${final}.${randomBytes(6).toString("hex")}.tmp`;
    await mkdir(staging, { mode: 0o755 });
    try {
      const zf = await openZip(await readFile(await this.localZip(code)));
      try {
        for (const e of (await readEntries(zf)).map(classify)) {
          const dest = path.join(staging, e.name);
          if (!dest.startsWith(staging + path.sep)) throw new Error(`entry '${e.name}' escapes the package`);
          if (e.kind === "dir") {
            await mkdir(dest, { recursive: true, mode: 0o755 });
            continue;
          }
          await mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
          if (e.kind === "symlink") {
            const chunks: Buffer[] = [];
            await inflate(zf, e.raw, (c) => chunks.push(c));
            await symlink(Buffer.concat(chunks).toString("utf8"), dest);
          } else {
            await pipeline(await openStream(zf, e.raw), createWriteStream(dest, { flags: "wx", mode: e.mode }));
          }
        }
      } finally {
        zf.close();
      }
      await rename(staging, final).catch(async (err) => {
        if (!(await exists(final))) throw err;
        await rm(staging, { recursive: true, force: true });
      });
      return final;
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** The ids of the packages saved in this data dir. */
  async savedIds(): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => /^[0-9a-f]{64}\.zip$/.test(f)).map((f) => f.slice(0, -".zip".length)).sort();
  }

  /** Forget a package no function uses: this node's copies, and the shared store's. */
  async remove(code: CodeRef): Promise<void> {
    await rm(this.dirOf(code), { recursive: true, force: true });
    await rm(this.zipOf(code), { force: true });
    await this.blobs?.delete(code.id);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
