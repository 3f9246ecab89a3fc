#!/usr/bin/env node
// Builds the console (console/src, a single-page app) into dist/console: hashed, minified ES modules
// split per page, a stylesheet, and index.html naming them. Runs at `npm ci` (prepare) and in every
// `npm run build`. The server only serves these files; the console has no service of its own.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const out = path.join(root, "dist/console");
let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  // An install without devDependencies (`npm ci --omit=dev`) has no bundler: the server then answers
  // the console's address with a page saying so.
  console.error("flint: esbuild is not installed, so the console is not built (npm ci installs it)");
  process.exit(0);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { app: "console/src/main.tsx" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: ["chrome110", "firefox115", "safari16"],
  outdir: path.join(out, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { "process.env.NODE_ENV": '"production"' },
  metafile: true,
  logLevel: "warning",
});
const outputs = Object.entries(result.metafile.outputs);
const rel = (p) => path.relative(out, path.join(root, p)).split(path.sep).join("/");
const [entryJs] = outputs.find(([, o]) => o.entryPoint === "console/src/main.tsx") ?? [];
if (!entryJs) throw new Error("console build: no entry output");
const entryCss = result.metafile.outputs[entryJs].cssBundle;
const html = readFileSync(path.join(root, "console/index.html"), "utf8")
  .replace("%STYLE%", entryCss ? `<link rel="stylesheet" href="${rel(entryCss)}">` : "")
  .replace("%SCRIPT%", `<script type="module" src="${rel(entryJs)}"></script>`);
writeFileSync(path.join(out, "index.html"), html);
// The server sends these when the browser accepts gzip, so a host across a network loads in time too.
for (const file of [path.join(out, "index.html"), ...outputs.map(([p]) => path.join(root, p))]) {
  writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
}
const bytes = outputs.filter(([p]) => p.endsWith(".js")).reduce((n, [, o]) => n + o.bytes, 0);
const entryBytes = result.metafile.outputs[entryJs].bytes;
console.error(`flint: console built into dist/console (${outputs.length} files, ${Math.round(bytes / 1024)} KiB of scripts, ${Math.round(entryBytes / 1024)} KiB at first load)`);
