/**
 * ConditionExpression / FilterExpression (and the shape KeyConditionExpression is written in):
 * comparisons, BETWEEN, IN, the functions, NOT, AND, OR, parentheses, with AWS's precedence
 * (comparators, IN, BETWEEN, functions, NOT, AND, OR, from tightest to loosest).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */
import type { Comparator, Condition, ConditionFunction, Operand } from "./ast.js";
import { Parser, pathText, typeTag, type ExpressionKind } from "./parser.js";
import type { Usage } from "./usage.js";
import { compareValues } from "../values.js";

/** A function call before it is known to be a condition (`begins_with(a, :p)`) or an operand (`size(a)`). */
type Term = Operand | { kind: "call"; name: string; args: Term[] };

const COMPARATORS = new Set(["=", "<>", "<", "<=", ">", ">="]);
const KEYWORDS = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
/** UpdateExpression's functions: known to the parser, refused in a condition. */
const UPDATE_ONLY = new Set(["if_not_exists", "list_append"]);
const TYPE_NAMES = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];
/** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters */
const MAX_IN_OPERANDS = 100;

export function parseCondition(text: string, usage: Usage, what: "ConditionExpression" | "FilterExpression"): Condition {
  return parseConditionText(text, usage, what);
}

export function parseConditionText(text: string, usage: Usage, kind: ExpressionKind): Condition {
  const p = new ConditionParser(text, kind, usage);
  const condition = p.or();
  p.expectEnd();
  p.finish();
  return condition;
}

class ConditionParser extends Parser {
  /** Conditions written inside parentheses: one wrapped again is AWS's "redundant parentheses". */
  private readonly parenthesized = new WeakSet<Condition>();

  or(): Condition {
    let left = this.and();
    while (this.accept("OR")) left = { kind: "or", left, right: this.and() };
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.accept("AND")) left = { kind: "and", left, right: this.not() };
    return left;
  }

  private not(): Condition {
    if (this.accept("NOT")) return { kind: "not", condition: this.not() };
    return this.primary();
  }

  private primary(): Condition {
    const c = this.simple();
    this.settle();
    return c;
  }

  private simple(): Condition {
    if (this.at("(")) {
      const start = this.pos;
      try {
        this.pos++;
        const inner = this.or();
        this.expect(")");
        // DynamoDB refuses `((a = :v))` in a condition or filter, but accepts it in a key condition
        // (`((#pk = :pk)) AND ((#sk = :sk))`, as captured from DynamoDB by nubo-db/dynamodb-conformance).
        if (this.parenthesized.has(inner) && this.kind !== "KeyConditionExpression") this.fault("parens", "The expression has redundant parentheses;");
        this.parenthesized.add(inner);
        return inner;
      } catch (e) {
        // `(a) = :v`: the parentheses held an operand, not a condition.
        this.pos = start;
        const left = this.parenOperand(e);
        return this.comparison(left);
      }
    }
    const left = this.term();
    if (left.kind === "call" && !this.atComparison()) return this.functionCondition(left);
    return this.comparison(left);
  }

  private parenOperand(original: unknown): Term {
    this.pos++;
    if (this.at("(")) throw original;
    let term: Term;
    try {
      term = this.term();
      this.expect(")");
    } catch {
      throw original;
    }
    if (!this.atComparison()) throw original;
    return term;
  }

  private atComparison(): boolean {
    const t = this.peek();
    return (t.kind === "punct" && COMPARATORS.has(t.text)) || this.at("BETWEEN") || this.at("IN");
  }

  private comparison(leftTerm: Term): Condition {
    const t = this.peek();
    if (t.kind === "punct" && COMPARATORS.has(t.text)) {
      this.pos++;
      const op = t.text as Comparator;
      const left = this.operand(leftTerm);
      const right = this.operand(this.term());
      this.distinct(op, [left, right]);
      return { kind: "compare", op, left, right };
    }
    if (this.accept("BETWEEN")) {
      const operand = this.operand(leftTerm);
      const low = this.operand(this.term());
      this.expect("AND");
      const high = this.operand(this.term());
      this.betweenBounds(low, high);
      return { kind: "between", operand, low, high };
    }
    if (this.accept("IN")) {
      const operand = this.operand(leftTerm);
      this.expect("(");
      const list = [this.operand(this.term())];
      while (this.accept(",")) list.push(this.operand(this.term()));
      this.expect(")");
      if (list.length > MAX_IN_OPERANDS) {
        // Not seen from AWS itself: the wording another DynamoDB emulator uses.
        this.fault("operands", `Too many operands for the operator or function; operator or function: IN, number of operands: ${list.length}`);
      }
      return { kind: "in", operand, list };
    }
    throw this.syntaxError();
  }

  /** A path, a `:value` or a function call. */
  private term(): Term {
    const t = this.peek();
    if (t.kind === "value") return { kind: "value", value: this.value() };
    if (t.kind === "word" && this.at("(", 1)) {
      this.pos += 2;
      const args = [this.term()];
      while (this.accept(",")) args.push(this.term());
      this.expect(")");
      return { kind: "call", name: t.text, args };
    }
    if (t.kind === "word" && KEYWORDS.has(t.text.toUpperCase())) throw this.syntaxError(t);
    if (this.atPath()) return { kind: "path", path: this.path() };
    throw this.syntaxError(t);
  }

  /** A term where an operand is wanted: `size(…)` is one, any other function is misplaced. */
  private operand(term: Term): Operand {
    if (term.kind !== "call") return term;
    if (this.checkCall(term) && term.name !== "size") {
      this.fault("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${term.name}`);
    }
    return { kind: "size", operand: this.operand(term.args[0]) };
  }

  private functionCondition(call: Term & { kind: "call" }): Condition {
    if (this.checkCall(call) && call.name === "size") {
      this.fault("misusedFunction", "The function is not allowed to be used this way in an expression; function: size");
    }
    return { kind: "function", name: call.name as ConditionFunction, args: call.args.map((a) => this.operand(a)) };
  }

  /** Checks a call's name, arity and operand types; false when the name is unknown. */
  private checkCall(call: Term & { kind: "call" }): boolean {
    const { name, args } = call;
    const arity = ARITY[name];
    if (UPDATE_ONLY.has(name)) {
      this.fault("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${name}`);
      return false;
    }
    if (arity === undefined) {
      this.fault("unknownFunction", `Invalid function name; function: ${name}`);
      return false;
    }
    for (const a of args) {
      if (a.kind === "call" && a.name !== "size" && ARITY[a.name] !== undefined) {
        this.fault("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${a.name}`);
      }
    }
    if (args.length !== arity) {
      this.fault("operands", `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return true;
    }
    const operands = args.map((a) => (a.kind === "call" ? ({ kind: "size", operand: { kind: "path", path: [] } } as Operand) : a));
    this.distinct(name, operands);
    const typeError = (type: string) =>
      this.fault("operandType", `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`);
    switch (name) {
      case "attribute_exists":
      case "attribute_not_exists":
        if (operands[0].kind !== "path") this.fault("operandType", `Operator or function requires a document path; operator or function: ${name}`);
        break;
      case "begins_with":
        for (const o of operands) {
          const type = operandType(o);
          if (type !== undefined && type !== "S" && type !== "B") typeError(type);
        }
        break;
      case "attribute_type": {
        const type = operandType(operands[1]);
        if (type !== "S") typeError(type ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        else if (operands[1].kind === "value" && !TYPE_NAMES.includes((operands[1].value as { S: string }).S)) {
          this.fault("operandType", `Invalid attribute type name found; type: ${(operands[1].value as { S: string }).S}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
        }
        break;
      }
      case "size": {
        const type = operandType(operands[0]);
        if (type === "N" || type === "BOOL" || type === "NULL") typeError(type);
        break;
      }
    }
    return true;
  }

  /** `a = a`, `begins_with(a, a)`: AWS refuses an operator whose two operands are the same path. */
  private distinct(op: string, [first, second]: Operand[]): void {
    if (first?.kind !== "path" || second?.kind !== "path") return;
    if (first.path.length !== second.path.length || first.path.some((p, i) => p !== second.path[i])) return;
    this.fault("distinct", `The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${pathText(first.path)}`);
  }

  private betweenBounds(low: Operand, high: Operand): void {
    if (low.kind !== "value" || high.kind !== "value") return;
    const lowType = typeTag(low.value);
    const highType = typeTag(high.value);
    const bounds = `lower bound operand: AttributeValue: {${lowType}:${scalarText(low.value)}}, upper bound operand: AttributeValue: {${highType}:${scalarText(high.value)}}`;
    if (lowType !== highType) {
      this.fault("operandType", `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
    } else if ((compareValues(low.value, high.value) ?? 0) > 0) {
      this.fault("operandType", `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
    }
  }
}

/** The type an operand is known to have before evaluation: a literal's, N for size(); undefined for paths. */
function operandType(o: Operand): string | undefined {
  if (o.kind === "value") return typeTag(o.value);
  if (o.kind === "size") return "N";
  return undefined;
}

function scalarText(v: import("../types.js").AttributeValue): string {
  return String(Object.values(v)[0]);
}
