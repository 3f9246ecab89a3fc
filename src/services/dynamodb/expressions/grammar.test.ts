/**
 * The expression grammar, table-driven: each row is an expression of one kind with either the shape
 * it parses to (printed compactly: `((a = "x" AND b = 1) OR c = 2)` shows AWS's precedence) or the
 * exact message AWS answers it with.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AttributeValue } from "../types.js";
import type { Condition, KeyCondition, Operand, Path, SetValue, Update } from "./ast.js";
import { parseCondition, parseKeyCondition, parseProjection, parseUpdate, Usage, type KeyNames } from "./index.js";

type Kind = "condition" | "filter" | "update" | "projection" | "key";
interface Row {
  kind: Kind;
  text: string;
  /** The printed parse; omitted for rows that must fail. */
  parses?: string;
  /** AWS's message. */
  error?: string;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
  /** For key conditions; default { hash: "id", range: "sk" }. */
  key?: KeyNames;
}

const NAMES: Record<string, string> = { "#n": "name", "#s": "status", "#a": "a", "#dot": "a.b" };
const VALUES: Record<string, AttributeValue> = {
  ":s": { S: "x" },
  ":s2": { S: "y" },
  ":n": { N: "1" },
  ":n2": { N: "2" },
  ":b": { B: "AQI=" },
  ":bool": { BOOL: true },
  ":null": { NULL: true },
  ":l": { L: [{ S: "x" }] },
  ":m": { M: { k: { S: "v" } } },
  ":ss": { SS: ["x", "y"] },
  ":ns": { NS: ["1", "2"] },
  ":bs": { BS: ["AQI="] },
  ":tS": { S: "S" },
  ":tSS": { S: "SS" },
  ":tBad": { S: "STRING" },
};

const C = (text: string, parses: string): Row => ({ kind: "condition", text, parses });
const CE = (text: string, message: string): Row => ({ kind: "condition", text, error: `Invalid ConditionExpression: ${message}` });
const U = (text: string, parses: string): Row => ({ kind: "update", text, parses });
const UE = (text: string, message: string): Row => ({ kind: "update", text, error: `Invalid UpdateExpression: ${message}` });
const P = (text: string, parses: string): Row => ({ kind: "projection", text, parses });
const PE = (text: string, message: string): Row => ({ kind: "projection", text, error: `Invalid ProjectionExpression: ${message}` });
const K = (text: string, parses: string, key?: Row["key"]): Row => ({ kind: "key", text, parses, key });
const KE = (text: string, error: string, key?: Row["key"]): Row => ({ kind: "key", text, error, key });
const syntax = (token: string, near: string) => `Syntax error; token: "${token}", near: "${near}"`;
const overlap = (one: string, two: string) => `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${one}, path two: ${two}`;
const conflict = (one: string, two: string) => `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${one}, path two: ${two}`;
const operandType = (fn: string, type: string) => `Incorrect operand type for operator or function; operator or function: ${fn}, operand type: ${type}`;
const operands = (fn: string, n: number) => `Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${n}`;
const misused = (fn: string) => `The function is not allowed to be used this way in an expression; function: ${fn}`;
const distinct = (op: string, path: string) => `The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${path}`;

const hundred = Array.from({ length: 100 }, (_, i) => `:v${i}`);

const ROWS: Row[] = [
  // --- conditions: comparisons and operands
  C("a = :s", 'a = "x"'),
  C("a <> :s", 'a <> "x"'),
  C("a < :n", "a < 1"),
  C("a <= :n", "a <= 1"),
  C("a > :n", "a > 1"),
  C("a >= :n", "a >= 1"),
  C(":s = a", '"x" = a'),
  C("a = b", "a = b"),
  C("a.b.c = :s", 'a.b.c = "x"'),
  C("a[0] = :s", 'a[0] = "x"'),
  C("a[0][12].b = :s", 'a[0][12].b = "x"'),
  C("a.b[1].c[2] = :n", "a.b[1].c[2] = 1"),
  C("#n = :s", 'name = "x"'),
  C("#s = :s", 'status = "x"'),
  C("a.#n[1] = :s", 'a.name[1] = "x"'),
  C("#dot = :s", '`a.b` = "x"'),
  C("a\n=\t:s", 'a = "x"'),
  C("  a   =   :s  ", 'a = "x"'),
  C("Abc_123 = :s", 'Abc_123 = "x"'),
  C("a = :bool", "a = true"),
  C("a = :null", "a = NULL"),
  C("a = :m", 'a = {"M":{"k":{"S":"v"}}}'),
  C("(a) = :s", 'a = "x"'),
  // BETWEEN and IN
  C("a BETWEEN :n AND :n2", "a BETWEEN 1 AND 2"),
  C("a between :n and :n2", "a BETWEEN 1 AND 2"),
  C("a BETWEEN :n AND :n", "a BETWEEN 1 AND 1"),
  C("a BETWEEN :s AND :s2", 'a BETWEEN "x" AND "y"'),
  C("a BETWEEN b AND c", "a BETWEEN b AND c"),
  C("a IN (:s)", 'a IN ("x")'),
  C("a IN (:s, :s2, :n)", 'a IN ("x", "y", 1)'),
  C("a in (b, :s)", 'a IN (b, "x")'),
  { kind: "condition", text: `a IN (${hundred.join(", ")})`, parses: `a IN (${hundred.map((_, i) => i).join(", ")})`, values: Object.fromEntries(hundred.map((v, i) => [v, { N: String(i) }])) },
  // functions
  C("attribute_exists(a)", "attribute_exists(a)"),
  C("attribute_not_exists(a.b[0].c)", "attribute_not_exists(a.b[0].c)"),
  C("attribute_exists(#s)", "attribute_exists(status)"),
  C("attribute_type(a, :tS)", 'attribute_type(a, "S")'),
  C("attribute_type(a, :tSS)", 'attribute_type(a, "SS")'),
  C("begins_with(a, :s)", 'begins_with(a, "x")'),
  C("begins_with(a, :b)", 'begins_with(a, "AQI=")'),
  C("begins_with(a, b)", "begins_with(a, b)"),
  C("contains(a, :s)", 'contains(a, "x")'),
  C("contains(a, :n)", "contains(a, 1)"),
  C("contains(a, b)", "contains(a, b)"),
  C("size(a) > :n", "size(a) > 1"),
  C("size(a.b[0]) = :n", "size(a.b[0]) = 1"),
  C(":n < size(a)", "1 < size(a)"),
  C("size(a) BETWEEN :n AND :n2", "size(a) BETWEEN 1 AND 2"),
  C("size(a) IN (:n, :n2)", "size(a) IN (1, 2)"),
  C("size(a) = size(b)", "size(a) = size(b)"),
  C("attribute_exists (a)", "attribute_exists(a)"),
  // logic and precedence
  C("a = :s AND b = :n", '(a = "x" AND b = 1)'),
  C("a = :s OR b = :n", '(a = "x" OR b = 1)'),
  C("a = :s AND b = :n OR c = :n2", '((a = "x" AND b = 1) OR c = 2)'),
  C("a = :s OR b = :n AND c = :n2", '(a = "x" OR (b = 1 AND c = 2))'),
  C("(a = :s OR b = :n) AND c = :n2", '((a = "x" OR b = 1) AND c = 2)'),
  C("NOT a = :s", '(NOT a = "x")'),
  C("NOT a = :s AND b = :n", '((NOT a = "x") AND b = 1)'),
  C("NOT (a = :s AND b = :n)", '(NOT (a = "x" AND b = 1))'),
  C("NOT NOT a = :s", '(NOT (NOT a = "x"))'),
  C("NOT attribute_exists(a) OR a = :s", '((NOT attribute_exists(a)) OR a = "x")'),
  C("a = :s and b = :n or not c = :n2", '((a = "x" AND b = 1) OR (NOT c = 2))'),
  C("a = :s AND b = :n AND c = :n2", '((a = "x" AND b = 1) AND c = 2)'),
  C("a = :s OR b = :n OR c = :n2", '((a = "x" OR b = 1) OR c = 2)'),
  C("a BETWEEN :n AND :n2 AND b = :s", '(a BETWEEN 1 AND 2 AND b = "x")'),
  C("(a = :s)", 'a = "x"'),
  C("((a = :s) AND (b = :n))", '(a = "x" AND b = 1)'),
  C("attribute_exists(a) AND begins_with(b, :s) OR contains(c, :s2)", '((attribute_exists(a) AND begins_with(b, "x")) OR contains(c, "y"))'),
  { kind: "filter", text: "a = :s", parses: 'a = "x"' },
  // --- conditions: syntax errors
  CE("a = :s b", syntax("b", ":s b")),
  CE("a =", syntax("<EOF>", "=")),
  CE("a = ", syntax("<EOF>", "= ")),
  CE("= :s", syntax("=", "= :s")),
  CE("a", syntax("<EOF>", "a")),
  CE("a :s", syntax(":s", "a :s")),
  CE("a = :s AND", syntax("<EOF>", "AND")),
  CE("a = :s AND OR b = :n", syntax("OR", "AND OR b")),
  CE("AND = :s", syntax("AND", "AND =")),
  CE("NOT", syntax("<EOF>", "NOT")),
  CE("attribute_type()", syntax(")", "()")),
  CE("a = :s)", syntax(")", ":s)")),
  CE("(a = :s", syntax("<EOF>", ":s")),
  CE("a == :s", syntax("=", "== :s")),
  CE("a => :s", syntax(">", "=> :s")),
  CE("a BETWEEN :n", syntax("<EOF>", ":n")),
  CE("a BETWEEN :n OR :n2", syntax("OR", ":n OR :n2")),
  CE("a IN :s", syntax(":s", "IN :s")),
  CE("a IN ()", syntax(")", "()")),
  CE("a IN (:s,)", syntax(")", ",)")),
  CE("a. = :s", syntax("=", ". = :s")),
  CE("a[x] = :s", syntax("x", "[x]")),
  CE("a[] = :s", syntax("]", "[] =")),
  CE("a[-1] = :s", syntax("-", "[-1")),
  CE("a + :n = :n", syntax("+", "a + :n")),
  CE("1a = :s", syntax("1", "1a")),
  CE("a = :s @ b", syntax("@", ":s @")),
  CE("a = :s $", syntax("$", ":s $")),
  CE("_a = :s", syntax("_", "_a")),
  CE("a = _b", syntax("_", "= _b")),
  CE("a = :", syntax(":", "= :")),
  CE("# = :s", syntax("#", "#")),
  CE("a = :s AND b = :n c", syntax("c", ":n c")),
  CE("a = :s b (", syntax("b", ":s b (")),
  CE("a = :s AND (b = :n", syntax("<EOF>", ":n")),
  CE("", "The expression can not be empty;"),
  CE(`a = :s OR ${"b = :s OR ".repeat(409)}c = :s`, "Expression size has exceeded the maximum allowed size; expression size: 4106"),
  C(`a = :s OR ${"b = :s OR ".repeat(408)}c = :s`, `(${"(".repeat(408)}a = "x" OR ${'b = "x") OR '.repeat(408)}c = "x")`),
  C(`a IN (${":s, ".repeat(99)}:s)`, `a IN (${'"x", '.repeat(99)}"x")`),
  CE(`a${".b".repeat(32)} = :s`, "The document path has too many nesting levels; nesting levels: 33"),
  C(`a${".b".repeat(31)} = :s`, `a${".b".repeat(31)} = "x"`),
  PE(`a${"[0]".repeat(32)}`, "The document path has too many nesting levels; nesting levels: 33"),
  { kind: "filter", text: "a = :s b", error: `Invalid FilterExpression: ${syntax("b", ":s b")}` },
  { kind: "filter", text: "", error: "Invalid FilterExpression: The expression can not be empty;" },
  // --- conditions: names, values, reserved words
  CE("status = :s", "Attribute name is a reserved keyword; reserved keyword: status"),
  CE("a.size = :s", "Attribute name is a reserved keyword; reserved keyword: size"),
  CE("Name = :s", "Attribute name is a reserved keyword; reserved keyword: Name"),
  CE("a = :s AND b.data[0] = :n", "Attribute name is a reserved keyword; reserved keyword: data"),
  CE("#x = :s", "An expression attribute name used in the document path is not defined; attribute name: #x"),
  CE("a.#x = :s", "An expression attribute name used in the document path is not defined; attribute name: #x"),
  CE("a = :x", "An expression attribute value used in expression is not defined; attribute value: :x"),
  CE("a IN (:s, :x)", "An expression attribute value used in expression is not defined; attribute value: :x"),
  CE("status = :x", "Attribute name is a reserved keyword; reserved keyword: status"),
  CE("#x = :s b", syntax("b", ":s b")),
  // --- conditions: functions and operand checks
  CE("foo(a)", "Invalid function name; function: foo"),
  CE("Begins_With(a, :s)", "Invalid function name; function: Begins_With"),
  CE("foo(status)", "Invalid function name; function: foo"),
  CE("attribute_exists(a, b)", operands("attribute_exists", 2)),
  CE("attribute_not_exists(a, :s)", operands("attribute_not_exists", 2)),
  CE("begins_with(a)", operands("begins_with", 1)),
  CE("begins_with(a, :s, :s2)", operands("begins_with", 3)),
  CE("contains(a)", operands("contains", 1)),
  CE("attribute_type(a)", operands("attribute_type", 1)),
  CE("size(a, b) = :n", operands("size", 2)),
  CE("size(a)", misused("size")),
  CE("attribute_exists(a) = :s", misused("attribute_exists")),
  CE("a = begins_with(b, :s)", misused("begins_with")),
  CE("contains(a, :s) BETWEEN :n AND :n2", misused("contains")),
  CE("a IN (attribute_type(a, :tS))", misused("attribute_type")),
  CE("if_not_exists(a, a) = :n", misused("if_not_exists")),
  CE("list_append(a, a) = :n", misused("list_append")),
  CE("dog(a) = :n", "Invalid function name; function: dog"),
  CE("size(a, a) = :n", operands("size", 2)),
  C("size(a)=f", "size(a) = f"),
  C("(a < b OR b < a) AND (b < c AND (a < b OR b < c))", "((a < b OR b < a) AND (b < c AND (a < b OR b < c)))"),
  C("NOT NOT NOT NOT a < b", "(NOT (NOT (NOT (NOT a < b))))"),
  C("b BETWEEN a AND c AND a < b", "(b BETWEEN a AND c AND a < b)"),
  C("a < b aNd b < c", "(a < b AND b < c)"),
  C("#n.#s = :n", "name.status = 1"),
  UE("SET a = size(b)", misused("size")),
  UE("SET a = attribute_exists(b)", misused("attribute_exists")),
  CE("begins_with(a, :n)", operandType("begins_with", "N")),
  CE("begins_with(a, :bool)", operandType("begins_with", "BOOL")),
  CE("begins_with(a, :ss)", operandType("begins_with", "SS")),
  CE("attribute_exists(:s)", "Operator or function requires a document path; operator or function: attribute_exists"),
  CE("attribute_not_exists(:s)", "Operator or function requires a document path; operator or function: attribute_not_exists"),
  CE("attribute_type(a, :n)", operandType("attribute_type", "N")),
  CE("attribute_type(a, b)", operandType("attribute_type", "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")),
  CE("attribute_type(a, :tBad)", "Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
  CE("size(:n) = :n", operandType("size", "N")),
  CE("size(:bool) = :n", operandType("size", "BOOL")),
  CE("a = a", distinct("=", "[a]")),
  CE("a.b[0] < a.b[0]", distinct("<", "[a, b, [0]]")),
  CE("#a = a", distinct("=", "[a]")),
  CE("begins_with(a, a)", distinct("begins_with", "[a]")),
  CE("contains(a.b, a.b)", distinct("contains", "[a, b]")),
  CE("a BETWEEN :n2 AND :n", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"),
  CE("a BETWEEN :s2 AND :s", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:y}, upper bound operand: AttributeValue: {S:x}"),
  CE("a BETWEEN :n AND :s", "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"),
  CE("begins_with(a, :n) AND b = :x", operandType("begins_with", "N")),
  CE("b = :x AND begins_with(a, :n)", "An expression attribute value used in expression is not defined; attribute value: :x"),
  CE("a = a OR b = :x", distinct("=", "[a]")),
  { kind: "condition", text: "contains(#a, #a)", names: { "#a": "data" }, error: `Invalid ConditionExpression: ${distinct("contains", "[data]")}` },
  { kind: "condition", text: "attribute_exists(car_id) AND NOT #h", names: { "#h": "has_air_conditioner" }, error: `Invalid ConditionExpression: ${syntax("<EOF>", "#h")}` },
  CE("((attribute_not_exists(pk)))", "The expression has redundant parentheses;"),
  CE("a-b", syntax("-", "a-b")),
  C("(a = :s OR (b = :n))", '(a = "x" OR b = 1)'),
  C("(a = :s) AND (begins_with(b, :s2))", '(a = "x" AND begins_with(b, "y"))'),
  CE("((a = :s))", "The expression has redundant parentheses;"),
  CE("((a = :s)) AND b = :n", "The expression has redundant parentheses;"),
  CE("((status = :s))", "The expression has redundant parentheses;"),
  CE("size(status) = :x", "Attribute name is a reserved keyword; reserved keyword: status"),

  // --- updates: valid
  U("SET a = :s", 'SET a = "x"'),
  U("set a = :s", 'SET a = "x"'),
  U("SET a = :s, b = :n", 'SET a = "x", SET b = 1'),
  U("SET a.b[1].c = :s", 'SET a.b[1].c = "x"'),
  U("SET #n = :s", 'SET name = "x"'),
  U("SET a = b", "SET a = b"),
  U("SET a = b, b = a", "SET a = b, SET b = a"),
  U("SET a = :n + :n2", "SET a = (1 + 2)"),
  U("SET a = a - :n", "SET a = (a - 1)"),
  U("SET a = a-:n", "SET a = (a - 1)"),
  U("SET a = if_not_exists(a, :n)", "SET a = if_not_exists(a, 1)"),
  U("SET a = if_not_exists(a, :n) + :n2", "SET a = (if_not_exists(a, 1) + 2)"),
  U("SET a = list_append(a, :l)", 'SET a = list_append(a, [{"S":"x"}])'),
  U("SET a = list_append(:l, a)", 'SET a = list_append([{"S":"x"}], a)'),
  U("SET a = list_append(if_not_exists(a, :l), :l)", 'SET a = list_append(if_not_exists(a, [{"S":"x"}]), [{"S":"x"}])'),
  U("SET a = (b)", "SET a = b"),
  U("SET a[0] = :s, a[1] = :s2", 'SET a[0] = "x", SET a[1] = "y"'),
  U("REMOVE a", "REMOVE a"),
  U("REMOVE a, b.c, d[0]", "REMOVE a, REMOVE b.c, REMOVE d[0]"),
  U("REMOVE a[0], a[1]", "REMOVE a[0], REMOVE a[1]"),
  U("ADD a :n", "ADD a 1"),
  U("ADD a :ss", 'ADD a ["x","y"]'),
  U("ADD a.b :ns, c :bs", 'ADD a.b ["1","2"], ADD c ["AQI="]'),
  U("DELETE a :ss", 'DELETE a ["x","y"]'),
  U("DELETE a :ns", 'DELETE a ["1","2"]'),
  U("SET a = :s REMOVE b ADD c :n DELETE d :ss", 'SET a = "x", REMOVE b, ADD c 1, DELETE d ["x","y"]'),
  U("REMOVE b SET a = :s", 'REMOVE b, SET a = "x"'),
  U("set a = :s remove b add c :n delete d :ss", 'SET a = "x", REMOVE b, ADD c 1, DELETE d ["x","y"]'),
  U("SET a.b = :s, a.c = :s2", 'SET a.b = "x", SET a.c = "y"'),
  // --- updates: errors
  UE("", "The expression can not be empty;"),
  UE("SET", syntax("<EOF>", "SET")),
  UE("SET ", syntax("<EOF>", "SET ")),
  UE("REMOVE", syntax("<EOF>", "REMOVE")),
  UE("SET a = :s,", syntax("<EOF>", ",")),
  UE("SET a :s", syntax(":s", "a :s")),
  UE("SET a = :s b = :n", syntax("b", ":s b =")),
  UE("SET MyStr = myNum + 1", syntax("1", "+ 1")),
  UE("SET MyStr = my Num", syntax("Num", "my Num")),
  UE("SET MyStr = myNum Mystr2 myNum2", syntax("Mystr2", "myNum Mystr2 myNum2")),
  UE("ADD str_set bad_value", syntax("bad_value", "str_set bad_value")),
  UE("DELETE num_val badvalue", syntax("badvalue", "num_val badvalue")),
  UE("SET a = :n + :n2 + :n", syntax("+", ":n2 + :n")),
  UE("REMOVE a = :s", syntax("=", "a = :s")),
  UE("UPDATE a = :s", syntax("UPDATE", "UPDATE a")),
  UE("SET a = :s, REMOVE b", syntax("REMOVE", ", REMOVE b")),
  UE("ADD a", syntax("<EOF>", "a")),
  UE("SET a == :s", syntax("=", "== :s")),
  UE("SET a = list_append()", syntax(")", "()")),
  UE("SET a = :s @", syntax("@", ":s @")),
  UE("SET attrName = _idid", syntax("_", "= _idid")),
  UE("SET a = if_not_exists(a, :n + :n2)", syntax("+", ":n + :n2")),
  UE("SET a = list_append(list_append(:l, :l), :l)", misused("list_append")),
  UE("SET a = list_append(:l, list_append(a, :l))", misused("list_append")),
  UE("SET a = if_not_exists(if_not_exists(a, :n), :n2)", "Operator or function requires a document path; operator or function: if_not_exists"),
  UE("SET a = LIST_APPEND(:l, :l)", "Invalid function name; function: LIST_APPEND"),
  UE("SET a = f(b, c, d)", "Invalid function name; function: f"),
  UE("SET a = _f(b)", syntax("_", "= _f")),
  UE("SET _123 = :n", syntax("_", "SET _123")),
  UE("SET 123a = :n", syntax("123", "SET 123a")),
  UE("SET hi-there = :n", syntax("-", "hi-there")),
  UE("SET a[:n] = :s", syntax(":n", "[:n]")),
  UE("SET a[#n] = :s", syntax("#n", "[#n]")),
  UE("SET :s = :n", syntax(":s", "SET :s =")),
  UE("HELLO b = :n", syntax("HELLO", "HELLO b")),
  UE("SET a = :s REMOVE a", overlap("[a]", "[a]")),
  UE("SET a[1][1] = :s, a[1] = :s2", overlap("[a, [1], [1]]", "[a, [1]]")),
  UE("SET a.b.c = :s, a.b[2] = :s2", conflict("[a, b, c]", "[a, b, [2]]")),
  U("SET b = if_not_exists(b, :n)+:n2", "SET b = (if_not_exists(b, 1) + 2)"),
  U("SET #a = :s, b = :s", 'SET a = "x", SET b = "x"'),
  U("  set   b=:s  ", 'SET b = "x"'),
  U("sEt b = :s", 'SET b = "x"'),
  U("SET A123_ = :s", 'SET A123_ = "x"'),
  UE("INVALID SYNTAX HERE", syntax("INVALID", "INVALID SYNTAX")),
  UE('SET a = :s SET b = :n', 'The "SET" section can only be used once in an update expression;'),
  UE("ADD x :n SET a = :s ADD y :n", 'The "ADD" section can only be used once in an update expression;'),
  UE("REMOVE a SET b = :s REMOVE c", 'The "REMOVE" section can only be used once in an update expression;'),
  UE("DELETE a :ss DELETE b :ss", 'The "DELETE" section can only be used once in an update expression;'),
  UE("SET a = :s, a = :s2", overlap("[a]", "[a]")),
  UE("SET a = :s, a.b = :s2", overlap("[a]", "[a, b]")),
  UE("SET a.b = :s REMOVE a", overlap("[a, b]", "[a]")),
  UE("ADD s :ss DELETE s :ss", overlap("[s]", "[s]")),
  UE("REMOVE a[0], a[0]", overlap("[a, [0]]", "[a, [0]]")),
  UE("SET #a = :s REMOVE a", overlap("[a]", "[a]")),
  UE("SET a.b = :s, a[0] = :s2", conflict("[a, b]", "[a, [0]]")),
  UE("REMOVE a[0].b, a.c", conflict("[a, [0], b]", "[a, c]")),
  UE("SET status = :s", "Attribute name is a reserved keyword; reserved keyword: status"),
  UE("SET a = :s SET status = :x", "Attribute name is a reserved keyword; reserved keyword: status"),
  UE("SET #x = :s", "An expression attribute name used in the document path is not defined; attribute name: #x"),
  UE("SET a = :x", "An expression attribute value used in expression is not defined; attribute value: :x"),
  UE("SET a = foo(b)", "Invalid function name; function: foo"),
  UE("SET a = if_not_exists(:s, :n)", "Operator or function requires a document path; operator or function: if_not_exists"),
  UE("SET a = list_append(:s, a)", operandType("list_append", "S")),
  UE("SET a = list_append(a, :n)", operandType("list_append", "N")),
  UE("SET a = :s + :n", operandType("+", "S")),
  UE("SET a = b - :l", operandType("-", "L")),
  UE("SET a = list_append(a)", operands("list_append", 1)),
  UE("SET a = if_not_exists(a, :n, :n2)", operands("if_not_exists", 3)),
  UE("ADD a :s", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
  UE("ADD a :l", "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"),
  UE("DELETE a :n", "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"),
  UE("DELETE a :m", "Incorrect operand type for operator or function; operator: DELETE, operand type: MAP"),
  UE("ADD a :bool", "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"),

  // --- projections
  P("a", "a"),
  P("a, b", "a, b"),
  P("a.b[0].c, d", "a.b[0].c, d"),
  P("#n, #s", "name, status"),
  P("a[1], a[3]", "a[1], a[3]"),
  P("a.b, a.c", "a.b, a.c"),
  P(" a , b ", "a, b"),
  PE("", "The expression can not be empty;"),
  PE("a,", syntax("<EOF>", ",")),
  PE("a b", syntax("b", "a b")),
  PE("a, , b", syntax(",", ", , b")),
  PE("l[a]", syntax("a", "[a]")),
  PE("l[]", syntax("]", "[]")),
  PE(":s", syntax(":s", ":s")),
  PE("name", "Attribute name is a reserved keyword; reserved keyword: name"),
  PE("not_a_keyword, name", "Attribute name is a reserved keyword; reserved keyword: name"),
  PE("#x", "An expression attribute name used in the document path is not defined; attribute name: #x"),
  PE("a, a", overlap("[a]", "[a]")),
  PE("a, a.b", overlap("[a]", "[a, b]")),
  PE("a.b[0], a", overlap("[a, b, [0]]", "[a]")),
  PE("a.b, a[0]", conflict("[a, b]", "[a, [0]]")),
  PE("a.b[0],a.b[0]", overlap("[a, b, [0]]", "[a, b, [0]]")),
  PE("a, a.b[2].c", overlap("[a]", "[a, b, [2], c]")),
  PE("a.b.d.e, a.b", overlap("[a, b, d, e]", "[a, b]")),
  PE("a[1], a.b", conflict("[a, [1]]", "[a, b]")),
  PE("a.b[1], a.b.c", conflict("[a, b, [1]]", "[a, b, c]")),
  PE(",a", syntax(",", ",a")),
  PE("a,,b", syntax(",", ",,b")),
  P("a.b.d, a.b.e", "a.b.d, a.b.e"),
  P("a[1], a[2]", "a[1], a[2]"),
  P("a.b, a.c[1]", "a.b, a.c[1]"),
  P("#n.b, a.#s", "name.b, a.status"),

  // --- key conditions (table key: id, sk)
  K("id = :s", 'id = "x"'),
  K("#n = :s", 'id = "x"', { hash: "name" }),
  K(":s = id", 'id = "x"'),
  K("id = :s AND sk = :n", 'id = "x" AND sk = 1'),
  K("sk = :n AND id = :s", 'id = "x" AND sk = 1'),
  K("id = :s AND sk < :n", 'id = "x" AND sk < 1'),
  K("id = :s AND sk <= :n", 'id = "x" AND sk <= 1'),
  K("id = :s AND sk > :n", 'id = "x" AND sk > 1'),
  K("id = :s AND sk >= :n", 'id = "x" AND sk >= 1'),
  K("id = :s AND :n < sk", 'id = "x" AND sk > 1'),
  K("id = :s AND :n >= sk", 'id = "x" AND sk <= 1'),
  K("id = :s AND sk BETWEEN :n AND :n2", 'id = "x" AND sk BETWEEN 1 AND 2'),
  K("id = :s AND begins_with(sk, :s2)", 'id = "x" AND begins_with(sk, "y")'),
  K("(id = :s) AND (sk = :n)", 'id = "x" AND sk = 1'),
  K("id = :s", 'id = "x"', { hash: "id" }),
  KE("id = :s OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"),
  KE("NOT id = :s", "Invalid operator used in KeyConditionExpression: NOT"),
  KE("id IN (:s)", "Invalid operator used in KeyConditionExpression: IN"),
  KE("id = :s AND sk <> :n", "Invalid operator used in KeyConditionExpression: <>"),
  KE("id = :s AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
  KE("id = :s AND contains(sk, :s2)", "Invalid operator used in KeyConditionExpression: contains"),
  KE("id = :s AND size(sk) = :n", "KeyConditionExpressions cannot contain nested operations"),
  KE("id = sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
  KE(":s = :s2", "Invalid condition in KeyConditionExpression: No key attribute specified"),
  KE("id.a = :s", "KeyConditionExpressions cannot have conditions on nested attributes"),
  KE("id = :s AND id = :s2", "KeyConditionExpressions must only contain one condition per key"),
  KE("id = :s AND sk < :n AND foo < :n2", "Conditions can be of length 1 or 2 only"),
  K("((id = :s)) AND ((sk = :n))", 'id = "x" AND sk = 1'),
  K("(id = :s AND sk = :n)", 'id = "x" AND sk = 1'),
  K("((sk = :n) AND (id = :s))", 'id = "x" AND sk = 1'),
  K("id = :s AnD sk BeTwEeN :n aNd :n2", 'id = "x" AND sk BETWEEN 1 AND 2'),
  KE("id = :s AND BEGINS_WITH(sk, :s2)", "Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH"),
  KE("id = :s AND sk != :n", `Invalid KeyConditionExpression: ${syntax("!", "sk !")}`),
  KE("id", `Invalid KeyConditionExpression: ${syntax("<EOF>", "id")}`),
  K("id = :s AND sk > :n", 'id = "x" AND sk > 1', { hash: "id", range: "sk", types: { id: "S", sk: "N" } }),
  KE("id = :n", "One or more parameter values were invalid: Condition parameter type does not match schema type", { hash: "id", types: { id: "S" } }),
  KE("id = :s AND sk BETWEEN :s AND :s2", "One or more parameter values were invalid: Condition parameter type does not match schema type", { hash: "id", range: "sk", types: { id: "S", sk: "N" } }),
  KE("sk = :n", "Query condition missed key schema element: id"),
  KE("id = :s AND foo = :n", "Query condition missed key schema element: sk"),
  KE("id = :s AND sk = :n", "Query key condition not supported", { hash: "id" }),
  KE("id < :s", "Query key condition not supported"),
  KE("begins_with(id, :s)", "Query key condition not supported"),
  KE("id = :s AND", `Invalid KeyConditionExpression: ${syntax("<EOF>", "AND")}`),
  KE("id = :x", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
  KE("status = :s", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
  KE("id = :s AND begins_with(sk, :n)", `Invalid KeyConditionExpression: ${operandType("begins_with", "N")}`),
  KE("id = :s AND foo(sk, :n)", "Invalid KeyConditionExpression: Invalid function name; function: foo"),
  KE("", "Invalid KeyConditionExpression: The expression can not be empty;"),
];

function parse(row: Row): string {
  const usage = new Usage({ names: row.names ?? NAMES, values: row.values ?? VALUES });
  switch (row.kind) {
    case "condition":
      return showCondition(parseCondition(row.text, usage, "ConditionExpression"));
    case "filter":
      return showCondition(parseCondition(row.text, usage, "FilterExpression"));
    case "update":
      return showUpdate(parseUpdate(row.text, usage));
    case "projection":
      return parseProjection(row.text, usage).map(showPath).join(", ");
    case "key":
      return showKey(parseKeyCondition(row.text, usage, row.key ?? { hash: row.text.startsWith("#n") ? "name" : "id", range: "sk" }));
  }
}

function showPath(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${p.includes(".") ? `\`${p}\`` : p}`)).join("");
}

function showValue(v: AttributeValue): string {
  if ("S" in v) return JSON.stringify(v.S);
  if ("N" in v) return v.N;
  if ("B" in v) return JSON.stringify(v.B);
  if ("BOOL" in v) return String(v.BOOL);
  if ("NULL" in v) return "NULL";
  if ("L" in v) return JSON.stringify(v.L);
  if ("SS" in v) return JSON.stringify(v.SS);
  if ("NS" in v) return JSON.stringify(v.NS);
  if ("BS" in v) return JSON.stringify(v.BS);
  return JSON.stringify(v);
}

function showOperand(o: Operand): string {
  if (o.kind === "path") return showPath(o.path);
  if (o.kind === "value") return showValue(o.value);
  return `size(${showOperand(o.operand)})`;
}

function showCondition(c: Condition): string {
  switch (c.kind) {
    case "compare":
      return `${showOperand(c.left)} ${c.op} ${showOperand(c.right)}`;
    case "between":
      return `${showOperand(c.operand)} BETWEEN ${showOperand(c.low)} AND ${showOperand(c.high)}`;
    case "in":
      return `${showOperand(c.operand)} IN (${c.list.map(showOperand).join(", ")})`;
    case "function":
      return `${c.name}(${c.args.map(showOperand).join(", ")})`;
    case "and":
      return `(${showCondition(c.left)} AND ${showCondition(c.right)})`;
    case "or":
      return `(${showCondition(c.left)} OR ${showCondition(c.right)})`;
    case "not":
      return `(NOT ${showCondition(c.condition)})`;
  }
}

function showSet(v: SetValue): string {
  switch (v.kind) {
    case "operand":
      return showOperand(v.operand);
    case "if_not_exists":
      return `if_not_exists(${showPath(v.path)}, ${showSet(v.fallback)})`;
    case "list_append":
      return `list_append(${showSet(v.first)}, ${showSet(v.second)})`;
    case "plus":
      return `(${showSet(v.left)} + ${showSet(v.right)})`;
    case "minus":
      return `(${showSet(v.left)} - ${showSet(v.right)})`;
  }
}

function showUpdate(u: Update): string {
  return u.actions
    .map((a) => {
      if (a.action === "SET") return `SET ${showPath(a.path)} = ${showSet(a.value)}`;
      if (a.action === "REMOVE") return `REMOVE ${showPath(a.path)}`;
      return `${a.action} ${showPath(a.path)} ${showValue(a.value)}`;
    })
    .join(", ");
}

function showKey(k: KeyCondition): string {
  const hash = `${"id"} = ${showValue(k.hash)}`;
  if (k.range === undefined) return hash;
  const r = k.range;
  const range =
    r.op === "BETWEEN" ? `sk BETWEEN ${showValue(r.low)} AND ${showValue(r.high)}` : r.op === "begins_with" ? `begins_with(sk, ${showValue(r.prefix)})` : `sk ${r.op} ${showValue(r.value)}`;
  return `${hash} AND ${range}`;
}

describe("expression grammar", () => {
  test("the table has at least 150 rows", () => {
    assert.ok(ROWS.length >= 150, `${ROWS.length} rows`);
  });
  for (const row of ROWS) {
    test(`${row.kind}: ${JSON.stringify(row.text.length > 80 ? row.text.slice(0, 80) + "…" : row.text)} ${row.error ? "fails" : "parses"}`, () => {
      if (row.error !== undefined) {
        assert.throws(
          () => parse(row),
          (e: Error & { code?: string }) => {
            assert.equal(e.message, row.error);
            assert.equal(e.code, "ValidationException");
            return true;
          },
        );
      } else {
        assert.equal(parse(row), row.parses);
      }
    });
  }
});
