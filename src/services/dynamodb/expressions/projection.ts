/**
 * ProjectionExpression: the document paths to return, comma-separated, none overlapping another.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
 */
import type { AttributeValue, Item } from "../types.js";
import type { Path } from "./ast.js";
import { getPath } from "./evaluate.js";
import { checkOverlaps, Parser } from "./parser.js";
import type { Usage } from "./usage.js";

export function parseProjection(text: string, usage: Usage): Path[] {
  const p = new Parser(text, "ProjectionExpression", usage);
  const paths: Path[] = [];
  do paths.push(p.path());
  while (p.accept(","));
  p.expectEnd();
  checkOverlaps(p, paths);
  p.finish();
  return paths;
}

/**
 * The item cut down to the paths: nested maps keep only the projected keys, lists only the projected
 * elements, in index order and without gaps (as DynamoDB returns `a[1], a[3]` as a two-element list).
 */
export function project(item: Item, paths: Path[]): Item {
  const root: AttributeValue = { M: {} };
  const lists: AttributeValue[][] = [];
  for (const path of paths) {
    const found = getPath(item, path);
    if (found === undefined) continue;
    let into: AttributeValue = root;
    path.forEach((step, i) => {
      const leaf = i === path.length - 1;
      const next = path[i + 1];
      const fresh = (): AttributeValue => (leaf ? structuredClone(found) : typeof next === "number" ? { L: [] } : { M: {} });
      if (typeof step === "number") {
        const list = (into as { L: AttributeValue[] }).L;
        if (!lists.includes(list)) lists.push(list);
        into = list[step] ??= fresh();
      } else {
        const map = (into as { M: Item }).M;
        into = map[step] ??= fresh();
      }
    });
  }
  for (const list of lists) {
    const kept = list.filter((v) => v !== undefined);
    list.splice(0, list.length, ...kept);
  }
  return (root as { M: Item }).M;
}
