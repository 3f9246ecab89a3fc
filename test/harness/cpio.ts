/**
 * A "newc" cpio archive: the format the kernel unpacks into its initial root file system. The
 * kernel also unpacks archives written one after another, later entries replacing earlier ones.
 * https://docs.kernel.org/driver-api/early-userspace/buffer-format.html
 */
import path from "node:path";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

export class Cpio {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private ino = 1;
  private readonly dirs = new Set<string>(["", "."]);

  /** A directory, and its parents where they are not in the archive yet. */
  dir(name: string, mode = 0o755): this {
    name = clean(name);
    if (this.dirs.has(name)) return this;
    this.dir(path.posix.dirname(name));
    this.dirs.add(name);
    return this.entry(name, S_IFDIR | mode);
  }

  file(name: string, data: Buffer | string, mode = 0o644): this {
    name = clean(name);
    this.dir(path.posix.dirname(name));
    return this.entry(name, S_IFREG | mode, Buffer.from(data));
  }

  symlink(name: string, target: string): this {
    name = clean(name);
    this.dir(path.posix.dirname(name));
    return this.entry(name, S_IFLNK | 0o777, Buffer.from(target));
  }

  charDevice(name: string, major: number, minor: number, mode = 0o600): this {
    name = clean(name);
    this.dir(path.posix.dirname(name));
    return this.entry(name, S_IFCHR | mode, Buffer.alloc(0), major, minor);
  }

  /** The archive, with its trailer. */
  end(): Buffer {
    this.entry("TRAILER!!!", 0);
    return Buffer.concat(this.parts, this.size);
  }

  private entry(name: string, mode: number, data = Buffer.alloc(0), rdevMajor = 0, rdevMinor = 0): this {
    // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    const fields = [this.ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, Buffer.byteLength(name) + 1, 0];
    this.push(Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}${name}\0`));
    return this.push(data);
  }

  /** Header and data each end on a four-byte boundary. */
  private push(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    const pad = (4 - (this.size % 4)) % 4;
    if (pad) {
      this.parts.push(Buffer.alloc(pad));
      this.size += pad;
    }
    return this;
  }
}

/** Archive names are relative: "/usr/bin/node" is stored as "usr/bin/node". */
function clean(name: string): string {
  return path.posix.normalize(name).replace(/^\/+/, "").replace(/\/+$/, "") || ".";
}
