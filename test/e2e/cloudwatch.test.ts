/**
 * CloudWatch metrics through real clients against one real `flint serve`, in each protocol a
 * client speaks: the AWS CLI v2 2.9 and Debian's boto3 1.26 (query, XML), SDK v3 and boto3 1.43
 * (AWS JSON 1.0, errors with x-amzn-query-error), and boto3 1.43 made to prefer Smithy RPC v2 CBOR
 * (the first protocol of CloudWatch's current model; no installed client picks it by default).
 * Every operation, and AWS's errors for bad input, which change nothing.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { REGION, startFlint, TEST_CREDENTIALS, type FlintProcess } from "../harness/flint.js";
import { runPython } from "../harness/dynamodb.js";

/**
 * One client's tour in Python: puts (Value, Values/Counts, StatisticValues), then every read, then
 * the errors; prints what it saw as JSON. `protocol` "cbor" makes botocore prefer rpc-v2-cbor.
 */
const TOUR = `
import sys, json, datetime
arg = json.loads(sys.argv[1])
import botocore.model
if arg["protocol"] == "cbor":
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor",)
import boto3
from botocore.exceptions import ClientError
c = boto3.client("cloudwatch", endpoint_url=arg["endpoint"], region_name="us-east-1")
ns = arg["ns"]
now = datetime.datetime.now(datetime.timezone.utc)
minute = datetime.timedelta(minutes=1)
dims = [{"Name": "Api", "Value": "orders"}]
c.put_metric_data(Namespace=ns, MetricData=[
    {"MetricName": "Latency", "Dimensions": dims, "Value": 10, "Unit": "Milliseconds"},
    {"MetricName": "Latency", "Dimensions": dims, "Values": [20, 30], "Counts": [2, 1], "Unit": "Milliseconds"},
    {"MetricName": "Requests", "StatisticValues": {"SampleCount": 4, "Sum": 8, "Minimum": 1, "Maximum": 3}, "Unit": "Count"},
])
out = {"protocol": getattr(c.meta.service_model, "resolved_protocol", c.meta.service_model.protocol)}
out["metrics"] = sorted([m["MetricName"], m["Dimensions"]] for m in c.list_metrics(Namespace=ns)["Metrics"])
out["filtered"] = [m["MetricName"] for m in c.list_metrics(Namespace=ns, Dimensions=[{"Name": "Api"}])["Metrics"]]
s = c.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=now - 5 * minute, EndTime=now + minute, Period=60, Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"], Unit="Milliseconds")
out["statistics"] = [{k: v for k, v in d.items() if k != "Timestamp"} for d in s["Datapoints"]]
out["label"] = s["Label"]
p = c.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=now - 5 * minute, EndTime=now + minute, Period=300, ExtendedStatistics=["p0", "p100"])
out["percentiles"] = [d["ExtendedStatistics"] for d in p["Datapoints"]]
d = c.get_metric_data(StartTime=now - 5 * minute, EndTime=now + minute, MetricDataQueries=[
    {"Id": "sum", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}},
    {"Id": "req", "Label": "requests", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Requests"}, "Period": 60, "Stat": "Maximum"}},
])
out["data"] = [[r["Id"], r["Label"], r["Values"], r["StatusCode"], len(r["Timestamps"])] for r in d["MetricDataResults"]]
out["timestampsAreTimes"] = all(isinstance(t, datetime.datetime) for r in d["MetricDataResults"] for t in r["Timestamps"])
def error(f):
    try:
        f()
        return None
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
q = {"Id": "a", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency"}, "Period": 60, "Stat": "Sum"}}
out["errors"] = [
    error(lambda: c.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "Invocations", "Value": 1}])),
    error(lambda: c.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Bad", "Value": 1, "Values": [1]}])),
    error(lambda: c.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Bad", "Values": [1, 2], "Counts": [1]}])),
    error(lambda: c.get_metric_statistics(Namespace=ns, MetricName="Latency", StartTime=now, EndTime=now - minute, Period=60, Statistics=["Sum"])),
    error(lambda: c.get_metric_statistics(Namespace=ns, MetricName="Latency", StartTime=now - 1440 * minute, EndTime=now, Period=1, Statistics=["Sum"])),
    error(lambda: c.get_metric_data(StartTime=now, EndTime=now + minute, MetricDataQueries=[{"Id": "a", "Label": "e1"}])),
    error(lambda: c.get_metric_data(StartTime=now + minute, EndTime=now, MetricDataQueries=[q])),
    error(lambda: c.get_metric_data(StartTime=now, EndTime=now + minute, MetricDataQueries=[q], NextToken="not-a-token")),
    error(lambda: c.list_metrics(NextToken="not-a-token")),
]
out["afterErrors"] = sorted(m["MetricName"] for m in c.list_metrics(Namespace=ns)["Metrics"])
print(json.dumps(out))
`;

const ERRORS = [
  ["InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid.", 400],
  ["InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.", 400],
  ["InvalidParameterValue", "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.", 400],
  ["InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.", 400],
  ["InvalidParameterCombination", "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", 400],
  ["ValidationError", "The parameter MetricDataQueries.member.1.MetricStat is required.\n", 400],
  ["ValidationError", "The parameter EndTime must be greater than StartTime.", 400],
  ["InvalidNextToken", "The service couldn't process the NextToken provided.", 400],
  ["InvalidParameterValue", "Request parameter NextToken is invalid", 400],
];

describe("CloudWatch metrics", () => {
  let flint: FlintProcess;
  let sdk: CloudWatchClient;
  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"], executionRole: false });
    sdk = new CloudWatchClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    sdk?.destroy();
    await flint?.stop();
  });

  for (const [label, python, protocol] of [
    ["boto3 1.43 (AWS JSON 1.0)", "python3", "json"],
    ["boto3 1.43 made to speak rpc-v2-cbor", "python3", "cbor"],
    ["Debian boto3 1.26 (query)", "/usr/bin/python3", "query"],
  ] as const) {
    test(`${label}: every operation, and AWS's errors that change nothing`, async () => {
      const ns = `Tour/${protocol}`;
      const out = await runPython(python, TOUR, { endpoint: flint.endpoint, protocol, ns });
      assert.equal(out.protocol, protocol === "cbor" ? "smithy-rpc-v2-cbor" : protocol);
      assert.deepEqual(out.metrics, [["Latency", [{ Name: "Api", Value: "orders" }]], ["Requests", []]]);
      assert.deepEqual(out.filtered, ["Latency"]);
      assert.deepEqual(out.statistics, [{ SampleCount: 4, Sum: 80, Minimum: 10, Maximum: 30, Average: 20, Unit: "Milliseconds" }]);
      assert.equal(out.label, "Latency");
      assert.deepEqual(out.percentiles, [{ p0: 10, p100: 30 }]);
      assert.deepEqual(out.data, [["sum", "Latency", [80], "Complete", 1], ["req", "requests", [3], "Complete", 1]]);
      assert.equal(out.timestampsAreTimes, true);
      assert.deepEqual(out.errors, ERRORS);
      assert.deepEqual(out.afterErrors, ["Latency", "Requests"]);
    });
  }

  test("SDK v3 (AWS JSON 1.0): modelled exceptions by x-amzn-query-error, timestamps as Dates", async () => {
    const Namespace = "Sdk/App";
    await sdk.send(new PutMetricDataCommand({ Namespace, MetricData: [{ MetricName: "Duration", Values: [1, 2, 3, 4], Unit: "Seconds" }, { MetricName: "Duration", Value: 5, Unit: "Seconds" }] }));
    const now = Date.now();
    const range = { StartTime: new Date(now - 300_000), EndTime: new Date(now + 60_000) };
    const listed = await sdk.send(new ListMetricsCommand({ Namespace, RecentlyActive: "PT3H" }));
    assert.deepEqual(listed.Metrics, [{ Namespace, MetricName: "Duration", Dimensions: [] }]);
    const stats = await sdk.send(new GetMetricStatisticsCommand({ Namespace, MetricName: "Duration", ...range, Period: 300, Statistics: ["Sum", "SampleCount"] }));
    assert.equal(stats.Datapoints!.length, 1);
    assert.ok(stats.Datapoints![0]!.Timestamp instanceof Date);
    assert.deepEqual([stats.Datapoints![0]!.Sum, stats.Datapoints![0]!.SampleCount, stats.Datapoints![0]!.Unit], [15, 5, "Seconds"]);
    const metric = { Namespace, MetricName: "Duration" };
    const data = await sdk.send(new GetMetricDataCommand({ ...range, ScanBy: "TimestampAscending", MetricDataQueries: [{ Id: "avg", MetricStat: { Metric: metric, Period: 300, Stat: "Average" } }, { Id: "top", MetricStat: { Metric: metric, Period: 300, Stat: "p100" } }] }));
    assert.deepEqual(data.MetricDataResults!.map((r) => [r.Id, r.Values, r.StatusCode]), [["avg", [3], "Complete"], ["top", [5], "Complete"]]);
    await assert.rejects(sdk.send(new PutMetricDataCommand({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "Errors", Value: 1 }] })), (e: InvalidParameterValueException) => {
      assert.ok(e instanceof InvalidParameterValueException);
      assert.equal(e.message, "The value AWS/ for parameter Namespace is invalid.");
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });
    await assert.rejects(sdk.send(new GetMetricStatisticsCommand({ Namespace, MetricName: "Duration", ...range, Period: 60 })), (e: Error) => e instanceof InvalidParameterCombinationException && e.message === "Must specify either Statistics or ExtendedStatistics.");
    await assert.rejects(sdk.send(new PutMetricDataCommand({ Namespace, MetricData: [{ MetricName: "Bad", Value: 1, Unit: "Parsecs" as never }] })), (e: Error & { Code?: string }) => e.name === "ValidationException" && e.Code === "ValidationError" && /Value 'Parsecs' at 'metricData.1.member.unit'/.test(e.message));
    assert.equal((await sdk.send(new ListMetricsCommand({ Namespace }))).Metrics!.length, 1);
  });

  test("AWS CLI v2 (query): put, statistics, metric data, and an error", async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    // Each CLI run is seconds of Python start-up on this host: independent calls run together.
    const queries = JSON.stringify([{ Id: "hits", MetricStat: { Metric: { Namespace: "Cli/App", MetricName: "Hits", Dimensions: [{ Name: "Page", Value: "home" }] }, Period: 300, Stat: "SampleCount" } }]);
    const [put, refused] = await Promise.all([
      flint.aws(["cloudwatch", "put-metric-data", "--namespace", "Cli/App", "--metric-name", "Hits", "--dimensions", "Page=home", "--value", "7", "--unit", "Count", "--timestamp", iso(now)]),
      flint.aws(["cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "CPUUtilization", "--value", "1"]),
    ]);
    assert.equal(put.code, 0, put.stderr);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidParameterValue\) when calling the PutMetricData operation: The value AWS\/ for parameter Namespace is invalid\./);
    const [stats, data] = await Promise.all([
      flint.aws(["cloudwatch", "get-metric-statistics", "--namespace", "Cli/App", "--metric-name", "Hits", "--dimensions", "Name=Page,Value=home", "--start-time", iso(now - 300_000), "--end-time", iso(now + 60_000), "--period", "300", "--statistics", "Sum", "SampleCount", "Maximum"]),
      flint.aws(["cloudwatch", "get-metric-data", "--metric-data-queries", queries, "--start-time", iso(now - 300_000), "--end-time", iso(now + 60_000)]),
    ]);
    const [point] = stats.json().Datapoints;
    assert.deepEqual([point.Sum, point.SampleCount, point.Maximum, point.Unit], [7, 1, 7, "Count"]);
    assert.deepEqual(data.json().MetricDataResults.map((r: { Id: string; Values: number[]; StatusCode: string }) => [r.Id, r.Values, r.StatusCode]), [["hits", [1], "Complete"]]);
  });
});
