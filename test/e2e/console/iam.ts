/**
 * IAM: a user who may only read functions and metrics signs in in a browser of their own: the
 * functions page works for them, the IAM page shows IAM's refusal as IAM gave it. As root: the roles
 * list, a role's trust policy, and the policy explainer on that user's calls (one implicitly
 * denied, one allowed by the statement shown).
 */
import assert from "node:assert/strict";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { screenshot, signIn } from "../../harness/browser.js";
import type { ConsoleContext } from "./context.js";

const READER_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Sid: "ReadFunctions", Effect: "Allow", Action: ["lambda:List*", "lambda:Get*", "cloudwatch:GetMetricData", "sts:GetCallerIdentity"], Resource: "*" }],
};

export async function iamScenario({ flint, browser, page, base, shot }: ConsoleContext): Promise<void> {
  const userName = uniqueName("console-reader");
  const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  let userArn: string;
  let key: { accessKeyId: string; secretAccessKey: string };
  try {
    userArn = (await iam.send(new CreateUserCommand({ UserName: userName }))).User!.Arn!;
    await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: "read-functions", PolicyDocument: JSON.stringify(READER_POLICY) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    key = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }

  // The reader, in a browser context of their own.
  const reader = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const readerPage = await reader.newPage();
    await signIn(readerPage, flint.endpoint, key);
    // Their functions page works: the list, and once every row on screen has its answers (its state,
    // lambda:GetFunctionConfiguration; its counts, cloudwatch:GetMetricData), no refusal.
    await readerPage.getByRole("table", { name: /^\d[\d,]* functions?$/ }).waitFor();
    const columns = await readerPage.getByRole("columnheader").allTextContents();
    const [stateAt, invocationsAt] = [columns.indexOf("State"), columns.indexOf("Invocations (1 h)")];
    assert.ok(stateAt >= 0 && invocationsAt >= 0, columns.join(", "));
    await readerPage.waitForFunction(
      ([s, i]) => {
        const rows = [...document.querySelectorAll("main table tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
        return rows.length > 0 && rows.every((cells) => cells.length > i && cells[s] !== "—" && cells[i] !== "—");
      },
      [stateAt, invocationsAt] as const,
    );
    assert.deepEqual(await readerPage.getByRole("alert").allTextContents(), []);
    const states = await readerPage.locator("main table tbody tr").evaluateAll((trs, s) => trs.map((tr) => tr.querySelectorAll("td")[s]?.textContent), stateAt);
    assert.ok(states.every((s) => s === "Active" || s === "Pending" || s === "Inactive" || s === "Failed"), states.join(", "));
    await readerPage.goto(`${base}/iam`);
    const refusal = readerPage.getByRole("alert");
    await refusal.waitFor();
    const text = (await refusal.textContent())!;
    assert.match(text, /AccessDenied/);
    assert.match(text, /\(HTTP 403\)/);
    assert.ok(text.includes(`User: ${userArn} is not authorized to perform: iam:ListRoles`), text);
    await screenshot(readerPage, "iam-refused");
  } finally {
    await reader.close();
  }

  // As root: the roles, with the test's execution role and who trusts it.
  await page.goto(`${base}/iam`);
  await page.getByRole("heading", { level: 1, name: "IAM" }).waitFor();
  assert.equal(await page.getByRole("tab", { name: "Roles" }).getAttribute("aria-selected"), "true");
  const roleRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "flint-test", exact: true }) });
  await roleRow.waitFor();
  assert.deepEqual((await roleRow.getByRole("cell").allTextContents()).filter((_, i) => i !== 2), ["flint-test", "arn:aws:iam::000000000000:role/flint-test", "lambda.amazonaws.com"]);
  // The users tab has its URL, and lists the reader.
  await page.getByRole("tab", { name: "Users" }).click();
  await page.waitForURL(/\/iam\?tab=users$/);
  await page.getByRole("link", { name: userName }).waitFor();
  await page.getByRole("tab", { name: "Roles" }).click();
  await roleRow.waitFor();
  await shot("iam");

  await roleRow.getByRole("link", { name: "flint-test" }).click();
  await page.getByRole("heading", { level: 1, name: "Role flint-test" }).waitFor();
  const trust = JSON.parse((await page.getByLabel("Trust policy document").textContent())!);
  assert.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
  await page.getByRole("link", { name: "AWSLambdaBasicExecutionRole" }).waitFor();
  const inline = JSON.parse((await page.getByLabel("Inline policy destinations").textContent())!);
  assert.deepEqual(inline.Statement[0].Action, ["sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"]);
  await shot("iam-role");
  // The attached managed policy's page: its default version's document.
  await page.getByRole("link", { name: "AWSLambdaBasicExecutionRole" }).click();
  await page.getByRole("heading", { level: 1, name: "Policy AWSLambdaBasicExecutionRole" }).waitFor();
  const managed = JSON.parse((await page.getByLabel(/^Policy AWSLambdaBasicExecutionRole version v\d+$/).textContent())!);
  assert.deepEqual([managed.Statement].flat()[0].Action, ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
  await page.getByRole("table", { name: /version/ }).getByRole("row").filter({ hasText: "yes (in force)" }).waitFor();
  await shot("iam-policy");

  // The reader's page: its access key's id and status, never a secret; its inline policy.
  await page.goto(`${base}/iam/users/${userName}`);
  await page.getByRole("heading", { level: 1, name: `User ${userName}` }).waitFor();
  const keyRow = page.getByRole("row").filter({ hasText: key.accessKeyId });
  await keyRow.waitFor();
  assert.deepEqual((await keyRow.getByRole("cell").allTextContents()).slice(0, 2), [key.accessKeyId, "Active"]);
  assert.deepEqual(JSON.parse((await page.getByLabel("Inline policy read-functions").textContent())!), READER_POLICY);
  assert.ok(!(await page.content()).includes(key.secretAccessKey));
  await shot("iam-user");

  // The explainer: the reader may not list queues (no statement allows it)...
  await page.goto(`${base}/iam/explain`);
  await page.getByRole("heading", { level: 1, name: "Policy explainer" }).waitFor();
  await page.getByLabel("Principal ARN").fill(userArn);
  await page.getByLabel("Action", { exact: true }).fill("sqs:ListQueues");
  await page.getByLabel("Resource ARN").fill("*");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByText("Implicitly denied", { exact: true }).waitFor();
  await page.getByText("No statement allows it (and none denies it), so it is denied by default.").waitFor();
  await page.getByText(`User: ${userArn} is not authorized to perform: sqs:ListQueues`, { exact: false }).waitFor();
  assert.match(page.url(), /\/iam\/explain\?principal=arn%3Aaws%3Aiam%3A%3A000000000000%3Auser%2Fconsole-reader-[a-z0-9]+&action=sqs%3AListQueues&resource=\*$/);
  // ...and may list functions, by the statement of its inline policy, shown.
  await page.getByLabel("Action", { exact: true }).fill("lambda:ListFunctions");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByText("Allowed", { exact: true }).waitFor();
  const matched = page.getByLabel("Matched statement");
  await matched.waitFor();
  assert.deepEqual(JSON.parse((await matched.textContent())!), READER_POLICY.Statement[0]);
  const decided = page.getByRole("region", { name: "The statement that decided" });
  const facts = await decided.locator("dl.kv > div").allTextContents();
  assert.deepEqual(facts, [`Policyinline policy read-functions of user ${userName}`, "Kindidentity-based policy", "StatementSid “ReadFunctions”, statement 1 of 1", "EffectAllow"]);
  await shot("iam-explain");
  // The question is in the URL: Back shows the first answer again.
  await page.goBack();
  await page.getByText("Implicitly denied", { exact: true }).waitFor();
}
