/**
 * CloudWatch Logs through real clients against one real `flint serve`: every operation and its AWS
 * errors with the AWS CLI v2, @aws-sdk/client-cloudwatch-logs (StartLiveTail's event stream among
 * them) and boto3; `aws logs tail` with a filter pattern, and `--follow` seeing a line written
 * while it follows; a retention policy deleting old events; two nodes on one PostgreSQL database
 * seeing each other's logs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceNotFoundException,
  StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ACCOUNT, AWS_CLI_V2, awsClientEnv, cleanEnv, REGION, startFlint, TEST_CREDENTIALS, type FlintProcess, uniqueName } from "../harness/flint.js";
import { cliError, runPython } from "../harness/dynamodb.js";
import { startCluster } from "../harness/cluster.js";

const groupArn = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const logEvents = (messages: string[], at = Date.now()) => messages.map((message, i) => ({ timestamp: at + i, message }));

describe("CloudWatch Logs API", () => {
  let flint: FlintProcess;
  let logs: CloudWatchLogsClient;
  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"], executionRole: false });
    // StartLiveTail's model puts `streaming-` before the host; a local endpoint has none to prefix.
    logs = new CloudWatchLogsClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1, disableHostPrefix: true });
  });
  after(async () => {
    logs.destroy();
    await flint.stop();
  });

  /** The CLI v2's answer, parsed; fails the test when the command failed. */
  const aws = async (...args: string[]) => {
    const r = await flint.aws(["logs", ...args]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim() ? r.json() : {};
  };
  /** The CLI v2's error for a command that must fail. */
  const awsFails = async (...args: string[]) => cliError(await flint.aws(["logs", ...args]));
  const seed = async (group: string, streams: Record<string, string[]>, at = Date.now()) => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const [stream, messages] of Object.entries(streams)) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: logEvents(messages, at) }));
    }
  };

  test("AWS CLI v2: every operation, with AWS's errors", async () => {
    const group = uniqueName("/cli/app");
    const now = Date.now();
    const events = (messages: string[], at: number) => JSON.stringify(logEvents(messages, at));
    await aws("create-log-group", "--log-group-name", group, "--tags", "team=a");
    // Independent commands run side by side: each CLI start costs most of a core.
    const [exists, bad] = await Promise.all([
      awsFails("create-log-group", "--log-group-name", group),
      awsFails("create-log-group", "--log-group-name", "has space"),
      aws("create-log-stream", "--log-group-name", group, "--log-stream-name", "s1"),
      logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s2" })),
    ]);
    assert.deepEqual([exists.code, exists.message], ["ResourceAlreadyExistsException", "The specified log group already exists"]);
    assert.equal(bad.code, "InvalidParameterException");
    assert.match(bad.message, /^1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);

    const [put, described, noGroup] = await Promise.all([
      aws("put-log-events", "--log-group-name", group, "--log-stream-name", "s1", "--log-events", events(["INFO one", "ERROR two"], now)),
      aws("describe-log-groups", "--log-group-name-prefix", group),
      awsFails("create-log-stream", "--log-group-name", `${group}-none`, "--log-stream-name", "s1"),
      logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s2", logEvents: logEvents(["ERROR three"], now + 5) })),
    ]);
    assert.match(put.nextSequenceToken, /^\d{56}$/);
    assert.deepEqual(described.logGroups.map((g: { logGroupName: string; arn: string }) => [g.logGroupName, g.arn]), [[group, `${groupArn(group)}:*`]]);
    assert.deepEqual([noGroup.code, noGroup.message], ["ResourceNotFoundException", "The specified log group does not exist."]);

    const [got, filtered, streams] = await Promise.all([
      aws("get-log-events", "--log-group-name", group, "--log-stream-name", "s1", "--start-from-head"),
      aws("filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR"),
      aws("describe-log-streams", "--log-group-name", group, "--order-by", "LastEventTime", "--descending"),
      aws("put-retention-policy", "--log-group-name", group, "--retention-in-days", "7"),
    ]);
    assert.deepEqual(got.events.map((e: { message: string }) => e.message), ["INFO one", "ERROR two"]);
    assert.match(got.nextForwardToken, /^f\/\d{56}\/s$/);
    assert.deepEqual(filtered.events.map((e: { logStreamName: string; message: string }) => [e.logStreamName, e.message]), [["s1", "ERROR two"], ["s2", "ERROR three"]]);
    assert.equal(filtered.nextToken, undefined);
    assert.deepEqual(streams.logStreams.map((s: { logStreamName: string }) => s.logStreamName), ["s2", "s1"]);
    assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups![0]!.retentionInDays, 7);

    await Promise.all([
      aws("delete-retention-policy", "--log-group-name", group),
      aws("tag-log-group", "--log-group-name", group, "--tags", "env=dev"),
      aws("tag-resource", "--resource-arn", groupArn(group), "--tags", "cost=1"),
    ]);
    await Promise.all([aws("untag-resource", "--resource-arn", groupArn(group), "--tag-keys", "team"), aws("untag-log-group", "--log-group-name", group, "--tags", "env")]);
    const [byName, byArn] = await Promise.all([
      aws("list-tags-log-group", "--log-group-name", group),
      aws("list-tags-for-resource", "--resource-arn", groupArn(group)),
      aws("delete-log-stream", "--log-group-name", group, "--log-stream-name", "s2"),
    ]);
    assert.deepEqual([byName.tags, byArn.tags], [{ cost: "1" }, { cost: "1" }]);
    assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups![0]!.retentionInDays, undefined);
    await aws("delete-log-group", "--log-group-name", group);
    assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups, []);
  });

  test("SDK v3: AWS's errors and messages for what a request breaks", async () => {
    const group = uniqueName("/sdk/errors");
    await seed(group, { s: ["one"] });
    const now = Date.now();
    const fails = (sent: Promise<unknown>) =>
      sent.then(
        () => assert.fail("succeeded"),
        (err: Error) => [err.name, err.message],
      );
    const invalid = (message: string) => ["InvalidParameterException", message];
    assert.deepEqual(await fails(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: now, message: "b" }, { timestamp: now - 1, message: "a" }] }))), invalid("Log events in a single PutLogEvents request must be in chronological order."));
    assert.deepEqual(await fails(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: now - 90_000_000, message: "a" }, { timestamp: now, message: "b" }] }))), invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours."));
    assert.deepEqual(await fails(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "none", logEvents: logEvents(["x"]) }))), ["ResourceNotFoundException", "The specified log stream does not exist."]);
    assert.deepEqual(await fails(logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "{ $.a = " }))), invalid("Invalid filter pattern"));
    assert.deepEqual(await fails(logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", logStreamNamePrefix: "s" }))), invalid("Cannot order by LastEventTime with a logStreamNamePrefix."));
    assert.deepEqual(await fails(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s", nextToken: "f/1" }))), invalid("The specified nextToken is invalid."));
    const [code, message] = await fails(logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 })));
    assert.equal(code, "InvalidParameterException");
    assert.match(message!, /^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14/);
    assert.deepEqual(await fails(logs.send(new DeleteLogGroupCommand({ logGroupName: `${group}-none` }))), ["ResourceNotFoundException", "The specified log group does not exist."]);
    const tooNew = await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: now + 3 * 3_600_000, message: "future" }] }));
    assert.deepEqual(tooNew.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 0 });
  });

  test("aws logs tail --since 5m --filter-pattern prints the matching lines of every stream, and none older", async () => {
    const group = uniqueName("/tail/since");
    await seed(group, { a: ["GET /ok 200", "GET /bad 500"], b: ["POST /bad 500"] }, Date.now() - 60_000);
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "c" }));
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "c", logEvents: logEvents(["GET /old 500"], Date.now() - 10 * 60_000) }));
    const r = await flint.aws(["logs", "tail", group, "--since", "5m", "--filter-pattern", "500", "--format", "short"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.replace(/^\S+ /, ""));
    // In time order: b's line was written at the same time as a's first.
    assert.deepEqual(lines, ["POST /bad 500", "GET /bad 500"]);
  });

  test("aws logs tail --follow shows a line written while it follows", async () => {
    const group = uniqueName("/tail/follow");
    await seed(group, { s: ["first line"] });
    const child = spawn(AWS_CLI_V2, ["--endpoint-url", flint.endpoint, "--region", REGION, "logs", "tail", group, "--follow", "--since", "1h", "--format", "short"], {
      env: cleanEnv({ ...awsClientEnv(), AWS_PAGER: "" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const shows = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes(text)) return resolve();
          if (child.exitCode !== null) return reject(new Error(`aws logs tail exited: ${out}`));
          setTimeout(check, 50);
        };
        check();
      });
    try {
      await shows("first line");
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: logEvents(["written while following"]) }));
      await shows("written while following");
      assert.equal(out.split("first line").length, 2, "each line once");
    } finally {
      child.kill("SIGINT");
    }
    // What lets it sleep between polls: the last page of a read to the end carries no nextToken.
    const last = await logs.send(new FilterLogEventsCommand({ logGroupName: group, interleaved: true, startTime: Date.now() - 3_600_000 }));
    assert.equal(last.events?.length, 2);
    assert.equal(last.nextToken, undefined);
  });

  test("SDK v3: GetLogEvents pages to an unchanged token, FilterLogEvents pages, errors are typed", async () => {
    const group = uniqueName("/sdk/app");
    await seed(group, { a: ["a1", "a2", "a3"], b: ["b1", "b2"] });
    const pages: string[][] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "a", startFromHead: true, limit: 2, nextToken: token }));
      if (page.nextForwardToken === token) break;
      pages.push(page.events!.map((e) => e.message!));
      token = page.nextForwardToken;
    }
    assert.deepEqual(pages, [["a1", "a2"], ["a3"]]);
    const all: string[] = [];
    let next: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: groupArn(group), limit: 2, nextToken: next }));
      all.push(...page.events!.map((e) => `${e.logStreamName}:${e.message}`));
      next = page.nextToken;
    } while (next);
    assert.deepEqual(all, ["a:a1", "b:b1", "a:a2", "b:b2", "a:a3"]);
    await assert.rejects(logs.send(new GetLogEventsCommand({ logGroupName: `${group}-none`, logStreamName: "a" })), (err: Error) => {
      assert.ok(err instanceof ResourceNotFoundException);
      assert.equal(err.message, "The specified log group does not exist.");
      return true;
    });
  });

  test("SDK v3: StartLiveTail streams the lines written after it started", async () => {
    const group = uniqueName("/sdk/live");
    await seed(group, { s: ["ERROR before the tail"] });
    const abort = new AbortController();
    const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [groupArn(group)], logEventFilterPattern: "ERROR" }), { abortSignal: abort.signal });
    const seen: string[] = [];
    try {
      for await (const event of out.responseStream!) {
        if (event.sessionStart) {
          assert.deepEqual(event.sessionStart.logGroupIdentifiers, [groupArn(group)]);
          await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: logEvents(["INFO skipped", "ERROR live"]) }));
        }
        if (event.sessionUpdate) {
          seen.push(...event.sessionUpdate.sessionResults!.map((r) => `${r.logGroupIdentifier} ${r.logStreamName} ${r.message}`));
          break;
        }
      }
    } finally {
      abort.abort();
    }
    assert.deepEqual(seen, [`${groupArn(group)} s ERROR live`]);
    await assert.rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [groupArn(`${group}-none`)] })), ResourceNotFoundException);
  });

  test("boto3: every operation, and AWS's error codes", async () => {
    const group = uniqueName("/boto3/app");
    const script = `
import sys, json, time, boto3, botocore
from botocore.config import Config
a = json.loads(sys.argv[1])
# StartLiveTail's model puts "streaming-" before the host; a local endpoint has none to prefix.
logs = boto3.client("logs", endpoint_url=a["endpoint"], config=Config(inject_host_prefix=False))
g = a["group"]
arn = a["arn"]
logs.create_log_group(logGroupName=g, tags={"team": "a"})
logs.create_log_stream(logGroupName=g, logStreamName="s")
logs.create_log_stream(logGroupName=g, logStreamName="t")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(['{"level":"ERROR","latency":150}', '{"level":"ERROR","latency":50}', '{"level":"INFO","latency":500}'])])
got = logs.get_log_events(logGroupName=g, logStreamName="s", startFromHead=True)
pages = logs.get_paginator("filter_log_events").paginate(logGroupName=g, filterPattern='{ $.level = "ERROR" && $.latency > 100 }')
filtered = [e["message"] for p in pages for e in p["events"]]
streams = [s["logStreamName"] for p in logs.get_paginator("describe_log_streams").paginate(logGroupName=g, PaginationConfig={"PageSize": 1}) for s in p["logStreams"]]
logs.put_retention_policy(logGroupName=g, retentionInDays=30)
retention = logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0].get("retentionInDays")
logs.delete_retention_policy(logGroupName=g)
logs.tag_log_group(logGroupName=g, tags={"env": "dev"})
logs.tag_resource(resourceArn=arn, tags={"cost": "1"})
logs.untag_log_group(logGroupName=g, tags=["team"])
logs.untag_resource(resourceArn=arn, tagKeys=["env"])
tags = [logs.list_tags_log_group(logGroupName=g)["tags"], logs.list_tags_for_resource(resourceArn=arn)["tags"]]
live = []
for event in logs.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]:
    if "sessionStart" in event:
        logs.put_log_events(logGroupName=g, logStreamName="t", logEvents=[{"timestamp": int(time.time() * 1000), "message": "live"}])
    if "sessionUpdate" in event:
        live = [r["message"] for r in event["sessionUpdate"]["sessionResults"]]
        break
logs.delete_log_stream(logGroupName=g, logStreamName="t")
errors = {}
for name, call in [
    ("missing", lambda: logs.describe_log_streams(logGroupName=g + "-none")),
    ("retention", lambda: logs.put_retention_policy(logGroupName=g, retentionInDays=4)),
    ("stream gone", lambda: logs.delete_log_stream(logGroupName=g, logStreamName="t")),
]:
    try:
        call()
    except botocore.exceptions.ClientError as e:
        errors[name] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
logs.delete_log_group(logGroupName=g)
print(json.dumps({"got": [e["message"] for e in got["events"]], "filtered": filtered, "streams": streams, "live": live, "retention": retention, "tags": tags, "errors": errors}))
`;
    const out = await runPython("python3", script, { endpoint: flint.endpoint, group, arn: groupArn(group) });
    assert.equal(out.got.length, 3);
    assert.deepEqual(out.filtered, ['{"level":"ERROR","latency":150}']);
    assert.deepEqual(out.streams, ["s", "t"]);
    assert.deepEqual(out.live, ["live"]);
    assert.equal(out.retention, 30);
    assert.deepEqual(out.tags, [{ cost: "1" }, { cost: "1" }]);
    assert.deepEqual(Object.keys(out.errors), ["missing", "retention", "stream gone"]);
    assert.deepEqual(out.errors.missing, ["ResourceNotFoundException", "The specified log group does not exist.", 400]);
    assert.equal(out.errors.retention[0], "InvalidParameterException");
    assert.deepEqual(out.errors["stream gone"], ["ResourceNotFoundException", "The specified log stream does not exist.", 400]);
  });

  test("a user may do to a log group only what its policy allows, written as AWS's policies name groups", async () => {
    const [allowed, other] = [uniqueName("/iam/allowed"), uniqueName("/iam/other")];
    await seed(allowed, { s: ["visible"] });
    await seed(other, { s: ["hidden"] });
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const UserName = uniqueName("reader");
    let user: CloudWatchLogsClient;
    try {
      await iam.send(new CreateUserCommand({ UserName }));
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:FilterLogEvents", "logs:PutLogEvents"], Resource: `${groupArn(allowed)}:*` }] };
      await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: "reader", PolicyDocument: JSON.stringify(policy) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
      user = new CloudWatchLogsClient({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, maxAttempts: 1 });
    } finally {
      iam.destroy();
    }
    try {
      await user.send(new PutLogEventsCommand({ logGroupName: allowed, logStreamName: "s", logEvents: logEvents(["by the user"]) }));
      assert.deepEqual((await user.send(new FilterLogEventsCommand({ logGroupName: allowed }))).events!.map((e) => e.message), ["visible", "by the user"]);
      await assert.rejects(user.send(new FilterLogEventsCommand({ logGroupName: other })), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.match(err.message, new RegExp(`logs:FilterLogEvents on resource: ${groupArn(other)}:log-stream:`));
        return true;
      });
      await assert.rejects(user.send(new DescribeLogGroupsCommand({})), { name: "AccessDeniedException" });
    } finally {
      user.destroy();
    }
  });

  test("a retention policy deletes the events older than it", async () => {
    const group = uniqueName("/retention/app");
    const day = 86_400_000;
    await seed(group, { s: ["three days old", "still three days old"] }, Date.now() - 3 * day);
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: logEvents(["fresh"]) }));
    await aws("put-retention-policy", "--log-group-name", group, "--retention-in-days", "1");
    const left = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    assert.deepEqual(left.events!.map((e) => e.message), ["fresh"]);
  });
});

describe("CloudWatch Logs on two nodes of one PostgreSQL database", () => {
  test("what one node stores, the other lists, reads, filters and live-tails", async () => {
    const cluster = await startCluster(2, { args: ["--spares", "0"] });
    const [one, two] = cluster.nodes.map((n) => new CloudWatchLogsClient({ endpoint: n.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1, disableHostPrefix: true }));
    const abort = new AbortController();
    try {
      const group = uniqueName("/cluster/app");
      await one!.send(new CreateLogGroupCommand({ logGroupName: group }));
      await one!.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
      await one!.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: logEvents(["from node one"]) }));
      assert.deepEqual((await two!.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups!.map((g) => g.logGroupName), [group]);
      assert.deepEqual((await two!.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s" }))).events!.map((e) => e.message), ["from node one"]);
      const tail = await two!.send(new StartLiveTailCommand({ logGroupIdentifiers: [groupArn(group)] }), { abortSignal: abort.signal });
      for await (const event of tail.responseStream!) {
        if (event.sessionStart) await one!.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: logEvents(["live from node one"]) }));
        if (event.sessionUpdate) {
          assert.deepEqual(event.sessionUpdate.sessionResults!.map((r) => r.message), ["live from node one"]);
          break;
        }
      }
      assert.deepEqual((await two!.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "live" }))).events!.map((e) => e.message), ["live from node one"]);
    } finally {
      abort.abort();
      one!.destroy();
      two!.destroy();
      await cluster.stop();
    }
  });
});
