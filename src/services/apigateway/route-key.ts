/**
 * An HTTP API route key: `$default`, or an HTTP method (or `ANY`) and a path whose segments are
 * literals, `{name}` parameters or, last, a greedy `{name+}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import { awsError } from "../../errors.js";

export const ROUTE_METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export type Segment = { kind: "literal"; text: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

export type RouteKey = { kind: "default" } | { kind: "path"; method: RouteMethod; segments: Segment[] };

const PARAM = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

function invalid(key: string) {
  return awsError("BadRequestException", `Route key '${key}' is invalid. A route key is $default, or an HTTP method (or ANY), a space and a path starting with '/'.`);
}

/** The route key `key` names; AWS's BadRequestException when it is not one. */
export function parseRouteKey(key: string): RouteKey {
  if (key === "$default") return { kind: "default" };
  const space = key.indexOf(" ");
  const method = key.slice(0, space) as RouteMethod;
  const path = key.slice(space + 1);
  if (space < 0 || !ROUTE_METHODS.includes(method) || !path.startsWith("/")) throw invalid(key);
  const parts = path === "/" ? [] : path.slice(1).split("/");
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const m = PARAM.exec(part);
    if (m) {
      const greedy = m[2] === "+";
      if ((greedy && i !== parts.length - 1) || names.has(m[1]!)) throw invalid(key);
      names.add(m[1]!);
      segments.push(greedy ? { kind: "greedy", name: m[1]! } : { kind: "param", name: m[1]! });
    } else {
      if (part === "" || /[{}\s]/.test(part)) throw invalid(key);
      segments.push({ kind: "literal", text: part });
    }
  }
  return { kind: "path", method, segments };
}
