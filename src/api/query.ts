/**
 * The query protocol's request side (SQS, SNS): `Action=…&Version=…` plus members flattened into
 * dotted names, from a form-encoded body and/or the URL's query string.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { awsError } from "../errors.js";
import type { ApiRequest } from "./http.js";

/**
 * Bounds on a request's parameters, checked before any is parsed: the largest real requests
 * (ten batch entries of ten message attributes each) have some 400 parameters and names of 8 parts.
 */
export const MAX_PARAMETERS = 2000;
export const MAX_NAME_PARTS = 12;

/** Parameters in a form-encoded text, counted without parsing it. */
function parameterCount(text: string): number {
  let n = text.length > 0 ? 1 : 0;
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) n++;
  return n;
}

const malformed = (why: string) => awsError("InvalidQueryParameter", `The AWS query string is malformed or does not adhere to AWS standards: ${why}.`);

export type ParamTree = { [name: string]: ParamNode };
export type ParamNode = string | ParamTree | ParamNode[];

/** Every parameter of a query request: URL query first, then the form body (which wins). */
export function queryParams(req: Pick<ApiRequest, "query" | "body" | "headers">): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(req.query)) params.set(k, Array.isArray(v) ? v[0]! : v);
  const type = String(req.headers["content-type"] ?? "");
  if (req.body.length > 0 && (type === "" || type.startsWith("application/x-www-form-urlencoded"))) {
    const text = req.body.toString("utf8");
    if (params.size + parameterCount(text) > MAX_PARAMETERS) throw malformed(`more than ${MAX_PARAMETERS} parameters`);
    for (const [k, v] of new URLSearchParams(text)) params.set(k, v);
  }
  if (params.size > MAX_PARAMETERS) throw malformed(`more than ${MAX_PARAMETERS} parameters`);
  return params;
}

/**
 * Nest dotted names: `Entry.2.Attribute.1.Name=x` becomes `{ Entry: [ , { Attribute: [{ Name: "x" }] }] }`.
 * A level whose names are all positive integers becomes an array in index order (gaps closed),
 * as query lists are numbered from 1. Names of more than MAX_NAME_PARTS parts are refused, so the
 * tree (and every walk of it) is that shallow.
 */
export function paramTree(params: Map<string, string>): ParamTree {
  // Prototype-less levels: a parameter named `__proto__.x` is just a name.
  const root: Record<string, unknown> = Object.create(null);
  for (const [name, value] of params) {
    const parts = name.split(".", MAX_NAME_PARTS + 1);
    if (parts.length > MAX_NAME_PARTS) throw malformed(`parameter name with more than ${MAX_NAME_PARTS} parts`);
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]!];
      if (typeof next !== "object" || next === null) node[parts[i]!] = Object.create(null);
      node = node[parts[i]!] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (typeof node[last] !== "object") node[last] = value;
  }
  return listify(root) as ParamTree;
}

function listify(node: unknown): ParamNode {
  if (typeof node !== "object" || node === null) return node as string;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([k]) => /^[1-9]\d*$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => listify(v));
  }
  const out: ParamTree = Object.create(null);
  for (const [k, v] of entries) out[k] = listify(v);
  return out;
}
