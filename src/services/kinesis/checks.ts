/**
 * Kinesis's request validation as AWS words it: every member constraint that fails is collected
 * (up to ten) into one ValidationException, "2 validation errors detected: Value 'x' at 'streamName'
 * failed to satisfy constraint: Member must satisfy regular expression pattern: …; …". A member of
 * the wrong JSON type cannot be read at all: SerializationException.
 */
import { awsError } from "../../errors.js";

type Members = Record<string, unknown>;

interface Bounds {
  required?: boolean;
  min?: number;
  max?: number;
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

const wrongType = (name: string, expected: string) => awsError("SerializationException", `Unexpected value type for '${name}': expected ${expected}.`);

export class Checks {
  private readonly errors: string[] = [];

  /** `path` is the members' place in the request (`records.1.member`) for nested structures. */
  constructor(
    private readonly m: Members,
    private readonly path = "",
  ) {}

  private fail(name: string, shown: string | undefined, constraint: string): void {
    if (this.errors.length < 10) this.errors.push(`Value ${shown === undefined ? "null" : `'${shown}'`} at '${this.path}${lowerFirst(name)}' failed to satisfy constraint: ${constraint}`);
  }

  private present(name: string, required: boolean | undefined): boolean {
    const v = this.m[name];
    if (v !== undefined && v !== null) return true;
    if (required) this.fail(name, undefined, "Member must not be null");
    return false;
  }

  private lengths(name: string, shown: string, length: number, b: Bounds): void {
    if (b.min !== undefined && length < b.min) this.fail(name, shown, `Member must have length greater than or equal to ${b.min}`);
    if (b.max !== undefined && length > b.max) this.fail(name, shown, `Member must have length less than or equal to ${b.max}`);
  }

  string(name: string, b: Bounds & { pattern?: string; oneOf?: readonly string[] } = {}): string | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "string") throw wrongType(name, "a string");
    this.lengths(name, v, v.length, b);
    if (b.pattern !== undefined && !new RegExp(`^(?:${b.pattern})$`).test(v)) this.fail(name, v, `Member must satisfy regular expression pattern: ${b.pattern}`);
    if (b.oneOf && !b.oneOf.includes(v)) this.fail(name, v, `Member must satisfy enum value set: [${b.oneOf.join(", ")}]`);
    return v;
  }

  int(name: string, b: Bounds = {}): number | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(name, "an integer");
    if (b.min !== undefined && v < b.min) this.fail(name, String(v), `Member must have value greater than or equal to ${b.min}`);
    if (b.max !== undefined && v > b.max) this.fail(name, String(v), `Member must have value less than or equal to ${b.max}`);
    return v;
  }

  /** A blob, base64 in JSON; shown as AWS's Java service shows a buffer. */
  blob(name: string, b: Bounds = {}): Buffer | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw awsError("SerializationException", `Base64 encoded value of '${name}' is invalid.`);
    const data = Buffer.from(v, "base64");
    this.lengths(name, `java.nio.HeapByteBuffer[pos=0 lim=${data.length} cap=${data.length}]`, data.length, b);
    return data;
  }

  /** Epoch seconds (JSON 1.1 timestamps), fractional or an ISO 8601 string; resolved as epoch ms. */
  timestamp(name: string): number | undefined {
    if (!this.present(name, false)) return undefined;
    const v = this.m[name];
    const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) throw wrongType(name, "a timestamp");
    return Math.round(ms);
  }

  /** A list; `member` is how AWS's Java service shows each structure in it (`…Entry@c965e310`). */
  list(name: string, b: Bounds & { member?: string } = {}): unknown[] | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (!Array.isArray(v)) throw wrongType(name, "a list");
    this.lengths(name, `[${v.map((x) => b.member ?? String(x)).join(", ")}]`, v.length, b);
    return v;
  }

  map(name: string, b: Bounds = {}): Record<string, unknown> | undefined {
    if (!this.present(name, b.required)) return undefined;
    const v = this.m[name];
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw wrongType(name, "a structure or map");
    const entries = Object.entries(v as Record<string, unknown>);
    this.lengths(name, `{${entries.map(([k, x]) => `${k}=${String(x)}`).join(", ")}}`, entries.length, b);
    return v as Record<string, unknown>;
  }

  /** Add the errors of nested members checked separately. */
  absorb(nested: Checks): void {
    for (const e of nested.errors) if (this.errors.length < 10) this.errors.push(e);
  }

  /** Throw the collected ValidationException, if any. */
  done(): void {
    const n = this.errors.length;
    if (n > 0) throw awsError("ValidationException", `${n} validation error${n > 1 ? "s" : ""} detected: ${this.errors.join("; ")}`);
  }
}

export const STREAM_NAME = { min: 1, max: 128, pattern: "[a-zA-Z0-9_.-]+" };
export const STREAM_ARN = { min: 1, max: 2048, pattern: "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+" };
export const SHARD_ID = { min: 1, max: 128, pattern: "[a-zA-Z0-9_.-]+" };
export const SEQUENCE_NUMBER = { pattern: "0|([1-9]\\d{0,128})" };
export const HASH_KEY = { pattern: "0|([1-9]\\d{0,38})" };
export const TAG_KEY = { min: 1, max: 128 };
