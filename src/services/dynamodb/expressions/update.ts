/**
 * UpdateExpression: `SET a = b + :n, c = list_append(c, :l) REMOVE d[0] ADD e :n DELETE f :s`, each
 * clause at most once, no two actions on overlapping paths.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import type { Path, SetValue, Update, UpdateAction } from "./ast.js";
import { checkOverlaps, Parser, typeTag, UPDATE_FAULTS } from "./parser.js";
import type { Usage } from "./usage.js";

const CLAUSES = ["SET", "REMOVE", "ADD", "DELETE"] as const;
type Clause = (typeof CLAUSES)[number];
const FUNCTIONS = new Set(["if_not_exists", "list_append"]);
/** The condition language's functions: known to the parser, refused in an update. */
const CONDITION_ONLY = new Set(["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size"]);
/** ADD and DELETE name the operand's type in their own words. */
const TYPE_WORDS: Record<string, string> = { S: "STRING", N: "NUMBER", B: "BINARY", NULL: "NULL", BOOL: "BOOLEAN", L: "LIST", M: "MAP" };

export function parseUpdate(text: string, usage: Usage): Update {
  const p = new UpdateParser(text, "UpdateExpression", usage, UPDATE_FAULTS);
  const actions: UpdateAction[] = [];
  const seen = new Set<Clause>();
  do {
    const clause = p.clause();
    if (seen.has(clause)) p.fault("section", `The "${clause}" section can only be used once in an update expression;`);
    seen.add(clause);
    do actions.push(p.action(clause));
    while (p.accept(","));
  } while (p.peek().kind !== "eof");
  checkOverlaps(
    p,
    actions.map((a) => a.path),
  );
  p.finish();
  return { actions };
}

/** Every document path an update writes (for the key-attribute check). */
export function pathsOfUpdate(update: Update): Path[] {
  return update.actions.map((a) => a.path);
}

class UpdateParser extends Parser {
  clause(): Clause {
    const t = this.peek();
    const word = t.kind === "word" ? (t.text.toUpperCase() as Clause) : undefined;
    if (word === undefined || !CLAUSES.includes(word)) throw this.syntaxError(t);
    this.pos++;
    return word;
  }

  action(clause: Clause): UpdateAction {
    const t = this.peek();
    if (t.kind === "word" && CLAUSES.includes(t.text.toUpperCase() as Clause)) throw this.syntaxError(t);
    const path = this.path();
    switch (clause) {
      case "SET":
        this.expect("=");
        return { action: "SET", path, value: this.setValue() };
      case "REMOVE":
        return { action: "REMOVE", path };
      case "ADD":
      case "DELETE": {
        const value = this.value();
        const type = typeTag(value);
        const word = TYPE_WORDS[type];
        if (word !== undefined && !(clause === "ADD" && type === "N")) {
          this.fault("operator", `Incorrect operand type for operator or function; operator: ${clause}, operand type: ${word}`);
        }
        return { action: clause, path, value };
      }
    }
  }

  /** operand, or operand + operand, or operand - operand. */
  private setValue(): SetValue {
    const left = this.setOperand();
    for (const op of ["+", "-"] as const) {
      if (this.accept(op)) {
        const right = this.setOperand();
        for (const side of [left, right]) {
          const type = side.kind === "operand" && side.operand.kind === "value" ? typeTag(side.operand.value) : undefined;
          if (type !== undefined && type !== "N") {
            this.fault("operandType", `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${type}`);
          }
        }
        return { kind: op === "+" ? "plus" : "minus", left, right };
      }
    }
    return left;
  }

  private setOperand(): SetValue {
    const t = this.peek();
    if (t.kind === "value") return { kind: "operand", operand: { kind: "value", value: this.value() } };
    if (t.kind === "word" && this.at("(", 1)) return this.call();
    if (this.at("(")) {
      this.pos++;
      const inner = this.setValue();
      this.expect(")");
      return inner;
    }
    if (t.kind === "word" && CLAUSES.includes(t.text.toUpperCase() as Clause)) throw this.syntaxError(t);
    if (this.atPath()) return { kind: "operand", operand: { kind: "path", path: this.path() } };
    throw this.syntaxError(t);
  }

  /** A function call; its arguments are operands or calls, never sums (`if_not_exists(a, :x + :y)` is a syntax error). */
  private call(): SetValue {
    const name = this.next().text;
    this.pos++;
    const args = [this.setOperand()];
    while (this.accept(",")) args.push(this.setOperand());
    this.expect(")");
    // AWS accepts list_append(if_not_exists(a, :l), :m) but not one list_append inside another.
    if (args.some((a) => a.kind === "list_append")) this.fault("misusedFunction", "The function is not allowed to be used this way in an expression; function: list_append");
    if (CONDITION_ONLY.has(name)) {
      this.fault("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${name}`);
      return args[0];
    }
    if (!FUNCTIONS.has(name)) {
      this.fault("unknownFunction", `Invalid function name; function: ${name}`);
      return args[0];
    }
    if (args.length !== 2) {
      this.fault("operands", `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return args[0];
    }
    const [first, second] = args;
    if (name === "if_not_exists") {
      if (first.kind !== "operand" || first.operand.kind !== "path") {
        this.fault("operandType", `Operator or function requires a document path; operator or function: ${name}`);
        return second;
      }
      return { kind: "if_not_exists", path: first.operand.path, fallback: second };
    }
    for (const side of args) {
      const type = side.kind === "operand" && side.operand.kind === "value" ? typeTag(side.operand.value) : undefined;
      if (type !== undefined && type !== "L") {
        this.fault("operandType", `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`);
      }
    }
    return { kind: "list_append", first, second };
  }
}
