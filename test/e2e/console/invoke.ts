/**
 * A function's page and its invoke page, driven as a user would: the function is made with the SDK
 * (a version, a weighted alias, reserved concurrency, an event invoke config with a destination, a
 * policy statement, tags and environment), and the page must show those values; the invoke page runs
 * the function and shows its response, log tail and REPORT numbers, keeps test events across a
 * reload, queues an async event, and refuses to send a payload that is not JSON.
 */
import assert from "node:assert/strict";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionUrlConfigCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { createFunction, WAITER } from "../../harness/functions.js";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { createExecutionRole } from "../../harness/permissions.js";
import { zipFiles, zipFixture } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

export async function functionPageScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  // A destination queue; a source queue for an event source mapping, and a role that may read it.
  const queue = uniqueName("console-dest");
  const source = uniqueName("console-src");
  const roleName = uniqueName("console-role");
  const sqs = new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const [role] = await Promise.all([
    createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], roleName, ["AWSLambdaSQSQueueExecutionRole"]),
    sqs.send(new CreateQueueCommand({ QueueName: queue })),
    sqs.send(new CreateQueueCommand({ QueueName: source, Attributes: { VisibilityTimeout: "900" } })),
  ]).finally(() => sqs.destroy());
  const name = await createFunction(flint, await zipFixture("nodejs"), "echo.handler", {
    FunctionName: uniqueName("console-fn"),
    Role: role,
    MemorySize: 192,
    Environment: { Variables: { GREETING: "hello-from-env", MODE: "test" } },
    Tags: { team: "flint-console" },
  });
  const lambda = flint.lambda;
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${queue}`;
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "second" }));
  await waitUntilFunctionUpdatedV2({ client: lambda, ...WAITER }, { FunctionName: name });
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } }));
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 7 }));
  await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600, DestinationConfig: { OnFailure: { Destination: queueArn } } }));
  const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "AWS_IAM", Cors: { AllowOrigins: ["https://example.com"] } }));
  const mapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: `arn:aws:sqs:us-east-1:000000000000:${source}`, BatchSize: 5, Enabled: false }));
  await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "allow-sns-console", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" }));

  await page.goto(`${base}/functions/${encodeURIComponent(name)}`);
  await page.getByRole("heading", { level: 1, name }).waitFor();
  const main = page.getByRole("main");
  // Configuration (the first tab): runtime, handler, memory, and the role as a link to its IAM page.
  const general = page.getByRole("region", { name: "General" });
  await general.getByText("echo.handler").waitFor();
  await general.getByText("192 MB").waitFor();
  assert.equal(await general.getByRole("link", { name: role }).getAttribute("href"), `/_flint/console/iam/roles/${roleName}`);
  assert.equal(await main.getByRole("link", { name: "Logs", exact: true }).getAttribute("href"), `/_flint/console/logs/${encodeURIComponent(`/aws/lambda/${name}`)}`);
  assert.equal(await main.getByRole("link", { name: "Invoke", exact: true }).getAttribute("href"), `/_flint/console/functions/${name}/invoke`);
  await shot("function");

  // The code download: a real link, same origin, answering a zip.
  const download = page.getByRole("link", { name: "Download code" });
  assert.equal(await download.getAttribute("download"), `${name}.zip`);
  const href = (await download.getAttribute("href"))!;
  assert.equal(new URL(href).origin, flint.endpoint);
  const zip = await fetch(href);
  assert.equal(zip.status, 200);
  assert.deepEqual([...new Uint8Array(await zip.arrayBuffer()).slice(0, 2)], [0x50, 0x4b], "a zip (PK)");

  // Environment: the values shown.
  await page.getByRole("tab", { name: "Environment" }).click();
  assert.match(page.url(), /\?tab=environment$/);
  const envRow = page.getByRole("row").filter({ hasText: "GREETING" });
  await envRow.waitFor();
  assert.deepEqual(await envRow.getByRole("cell").allTextContents(), ["GREETING", "hello-from-env"]);

  // Versions and aliases: the alias's weights.
  await page.getByRole("tab", { name: "Versions and aliases" }).click();
  const alias = page.getByRole("row").filter({ has: page.getByRole("cell", { name: "live", exact: true }) });
  await alias.waitFor();
  assert.deepEqual((await alias.getByRole("cell").allTextContents()).slice(0, 3), ["live", "1", "1: 90%, 2: 10%"]);
  await page.getByRole("table", { name: "3 versions (with $LATEST)" }).waitFor();

  // Concurrency: the reserved number.
  await page.getByRole("tab", { name: "Concurrency" }).click();
  await page.getByRole("region", { name: "Reserved concurrency" }).getByText("7", { exact: true }).waitFor();
  await page.getByRole("table", { name: "0 provisioned concurrency configurations" }).waitFor();

  // Asynchronous invocation: retries, age, and the destination linked to its queue's page.
  await page.getByRole("tab", { name: "Asynchronous invocation" }).click();
  const eic = page.getByRole("row").filter({ hasText: "$LATEST" });
  await eic.waitFor();
  const cells = await eic.getByRole("cell").allTextContents();
  assert.deepEqual(cells.slice(0, 3), ["$LATEST", "1", "600 s"]);
  assert.equal(await eic.getByRole("link", { name: queueArn }).getAttribute("href"), `/_flint/console/queues/${queue}`);

  // The resource-based policy's statement.
  await page.getByRole("tab", { name: "Resource-based policy" }).click();
  const stmt = page.getByRole("row").filter({ hasText: "allow-sns-console" });
  await stmt.waitFor();
  assert.match((await stmt.getByRole("cell").allTextContents()).join(" "), /sns\.amazonaws\.com.*lambda:InvokeFunction/);
  await page.getByLabel("Policy document").filter({ hasText: '"Sid": "allow-sns-console"' }).waitFor();
  // The alias's own policy.
  await page.getByLabel("Policy of").selectOption("live");
  await page.getByText("No resource-based policy on live").waitFor();
  assert.match(page.url(), /[?&]qualifier=live/);

  // The function URL, its auth type and CORS.
  await page.getByRole("tab", { name: "Function URL" }).click();
  const urlLink = page.getByRole("link", { name: url.FunctionUrl! });
  await urlLink.waitFor();
  assert.equal(await urlLink.getAttribute("href"), url.FunctionUrl);
  await page.getByText("AWS_IAM").waitFor();
  await page.getByLabel("CORS configuration").filter({ hasText: "https://example.com" }).waitFor();

  // The event source mapping, linked to its page.
  await page.getByRole("tab", { name: "Event source mappings" }).click();
  const mappingRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: mapping.UUID! }) });
  await mappingRow.waitFor();
  assert.equal(await mappingRow.getByRole("link", { name: mapping.UUID! }).getAttribute("href"), `/_flint/console/mappings/${mapping.UUID}`);
  const mappingCells = await mappingRow.getByRole("cell").allTextContents();
  assert.equal(mappingCells[2], `arn:aws:sqs:us-east-1:000000000000:${source}`);
  assert.equal(mappingCells[3], "5");

  // Tags.
  await page.getByRole("tab", { name: "Tags" }).click();
  const tag = page.getByRole("row").filter({ hasText: "team" });
  await tag.waitFor();
  assert.deepEqual(await tag.getByRole("cell").allTextContents(), ["team", "flint-console"]);
  assert.equal(await page.getByRole("alert").count(), 0, "no call was refused");

  // Its only statement removed, the function has no policy: an empty state (GetPolicy's
  // ResourceNotFoundException), not an error.
  await lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "allow-sns-console" }));
  await page.goto(`${base}/functions/${name}?tab=policy`);
  await page.getByText("No resource-based policy").waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
}

export async function invokeScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const source = `exports.handler = async (event) => { if (event.fail) throw new Error("boom-xyz"); console.log("marker-xyz", JSON.stringify(event)); return { got: event, ok: true }; };`;
  const name = await createFunction(flint, await zipFiles({ "index.js": source }), "index.handler", { FunctionName: uniqueName("console-invoke"), MemorySize: 256 });
  await page.goto(`${base}/functions/${name}/invoke`);
  await page.getByRole("heading", { level: 1, name: `Invoke ${name}` }).waitFor();
  const editor = page.getByLabel("Event payload (JSON)");
  await editor.fill('{"hello": "console"}');
  await page.getByRole("button", { name: "Invoke" }).click();

  const result = page.getByRole("region", { name: "Result" });
  await result.getByText("Succeeded").waitFor();
  const response = JSON.parse((await result.getByLabel("Response payload").textContent())!);
  assert.deepEqual(response, { got: { hello: "console" }, ok: true });
  const tail = (await result.getByLabel("Log tail").textContent())!;
  assert.match(tail, /marker-xyz \{"hello":"console"\}/);
  assert.match(tail, /REPORT RequestId:/);
  const kv = async (label: string) => (await result.locator(".kv div").filter({ has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) }).locator("dd").textContent())!;
  assert.equal(await kv("Status code"), "200");
  assert.equal(await kv("Executed version"), "$LATEST");
  assert.match(await kv("Duration"), /^[0-9.]+ ms$/);
  assert.match(await kv("Billed duration"), /^[0-9]+ ms$/);
  assert.equal(await kv("Memory size"), "256 MB");
  assert.match(await kv("Max memory used"), /^[0-9]+ MB$/);
  await shot("invoke");

  // A saved test event survives a reload and loads back into the editor.
  await editor.fill('{"saved": 42}');
  await page.getByLabel("Test event name").fill("forty-two");
  await page.getByRole("button", { name: "Save test event" }).click();
  await page.getByText("Saved “forty-two”.").waitFor();
  await page.reload();
  await page.getByRole("heading", { level: 1, name: `Invoke ${name}` }).waitFor();
  assert.notEqual(await editor.inputValue(), '{"saved": 42}');
  await page.getByLabel("Saved test event", { exact: true }).selectOption("forty-two");
  await page.getByRole("button", { name: "Load test event" }).click();
  assert.equal(await editor.inputValue(), '{"saved": 42}');
  // ... and can be deleted.
  await page.getByRole("button", { name: "Delete test event" }).click();
  await page.getByText("Deleted “forty-two”.").waitFor();
  assert.deepEqual(await page.getByLabel("Saved test event", { exact: true }).locator("option").allTextContents(), ["None saved yet"]);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: `Invoke ${name}` }).waitFor();
  assert.deepEqual(await page.getByLabel("Saved test event", { exact: true }).locator("option").allTextContents(), ["None saved yet"]);

  // Asynchronous: 202, the request id, and its timeline.
  await page.getByRole("radio", { name: "Asynchronous (Event)" }).check();
  assert.match(page.url(), /[?&]type=Event/);
  await page.getByRole("button", { name: "Invoke" }).click();
  const timeline = result.getByRole("link", { name: "Follow this event on its timeline" });
  await timeline.waitFor();
  assert.equal(await kv("Status code"), "202");
  const requestId = (await kv("Request id")).trim();
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  assert.equal(await timeline.getAttribute("href"), `/_flint/console/events/${requestId}`);

  // Not JSON: a parse error, and nothing sent (the last result stays, no new request goes out).
  let sent = 0;
  const count = (req: { url(): string }) => void (new URL(req.url()).pathname.includes("/invocations") && sent++);
  page.on("request", count);
  try {
    await editor.fill('{"broken": ');
    await page.getByRole("button", { name: "Invoke" }).click();
    await page.getByRole("alert").filter({ hasText: "Not valid JSON" }).waitFor();
    assert.equal(await editor.getAttribute("aria-invalid"), "true");
    assert.equal(sent, 0);
  } finally {
    page.off("request", count);
  }

  // The function throws: its error is the result, shown as a failure.
  await page.getByRole("radio", { name: "Synchronous (RequestResponse)" }).check();
  await editor.fill('{"fail": true}');
  await page.getByRole("button", { name: "Invoke" }).click();
  await result.getByRole("alert").filter({ hasText: "Function error: Unhandled" }).waitFor();
  assert.match((await result.getByLabel("Response payload").textContent())!, /"errorMessage": "boom-xyz"/);

  // Lambda refuses the call (reserved concurrency 0): the API's error as it gave it.
  await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
  await page.getByRole("button", { name: "Invoke" }).click();
  const refused = page.getByRole("alert").filter({ hasText: "TooManyRequestsException" });
  await refused.waitFor();
  assert.match((await refused.textContent())!, /HTTP 429/);
}
