/**
 * The query protocol's request side (SQS, SNS): `Action=…&Version=…` plus members flattened into
 * dotted names, from a form-encoded body and/or the URL's query string.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import type { ApiRequest } from "./http.js";

export type ParamTree = { [name: string]: ParamNode };
export type ParamNode = string | ParamTree | ParamNode[];

/** Every parameter of a query request: URL query first, then the form body (which wins). */
export function queryParams(req: Pick<ApiRequest, "query" | "body" | "headers">): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(req.query)) params.set(k, Array.isArray(v) ? v[0]! : v);
  const type = String(req.headers["content-type"] ?? "");
  if (req.body.length > 0 && (type === "" || type.startsWith("application/x-www-form-urlencoded"))) {
    for (const [k, v] of new URLSearchParams(req.body.toString("utf8"))) params.set(k, v);
  }
  return params;
}

/**
 * Nest dotted names: `Entry.2.Attribute.1.Name=x` becomes `{ Entry: [ , { Attribute: [{ Name: "x" }] }] }`.
 * A level whose names are all positive integers becomes an array in index order (gaps closed),
 * as query lists are numbered from 1.
 */
export function paramTree(params: Map<string, string>): ParamTree {
  // Prototype-less levels: a parameter named `__proto__.x` is just a name.
  const root: Record<string, unknown> = Object.create(null);
  for (const [name, value] of params) {
    const parts = name.split(".");
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
