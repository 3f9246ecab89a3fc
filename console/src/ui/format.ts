/**
 * Durations in words, for every page: a metric's milliseconds, a shard's iterator age, a queue's
 * visibility timeout. (Times and sizes: fmtTime and fmtBytes in ui.tsx.)
 */

const UNITS: [ms: number, singular: string, plural: string, short: string][] = [
  [86_400_000, "day", "days", "days"],
  [3_600_000, "hour", "hours", "h"],
  [60_000, "minute", "minutes", "min"],
  [1000, "second", "seconds", "s"],
];

/**
 * A duration given in milliseconds.
 * - `"approx"` (the default), for measurements: under a second in ms (`0.42 ms`, `12.3 ms`, `250 ms`),
 *   then in the largest unit that keeps it readable, to a tenth (`1.5 s`, `3.2 min`, `5.0 h`, `2.5 days`).
 * - `"exact"`, for settings: every unit in words (`4 days`, `1 minute 30 seconds`, `0 seconds`).
 */
export function fmtDuration(ms: number, style: "approx" | "exact" = "approx"): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (style === "exact") {
    if (rest === 0) return "0 seconds";
    const parts: string[] = [];
    for (const [size, one, many] of UNITS) {
      const n = Math.floor(rest / size);
      if (n > 0) {
        parts.push(`${n} ${n === 1 ? one : many}`);
        rest -= n * size;
      }
    }
    if (rest > 0) parts.push(`${rest.toLocaleString("en-US", { maximumFractionDigits: 3 })} ms`);
    return sign + parts.join(" ");
  }
  if (rest < 1000) return `${sign}${rest.toLocaleString("en-US", { maximumFractionDigits: rest < 10 ? 2 : rest < 100 ? 1 : 0 })} ms`;
  // Two of a unit before moving up to it: 90 s, not 1.5 min.
  const [size, , , short] = UNITS.find(([size]) => rest >= 2 * size) ?? UNITS[UNITS.length - 1]!;
  return `${sign}${(rest / size).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${short}`;
}

/** A number of seconds as an API gives it (SQS: `"345600"`) in words (`4 days`); undefined for none, the raw text if it is not a number. */
export function fmtSeconds(raw: string | number | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? fmtDuration(n * 1000, "exact") : String(raw);
}
