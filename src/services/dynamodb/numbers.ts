/**
 * DynamoDB's Number: an exact decimal of up to 38 significant digits whose magnitude lies between
 * 1E-130 and 9.9999999999999999999999999999999999999E+125 (or zero).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
 *
 * Numbers travel as text. A request's text is validated and canonicalised once (`normaliseNumber`):
 * DynamoDB hands numbers back without leading or trailing zeros and without an exponent, so "01.50"
 * reads back as "1.5" and "1e3" as "1000". Arithmetic is exact (BigInt-scaled decimals); a result
 * that does not fit is an error, never rounded.
 */
import { awsError } from "../../errors.js";

export const MAX_DIGITS = 38;
/** Decimal exponent (of the leading digit) of the largest and smallest magnitudes DynamoDB stores. */
export const MAX_EXPONENT = 125;
export const MIN_EXPONENT = -130;

export const OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range";
export const UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range";
export const TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number";

/**
 * A number as sign, significant digits and exponent: value = sign × 0.d1d2d3… × 10^(exponent+1),
 * i.e. `exponent` is the power of ten of the leading digit (1.5 → digits "15", exponent 0).
 * `digits` has no leading or trailing zeros; zero is sign 0 with empty digits.
 */
export interface Decimal {
  sign: -1 | 0 | 1;
  digits: string;
  exponent: number;
}

/** Java BigDecimal's grammar, which DynamoDB accepts: "+3", ".5", "1.", "1e+5", "0001.23", "0e1000". */
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses number text without range checks; throws AWS's message for text that is not a number. */
export function parseNumber(text: string): Decimal {
  if (text === "") throw awsError("ValidationException", "The parameter cannot be converted to a numeric value");
  const m = NUMBER.exec(text);
  const whole = m?.[2] ?? "";
  const fraction = m?.[3] ?? "";
  if (!m || whole.length + fraction.length === 0) {
    throw awsError("ValidationException", `The parameter cannot be converted to a numeric value: ${text}`);
  }
  const all = whole + fraction;
  const first = all.search(/[1-9]/);
  if (first < 0) return ZERO;
  let last = all.length;
  while (all[last - 1] === "0") last--;
  // A huge exponent text ("1e99999999999") only needs to be known to be out of range.
  const written = m[4] === undefined ? 0 : clampExponent(m[4]);
  return { sign: m[1] === "-" ? -1 : 1, digits: all.slice(first, last), exponent: written + whole.length - 1 - first };
}

const ZERO: Decimal = { sign: 0, digits: "", exponent: 0 };

function clampExponent(text: string): number {
  const n = Number(text);
  return Math.max(-1e9, Math.min(1e9, n));
}

/** Throws AWS's error when a decimal is outside DynamoDB's range or precision. */
export function checkRange(d: Decimal, precisionMessage = TOO_PRECISE): void {
  if (d.sign === 0) return;
  if (d.exponent > MAX_EXPONENT) throw awsError("ValidationException", OVERFLOW);
  if (d.exponent < MIN_EXPONENT) throw awsError("ValidationException", UNDERFLOW);
  if (d.digits.length > MAX_DIGITS) throw awsError("ValidationException", precisionMessage);
}

/** The text DynamoDB returns for a number: plain notation, no superfluous zeros, "-" only when negative. */
export function formatNumber(d: Decimal): string {
  if (d.sign === 0) return "0";
  const { digits, exponent } = d;
  let body: string;
  if (exponent < 0) body = `0.${"0".repeat(-exponent - 1)}${digits}`;
  else if (exponent >= digits.length - 1) body = digits + "0".repeat(exponent - digits.length + 1);
  else body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return d.sign < 0 ? `-${body}` : body;
}

/** Validates number text from a request and returns its canonical form ("01.50" → "1.5", "-0" → "0", "1e3" → "1000"). */
export function normaliseNumber(text: string): string {
  const d = parseNumber(text);
  checkRange(d);
  return formatNumber(d);
}

/** Orders two numbers by value: negative, zero or positive as a < b, a = b, a > b. */
export function compareNumbers(a: string, b: string): number {
  return compareDecimals(parseNumber(a), parseNumber(b));
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const c = compareMagnitudes(a, b);
  return a.sign < 0 ? -c + 0 : c;
}

function compareMagnitudes(a: Decimal, b: Decimal): number {
  if (a.exponent !== b.exponent) return a.exponent < b.exponent ? -1 : 1;
  // Same leading power of ten: the digit strings compare as fractions 0.d1d2…, so lexically.
  return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
}

/** a + b, exactly; a result beyond 38 digits or out of range is AWS's ValidationException. */
export function addNumbers(a: string, b: string): string {
  return formatNumber(add(parseNumber(a), parseNumber(b)));
}

/** a − b, exactly, with the same errors as addNumbers. */
export function subtractNumbers(a: string, b: string): string {
  const nb = parseNumber(b);
  return formatNumber(add(parseNumber(a), { ...nb, sign: -nb.sign as Decimal["sign"] }));
}

function add(a: Decimal, b: Decimal): Decimal {
  // Operands come from validated items and expression values, but a stored number may predate a
  // check, so both are range-checked before their scaled integers are built.
  checkRange(a);
  checkRange(b);
  if (a.sign === 0) return b;
  if (b.sign === 0) return a;
  // value = unscaled × 10^scale, with scale the power of ten of the last significant digit.
  const scale = Math.min(lastPower(a), lastPower(b));
  const sum = unscaled(a, scale) + unscaled(b, scale);
  const result = fromScaled(sum, scale);
  // DynamoDB reports a sum that needs more than 38 digits (1E50 + 1) as an overflow, not as a
  // precision error (observed by ScyllaDB's Alternator tests against AWS, test_number.py).
  checkRange(result, OVERFLOW);
  return result;
}

const lastPower = (d: Decimal) => d.exponent - d.digits.length + 1;
const unscaled = (d: Decimal, scale: number) => BigInt(d.sign) * BigInt(d.digits) * 10n ** BigInt(lastPower(d) - scale);

function fromScaled(value: bigint, scale: number): Decimal {
  if (value === 0n) return ZERO;
  const sign = value < 0n ? -1 : 1;
  const text = (value < 0n ? -value : value).toString();
  let last = text.length;
  while (text[last - 1] === "0") last--;
  return { sign, digits: text.slice(0, last), exponent: scale + text.length - 1 };
}
