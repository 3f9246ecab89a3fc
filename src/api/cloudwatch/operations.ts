/**
 * Every CloudWatch operation Flint serves: request members (decoded from any of the three
 * protocols) → one service call → result members. Timestamps in results are Dates, which each
 * protocol writes its own way (shapes.ts).
 */
import type { CloudWatchService } from "../../services/cloudwatch/service.js";
import { decodeGetMetricData, decodeGetMetricStatistics, decodeListMetrics, decodePutMetricData } from "../../services/cloudwatch/inputs.js";

type Members = Record<string, unknown>;

export type Operation = (cw: CloudWatchService, m: Members) => Promise<Members | undefined>;

export const OPERATIONS: Record<string, Operation> = {
  async PutMetricData(cw, m) {
    await cw.putMetricData(decodePutMetricData(m));
    return undefined;
  },
  async ListMetrics(cw, m) {
    return { ...(await cw.listMetrics(decodeListMetrics(m))) };
  },
  async GetMetricStatistics(cw, m) {
    const r = await cw.getMetricStatistics(decodeGetMetricStatistics(m));
    return { Label: r.Label, Datapoints: r.Datapoints.map((d) => ({ ...d, Timestamp: new Date(d.Timestamp) })) };
  },
  async GetMetricData(cw, m) {
    const r = await cw.getMetricData(decodeGetMetricData(m));
    return { ...r, MetricDataResults: r.MetricDataResults.map((q) => ({ ...q, Timestamps: q.Timestamps.map((t) => new Date(t)) })) };
  },
};
