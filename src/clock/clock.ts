/**
 * The one source of platform time.
 *
 * Retries, idle expiry, event age and batching windows are scheduled on a Clock so that
 * `--time-scale N` (N Flint seconds pass per real second) speeds them up without changing what
 * they do. Function execution (timeouts, durations in REPORT lines) is real time and does not use it:
 * a scaled timeout would kill a function for work it really did.
 */
import { readFileSync, writeFileSync } from "node:fs";

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Flint time in epoch milliseconds. */
  now(): number;
  /** Run `fn` once after `ms` of Flint time. The timer does not keep the process alive. */
  after(ms: number, fn: () => void): Timer;
  /** Run `fn` every `ms` of Flint time. */
  every(ms: number, fn: () => void): Timer;
  readonly scale: number;
}

export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  private readonly flintStart: number;

  constructor(readonly scale = 1, flintStart = Date.now()) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number, got ${scale}`);
    this.flintStart = flintStart;
  }

  now(): number {
    return this.flintStart + (Date.now() - this.realStart) * this.scale;
  }

  after(ms: number, fn: () => void): Timer {
    // Node measures a timer from the event loop's cached time, which can lag: a timer may fire a
    // few real milliseconds early, which `--time-scale` multiplies. Never run before `ms` of Flint time.
    const due = this.now() + ms;
    let handle: NodeJS.Timeout;
    const arm = (wait: number) => {
      handle = setTimeout(() => {
        const left = due - this.now();
        if (left > 0) arm(left);
        else fn();
      }, Math.max(0, wait / this.scale));
      handle.unref();
    };
    arm(ms);
    return { cancel: () => clearTimeout(handle) };
  }

  every(ms: number, fn: () => void): Timer {
    const handle = setInterval(fn, Math.max(1, ms / this.scale));
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }
}

/**
 * A scaled clock that never runs backwards across restarts: with `--time-scale 60` Flint time runs
 * ahead of the wall clock, and stored times (retries due, events' ages) are in Flint time. The
 * clock's reading is saved to `file` every second and at `stop()`; the next start resumes from it.
 */
export function resumeClock(file: string, scale: number): { clock: ScaledClock; stop(): void } {
  let saved = 0;
  try {
    saved = Number(JSON.parse(readFileSync(file, "utf8")).now) || 0;
  } catch {
    // first start, or an unreadable file: start from the wall clock
  }
  const clock = new ScaledClock(scale, Math.max(Date.now(), saved));
  const save = () => {
    try {
      writeFileSync(file, JSON.stringify({ now: clock.now() }));
    } catch {
      // the data dir went away (tests removing it): nothing left to resume
    }
  };
  const handle = setInterval(save, 1000);
  handle.unref();
  return {
    clock,
    stop: () => {
      clearInterval(handle);
      save();
    },
  };
}

/** Resolves after `ms` of Flint time, or at once when `signal` aborts. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      timer.cancel();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.after(ms, done);
    signal.addEventListener("abort", done);
  });
}
