/** The package validator and store: every hostile package is refused in memory; good ones unpack faithfully. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CodeStore } from "./code.js";
import { AwsError } from "../../errors.js";
import { rawZip } from "../../../test/harness/zip.js";
import { HOSTILE, assertRefused, dir, file, insidePackage, link } from "../../../test/harness/hostile-zips.js";

describe("CodeStore", () => {
  let dataDir: string;
  let store: CodeStore;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-code-"));
    store = await CodeStore.create(dataDir);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const stored = () => readdir(path.join(dataDir, "code"));

  async function refusalOf(zip: Buffer): Promise<AwsError> {
    try {
      await store.inspect(zip);
    } catch (err) {
      assert.ok(err instanceof AwsError, `an AwsError, not ${String(err)}`);
      return err;
    }
    return assert.fail("the package was accepted");
  }

  for (const c of HOSTILE) {
    test(`inspect() refuses ${c.name}, writing nothing`, async () => {
      const err = await refusalOf(c.zip());
      assertRefused({ code: err.code, status: err.status, message: err.message }, c);
      assert.deepEqual(await stored(), []);
    });
  }

  test("an empty zip (an end-of-central-directory record and nothing else) is refused as AWS does", async () => {
    const empty = rawZip([]);
    assert.equal(empty.length, 22);
    const err = await refusalOf(empty);
    assert.deepEqual({ code: err.code, status: err.status, message: err.message }, { code: "InvalidParameterValueException", status: 400, message: "Uploaded file must be a non-empty zip" });
    assert.deepEqual(await stored(), []);
  });

  test("a symlink loop is refused instead of being followed forever", async () => {
    const err = await refusalOf(rawZip([link("x", "y"), link("y", "x")]));
    assert.match(err.message, /symlink '[xy]' points outside the package/);
  });

  test("symlinks that stay inside are accepted, judged as the kernel resolves them", async () => {
    const zip = insidePackage();
    const ref = await store.inspect(zip);
    const digest = createHash("sha256").update(zip).digest();
    assert.deepEqual(ref, { id: digest.toString("hex"), sha256: digest.toString("base64"), size: zip.length });
    assert.deepEqual(await stored(), [], "inspect() writes nothing, even for a good package");
  });

  test("a symlink into a symlinked directory and back up stays inside", async () => {
    await store.inspect(rawZip([dir("sub/deeper/"), link("d", "sub/deeper"), link("up", "d/../../index.js"), file("index.js")]));
  });

  test("names with ./ and // are judged as extraction writes them", async () => {
    const zip = rawZip([file("./index.js", "root"), file("lib//a.js", "a")]);
    const root = await saveAndExtract(zip);
    assert.deepEqual(await listTree(root), ["index.js", "lib/", "lib/a.js"]);
  });

  test("extract() reproduces files, modes, directories and in-package symlinks", async () => {
    const zip = rawZip([
      file("bootstrap", "#!/bin/sh\necho hi\n", 0o100755),
      file("lib/data.txt", "data", 0o100644),
      dir("empty/"),
      link("current.txt", "lib/data.txt"),
      link("libdir", "lib"),
    ]);
    const root = await saveAndExtract(zip);
    assert.deepEqual(await listTree(root), ["bootstrap", "current.txt@", "empty/", "lib/", "lib/data.txt", "libdir@"]);
    assert.equal((await stat(path.join(root, "bootstrap"))).mode & 0o111, 0o111, "the executable bit is kept");
    assert.equal((await stat(path.join(root, "lib/data.txt"))).mode & 0o111, 0, "plain files are not executable");
    assert.equal(await readFile(path.join(root, "bootstrap"), "utf8"), "#!/bin/sh\necho hi\n");
    assert.equal(await readlink(path.join(root, "current.txt")), "lib/data.txt");
    assert.equal(await readFile(path.join(root, "current.txt"), "utf8"), "data");
    assert.equal(await readFile(path.join(root, "libdir/data.txt"), "utf8"), "data");
    const ref = await store.inspect(zip);
    assert.equal(await store.extract(ref), root, "extracting again reuses the directory");
    assert.deepEqual(await readFile(store.zipOf(ref)), zip, "the zip is kept as uploaded");
  });

  async function saveAndExtract(zip: Buffer): Promise<string> {
    const ref = await store.inspect(zip);
    await store.save(zip, ref);
    const root = await store.extract(ref);
    assert.equal(root, store.dirOf(ref));
    return root;
  }
});

/** Every path below `root`, sorted; directories end in `/`, symlinks in `@`. */
async function listTree(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isSymbolicLink()) out.push(`${p}@`);
    else if (e.isDirectory()) out.push(`${p}/`, ...(await listTree(root, p)));
    else out.push(p);
  }
  return out.sort();
}
