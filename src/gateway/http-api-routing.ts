/**
 * Which route of an HTTP API deployment answers a request: the most specific match wins. Paths are
 * compared segment by segment from the left, a literal beating a `{param}` beating a greedy
 * `{proxy+}`; at equal paths a route's own method beats `ANY`; `$default` takes what nothing else
 * matches. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html#http-api-develop-routes.evaluation
 */
import { decodePercent } from "../lib/percent.js";
import type { DeploymentRecord, IntegrationRecord } from "../services/apigateway/http-api-model.js";
import { parseRouteKey, type RouteKey, type Segment } from "../services/apigateway/route-key.js";

export interface CompiledRoute {
  routeKey: string;
  key: RouteKey;
  /** What a segment is worth, left to right (literal 3, param 2, greedy 1): compared lexicographically. */
  rank: number[];
  /** The integration the route targets; undefined: a route without one (API Gateway answers 404). */
  integration: IntegrationRecord | undefined;
}

export interface Selected {
  route: CompiledRoute;
  /** Decoded values by parameter name; undefined when the route has none. */
  pathParameters: Record<string, string> | undefined;
}

const WORTH: Record<Segment["kind"], number> = { literal: 3, param: 2, greedy: 1 };

function compare(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const d = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
    if (d !== 0) return d;
  }
  const anyA = a.key.kind === "path" && a.key.method === "ANY" ? 1 : 0;
  const anyB = b.key.kind === "path" && b.key.method === "ANY" ? 1 : 0;
  return anyA - anyB;
}

/** A deployment's routes, most specific first, ready to match (a deployment never changes: compile once). */
export class RouteTable {
  private readonly routes: CompiledRoute[];
  private readonly fallback: CompiledRoute | undefined;

  constructor(deployment: Pick<DeploymentRecord, "routes" | "integrations">) {
    const all = deployment.routes.map((r) => {
      const key = parseRouteKey(r.routeKey);
      const id = r.target?.startsWith("integrations/") ? r.target.slice("integrations/".length) : undefined;
      return {
        routeKey: r.routeKey,
        key,
        rank: key.kind === "path" ? key.segments.map((s) => WORTH[s.kind]) : [],
        integration: id !== undefined && Object.hasOwn(deployment.integrations, id) ? deployment.integrations[id] : undefined,
      };
    });
    this.fallback = all.find((r) => r.key.kind === "default");
    this.routes = all.filter((r) => r.key.kind === "path").sort(compare);
  }

  /** The route for `method` on `path` (percent-encoded, without the stage), or undefined (API Gateway's 404). */
  select(method: string, path: string): Selected | undefined {
    const parts = path.split("/").slice(1);
    // A trailing slash names the same resource.
    if (parts.length > 0 && parts.at(-1) === "") parts.pop();
    for (const route of this.routes) {
      if (route.key.kind !== "path" || (route.key.method !== "ANY" && route.key.method !== method)) continue;
      const params = match(route.key.segments, parts);
      if (params !== null) return { route, pathParameters: params };
    }
    return this.fallback ? { route: this.fallback, pathParameters: undefined } : undefined;
  }
}

/** The parameters `segments` bind on `parts`, undefined for none; null: no match. */
function match(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined | null {
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === "greedy") {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((p) => p === "")) return null;
      (params ??= {})[s.name] = decodePercent(rest.join("/"));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return null;
    if (s.kind === "literal") {
      if (decodePercent(part) !== s.text) return null;
    } else (params ??= {})[s.name] = decodePercent(part);
  }
  return parts.length === segments.length ? params : null;
}
