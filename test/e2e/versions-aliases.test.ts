/**
 * Versions and aliases the way a release process uses them, through the AWS CLI v2 and the SDK:
 * publish, list, invoke and delete versions; a published version keeps running its own code and
 * configuration; weighted aliases split traffic as asked; and every invalid request gets AWS's error.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateAliasCommand, DeleteFunctionCommand, GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { ACCOUNT, REGION, startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { WAITER, createFunction, invoke } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";

const arn = (name: string, qualifier?: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
/** The Node.js fixtures, with `whoami` reporting `release`. */
const release = (r: string) => zipFixture("nodejs", { "release.json": JSON.stringify({ release: r }) });

/** The SDK's error for a call that must fail: code, HTTP status and message. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await call;
  } catch (err: any) {
    if (!err.$metadata) throw err;
    return { code: err.name, status: err.$metadata.httpStatusCode, message: err.message };
  }
  assert.fail("the call succeeded");
}

/**
 * The central interval that holds a Binomial(n, p) count with probability at least 1 − alpha: each
 * tail left outside has probability at most alpha / 2. Exact (summed probabilities), not a normal
 * approximation.
 */
function binomialBand(n: number, p: number, alpha: number): [number, number] {
  const pmf = [Math.pow(1 - p, n)];
  for (let k = 0; k < n; k++) pmf.push((pmf[k]! * (n - k) * p) / ((k + 1) * (1 - p)));
  let [lo, hi, below, above] = [0, n, 0, 0];
  while (below + pmf[lo]! <= alpha / 2) below += pmf[lo++]!;
  while (above + pmf[hi]! <= alpha / 2) above += pmf[hi--]!;
  return [lo, hi];
}

describe("versions with the AWS CLI v2", () => {
  let flint: FlintProcess;
  let dir: string;
  before(async () => {
    flint = await startFlint();
    dir = await mkdtemp(path.join(tmpdir(), "flint-versions-"));
    for (const r of ["one", "two"]) await writeFile(path.join(dir, `${r}.zip`), await release(r));
  });
  after(async () => {
    await flint.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]) {
    const r = await flint.aws(args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}\n${r.stderr}`);
    return r.stdout.trim() ? r.json() : {};
  }
  async function cliInvoke(name: string, extra: string[] = []) {
    const out = path.join(dir, `${uniqueName("out")}.json`);
    const meta = await cli("lambda", "invoke", "--function-name", name, ...extra, out);
    return { meta, payload: JSON.parse(await readFile(out, "utf8")) };
  }
  const versionsOf = async (name: string) => (await cli("lambda", "list-versions-by-function", "--function-name", name)).Versions.map((v: any) => v.Version);

  test("publish, list, invoke and delete versions", async () => {
    const name = uniqueName("cli-versions");
    await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "whoami.handler", "--role", ROLE, "--zip-file", `fileb://${dir}/one.zip`, "--environment", "Variables={STAGE=one}");
    await cli("lambda", "wait", "function-active-v2", "--function-name", name);

    const v1 = await cli("lambda", "publish-version", "--function-name", name, "--description", "first release");
    assert.equal(v1.Version, "1");
    assert.equal(v1.FunctionArn, arn(name, "1"));
    assert.equal(v1.Description, "first release");
    assert.equal(v1.State, "Active");

    await cli("lambda", "update-function-code", "--function-name", name, "--zip-file", `fileb://${dir}/two.zip`);
    await cli("lambda", "wait", "function-updated-v2", "--function-name", name);
    await cli("lambda", "update-function-configuration", "--function-name", name, "--environment", "Variables={STAGE=two}");
    await cli("lambda", "wait", "function-updated-v2", "--function-name", name);
    const v2 = await cli("lambda", "publish-version", "--function-name", name);
    assert.equal(v2.Version, "2");
    assert.notEqual(v2.CodeSha256, v1.CodeSha256);
    assert.deepEqual(await versionsOf(name), ["$LATEST", "1", "2"]);

    // Each version runs its own code and configuration, asked for by --qualifier or by a qualified name.
    const one = await cliInvoke(name, ["--qualifier", "1"]);
    assert.equal(one.meta.ExecutedVersion, "1");
    assert.deepEqual([one.payload.version, one.payload.release, one.payload.stage], ["1", "one", "one"]);
    const two = await cliInvoke(`${name}:2`);
    assert.equal(two.meta.ExecutedVersion, "2");
    assert.deepEqual([two.payload.version, two.payload.release, two.payload.stage], ["2", "two", "two"]);
    const latest = await cliInvoke(arn(name));
    assert.equal(latest.meta.ExecutedVersion, "$LATEST");
    const got = await cli("lambda", "get-function", "--function-name", name, "--qualifier", "1");
    assert.equal(got.Configuration.FunctionArn, arn(name, "1"));
    assert.deepEqual(got.Configuration.Environment, { Variables: { STAGE: "one" } });

    await cli("lambda", "delete-function", "--function-name", name, "--qualifier", "1");
    assert.deepEqual(await versionsOf(name), ["$LATEST", "2"]);
    const gone = await flint.aws(["lambda", "invoke", "--function-name", name, "--qualifier", "1", path.join(dir, "gone.json")]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, new RegExp(`\\(ResourceNotFoundException\\) when calling the Invoke operation: Function not found: ${arn(name, "1").replace(/[$]/g, "\\$")}\\s*$`));

    // Numbers are never reused, and publishing what has not changed returns the newest version.
    await cli("lambda", "update-function-configuration", "--function-name", name, "--environment", "Variables={STAGE=three}");
    await cli("lambda", "wait", "function-updated-v2", "--function-name", name);
    assert.equal((await cli("lambda", "publish-version", "--function-name", name)).Version, "3");
    assert.equal((await cli("lambda", "publish-version", "--function-name", name, "--description", "again")).Version, "3");
    assert.deepEqual(await versionsOf(name), ["$LATEST", "2", "3"]);
    await cli("lambda", "delete-function", "--function-name", name);
    assert.notEqual((await flint.aws(["lambda", "get-function", "--function-name", name, "--qualifier", "2"])).code, 0);
  });

  test("an alias through the CLI: create, invoke by name:alias, repoint", async () => {
    const name = uniqueName("cli-alias");
    await cli("lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "whoami.handler", "--role", ROLE, "--zip-file", `fileb://${dir}/one.zip`, "--publish");
    await cli("lambda", "wait", "function-active-v2", "--function-name", name);
    await cli("lambda", "update-function-code", "--function-name", name, "--zip-file", `fileb://${dir}/two.zip`, "--publish");
    await cli("lambda", "wait", "published-version-active", "--function-name", name, "--qualifier", "2");
    const created = await cli("lambda", "create-alias", "--function-name", name, "--name", "prod", "--function-version", "1", "--description", "what users get");
    assert.equal(created.AliasArn, arn(name, "prod"));
    assert.equal((await cliInvoke(`${name}:prod`)).payload.release, "one");
    const moved = await cli("lambda", "update-alias", "--function-name", name, "--name", "prod", "--function-version", "2");
    assert.equal(moved.FunctionVersion, "2");
    assert.notEqual(moved.RevisionId, created.RevisionId);
    const after = await cliInvoke(name, ["--qualifier", "prod"]);
    assert.equal(after.meta.ExecutedVersion, "2");
    assert.equal(after.payload.release, "two");
    assert.deepEqual((await cli("lambda", "list-aliases", "--function-name", name)).Aliases.map((a: any) => [a.Name, a.FunctionVersion]), [["prod", "2"]]);
    await cli("lambda", "delete-alias", "--function-name", name, "--name", "prod");
    assert.deepEqual((await cli("lambda", "list-aliases", "--function-name", name)).Aliases, []);
  });
});

describe("versions and aliases with the SDK", () => {
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint();
  });
  after(() => flint.stop());
  const waitUpdated = (name: string) => waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
  /** whoami with version 1 (release one, STAGE=one) and version 2 (release two, STAGE=two). */
  const twoVersions = async () => {
    const name = await createFunction(flint, await release("one"), "whoami.handler", { Environment: { Variables: { STAGE: "one" } }, Publish: true });
    await flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await release("two") }));
    await waitUpdated(name);
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { STAGE: "two" } } }));
    await waitUpdated(name);
    assert.equal((await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version, "2");
    return name;
  };

  test("a published version keeps its code and environment variables after $LATEST changes", async () => {
    const FunctionName = await createFunction(flint, await release("old"), "whoami.handler", { Environment: { Variables: { STAGE: "old" } }, Publish: true });
    assert.equal((await flint.lambda.send(new GetFunctionConfigurationCommand({ FunctionName, Qualifier: "1" }))).Version, "1");
    const v1Before = await invoke(flint, FunctionName, {}, { qualifier: "1" });
    assert.deepEqual([v1Before.payload.release, v1Before.payload.stage, v1Before.executedVersion], ["old", "old", "1"]);
    const latestBefore = await invoke(flint, FunctionName);

    await flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: await release("new") }));
    await waitUpdated(FunctionName);
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Environment: { Variables: { STAGE: "new" } } }));
    await waitUpdated(FunctionName);

    const latest = await invoke(flint, FunctionName);
    assert.deepEqual([latest.payload.release, latest.payload.stage, latest.executedVersion], ["new", "new", "$LATEST"]);
    assert.notEqual(latest.payload.envId, latestBefore.payload.envId, "updating $LATEST replaced its warm environment");
    const v1 = await invoke(flint, FunctionName, {}, { qualifier: "1" });
    assert.deepEqual([v1.payload.release, v1.payload.stage, v1.executedVersion], ["old", "old", "1"]);
    assert.equal(v1.payload.envId, v1Before.payload.envId, "version 1's warm environment was left alone");

    const [v1Config, latestConfig] = await Promise.all(["1", "$LATEST"].map((q) => flint.lambda.send(new GetFunctionConfigurationCommand({ FunctionName, Qualifier: q }))));
    assert.deepEqual(v1Config.Environment, { Variables: { STAGE: "old" } });
    assert.deepEqual(latestConfig.Environment, { Variables: { STAGE: "new" } });
    assert.notEqual(v1Config.CodeSha256, latestConfig.CodeSha256);
  });

  test("publishing: preconditions, unchanged code returns the newest version, UpdateFunctionCode with Publish", async () => {
    const name = await createFunction(flint, await release("one"), "whoami.handler");
    const current = (await flint.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!;
    assert.deepEqual(await refusal(flint.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: "not-the-hash" }))), {
      code: "InvalidParameterValueException",
      status: 400,
      message: `CodeSHA256 (not-the-hash) is different from current CodeSHA256 in $LATEST (${current.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
    });
    assert.deepEqual(await refusal(flint.lambda.send(new PublishVersionCommand({ FunctionName: name, RevisionId: "not-the-revision" }))), {
      code: "PreconditionFailedException",
      status: 412,
      message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    });
    const v1 = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: current.CodeSha256, RevisionId: current.RevisionId }));
    assert.equal(v1.Version, "1");
    const again = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    assert.deepEqual([again.Version, again.RevisionId], ["1", v1.RevisionId]);

    const v2 = await flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await release("two"), Publish: true }));
    assert.equal(v2.Version, "2");
    assert.equal(v2.FunctionArn, arn(name, "2"));
    await waitUntilFunctionActiveV2({ client: flint.lambda, ...WAITER }, { FunctionName: name, Qualifier: "2" });
    assert.equal((await invoke(flint, name, {}, { qualifier: "2" })).payload.release, "two");
    assert.equal((await invoke(flint, name, {}, { qualifier: "1" })).payload.release, "one");
    const versions = await flint.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 2 }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ["$LATEST", "1"]);
    const rest = await flint.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, Marker: versions.NextMarker }));
    assert.deepEqual(rest.Versions?.map((v) => v.Version), ["2"]);
    assert.equal(rest.NextMarker, undefined);
  });

  test("alias weights: over 1,000 invokes a 20% weight lands within the binomial 99.99% band; X-Amz-Executed-Version says which ran", async () => {
    const name = await twoVersions();
    const created = await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.2 } } }));
    assert.deepEqual(created.RoutingConfig, { AdditionalVersionWeights: { "2": 0.2 } });
    assert.deepEqual((await flint.lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }))).RoutingConfig, { AdditionalVersionWeights: { "2": 0.2 } });

    const [n, weight, lanes] = [1000, 0.2, 4];
    const executed: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = lane; i < n; i += lanes) {
          // By Qualifier and by the alias ARN, alternately.
          const r = i % 2 ? await invoke(flint, name, {}, { qualifier: "live" }) : await invoke(flint, arn(name, "live"));
          assert.equal(r.payload.version, r.executedVersion, "X-Amz-Executed-Version names the version that ran");
          assert.equal(r.payload.stage, { "1": "one", "2": "two" }[r.executedVersion!]);
          executed[r.executedVersion!] = (executed[r.executedVersion!] ?? 0) + 1;
        }
      }),
    );
    assert.deepEqual(Object.keys(executed).sort(), ["1", "2"]);
    assert.equal(executed["1"]! + executed["2"]!, n);
    const [lo, hi] = binomialBand(n, weight, 1e-4);
    assert.ok(lo <= executed["2"]! && executed["2"]! <= hi, `version 2 ran ${executed["2"]} times of ${n}; a ${weight} weight lands in [${lo}, ${hi}] with probability 99.99%`);

    // Without weights an alias sends everything to its version.
    await flint.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }));
    for (let i = 0; i < 20; i++) assert.equal((await invoke(flint, name, {}, { qualifier: "live" })).executedVersion, "2");
    const cli = await flint.aws(["lambda", "invoke", "--function-name", `${name}:live`, "/dev/null"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.json().ExecutedVersion, "2");
  });

  test("an alias of $LATEST follows $LATEST", async () => {
    const name = await createFunction(flint, await release("one"), "whoami.handler");
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "dev", FunctionVersion: "$LATEST" }));
    const r = await invoke(flint, name, {}, { qualifier: "dev" });
    assert.deepEqual([r.executedVersion, r.payload.release], ["$LATEST", "one"]);
    await flint.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await release("two") }));
    await waitUpdated(name);
    assert.equal((await invoke(flint, arn(name, "dev"))).payload.release, "two");
  });

  test("invalid requests get AWS's errors", async () => {
    const name = await twoVersions();
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    const alias = (FunctionVersion: string, weights?: Record<string, number>, Name = "other") =>
      flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name, FunctionVersion, ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}) }));
    const weightsOutOfRange = (shown: string) => ({
      code: "ValidationException",
      status: 400,
      message: `1 validation error detected: Value '${shown}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
    });
    const notFound = (qualifier: string) => ({ code: "ResourceNotFoundException", status: 404, message: `Function not found: ${arn(name, qualifier)}` });

    // Weighted routing from $LATEST, and weights outside 0–1.
    assert.deepEqual(await refusal(alias("$LATEST", { "1": 0.5 })), { code: "InvalidParameterValueException", status: 400, message: "$LATEST is not supported for an alias pointing to more than 1 version" });
    assert.deepEqual(await refusal(alias("1", { "2": 1.5 })), weightsOutOfRange("{2=1.5}"));
    assert.deepEqual(await refusal(alias("1", { "2": -0.1 })), weightsOutOfRange("{2=-0.1}"));
    assert.deepEqual(await refusal(alias("1", { "1": 0.5 })), {
      code: "InvalidParameterValueException",
      status: 400,
      message: "Invalid function version 1. Function version 1 is already included in routing configuration.",
    });
    assert.deepEqual(await refusal(flint.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "live", RoutingConfig: { AdditionalVersionWeights: { "2": 2 } } }))), weightsOutOfRange("{2=2.0}"));

    // Qualifiers that do not exist, wherever a qualifier is accepted.
    assert.deepEqual(await refusal(alias("9")), notFound("9"));
    assert.deepEqual(await refusal(alias("1", { "9": 0.1 })), notFound("9"));
    assert.deepEqual(await refusal(invoke(flint, name, {}, { qualifier: "9" })), notFound("9"));
    assert.deepEqual(await refusal(invoke(flint, arn(name, "nosuchalias"))), notFound("nosuchalias"));
    assert.deepEqual(await refusal(flint.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "9" }))), notFound("9"));
    assert.deepEqual(await refusal(flint.lambda.send(new GetAliasCommand({ FunctionName: name, Name: "nosuchalias" }))), {
      code: "ResourceNotFoundException",
      status: 404,
      message: `Cannot find alias arn: ${arn(name, "nosuchalias")}`,
    });
    assert.deepEqual(await refusal(flint.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "nosuchalias", FunctionVersion: "1" }))), {
      code: "ResourceNotFoundException",
      status: 404,
      message: `Alias not found: ${arn(name, "nosuchalias")}`,
    });

    // A version an alias points to cannot be deleted; once the alias is gone, it can.
    assert.deepEqual(await refusal(flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }))), {
      code: "ResourceConflictException",
      status: 409,
      message: "Unable to delete version because the following aliases reference it: [live]",
    });
    const viaCli = await flint.aws(["lambda", "delete-function", "--function-name", name, "--qualifier", "1"]);
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.stderr, /\(ResourceConflictException\) when calling the DeleteFunction operation: Unable to delete version because the following aliases reference it: \[live\]/);
    assert.equal((await invoke(flint, name, {}, { qualifier: "live" })).executedVersion, "1", "the version is still there");
    await flint.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "2" }));
    await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    assert.deepEqual(await refusal(invoke(flint, name, {}, { qualifier: "1" })), notFound("1"));
  });
});
