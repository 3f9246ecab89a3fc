/**
 * What every expression parser shares: the token cursor, document paths and placeholders, and AWS's
 * error reporting. A syntax error stops parsing at once; the other faults (a reserved word, an
 * undefined placeholder, a wrong operand type…) are collected and the one AWS ranks first is
 * reported after the whole expression parsed, as DynamoDB does (a syntax error later in the text
 * wins over an undefined placeholder earlier in it).
 */
import { awsError, type AwsError } from "../../../errors.js";
import type { AttributeValue } from "../types.js";
import type { Path } from "./ast.js";
import { tokenize, type Token } from "./lexer.js";
import { isReserved } from "./reserved.js";
import type { Usage } from "./usage.js";

export type ExpressionKind = "ConditionExpression" | "FilterExpression" | "KeyConditionExpression" | "UpdateExpression" | "ProjectionExpression";

/** The fault classes, in the order AWS reports them when a condition (or projection) has several. */
export const CONDITION_FAULTS = [
  "parens",
  "unknownFunction",
  "misusedFunction",
  "reserved",
  "settled",
  "undefined",
  "operands",
  "distinct",
  "operandType",
  "overlap",
  "conflict",
  "depth",
] as const;
/** An update expression ranks its faults differently. */
export const UPDATE_FAULTS = ["reserved", "unknownFunction", "misusedFunction", "section", "undefined", "overlap", "conflict", "operator", "operands", "operandType", "depth"] as const;
export type Fault = (typeof CONDITION_FAULTS)[number] | (typeof UPDATE_FAULTS)[number];
/** The faults a single comparison or function can have, in the order AWS ranks them there. */
const CONDITION_LEVEL: readonly Fault[] = ["undefined", "operands", "distinct", "operandType"];

/** 4 KB of UTF-8. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters */
const MAX_EXPRESSION_BYTES = 4096;

/** The deepest document path DynamoDB accepts. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
const MAX_DEPTH = 32;

export class Parser {
  readonly tokens: Token[];
  pos = 0;
  private readonly faults = new Map<Fault, string>();

  constructor(
    readonly text: string,
    readonly kind: ExpressionKind,
    readonly usage: Usage,
    private readonly order: readonly Fault[] = CONDITION_FAULTS,
  ) {
    if (text.length === 0) throw this.error("The expression can not be empty;");
    const size = Buffer.byteLength(text, "utf8");
    if (size > MAX_EXPRESSION_BYTES) throw this.error(`Expression size has exceeded the maximum allowed size; expression size: ${size}`);
    this.tokens = tokenize(text);
    // The tokenizer runs before the grammar: a character the language has no use for is reported even
    // when the grammar would have failed earlier in the text.
    const bad = this.tokens.find((t) => t.kind === "bad");
    if (bad !== undefined) throw this.syntaxError(bad);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  /** Whether the next token is the punctuation or (case-insensitive) keyword `text`. */
  at(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "punct" || t.kind === "word") && t.text.toUpperCase() === text;
  }

  accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.pos++;
    return true;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw this.syntaxError();
  }

  expectEnd(): void {
    if (this.peek().kind !== "eof") throw this.syntaxError();
  }

  /** AWS's syntax error at the next token: the token, and the text from the token before it to the one after. */
  syntaxError(token: Token = this.peek()): AwsError {
    const index = this.tokens.indexOf(token);
    const before = index > 0 ? this.tokens[index - 1] : token;
    const after = token.kind === "eof" ? token : this.tokens[index + 1];
    const end = token.kind === "bad" ? (token.lexemeEnd ?? token.end) : after.kind === "eof" ? this.text.length : after.end;
    const near = this.text.slice(index > 0 ? before.start : 0, end);
    return this.error(`Syntax error; token: "${token.text}", near: "${near}"`);
  }

  error(message: string): AwsError {
    return awsError("ValidationException", `Invalid ${this.kind}: ${message}`);
  }

  /** Records a non-syntax fault; the first of each class is kept. */
  fault(kind: Fault, message: string): void {
    if (!this.faults.has(kind)) this.faults.set(kind, message);
  }

  /**
   * Called as each simple condition ends: the first condition with a fault fixes which of its faults
   * is reported (`begins_with(a, :n) AND b = :undefined` reports the operand type, not the placeholder).
   */
  settle(): void {
    if (this.faults.has("settled")) return;
    const kind = CONDITION_LEVEL.find((k) => this.faults.has(k));
    if (kind !== undefined) this.faults.set("settled", this.faults.get(kind)!);
  }

  /** Throws the fault AWS would report, if any was recorded. */
  finish(): void {
    for (const kind of this.order) {
      const message = this.faults.get(kind);
      if (message !== undefined) throw this.error(message);
    }
  }

  /** Whether the next tokens start a document path. */
  atPath(): boolean {
    const t = this.peek();
    return t.kind === "name" || t.kind === "word";
  }

  /** `name`, `#name`, then any of `.name`, `.#name`, `[digits]`. */
  path(): Path {
    const path: Path = [this.pathName()];
    for (;;) {
      if (this.accept(".")) {
        path.push(this.pathName());
      } else if (this.at("[")) {
        this.pos++;
        const t = this.next();
        if (t.kind !== "number") throw this.syntaxError(t);
        this.expect("]");
        path.push(Number(t.text));
      } else {
        break;
      }
    }
    if (path.length > MAX_DEPTH) this.fault("depth", `The document path has too many nesting levels; nesting levels: ${path.length}`);
    return path;
  }

  private pathName(): string {
    const t = this.peek();
    if (t.kind === "word") {
      this.pos++;
      if (isReserved(t.text)) this.fault("reserved", `Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
      return t.text;
    }
    if (t.kind === "name") {
      this.pos++;
      const name = this.usage.name(t.text);
      if (name === undefined) {
        this.fault("undefined", `An expression attribute name used in the document path is not defined; attribute name: ${t.text}`);
        return t.text;
      }
      return name;
    }
    throw this.syntaxError(t);
  }

  /** A `:placeholder`'s value ({ NULL: true } stands in for an undefined one: its fault is recorded). */
  value(): AttributeValue {
    const t = this.next();
    if (t.kind !== "value") throw this.syntaxError(t);
    const v = this.usage.value(t.text);
    if (v === undefined) {
      this.fault("undefined", `An expression attribute value used in expression is not defined; attribute value: ${t.text}`);
      return { NULL: true };
    }
    return v;
  }
}

/** A path as AWS prints it in messages: `[a, b, [0]]`. */
export function pathText(path: Path): string {
  return `[${path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(", ")}]`;
}

/** The type tag of a value: "S", "N", "L"… */
export function typeTag(v: AttributeValue): string {
  return Object.keys(v)[0];
}

/**
 * Records AWS's fault when two paths of one expression touch the same attribute: one a prefix of the
 * other overlaps, a name where the other has an index (or the reverse) conflicts.
 */
export function checkOverlaps(p: Parser, paths: Path[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      const one = paths[j];
      const two = paths[i];
      const both = `must remove or rewrite one of these paths; path one: ${pathText(one)}, path two: ${pathText(two)}`;
      let k = 0;
      for (; k < one.length && k < two.length; k++) {
        if (typeof one[k] !== typeof two[k]) {
          p.fault("conflict", `Two document paths conflict with each other; ${both}`);
          break;
        }
        if (one[k] !== two[k]) break;
      }
      if (k === one.length || k === two.length) p.fault("overlap", `Two document paths overlap with each other; ${both}`);
    }
  }
}
