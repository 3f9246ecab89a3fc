/** The tree a package unpacks to: entries below files or symlinks, and where symlinks lead. (Whole packages: code.test.ts.) */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type LayoutEntry, layoutProblem } from "./package-layout.js";

const file = (name: string): LayoutEntry => ({ name, kind: "file" });
const link = (name: string, target: string): LayoutEntry => ({ name, kind: "symlink", target });
/** l<from> -> l<from+1> -> … -> l<to> -> index.js */
const chain = (from: number, to: number) => [file("index.js"), ...Array.from({ length: to - from + 1 }, (_, k) => link(`l${from + k}`, from + k === to ? "index.js" : `l${from + k + 1}`))];

test("a symlink may lead through 40 others, not 41, whichever order the links come in", () => {
  // l<i> follows 50 - i symlinks: l10 follows 40, l9 follows 41.
  assert.equal(layoutProblem(chain(10, 50)), undefined);
  assert.equal(layoutProblem(chain(10, 50).reverse()), undefined);
  assert.equal(layoutProblem(chain(9, 50)), "symlink 'l9' points outside the package ('l10')");
  assert.equal(layoutProblem(chain(9, 50).reverse()), "symlink 'l9' points outside the package ('l10')");
  // From l0 the chain is too long; l9 and below are judged again on their own, not by what l0 found.
  assert.equal(layoutProblem(chain(0, 50)), "symlink 'l0' points outside the package ('l1')");
  assert.equal(layoutProblem([...chain(0, 50)].filter((e) => e.name !== "l0" && !/^l[1-8]$/.test(e.name)).reverse()), "symlink 'l9' points outside the package ('l10')");
});

test("a loop never resolves; a link through a symlinked directory and back up stays inside", () => {
  assert.equal(layoutProblem([link("x", "y"), link("y", "x")]), "symlink 'x' points outside the package ('y')");
  assert.equal(layoutProblem([link("a", "."), link("b", "a/..")]), "symlink 'b' points outside the package ('a/..')");
  assert.equal(layoutProblem([{ name: "sub/deeper", kind: "dir" }, link("d", "sub/deeper"), link("up", "d/../../index.js"), file("index.js")]), undefined);
  assert.equal(layoutProblem([link("l", "no/such/dir/../../../index.js"), file("index.js")]), undefined, "names nothing has can be walked through and back");
  assert.equal(layoutProblem([link("l", "no/../../x")]), "symlink 'l' points outside the package ('no/../../x')");
});

test("symlinks whose names share directories resolve through one another", () => {
  const tree = [{ name: "x/y", kind: "dir" } as const, file("index.js"), link("x/y/a", "../../index.js"), link("x/y/b", "a"), link("x/z/c", "../y/b"), link("x/yy", "y/b/../x/z/c")];
  assert.equal(layoutProblem(tree), undefined);
  assert.equal(layoutProblem([...tree, link("x/w", "z/c/../../..")]), "symlink 'x/w' points outside the package ('z/c/../../..')");
});

test("entries below a file or a symlink are refused, naming the first such parent", () => {
  assert.equal(layoutProblem([file("lib"), file("lib/x.js")]), "entry 'lib/x.js' lies below file 'lib'");
  assert.equal(layoutProblem([file("l/x.js"), link("l", "sub")]), "entry 'l/x.js' lies below symlink 'l'");
  assert.equal(layoutProblem([{ name: "lib", kind: "dir" }, file("lib/x.js"), file("other/y.js")]), undefined);
});

test("names and targets of any length are walked once, not once per prefix or per symlink through them", () => {
  const deep = "a/".repeat(200_000);
  assert.equal(layoutProblem([file(`${deep}x`), file(`${deep}y`), file(`${deep}x/z`)]), `entry '${deep}x/z' lies below file '${deep}x'`);
  // l999 goes 200,000 names down and back to index.js; every other link goes through the next one
  // twice, so l<i> follows 2 x (1 + what l<i+1> follows) symlinks: 30 from l995, 62 from l994.
  const down = "d/".repeat(200_000);
  const links = Array.from({ length: 1000 }, (_, i) => link(`l${i}`, i === 999 ? `${down}${"../".repeat(200_000)}index.js` : `l${i + 1}/../l${i + 1}`));
  const tree = (ls: LayoutEntry[]) => layoutProblem([{ name: "d", kind: "dir" }, file("index.js"), ...ls]);
  assert.equal(tree(links.slice(-5)), undefined);
  assert.equal(tree(links.slice(-6)), "symlink 'l994' points outside the package ('l995/../l995')");
  assert.equal(tree(links), "symlink 'l0' points outside the package ('l1/../l1')");
});
