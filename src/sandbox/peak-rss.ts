/**
 * A process's peak resident set (VmHWM) from /proc/<pid>/status, for REPORT's Max Memory Used. The
 * file stays open: re-reading it at offset 0 is cheaper than opening it on every invoke.
 */
import { closeSync, openSync, readSync } from "node:fs";

const STATUS_BUF = Buffer.alloc(4096);

export class PeakRss {
  private fd: number | undefined;

  /** `pid` is asked once, on the first read (a sandbox learns its runtime's pid late). */
  constructor(private readonly pid: () => number) {}

  /** Bytes, or 0 once the process is gone. */
  bytes(): number {
    try {
      this.fd ??= openSync(`/proc/${this.pid()}/status`, "r");
      const n = readSync(this.fd, STATUS_BUF, 0, STATUS_BUF.length, 0);
      const m = /VmHWM:\s+(\d+) kB/.exec(STATUS_BUF.toString("latin1", 0, n));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
