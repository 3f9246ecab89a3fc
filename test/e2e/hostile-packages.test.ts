/**
 * Hostile and broken function packages, uploaded the way a user would (SDK and AWS CLI v2): each is
 * refused with AWS's error, nothing is written under the data directory, and the server carries on.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, GetFunctionCommand, UpdateFunctionCodeCommand, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { zipFixture } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";
import { HOSTILE, assertRefused, insidePackage, UNZIP_FAILED, type HostileCase } from "../harness/hostile-zips.js";

describe("hostile and broken packages", () => {
  let flint: FlintProcess;
  let scratch: string;
  /** A healthy function whose code every refused update must leave alone. */
  let victim: string;
  let victimConfig: FunctionConfiguration;
  before(async () => {
    flint = await startFlint();
    scratch = await mkdtemp(path.join(tmpdir(), "flint-hostile-"));
    victim = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    victimConfig = await configOf(victim);
  });
  after(async () => {
    await flint.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const codeDir = async () => (await readdir(path.join(flint.dataDir, "code"))).sort();
  const configOf = async (name: string) => (await flint.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!;
  const createRequest = (name: string, zip: Buffer) =>
    new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } });

  /** Run `attempt`, expect the case's refusal, and check that the code directory did not change. */
  async function assertRefusedWritingNothing(c: HostileCase, attempt: () => Promise<unknown>): Promise<void> {
    const before = await codeDir();
    const err = await attempt().then(
      () => assert.fail("the package was accepted"),
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );
    assertRefused({ code: err.name, status: err.$metadata?.httpStatusCode, message: err.message }, c);
    assert.deepEqual(await codeDir(), before, "nothing new under <data>/code/");
  }

  async function assertNoFunction(name: string): Promise<void> {
    await assert.rejects(configOf(name), { name: "ResourceNotFoundException" });
  }

  async function assertVictimUnchanged(): Promise<void> {
    const now = await configOf(victim);
    assert.equal(now.CodeSha256, victimConfig.CodeSha256);
    assert.equal(now.RevisionId, victimConfig.RevisionId);
    assert.equal(now.LastUpdateStatus, "Successful");
  }

  for (const c of HOSTILE) {
    test(`CreateFunction refuses ${c.name}`, async () => {
      const name = uniqueName("hostile");
      await assertRefusedWritingNothing(c, () => flint.lambda.send(createRequest(name, c.zip())));
      await assertNoFunction(name);
    });

    test(`UpdateFunctionCode refuses ${c.name} and keeps the previous code`, async () => {
      await assertRefusedWritingNothing(c, () => flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: victim, ZipFile: c.zip() })));
      await assertVictimUnchanged();
    });
  }

  /** The same refusal through the AWS CLI v2, with the package read from a file as users do. */
  async function assertCliRefuses(caseName: string, args: (zipArg: string) => string[]): Promise<void> {
    const c = HOSTILE.find((h) => h.name === caseName)!;
    const zipPath = path.join(scratch, `${uniqueName("package")}.zip`);
    await writeFile(zipPath, c.zip());
    const before = await codeDir();
    const r = await flint.aws(["lambda", ...args(`fileb://${zipPath}`)]);
    assert.equal(r.code, 254, `the CLI reports a service error: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`An error occurred \\(${c.code}\\) when calling the \\w+ operation: `));
    if (typeof c.message === "string") assert.ok(r.stderr.includes(c.message), r.stderr);
    else assert.ok(r.stderr.includes(UNZIP_FAILED), r.stderr);
    assert.deepEqual(await codeDir(), before, "nothing new under <data>/code/");
  }

  const cliCreate = (name: string) => (zip: string) =>
    ["create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "index.handler", "--role", ROLE, "--zip-file", zip];

  test("the AWS CLI v2 gets InvalidParameterValueException for a path traversal entry", async () => {
    const name = uniqueName("cli-hostile");
    await assertCliRefuses("an entry climbing out with ../", cliCreate(name));
    await assertNoFunction(name);
  });

  test("the AWS CLI v2 gets InvalidParameterValueException for a symlink escaping through another symlink", async () => {
    await assertCliRefuses("a symlink escaping through another symlink (a -> ., b -> a/..)", (zip) => [
      "update-function-code",
      "--function-name",
      victim,
      "--zip-file",
      zip,
    ]);
    await assertVictimUnchanged();
  });

  test("the AWS CLI v2 gets RequestEntityTooLargeException for a zip over 50 MB", async () => {
    const name = uniqueName("cli-hostile");
    await assertCliRefuses("a zip over 50 MB zipped", cliCreate(name));
    await assertNoFunction(name);
  });

  test("symlinks that stay inside are accepted and the function reads through them", async () => {
    const zip = insidePackage();
    for (const handlerFile of ["index", "chain"]) {
      const name = await createFunction(flint, zip, `${handlerFile}.handler`);
      const r = await invoke(flint, name);
      assert.equal(r.functionError, undefined, r.raw);
      const greeting = "hello through a symlink";
      assert.deepEqual(r.payload, { viaDir: greeting, viaClimb: greeting, file: "app.js" });
    }
  });

  test("the server stays healthy after every refusal", async () => {
    await assertVictimUnchanged();
    assert.deepEqual((await invoke(flint, victim, { still: "alive" })).payload, { still: "alive" });
    const fresh = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
    assert.deepEqual((await invoke(flint, fresh, { n: 1 })).payload, { n: 1 });
  });
});
