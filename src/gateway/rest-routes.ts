/**
 * Which resource of a deployed REST API a request path and method reach: literal path parts before
 * `{variable}` ones, before a greedy `{variable+}` (which takes at least one part); a resource
 * answers a method it has, or `ANY`. Compiled once per deployment into a tree.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html#api-gateway-proxy-resource
 */
import { decodePercent } from "../lib/percent.js";
import type { MethodRecord, ResourceRecord } from "../services/apigateway/model.js";

interface Node {
  resource: ResourceRecord | undefined;
  literal: Map<string, Node>;
  /** `{name}`: one path part. */
  variable?: { name: string; node: Node };
  /** `{name+}`: the rest of the path. */
  greedy?: { name: string; resource: ResourceRecord };
}

export interface RouteMatch {
  resource: ResourceRecord;
  method: MethodRecord;
  /** Decoded values of the path's variables; undefined when it has none. */
  pathParameters: Record<string, string> | undefined;
}

const node = (resource?: ResourceRecord): Node => ({ resource, literal: new Map() });


export class RestRoutes {
  private readonly root: Node;

  constructor(resources: Record<string, ResourceRecord>) {
    const all = Object.values(resources);
    const nodes = new Map<string, Node>();
    const rootResource = all.find((r) => r.parentId === undefined);
    this.root = node(rootResource);
    if (rootResource) nodes.set(rootResource.id, this.root);
    // Parents before children: a resource's path is longer than its parent's.
    for (const r of all.filter((x) => x.parentId !== undefined).sort((a, b) => a.path.length - b.path.length)) {
      const parent = nodes.get(r.parentId!);
      const part = r.pathPart!;
      if (!parent) continue;
      if (part.endsWith("+}")) {
        parent.greedy = { name: part.slice(1, -2), resource: r };
      } else if (part.startsWith("{")) {
        const child = node(r);
        parent.variable = { name: part.slice(1, -1), node: child };
        nodes.set(r.id, child);
      } else {
        const child = node(r);
        parent.literal.set(part, child);
        nodes.set(r.id, child);
      }
    }
  }

  /** The resource and method for `httpMethod` on `rawPath` (the path after the stage, still encoded). */
  match(httpMethod: string, rawPath: string): RouteMatch | undefined {
    const parts = rawPath.split("/").filter((p, i, all) => i > 0 && (p !== "" || i < all.length - 1)).map(decodePercent);
    return this.walk(this.root, parts, 0, httpMethod, []);
  }

  private walk(at: Node, parts: string[], i: number, httpMethod: string, bound: [string, string][]): RouteMatch | undefined {
    if (i === parts.length) return at.resource && found(at.resource, httpMethod, bound);
    const part = parts[i]!;
    const literal = at.literal.get(part);
    const viaLiteral = literal && this.walk(literal, parts, i + 1, httpMethod, bound);
    if (viaLiteral) return viaLiteral;
    if (at.variable) {
      const viaVariable = this.walk(at.variable.node, parts, i + 1, httpMethod, [...bound, [at.variable.name, part]]);
      if (viaVariable) return viaVariable;
    }
    if (at.greedy) return found(at.greedy.resource, httpMethod, [...bound, [at.greedy.name, parts.slice(i).join("/")]]);
    return undefined;
  }
}

function found(resource: ResourceRecord, httpMethod: string, bound: [string, string][]): RouteMatch | undefined {
  const method = resource.methods[httpMethod] ?? resource.methods.ANY;
  if (!method) return undefined;
  return { resource, method, pathParameters: bound.length > 0 ? Object.fromEntries(bound) : undefined };
}
