/**
 * Sandbox uids reserved host-wide. Every environment runs as a uid of its own; a Runtime API listener
 * trusts the uid that owns a connection, so two Flint servers on one host (or a host user) must never
 * hold the same one. A reservation is a file `<dir>/<uid>` created exclusively and holding the
 * server's pid; reservations of servers that are gone are taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const UID_BASE = 61000;
export const UID_COUNT = 4096;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

export class UidLedger {
  private readonly dir: string;
  /** Uids of the host's own users, which sandboxes never get. */
  private readonly taken: Set<number>;
  private next = UID_BASE;

  constructor(dir = path.join(tmpdir(), "flint-uids")) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.taken = new Set(
      readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .map((l) => Number(l.split(":")[2]))
        .filter(Number.isInteger),
    );
  }

  private tryTake(uid: number): boolean {
    const file = path.join(this.dir, String(uid));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, "wx", 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        let holder = NaN;
        try {
          holder = Number(readFileSync(file, "utf8"));
        } catch {
          // released meanwhile: try again
        }
        if (Number.isInteger(holder) && (holder === process.pid || alive(holder))) return false;
        try {
          unlinkSync(file);
        } catch {
          // someone else took it over first
        }
      }
    }
    return false;
  }

  reserve(): number {
    for (let i = 0; i < UID_COUNT; i++) {
      const uid = UID_BASE + ((this.next - UID_BASE + i) % UID_COUNT);
      if (this.taken.has(uid) || !this.tryTake(uid)) continue;
      this.next = uid + 1;
      return uid;
    }
    throw new Error(`all ${UID_COUNT} sandbox uids (${UID_BASE}…) are in use on this host`);
  }

  release(uid: number): void {
    try {
      if (Number(readFileSync(path.join(this.dir, String(uid)), "utf8")) === process.pid) unlinkSync(path.join(this.dir, String(uid)));
    } catch {
      // already gone
    }
  }

  /** Drop this server's reservations (at close). */
  releaseAll(): void {
    for (const name of readdirSync(this.dir)) {
      const uid = Number(name);
      if (Number.isInteger(uid)) this.release(uid);
    }
  }
}
