/**
 * A Clock that moves only when told: tests drive visibility timeouts, delays, retention and long
 * polls by `advance()` instead of waiting.
 */
import type { Clock, Timer } from "./clock.js";

interface Scheduled {
  at: number;
  fn: () => void;
  every?: number;
}

export class ManualClock implements Clock {
  readonly scale = 1;
  private timers = new Set<Scheduled>();

  constructor(private current = Date.UTC(2024, 0, 1)) {}

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): Timer {
    const t: Scheduled = { at: this.current + Math.max(0, ms), fn };
    this.timers.add(t);
    return { cancel: () => this.timers.delete(t) };
  }

  every(ms: number, fn: () => void): Timer {
    const t: Scheduled = { at: this.current + Math.max(1, ms), fn, every: Math.max(1, ms) };
    this.timers.add(t);
    return { cancel: () => this.timers.delete(t) };
  }

  /** Timers scheduled and not yet run or cancelled (a test waits for a long poll to be armed). */
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward, running due timers in time order (each sees `now()` at its due time). */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      if (due.every) due.at += due.every;
      else this.timers.delete(due);
      due.fn();
    }
    this.current = until;
  }
}
