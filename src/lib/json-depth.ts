/**
 * How deep a parsed JSON value nests, judged without recursion. `JSON.parse` itself is iterative in
 * V8, but what walks its result afterwards (`JSON.stringify`, a validator, a copy) recurses: a request
 * body of a million `[` would overflow the stack there. API bodies are refused past a depth no real
 * request nears (Jackson, behind AWS's JSON services, stops at 1,000; Flint's deepest request
 * members nest five levels).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests deeper than `max` levels of objects and arrays. Visits each node at most once. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (typeof value !== "object" || value === null) return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
