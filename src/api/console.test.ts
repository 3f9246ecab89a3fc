import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { gzipSync, gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleAssets } from "./console.js";
import type { Exchange } from "../lib/http-server.js";

interface Sent {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

async function get(assets: ConsoleAssets, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<Sent> {
  let sent: Sent | undefined;
  const exchange = {
    head: { method, url: rawPath, headers },
    response: { send: (status: number, h: Record<string, unknown>, body?: Buffer | string) => void (sent ??= { status, headers: h, body: Buffer.from(body ?? "") }) },
  } as unknown as Exchange;
  await assets.serve(exchange, method, rawPath);
  assert.ok(sent, "answered");
  return sent;
}

async function built(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-test-console-"));
  await mkdir(path.join(dir, "assets"));
  const files: Record<string, string> = { "index.html": "<!doctype html><div id=app></div>", "assets/app-1234.js": "console.log(1)", "assets/app-1234.css": "body{}" };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text);
    await writeFile(path.join(dir, `${name}.gz`), gzipSync(text));
  }
  return dir;
}

test("every console path but an asset's is the app; assets by name, with their types and caching", async () => {
  const dir = await built();
  try {
    const assets = new ConsoleAssets(dir);
    for (const p of ["/", "/_flint/console", "/_flint/console/", "/_flint/console/functions/f", "/_flint/console/logs/%2Faws%2Flambda%2Ff"]) {
      const r = await get(assets, "GET", p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers["Content-Type"], "text/html; charset=utf-8");
      assert.equal(r.headers["Cache-Control"], "no-cache");
      assert.match(String(r.headers["Content-Security-Policy"]), /script-src 'self'/);
      assert.equal(r.body.toString(), "<!doctype html><div id=app></div>");
    }
    const js = await get(assets, "GET", "/_flint/console/assets/app-1234.js");
    assert.equal(js.headers["Content-Type"], "text/javascript; charset=utf-8");
    assert.equal(js.headers["Cache-Control"], "public, max-age=31536000, immutable");
    const gz = await get(assets, "GET", "/_flint/console/assets/app-1234.css", { "accept-encoding": "gzip, br" });
    assert.equal(gz.headers["Content-Encoding"], "gzip");
    assert.equal(gunzipSync(gz.body).toString(), "body{}");
    assert.equal((await get(assets, "GET", "/_flint/console/assets/app-9999.js")).status, 404);
    assert.equal((await get(assets, "GET", "/_flint/console/assets/../index.html")).status, 404);
    const post = await get(assets, "POST", "/_flint/console/functions");
    assert.equal(post.status, 405);
    assert.equal(post.headers.Allow, "GET, HEAD");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an API call to / is never the console's: it has a query or a signature", () => {
  const assets = new ConsoleAssets("/nonexistent");
  assert.equal(assets.claimsRoot("GET", "/", "", {}), true);
  assert.equal(assets.claimsRoot("HEAD", "/", "", {}), true);
  assert.equal(assets.claimsRoot("GET", "/", "Action=ListQueues&X-Amz-Signature=x", {}), false);
  assert.equal(assets.claimsRoot("GET", "/", "", { authorization: "AWS4-HMAC-SHA256 Credential=…" }), false);
  assert.equal(assets.claimsRoot("GET", "/", "", { "x-amz-date": "20261206T000000Z" }), false);
  assert.equal(assets.claimsRoot("POST", "/", "", {}), false);
  assert.equal(assets.claimsRoot("GET", "/000000000000/queue", "", {}), false);
  assert.equal(assets.claimsPath("/_flint/console"), true);
  assert.equal(assets.claimsPath("/_flint/consoles"), false);
  assert.equal(assets.claimsPath("/_flint/metrics"), false);
});

test("not built: a page that says how to build it; a build made while Flint runs is served at the next request", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-test-console-"));
  const real = await built();
  try {
    const assets = new ConsoleAssets(path.join(dir, "console"));
    const r = await get(assets, "GET", "/");
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /npm run build/);
    await rename(real, path.join(dir, "console"));
    assert.equal((await get(assets, "GET", "/")).status, 200);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(real, { recursive: true, force: true });
  }
});
