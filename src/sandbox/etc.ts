/**
 * The /etc a strict sandbox sees: one prepared directory, bound read-only as a whole, holding the
 * few host entries a runtime needs (TLS roots, name resolution, the dynamic linker's cache,
 * alternatives, time zone, MIME types), a files-only nsswitch.conf, and empty passwd and group that
 * each sandbox covers with its own (`usersOf`).
 *
 * One bind instead of one per entry: bubblewrap re-reads /proc/self/mountinfo after every bind,
 * and that table grows with every running environment (two mounts each), so each bind cost ~0.5 ms
 * at 100 environments. Host files that change while Flint runs (resolv.conf, hosts, ld.so.cache)
 * are copied again when their host copy changes; running sandboxes see the new file, as a process
 * on the host would.
 */
import { copyFileSync, existsSync, renameSync, statSync, type Stats } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Host /etc entries a runtime needs. */
const ENTRIES = ["ssl", "ca-certificates", "ca-certificates.conf", "alternatives", "ld.so.cache", "resolv.conf", "hosts", "localtime", "mime.types"];

/**
 * Users and groups come from files only: the host's nsswitch.conf may name services (systemd,
 * sss) that are not in a sandbox and that every lookup would load and try first (setpriv looks its
 * uid argument up as a name: ~1.5 ms per start with systemd listed).
 */
const NSSWITCH = "passwd: files\ngroup: files\nshadow: files\ngshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\nethers: files\nrpc: files\n";

const signature = (s: Stats) => `${s.ino}:${s.size}:${s.mtimeMs}`;

export class SandboxEtc {
  /** Host files copied, by name, with the signature of the host file when copied. */
  private readonly files = new Map<string, string>();
  /** Each uid's passwd and group, written once. */
  private readonly users = new Map<number, Promise<{ passwd: string; group: string }>>();

  private constructor(
    readonly dir: string,
    private readonly source: string,
  ) {}

  /** Prepare `dir` from the host's /etc (`source`: another directory, for tests). */
  static async create(dir: string, source = "/etc"): Promise<SandboxEtc> {
    const etc = new SandboxEtc(dir, source);
    await mkdir(dir, { mode: 0o755 });
    const present = ENTRIES.filter((e) => existsSync(path.join(source, e)));
    // Directories keep their symlinks (into /usr, or within the copy); private keys stay behind.
    const dirs = present.filter((e) => statSync(path.join(source, e)).isDirectory());
    const privateKeys = path.join(source, "ssl", "private");
    for (const e of dirs) await cp(path.join(source, e), path.join(dir, e), { recursive: true, verbatimSymlinks: true, filter: (from) => from !== privateKeys });
    for (const e of present) if (!dirs.includes(e)) etc.copy(e);
    await writeFile(path.join(dir, "nsswitch.conf"), NSSWITCH, { mode: 0o644 });
    // Mount points for each sandbox's own.
    await writeFile(path.join(dir, "passwd"), "", { mode: 0o644 });
    await writeFile(path.join(dir, "group"), "", { mode: 0o644 });
    return etc;
  }

  /** Copy a host file (its content, through any symlink) over its copy, atomically. */
  private copy(name: string): void {
    const host = path.join(this.source, name);
    const copy = path.join(this.dir, name);
    copyFileSync(host, `${copy}.new`);
    renameSync(`${copy}.new`, copy);
    this.files.set(name, signature(statSync(host)));
  }

  /**
   * The passwd and group a sandbox of this uid covers /etc's with: root and its own user
   * (sbx_user<uid>, as Lambda names its users). A sandbox learns no other uid; a lookup reads two lines.
   */
  usersOf(uid: number): Promise<{ passwd: string; group: string }> {
    let files = this.users.get(uid);
    if (!files) {
      const dir = path.join(path.dirname(this.dir), "users", String(uid));
      const paths = { passwd: path.join(dir, "passwd"), group: path.join(dir, "group") };
      files = mkdir(dir, { recursive: true })
        .then(() =>
          Promise.all([
            writeFile(paths.passwd, `root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user${uid}:x:${uid}:${uid}::/tmp:/usr/sbin/nologin\n`),
            writeFile(paths.group, `root:x:0:\nsbx_user${uid}:x:${uid}:\n`),
          ]),
        )
        .then(() => paths);
      files.catch(() => this.users.delete(uid));
      this.users.set(uid, files);
    }
    return files;
  }

  /** Bring copies of host files that changed since up to date (a few stat calls). */
  refresh(): void {
    for (const [name, was] of this.files) {
      try {
        if (signature(statSync(path.join(this.source, name))) !== was) this.copy(name);
      } catch {
        // Gone from the host: the sandbox keeps the last copy.
      }
    }
  }
}
