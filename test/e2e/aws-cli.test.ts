/** A Lambda user's first hour with the real AWS CLI v2: create, invoke, read logs, change code, invoke again. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startFlint, type FlintProcess, ROLE, ROOT, uniqueName } from "../harness/flint.js";
import { zipFiles, zipFixture } from "../harness/zip.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";

const run = promisify(execFile);

describe("AWS CLI v2", () => {
  let flint: FlintProcess;
  let dir: string;
  const zips: Record<string, string> = {};
  before(async () => {
    flint = await startFlint();
    dir = await mkdtemp(path.join(tmpdir(), "flint-cli-"));
    for (const family of ["nodejs", "python", "provided"]) {
      zips[family] = path.join(dir, `${family}.zip`);
      await writeFile(zips[family]!, await zipFixture(family));
    }
    zips.v2 = path.join(dir, "v2.zip");
    await writeFile(zips.v2!, await zipFiles({ "echo.js": "exports.handler = async (e) => ({ version: 2, e });" }));
  });
  after(async () => {
    await flint.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]) {
    const r = await flint.aws(args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}\n${r.stderr}`);
    return r.stdout.trim() ? r.json() : undefined;
  }

  async function invoke(name: string, payload: unknown, extra: string[] = []) {
    const outFile = path.join(dir, `${uniqueName("out")}.json`);
    const meta = await cli("lambda", "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out", "--payload", JSON.stringify(payload), ...extra, outFile);
    return { meta, payload: await readFile(outFile, "utf8").catch(() => "") };
  }

  const families = [
    { family: "nodejs", runtime: "nodejs22.x", handler: "echo.handler" },
    { family: "python", runtime: "python3.11", handler: "echo.handler" },
    { family: "provided", runtime: "provided.al2023", handler: "echo" },
  ];

  for (const f of families) {
    test(`create, wait, get, invoke, update and delete a ${f.family} function`, async () => {
      const name = uniqueName(`cli-${f.family}`);
      const created = await cli("lambda", "create-function", "--function-name", name, "--runtime", f.runtime, "--handler", f.handler, "--role", ROLE, "--zip-file", `fileb://${zips[f.family]}`, "--timeout", "10", "--memory-size", "256", "--environment", "Variables={STAGE=test}", "--tags", "team=flint");
      assert.equal(created.State, "Pending");
      assert.equal(created.StateReasonCode, "Creating");
      assert.equal(created.Runtime, f.runtime);
      assert.equal(created.MemorySize, 256);
      assert.deepEqual(created.Environment, { Variables: { STAGE: "test" } });
      await cli("lambda", "wait", "function-active-v2", "--function-name", name);

      const got = await cli("lambda", "get-function", "--function-name", name);
      assert.equal(got.Configuration.State, "Active");
      assert.equal(got.Configuration.LastUpdateStatus, "Successful");
      assert.equal(got.Code.RepositoryType, "S3");
      assert.deepEqual(got.Tags, { team: "flint" });

      const first = await invoke(name, { n: 1 }, ["--log-type", "Tail"]);
      assert.equal(first.meta.StatusCode, 200);
      assert.equal(first.meta.ExecutedVersion, "$LATEST");
      assert.match(Buffer.from(first.meta.LogResult, "base64").toString(), /^START RequestId: /);
      const echoed = JSON.parse(first.payload);
      assert.deepEqual(f.family === "provided" ? echoed.echo : echoed, { n: 1 });

      const dry = await invoke(name, {}, ["--invocation-type", "DryRun"]);
      assert.equal(dry.meta.StatusCode, 204);

      const updated = await cli("lambda", "update-function-configuration", "--function-name", name, "--timeout", "20", "--description", "changed");
      assert.equal(updated.LastUpdateStatus, "InProgress");
      await cli("lambda", "wait", "function-updated-v2", "--function-name", name);
      const conf = await cli("lambda", "get-function-configuration", "--function-name", name);
      assert.equal(conf.Timeout, 20);
      assert.equal(conf.Description, "changed");
      assert.equal(conf.LastUpdateStatus, "Successful");
      assert.notEqual(conf.RevisionId, updated.RevisionId, "finishing the update makes a new revision");

      await cli("lambda", "delete-function", "--function-name", name);
      const gone = await flint.aws(["lambda", "get-function", "--function-name", name]);
      assert.equal(gone.code, 254);
      assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:/);
    });
  }

  test("changing the code changes what runs, and the old environment is replaced", async () => {
    const name = uniqueName("cli-update");
    await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "echo.handler", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`);
    await cli("lambda", "wait", "function-active-v2", "--function-name", name);
    assert.deepEqual(JSON.parse((await invoke(name, { v: 1 })).payload), { v: 1 });
    const before = await cli("lambda", "get-function-configuration", "--function-name", name);
    const up = await cli("lambda", "update-function-code", "--function-name", name, "--zip-file", `fileb://${zips.v2}`);
    assert.equal(up.LastUpdateStatus, "InProgress");
    assert.notEqual(up.CodeSha256, before.CodeSha256);
    await cli("lambda", "wait", "function-updated-v2", "--function-name", name);
    assert.deepEqual(JSON.parse((await invoke(name, { v: 1 })).payload), { version: 2, e: { v: 1 } });
    const stale = await flint.aws(["lambda", "update-function-code", "--function-name", name, "--zip-file", `fileb://${zips.nodejs}`, "--revision-id", before.RevisionId]);
    assert.equal(stale.code, 254);
    assert.match(stale.stderr, /PreconditionFailedException/);
  });

  test("list-functions paginates with the CLI's page size and tokens", async () => {
    const names = [];
    for (let i = 0; i < 5; i++) {
      const name = `page-${i}-${uniqueName("f")}`;
      names.push(name);
      await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "echo.handler", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`);
    }
    const all = await cli("lambda", "list-functions", "--page-size", "2");
    const listed = all.Functions.map((f: any) => f.FunctionName);
    for (const n of names) assert.ok(listed.includes(n));
    assert.deepEqual(listed, [...listed].sort());
    const firstPage = await cli("lambda", "list-functions", "--max-items", "2");
    assert.equal(firstPage.Functions.length, 2);
    assert.ok(firstPage.NextToken);
    const rest = await cli("lambda", "list-functions", "--starting-token", firstPage.NextToken);
    assert.deepEqual([...firstPage.Functions, ...rest.Functions].map((f: any) => f.FunctionName), listed);
  });

  test("tags, account settings and errors", async () => {
    const name = uniqueName("cli-tags");
    const fn = await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "echo.handler", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`);
    await cli("lambda", "tag-resource", "--resource", fn.FunctionArn, "--tags", "a=1,b=2");
    await cli("lambda", "untag-resource", "--resource", fn.FunctionArn, "--tag-keys", "a");
    assert.deepEqual((await cli("lambda", "list-tags", "--resource", fn.FunctionArn)).Tags, { b: "2" });

    const settings = await cli("lambda", "get-account-settings");
    assert.equal(settings.AccountLimit.CodeSizeZipped, 52428800);
    assert.ok(settings.AccountUsage.FunctionCount >= 1);

    const badRuntime = await flint.aws(["lambda", "create-function", "--function-name", uniqueName("bad"), "--runtime", "cobol85", "--handler", "x.y", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`]);
    assert.equal(badRuntime.code, 254);
    assert.match(badRuntime.stderr, /\(InvalidParameterValueException\).*Value cobol85 at 'runtime' failed to satisfy constraint/);
    const missing = await flint.aws(["lambda", "invoke", "--function-name", "does-not-exist", path.join(dir, "x.json")]);
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:does-not-exist:\$LATEST/);
    const dup = await flint.aws(["lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "echo.handler", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`]);
    assert.match(dup.stderr, /\(ResourceConflictException\).*Function already exist: /);
  });

  test("`flint logs` prints a function's log lines", async () => {
    const name = uniqueName("cli-logs");
    await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "logs.handler", "--role", ROLE, "--zip-file", `fileb://${zips.nodejs}`);
    await cli("lambda", "wait", "function-active-v2", "--function-name", name);
    await invoke(name, {});
    // The server writes log lines in batches: read until the invocation's REPORT is there.
    let stdout = "";
    const logs = () => run(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), "logs", name, "--data-dir", flint.dataDir]).then((r) => r.stdout, () => "");
    await eventually(async () => /REPORT RequestId: /.test((stdout = await logs())), PATIENCE_MS, "the invocation's REPORT in `flint logs`");
    assert.match(stdout, /INIT_START/);
    assert.match(stdout, /START RequestId: \S+ Version: \$LATEST/);
    assert.match(stdout, /INFO\tfirst line/);
    assert.match(stdout, /REPORT RequestId: \S+\tDuration: /);
  });
});
