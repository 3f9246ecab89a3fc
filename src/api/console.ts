/**
 * The console: a static single-page app (`console/`, built into `dist/console` at `npm ci` and by
 * every build), served by the one listener at `/` and under `/_flint/console/`. It has no service of
 * its own: the browser signs its calls to the same AWS APIs the CLI uses, so IAM decides for it as
 * for anyone. Files are read once, at the first request, and kept in memory with the gzip form the
 * build wrote beside each (`<name>.gz`).
 */
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Exchange } from "../lib/http-server.js";

export const CONSOLE_PATH = "/_flint/console";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** What every console answer carries: only this origin's scripts and API, never inside a frame. */
const SECURITY = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  /** Hashed names never change content: cached for a year. index.html is revalidated each time. */
  immutable: boolean;
}

const NOT_BUILT =
  "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flint console</title></head><body>" +
  "<h1>The Flint console is not built</h1><p>Run <code>npm run build</code> (or <code>npm ci</code>, which builds it) and restart Flint.</p></body></html>";

export class ConsoleAssets {
  private loaded?: Promise<Map<string, Asset> | undefined>;

  constructor(private readonly dir = fileURLToPath(new URL("../../console/", import.meta.url))) {}

  /** Anything under `/_flint/console` is the console's. */
  claimsPath(rawPath: string): boolean {
    return rawPath === CONSOLE_PATH || rawPath.startsWith(CONSOLE_PATH + "/");
  }

  /**
   * A plain `GET /` (no query, no signature) is the console's too: an AWS API call to `/` always
   * carries one or the other. (Asked after function URLs and APIs addressed by host have had theirs.)
   */
  claimsRoot(method: string, rawPath: string, rawQuery: string, headers: Record<string, string>): boolean {
    return rawPath === "/" && (method === "GET" || method === "HEAD") && rawQuery === "" && !headers.authorization && !headers["x-amz-date"];
  }

  async serve(exchange: Exchange, method: string, rawPath: string): Promise<void> {
    const { response: res, head } = exchange;
    if (method !== "GET" && method !== "HEAD") {
      return res.send(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8", ...SECURITY }, "The console answers GET and HEAD only.\n");
    }
    const files = await (this.loaded ??= this.load());
    if (!files) return res.send(503, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", ...SECURITY }, NOT_BUILT);
    const rest = rawPath.startsWith(CONSOLE_PATH) ? rawPath.slice(CONSOLE_PATH.length) : "";
    // Every page's URL is the app's (the router in the browser reads it); only assets are files.
    const asset = rest.startsWith("/assets/") ? files.get(rest.slice(1)) : files.get("index.html");
    if (!asset) return res.send(404, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY }, "No such console file.\n");
    const gzip = /\bgzip\b/.test(head.headers["accept-encoding"] ?? "");
    const body = gzip ? asset.gzip : asset.body;
    const headers = {
      "Content-Type": asset.type,
      "Cache-Control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      ...SECURITY,
    };
    res.send(200, headers, body);
  }

  private async load(): Promise<Map<string, Asset> | undefined> {
    const files = new Map<string, Asset>();
    const add = async (name: string, immutable: boolean) => {
      const [body, gzip] = await Promise.all([readFile(path.join(this.dir, name)), readFile(path.join(this.dir, `${name}.gz`))]);
      files.set(name, { type: TYPES[path.extname(name)] ?? "application/octet-stream", body, gzip, immutable });
    };
    try {
      await add("index.html", false);
      for (const name of await readdir(path.join(this.dir, "assets"))) if (!name.endsWith(".gz")) await add(`assets/${name}`, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        // Not built: asked again at the next request, so a build while Flint runs is picked up.
        this.loaded = undefined;
        return undefined;
      }
      throw err;
    }
    return files;
  }
}
