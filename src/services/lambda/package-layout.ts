/**
 * The tree a package unpacks to, judged before anything is written: no entry may lie below a file (it
 * could not be written) or below a symlink (it would be written through it), and every symlink must
 * stay inside the package when resolved as the kernel resolves it, through the package's other
 * symlinks, following at most 40 of them (Linux's MAXSYMLINKS).
 *
 * Time and memory stay in proportion to the names and targets. Looking each prefix of a name up by
 * its text, or walking a target again for every symlink that leads through it, cost the square of
 * their length (20 names of 16,000 components took 33 s; 1,000 symlinks of 2,048 components 48 s from
 * a 108 KB zip); a node per path component would cost memory many times the zip's size.
 */

export interface LayoutEntry {
  /** As extraction writes it: components joined by `/`, none empty or `.`. */
  name: string;
  kind: "file" | "dir" | "symlink";
  /** A symlink's target. */
  target?: string;
}

/** The first reason the package cannot be unpacked safely, or undefined. */
export function layoutProblem(entries: LayoutEntry[]): string | undefined {
  return below(entries) ?? outside(entries);
}

/**
 * The first entry (in the package's order) with a file or symlink among its parents, named with the
 * nearest one to the root. Names sort so that those starting with `p/` lie together, from `p/` up to
 * `p0` (`0` follows `/`), so each file or symlink finds what lies below it by binary search.
 */
function below(entries: LayoutEntry[]): string | undefined {
  const sorted = entries.map((e) => e.name).sort();
  /** +1 where a run of names below some parent starts, -1 where it ends. */
  const runs = new Array<number>(sorted.length + 1).fill(0);
  const parents: LayoutEntry[] = [];
  for (const e of entries) {
    if (e.kind === "dir" || !e.name) continue;
    const prefix = `${e.name}/`;
    const from = firstAtLeast(sorted, prefix);
    if (!sorted[from]?.startsWith(prefix)) continue;
    runs[from]!++;
    runs[firstAtLeast(sorted, `${e.name}0`)]!--;
    parents.push(e);
  }
  if (parents.length === 0) return undefined;
  const lying = new Set<string>();
  for (let i = 0, depth = 0; i < sorted.length; i++) if ((depth += runs[i]!) > 0) lying.add(sorted[i]!);
  const e = entries.find((x) => lying.has(x.name))!;
  const parent = parents.filter((p) => e.name.startsWith(`${p.name}/`)).reduce((a, b) => (b.name.length < a.name.length ? b : a));
  return `entry '${e.name}' lies below ${parent.kind} '${parent.name}'`;
}

function firstAtLeast(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A tree of the symlinks' names in which an edge spans every component down to the next place where
 * names part or a symlink is named: its text is `name.slice(start, end)`, from the start of a
 * component to the end of one. The root is an edge of no text.
 */
interface Edge {
  name: string;
  start: number;
  end: number;
  parent?: Edge;
  /** The edges leaving where this one ends, by their first component. */
  children: Map<string, Edge>;
  /** The symlink named by the path down to `end`. */
  link?: LayoutEntry;
}

/**
 * A place a walk has reached: `at` in the text of `edge` (its end, or a `/` inside it), then `below`
 * more components into names no symlink lies under (so none will be met until the walk climbs back).
 */
interface Position {
  edge: Edge;
  at: number;
  below: number;
}

/** Where a symlink leads, and how many symlinks resolving it followed. */
interface Destination {
  to: Position;
  hops: number;
}

const MAX_SYMLINK_HOPS = 40;
/** A symlink met again while it is being resolved: a loop, which never resolves. */
const RESOLVING = "resolving";
/**
 * A chain of symlinks through symlinks more than 40 deep: the one that started it follows more than
 * 40, but those further down may not on their own, so it is not remembered as theirs.
 */
const TOO_DEEP = "too deep";

/** The first symlink (in the package's order) that does not resolve inside the package. */
function outside(entries: LayoutEntry[]): string | undefined {
  const root: Edge = { name: "", start: 0, end: 0, children: new Map() };
  const links = entries.filter((e) => e.kind === "symlink");
  const nodes = new Map(links.map((l) => [l, insert(root, l)]));

  const destinations = new Map<LayoutEntry, Destination | undefined | typeof RESOLVING>();
  const destination = (link: LayoutEntry, depth: number): Destination | undefined | typeof TOO_DEEP => {
    if (depth > MAX_SYMLINK_HOPS) return TOO_DEEP;
    const known = destinations.get(link);
    if (known === RESOLVING) return undefined;
    if (destinations.has(link)) return known;
    destinations.set(link, RESOLVING);
    const node = nodes.get(link)!;
    const d = walk(up({ edge: node, at: node.end, below: 0 })!, link.target!, depth);
    if (d === TOO_DEEP) destinations.delete(link);
    else destinations.set(link, d);
    return d;
  };
  /** Follow `path` from `from`; undefined when it leaves the package or follows more than 40 symlinks. */
  const walk = (from: Position, path: string, depth: number): Destination | undefined | typeof TOO_DEEP => {
    if (path.startsWith("/")) return undefined;
    let at: Position | undefined = from;
    let hops = 0;
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue;
      at = part === ".." ? up(at) : down(at, part);
      if (!at) return undefined;
      const link = at.below === 0 && at.at === at.edge.end ? at.edge.link : undefined;
      if (!link) continue;
      const d = destination(link, depth + 1);
      if (d === undefined || d === TOO_DEEP) return d;
      hops += 1 + d.hops;
      if (hops > MAX_SYMLINK_HOPS) return undefined;
      at = d.to;
    }
    return { to: at, hops };
  };

  for (const link of links) {
    const d = link.target!.includes("\0") ? undefined : destination(link, 0);
    if (d === undefined || d === TOO_DEEP) return `symlink '${link.name}' points outside the package ('${link.target}')`;
  }
  return undefined;
}

/** Add a symlink's name to the tree; returns the edge that ends at it. */
function insert(root: Edge, link: LayoutEntry): Edge {
  const name = link.name;
  let edge = root;
  let i = 0;
  for (;;) {
    const part = component(name, i);
    const next = edge.children.get(part);
    if (!next) {
      const leaf: Edge = { name, start: i, end: name.length, parent: edge, children: new Map(), link };
      edge.children.set(part, leaf);
      return leaf;
    }
    // How far the next edge's text and the rest of the name agree, back to the end of a component.
    let j = next.start;
    let k = i;
    while (j < next.end && k < name.length && next.name[j] === name[k]) {
      j++;
      k++;
    }
    if (!((j === next.end || next.name[j] === "/") && (k === name.length || name[k] === "/"))) {
      j = next.name.lastIndexOf("/", j - 1);
      k = i + (j - next.start);
    }
    if (j < next.end) {
      const split: Edge = { name: next.name, start: next.start, end: j, parent: edge, children: new Map([[component(next.name, j + 1), next]]) };
      edge.children.set(part, split);
      next.start = j + 1;
      next.parent = split;
      edge = split;
    } else edge = next;
    if (k === name.length) {
      edge.link = link;
      return edge;
    }
    i = k + 1;
  }
}

function component(path: string, start: number): string {
  const end = path.indexOf("/", start);
  return path.slice(start, end < 0 ? undefined : end);
}

/** One component further down. */
function down(p: Position, part: string): Position {
  if (p.below > 0) return { ...p, below: p.below + 1 };
  const { edge, at } = p;
  if (at === edge.end) {
    const next = edge.children.get(part);
    return next ? { edge: next, at: next.start + part.length, below: 0 } : { ...p, below: 1 };
  }
  const end = at + 1 + part.length;
  return edge.name.startsWith(part, at + 1) && (end === edge.end || edge.name[end] === "/") ? { edge, at: end, below: 0 } : { ...p, below: 1 };
}

/** One component up (`..`), or undefined above the package's root. */
function up(p: Position): Position | undefined {
  if (p.below > 0) return { ...p, below: p.below - 1 };
  const { edge, at } = p;
  if (!edge.parent) return undefined;
  const slash = edge.name.lastIndexOf("/", at - 1);
  return slash > edge.start ? { edge, at: slash, below: 0 } : { edge: edge.parent, at: edge.parent.end, below: 0 };
}
