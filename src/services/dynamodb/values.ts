/**
 * Attribute values: validation of what a request sends, and what the rest of DynamoDB needs from a
 * value — its type, size, equality, order, and an order-preserving byte encoding for key columns.
 *
 * Validation runs in two passes, as AWS's does: the JSON shape first (a wrong JSON type anywhere is a
 * SerializationException from the protocol layer), then the values' rules (a ValidationException).
 * Messages are AWS's, as recorded by dynalite's validations (tested against AWS) and as DynamoDB
 * Local's input converter words them (order of checks, nesting limit, null members).
 * Empty strings and binaries are accepted here: since 2020 only key attributes refuse them, and the
 * items service, which knows the key schema, checks those.
 */
import { AwsError, awsError } from "../../errors.js";
import type { AttributeValue, Item } from "./types.js";
import { type Decimal, checkRange, formatNumber, parseNumber, compareNumbers } from "./numbers.js";

/** 400 KB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items */
export const MAX_ITEM_BYTES = 409600;
export const ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size";
/**
 * Documents nest at most 32 levels deep (same page). DynamoDB Local counts a map or list inside an
 * item from 1 (the item itself is level 0) and inside an expression value from 0, and refuses level 32.
 */
export const MAX_NESTING = 32;
export const NESTING_TOO_DEEP = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

export type ValueType = "S" | "N" | "B" | "BOOL" | "NULL" | "L" | "M" | "SS" | "NS" | "BS";
/** The order in which DynamoDB reads (and so validates) an AttributeValue's members. */
const TYPES: readonly ValueType[] = ["S", "SS", "N", "NS", "B", "BS", "M", "L", "BOOL", "NULL"];

export function typeOf(v: AttributeValue): ValueType {
  return Object.keys(v)[0] as ValueType;
}

const INVALID = "One or more parameter values were invalid: ";

/** Validates a request's attribute map (Item, Key, ExclusiveStartKey…), returning it with numbers canonical. */
export function checkItem(raw: unknown, where: string): Item {
  if (raw === null || raw === undefined) {
    throw awsError("ValidationException", `1 validation error detected: Value null at '${where[0]!.toLowerCase()}${where.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return validateMap(shapeMap(raw), 0);
}

/** Validates one attribute value (an AttributeValueList member, an AttributeValueUpdate's Value). */
export function checkValue(raw: unknown): AttributeValue {
  return validate(shapeValue(raw), 0);
}

/**
 * Validates ExpressionAttributeValues: each value as checkValue does, a refusal naming its key
 * ("ExpressionAttributeValues contains invalid value: … for key :v"). Keys and emptiness are the
 * expression Usage's to check.
 */
export function checkExpressionValues(raw: unknown): Record<string, AttributeValue> {
  const shaped = shapeMap(raw);
  const values: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(shaped)) {
    try {
      if (value === null) throw awsError("ValidationException", NULL_VALUE);
      values[key] = validate(value, 0);
    } catch (e) {
      if (e instanceof AwsError && e.code === "ValidationException") {
        throw awsError("ValidationException", `ExpressionAttributeValues contains invalid value: ${e.message} for key ${key}`);
      }
      throw e;
    }
  }
  return values;
}

// ---- pass 1: the JSON shape, as the AWS protocol layer decodes it ----

const serialization = (message: string) => awsError("SerializationException", message);

/**
 * An AttributeValue with its members of the right JSON types; members may still be several or none.
 * A JSON null where a value belongs stays null, for pass 2 to refuse.
 */
type Shaped = Record<string, unknown>;

function shapeMap(raw: unknown): Record<string, Shaped | null> {
  if (typeof raw !== "object" || raw === null) throw serialization("Unexpected field type");
  if (Array.isArray(raw)) throw serialization("Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
  const out: Record<string, Shaped | null> = {};
  for (const [name, value] of Object.entries(raw)) out[name] = value === null || value === undefined ? null : shapeValue(value);
  return out;
}

function shapeValue(raw: unknown): Shaped {
  if (typeof raw !== "object" || raw === null) throw serialization("Unexpected value type in payload");
  if (Array.isArray(raw)) throw serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
  const out: Shaped = {};
  // Members keep the order they were sent in: AWS reports the first offending one.
  for (const [type, member] of Object.entries(raw)) {
    // Unknown members and JSON nulls are dropped by the protocol layer, as if never sent.
    if (member === null || member === undefined || !TYPES.includes(type as ValueType)) continue;
    out[type] = shapeMember(type as ValueType, member);
  }
  return out;
}

function shapeMember(type: ValueType, member: unknown): unknown {
  switch (type) {
    case "S":
    case "N":
      return shapeString(member);
    case "B":
      return shapeBinary(member);
    case "BOOL":
    case "NULL":
      return shapeBoolean(member);
    case "SS":
    case "NS":
      return shapeList(member).map(shapeString);
    case "BS":
      return shapeList(member).map(shapeBinary);
    case "L":
      return shapeList(member).map((v) => (v === null || v === undefined ? null : shapeValue(v)));
    case "M":
      return shapeMap(member);
  }
}

function describe(value: unknown): string {
  if (typeof value === "boolean") return value ? "TRUE_VALUE" : "FALSE_VALUE";
  return Number.isInteger(value) ? "NUMBER_VALUE" : "DECIMAL_VALUE";
}

function notScalar(value: object, javaClass: string): never {
  if (Array.isArray(value)) throw serialization(`Unrecognized collection type class ${javaClass}`);
  throw serialization("Start of structure or map found where not expected");
}

function shapeString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) notScalar(value, "java.lang.String");
  throw serialization(`${describe(value)} cannot be converted to String`);
}

/** Coral's Boolean reader also takes the strings true/false, 1/0 and yes/no. */
function shapeBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const upper = value.toUpperCase();
    if (upper === "TRUE" || upper === "1" || upper === "YES") return true;
    if (upper === "FALSE" || upper === "0" || upper === "NO") return false;
    throw serialization("Unexpected token received from parser");
  }
  if (typeof value === "object" && value !== null) notScalar(value, "java.lang.Boolean");
  throw serialization(`${describe(value)} cannot be converted to Boolean`);
}

function shapeBinary(value: unknown): string {
  if (typeof value === "object" && value !== null) notScalar(value, "java.nio.ByteBuffer");
  if (typeof value !== "string") throw serialization("only base-64-encoded strings are convertible to bytes");
  if (value.length % 4 !== 0) throw serialization(`Base64 encoded length is expected a multiple of 4 bytes but found: ${value.length}`);
  if (Buffer.from(value, "base64").toString("base64") !== value) throw serialization("Invalid last non-pad Base64 character dectected");
  return value;
}

function shapeList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "object" && value !== null) throw serialization("Start of structure or map found where not expected");
  throw serialization("Unexpected field type");
}

// ---- pass 2: DynamoDB's rules for values ----

const NULL_VALUE = "The supplied Item contains a null AttributeValue";

/** A map's members (an item, or an M value at `depth`): names of 1 to 65535 bytes, values not null. */
function validateMap(map: Record<string, Shaped | null>, depth: number): Record<string, AttributeValue> {
  nest(depth);
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(map)) {
    if (name === "") throw awsError("ValidationException", "Empty attribute name");
    if (name.length > 16383 && Buffer.byteLength(name) > 65535) throw awsError("ValidationException", "Attribute name is too large, must be less than 65536 bytes");
    if (value === null) throw awsError("ValidationException", `${NULL_VALUE}: ${name} is null`);
    out[name] = validate(value, depth + 1);
  }
  return out;
}

/** One value at `depth` (a top-level attribute is at 1, an expression value at 0). */
function validate(value: Shaped, depth: number): AttributeValue {
  const types = TYPES.filter((t) => t in value);
  let checked: AttributeValue | undefined;
  // Each member is read (and refused) in DynamoDB's order before the count of members is judged.
  for (const type of types) checked = validateMember(type, value[type], depth);
  if (types.length === 0) throw awsError("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (types.length > 1) {
    throw awsError("ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  }
  return checked!;
}

function validateMember(type: ValueType, member: unknown, depth: number): AttributeValue {
  switch (type) {
    case "S":
      return { S: member as string };
    case "B":
      return { B: member as string };
    case "N":
      return { N: checkNumber(member as string) };
    case "BOOL":
      return { BOOL: member as boolean };
    case "NULL":
      if (member !== true) throw awsError("ValidationException", `${INVALID}Null attribute value types must have the value of true`);
      return { NULL: true };
    case "SS": {
      const set = member as string[];
      if (set.length === 0) throw awsError("ValidationException", `${INVALID}An string set  may not be empty`);
      if (hasDuplicate(set)) throw awsError("ValidationException", `${INVALID}Input collection [${set.join(", ")}] contains duplicates.`);
      return { SS: set };
    }
    case "NS": {
      const raw = member as string[];
      if (raw.length === 0) throw awsError("ValidationException", `${INVALID}An number set  may not be empty`);
      const set = raw.map(checkNumber);
      if (hasDuplicate(set)) throw awsError("ValidationException", "Input collection contains duplicates");
      return { NS: set };
    }
    case "BS": {
      const set = member as string[];
      if (set.length === 0) throw awsError("ValidationException", `${INVALID}Binary sets should not be empty`);
      // AWS's message has no space before "of".
      if (hasDuplicate(set)) throw awsError("ValidationException", `${INVALID}Input collection [${set.join(", ")}]of type BS contains duplicates.`);
      return { BS: set };
    }
    case "L":
      nest(depth);
      return {
        L: (member as (Shaped | null)[]).map((v) => {
          if (v === null) throw awsError("ValidationException", NULL_VALUE);
          return validate(v, depth + 1);
        }),
      };
    case "M":
      return { M: validateMap(member as Record<string, Shaped | null>, depth) };
  }
}

function nest(depth: number): void {
  if (depth >= MAX_NESTING) throw awsError("ValidationException", NESTING_TOO_DEEP);
}

function checkNumber(text: string): string {
  const d = parseNumber(text);
  checkRange(d);
  return formatNumber(d);
}

function hasDuplicate(values: string[]): boolean {
  return new Set(values).size !== values.length;
}

// ---- sizes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html ----

/** An item's size: each attribute's UTF-8 name bytes plus its value's size. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

/** A value's size without its name: lists and maps cost 3 bytes plus 1 per element. */
export function valueSize(v: AttributeValue): number {
  if ("S" in v) return Buffer.byteLength(v.S);
  if ("N" in v) return numberSize(v.N);
  if ("B" in v) return Buffer.from(v.B, "base64").length;
  if ("BOOL" in v || "NULL" in v) return 1;
  if ("SS" in v) return v.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if ("NS" in v) return v.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if ("BS" in v) return v.BS.reduce((sum, b) => sum + Buffer.from(b, "base64").length, 0);
  if ("L" in v) return 3 + v.L.reduce((sum, e) => sum + 1 + valueSize(e), 0);
  return 3 + Object.keys(v.M).length + itemSize(v.M);
}

/**
 * "1 byte per two significant digits, plus 1": an exponent byte, then the digits in base-100 pairs
 * aligned on the decimal point (a leading digit at an even power of ten starts a half-filled pair);
 * a negative number shorter than 20 pairs takes a terminator byte more. This is DynamoDB Local's
 * number encoding, and agrees with dynalite's measurements of AWS's consumed capacity.
 */
function numberSize(text: string): number {
  const d = parseNumber(text);
  if (d.sign === 0) return 1;
  const pairs = Math.ceil((d.digits.length + (d.exponent % 2 === 0 ? 1 : 0)) / 2);
  return 1 + pairs + (d.sign < 0 && pairs < 20 ? 1 : 0);
}

// ---- order, equality and key encoding ----

/** Compares S, N or B values of the same type as DynamoDB orders them (strings by UTF-8 bytes); undefined otherwise. */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if ("S" in a && "S" in b) return compareStrings(a.S, b.S);
  if ("N" in a && "N" in b) return compareNumbers(a.N, b.N);
  if ("B" in a && "B" in b) return Buffer.compare(Buffer.from(a.B, "base64"), Buffer.from(b.B, "base64"));
  return undefined;
}

/**
 * Orders strings as their UTF-8 bytes do, without encoding them. UTF-8 order is code point order,
 * which differs from JavaScript's UTF-16 unit order only where a surrogate (a code point above
 * U+FFFF) meets a unit in U+E000..U+FFFF: the surrogate's code point is the larger.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Deep equality: numbers by value, binaries by bytes, sets regardless of order. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case "S":
    case "N":
    case "B":
      return compareValues(a, b) === 0;
    case "BOOL":
      return (a as { BOOL: boolean }).BOOL === (b as { BOOL: boolean }).BOOL;
    case "NULL":
      return true;
    case "SS":
    case "NS":
    case "BS": {
      const x = setKeys(a);
      const y = setKeys(b);
      return x.size === y.size && [...x].every((k) => y.has(k));
    }
    case "L": {
      const x = (a as { L: AttributeValue[] }).L;
      const y = (b as { L: AttributeValue[] }).L;
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i]!));
    }
    case "M": {
      const x = (a as { M: Item }).M;
      const y = (b as { M: Item }).M;
      const names = Object.keys(x);
      return names.length === Object.keys(y).length && names.every((n) => n in y && valuesEqual(x[n]!, y[n]!));
    }
  }
}

/** A set's members as comparable text: numbers canonical, binaries as their bytes' hex. */
export function setKeys(v: AttributeValue): Set<string> {
  if ("SS" in v) return new Set(v.SS);
  if ("NS" in v) return new Set(v.NS.map((n) => formatNumber(parseNumber(n))));
  if ("BS" in v) return new Set(v.BS.map((b) => Buffer.from(b, "base64").toString("hex")));
  return new Set();
}

/** A key value as text: strings as they are, numbers canonical, binaries in base64. */
export function keyText(v: AttributeValue): string {
  if ("S" in v) return v.S;
  if ("N" in v) return formatNumber(parseNumber(v.N));
  if ("B" in v) return v.B;
  throw new Error(`not a key value: ${JSON.stringify(v)}`);
}

/**
 * Bytes whose memcmp order is DynamoDB's order for a key value: S as UTF-8, B as its bytes, N as
 * sign, exponent and digits. A number's encoding: a class byte (0x01 negative, 0x02 zero, 0x03
 * positive), then the leading digit's power of ten (offset to 0..255, inverted when negative), then
 * the significant digits as ASCII — inverted and followed by 0xFF when negative, so that a larger
 * magnitude (more digits at the same exponent included) sorts lower.
 */
export function keyBytes(v: AttributeValue): Buffer {
  if ("S" in v) return Buffer.from(v.S, "utf8");
  if ("B" in v) return Buffer.from(v.B, "base64");
  if ("N" in v) return numberKey(parseNumber(v.N));
  throw new Error(`not a key value: ${JSON.stringify(v)}`);
}

/** Exponent offset: the valid range -130..125 maps onto 0..255. */
const EXPONENT_BIAS = 130;

function numberKey(d: Decimal): Buffer {
  if (d.sign === 0) return Buffer.from([0x02]);
  const n = d.digits.length;
  const exponent = d.exponent + EXPONENT_BIAS;
  if (exponent < 0 || exponent > 255) throw new Error(`number out of DynamoDB's range: ${formatNumber(d)}`);
  if (d.sign > 0) {
    const out = Buffer.alloc(2 + n);
    out[0] = 0x03;
    out[1] = exponent;
    out.write(d.digits, 2, "latin1");
    return out;
  }
  const out = Buffer.alloc(3 + n);
  out[0] = 0x01;
  out[1] = 255 - exponent;
  for (let i = 0; i < n; i++) out[2 + i] = 0xff - d.digits.charCodeAt(i);
  out[2 + n] = 0xff;
  return out;
}

/** The smallest byte string above every string that starts with `prefix`; undefined when none is (all 0xFF, or empty). */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1] = prefix[end - 1]! + 1;
  return out;
}
