/** What runs on the host: the processes a Flint server started, seen from outside any sandbox. */
import { readdirSync, readFileSync } from "node:fs";

/** A file of /proc/<pid>, or "" when the process ended between being listed and being read. */
export function procFile(pid: number, file: "cmdline" | "status" | "stat"): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live process below `root` (its environments, their sandboxes and their children). */
export function descendants(root: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === root) continue;
    for (let p = parentOf(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/** A live process (a zombie waiting to be reaped has already ended). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * How long a test waits for something that must happen (a process to end, an event to run): long
 * enough for any host however slow or loaded, since it is spent only when the thing never happens.
 * A test that means "within so long" asserts a duration; a wait only ever gives up.
 */
export const PATIENCE_MS = 60_000;

export async function eventually(check: () => boolean | Promise<boolean>, ms = PATIENCE_MS, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What `promise` settles to; a failure naming `what` if it has not settled within `ms`. */
export async function settlesWithin<T>(promise: Promise<T>, what: string, ms = PATIENCE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
