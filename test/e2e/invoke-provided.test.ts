/** Custom runtimes: the package's own `bootstrap`, here a shell script using curl (AWS's tutorial shape). */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { zipFiles, zipFixture } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";

describe("custom runtimes (provided.*)", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("provided");
  });
  after(() => flint.stop());

  test("a curl-based bootstrap serves invocations through AWS_LAMBDA_RUNTIME_API", async () => {
    for (const runtime of ["provided", "provided.al2", "provided.al2023"]) {
      const name = await createFunction(flint, zip, "echo", { runtime });
      const r = await invoke(flint, name, { from: runtime }, { tail: true });
      assert.equal(r.functionError, undefined);
      assert.deepEqual(r.payload.echo, { from: runtime });
      assert.match(r.payload.requestId, /^[0-9a-f-]{36}$/);
      assert.match(r.log!, new RegExp(`handling ${r.payload.requestId}`));
      const warm = await invoke(flint, name, { again: true });
      assert.deepEqual(warm.payload.echo, { again: true });
    }
  });

  test("an error posted to /error reaches the caller as posted", async () => {
    const name = await createFunction(flint, zip, "error", { runtime: "provided.al2023" });
    const r = await invoke(flint, name);
    assert.equal(r.functionError, "Unhandled");
    assert.deepEqual(r.payload, { errorMessage: "custom failure", errorType: "Custom.Failure" });
  });

  test("a bootstrap that exits is Runtime.ExitError", async () => {
    const name = await createFunction(flint, zip, "exit", { runtime: "provided.al2023" });
    const r = await invoke(flint, name);
    assert.equal(r.payload.errorType, "Runtime.ExitError");
    assert.match(r.payload.errorMessage, /Runtime exited with error: exit status 3$/);
  });

  test("a package without an executable bootstrap is Runtime.InvalidEntrypoint", async () => {
    const none = await createFunction(flint, await zipFiles({ "README.txt": "no bootstrap here" }), "x", { runtime: "provided.al2023" });
    let r = await invoke(flint, none);
    assert.equal(r.functionError, "Unhandled");
    assert.equal(r.payload.errorType, "Runtime.InvalidEntrypoint");
    assert.match(r.payload.errorMessage, /Couldn't find valid bootstrap\(s\)/);
    const notExec = await createFunction(flint, await zipFiles({ bootstrap: { content: "#!/bin/sh\necho hi\n", mode: 0o100644 } }), "x", { runtime: "provided.al2023" });
    r = await invoke(flint, notExec);
    assert.equal(r.payload.errorType, "Runtime.InvalidEntrypoint");
    assert.match(r.payload.errorMessage, /permission denied/);
  });
});
