/** Test fixtures: reproducible random DynamoDB numbers, shared by the numbers and values tests. */

import { MAX_EXPONENT, MIN_EXPONENT } from "./numbers.js";
/** A deterministic pseudo-random source, so a failure reproduces. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random valid DynamoDB numbers in assorted spellings, across the whole exponent range. */
export function randomNumber(next: () => number): string {
  const sign = next() < 0.5 ? "-" : next() < 0.5 ? "+" : "";
  if (next() < 0.05) return `${sign}0${next() < 0.5 ? ".000" : ""}`;
  const count = 1 + Math.floor(next() * (next() < 0.3 ? 38 : 6));
  let digits = String(1 + Math.floor(next() * 9));
  for (let i = 1; i < count; i++) digits += String(Math.floor(next() * 10));
  const style = next();
  if (style < 0.3) {
    // Near the limits: the leading digit's power anywhere in -130..125.
    const exponent = MIN_EXPONENT + Math.floor(next() * (MAX_EXPONENT - MIN_EXPONENT + 1));
    return `${sign}${digits[0]}.${digits.slice(1)}e${exponent}`;
  }
  if (style < 0.6) return `${sign}${digits}`;
  const point = Math.floor(next() * (digits.length + 1));
  return `${sign}${digits.slice(0, point) || "0"}.${digits.slice(point)}${"0".repeat(Math.floor(next() * 3))}`;
}
