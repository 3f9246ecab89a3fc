import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SandboxEtc } from "./etc.js";

test("a sandbox's /etc: the runtime's entries, no private keys, files-only lookups, host changes copied again", async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), "flint-etc-test-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const host = path.join(root, "host");
  mkdirSync(path.join(host, "ssl", "certs"), { recursive: true });
  mkdirSync(path.join(host, "ssl", "private"), { mode: 0o700 });
  writeFileSync(path.join(host, "ssl", "private", "key.pem"), "secret");
  symlinkSync("/usr/share/ca-certificates/x.crt", path.join(host, "ssl", "certs", "x.pem"));
  writeFileSync(path.join(host, "hosts"), "127.0.0.1 localhost\n");
  writeFileSync(path.join(host, "resolv.conf.real"), "nameserver 10.0.0.1\n");
  symlinkSync("resolv.conf.real", path.join(host, "resolv.conf"));
  writeFileSync(path.join(host, "shadow"), "root:x:::::::\n");

  const etc = await SandboxEtc.create(path.join(root, "etc"), host);
  assert.deepEqual(readdirSync(etc.dir).sort(), ["group", "hosts", "nsswitch.conf", "passwd", "resolv.conf", "ssl"]);
  assert.equal(existsSync(path.join(etc.dir, "ssl", "private")), false, "private keys stay on the host");
  assert.deepEqual(readdirSync(path.join(etc.dir, "ssl", "certs")), ["x.pem"], "certificate links kept");
  assert.equal(readFileSync(path.join(etc.dir, "resolv.conf"), "utf8"), "nameserver 10.0.0.1\n", "a symlinked file is copied by content");
  assert.match(readFileSync(path.join(etc.dir, "nsswitch.conf"), "utf8"), /^passwd: files\ngroup: files\n/);

  writeFileSync(path.join(host, "hosts"), "127.0.0.1 localhost\n10.1.1.1 db\n");
  etc.refresh();
  assert.equal(readFileSync(path.join(etc.dir, "hosts"), "utf8"), "127.0.0.1 localhost\n10.1.1.1 db\n");
  rmSync(path.join(host, "hosts"));
  etc.refresh();
  assert.equal(readFileSync(path.join(etc.dir, "hosts"), "utf8"), "127.0.0.1 localhost\n10.1.1.1 db\n", "a host file removed: the last copy stays");
});
