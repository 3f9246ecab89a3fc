/**
 * Zip packages for tests: real packages from fixture folders (yazl), and hand-made archives for
 * hostile cases that well-behaved zip writers refuse to produce (path traversal, symlinks, lying
 * sizes, bombs, corruption).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { deflateRawSync, crc32 } from "node:zlib";
import yazl from "yazl";
import { ROOT } from "./flint.js";

export const FIXTURES = path.join(ROOT, "test/fixtures/functions");

/** Zip a fixture folder (relative to test/fixtures/functions), keeping file modes. */
export async function zipFixture(name: string, extra: Record<string, string | Buffer> = {}): Promise<Buffer> {
  const dir = path.join(FIXTURES, name);
  const zip = new yazl.ZipFile();
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(relPath);
      else {
        const full = path.join(dir, relPath);
        zip.addBuffer(await readFile(full), relPath, { mode: (await stat(full)).mode });
      }
    }
  };
  await walk("");
  for (const [name, content] of Object.entries(extra)) zip.addBuffer(Buffer.from(content), name, { mode: 0o100644 });
  return finish(zip);
}

export function zipFiles(files: Record<string, string | Buffer | { content: string | Buffer; mode: number }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, f] of Object.entries(files)) {
    if (typeof f === "string" || Buffer.isBuffer(f)) zip.addBuffer(Buffer.from(f), name, { mode: 0o100644 });
    else zip.addBuffer(Buffer.from(f.content), name, { mode: f.mode });
  }
  return finish(zip);
}

function finish(zip: yazl.ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
    zip.end();
  });
}

export interface RawEntry {
  name: string;
  data: Buffer;
  /** Unix mode including the file type bits (e.g. 0o120777 for a symlink). */
  mode?: number;
  deflate?: boolean;
  /** Lie about the uncompressed size in the headers. */
  declaredSize?: number;
  /** Extra general purpose flag bits (e.g. 0x0001, "encrypted"). */
  flags?: number;
}

/** Write a zip archive byte by byte, with no validation at all. */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const body = e.deflate ? deflateRawSync(e.data, { level: 9 }) : e.data;
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    const flags = 0x0800 | (e.flags ?? 0);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
