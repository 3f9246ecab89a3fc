/**
 * The one source of platform time.
 *
 * Retries, idle expiry, event age and batching windows are scheduled on a Clock so that
 * `--time-scale N` (N Flint seconds pass per real second) speeds them up without changing what
 * they do. Function execution (timeouts, durations in REPORT lines) is real time and does not use it:
 * a scaled timeout would kill a function for work it really did.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { SettingsStore } from "../store/settings-store.js";

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
  /** Flint time is `flintStart` at the wall clock's `realStart`, and runs `scale` times as fast. */
  constructor(
    readonly scale = 1,
    private readonly flintStart = Date.now(),
    private readonly realStart = Date.now(),
  ) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number, got ${scale}`);
  }

  /** Whole milliseconds (a scaled clock would give fractions), as every store keeps times. */
  now(): number {
    return Math.floor(this.flintStart + (Date.now() - this.realStart) * this.scale);
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

/** Where the clock's reading is kept: a file in the data dir, or the settings of a store nodes share. */
export interface ClockPlace {
  load(): Promise<string | undefined>;
  save(value: string): Promise<void>;
  /** Shared by running nodes: a node starting while another runs joins its time. */
  readonly shared: boolean;
}

export function clockFile(file: string): ClockPlace {
  return {
    shared: false,
    load: () => readFile(file, "utf8").catch(() => undefined),
    save: (value) => writeFile(file, value),
  };
}

export function clockSetting(settings: SettingsStore): ClockPlace {
  return { shared: true, load: () => settings.get("clock"), save: (value) => settings.put("clock", value) };
}

const SAVE_EVERY_MS = 1000;
/** A shared reading younger than this (real time) was saved by a node still running. */
const LIVE_MS = 5 * SAVE_EVERY_MS;

/**
 * A scaled clock that never runs backwards across restarts: with `--time-scale 60` Flint time runs
 * ahead of the wall clock, and stored times (retries due, events' ages) are in Flint time. The
 * clock's reading (`now`, at wall-clock time `at`) is saved every second and at `stop()`; the next
 * start resumes from it. On a shared store, a node that starts while others run takes their
 * timeline (their reading, advanced by the wall time since), so every node tells the same Flint time;
 * nodes of one cluster should share `--time-scale`, or each keeps its own rate from there.
 */
export async function resumeClock(place: ClockPlace, scale: number): Promise<{ clock: ScaledClock; stop(): Promise<void> }> {
  let saved: { now: number; at?: number; scale?: number } = { now: 0 };
  try {
    const text = await place.load();
    if (text) saved = JSON.parse(text) as typeof saved;
  } catch {
    // first start, or an unreadable reading: start from the wall clock
  }
  const real = Date.now();
  const savedNow = Number(saved.now) || 0;
  const live = place.shared && typeof saved.at === "number" && real - saved.at < LIVE_MS && real >= saved.at;
  const clock = live ? new ScaledClock(scale, savedNow + (real - saved.at!) * (Number(saved.scale) || scale), real) : new ScaledClock(scale, Math.max(real, savedNow), real);
  if (live && saved.scale !== scale) console.error(`flint: this node's --time-scale ${scale} differs from the running nodes' (${saved.scale}): their Flint times will drift apart`);
  const save = () =>
    place.save(JSON.stringify({ now: clock.now(), at: Date.now(), scale })).catch(() => {
      // the data dir went away (tests removing it) or the store is gone: nothing left to resume
    });
  const handle = setInterval(save, SAVE_EVERY_MS);
  handle.unref();
  return {
    clock,
    stop: async () => {
      clearInterval(handle);
      await save();
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
