/**
 * Every page of the console: its URL pattern (under /_flint/console), the module that draws it
 * (loaded when first visited, so the first page loads only what it needs) and the view within it.
 */
import type { FunctionComponent } from "preact";

export interface PageProps {
  /** Which of the module's views the route names ("list", "detail", ...). */
  view: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export type PageModule = { default: FunctionComponent<PageProps> };

export interface Route {
  pattern: string;
  view: string;
  load: () => Promise<PageModule>;
}

const functions = () => import("./pages/functions");
const fn = () => import("./pages/function");
const invoke = () => import("./pages/invoke");
const logs = () => import("./pages/logs");
const timeline = () => import("./pages/timeline");
const metrics = () => import("./pages/metrics");
const queues = () => import("./pages/queues");
const topics = () => import("./pages/topics");
const streams = () => import("./pages/streams");
const tables = () => import("./pages/tables");
const mappings = () => import("./pages/mappings");
const apis = () => import("./pages/apis");
const iam = () => import("./pages/iam");
const explain = () => import("./pages/iam-explain");

export const ROUTES: Route[] = [
  { pattern: "/functions", view: "list", load: functions },
  { pattern: "/functions/:name", view: "detail", load: fn },
  { pattern: "/functions/:name/invoke", view: "invoke", load: invoke },
  { pattern: "/functions/:name/metrics", view: "function", load: metrics },
  { pattern: "/logs", view: "groups", load: logs },
  { pattern: "/logs/:group*", view: "group", load: logs },
  { pattern: "/events", view: "find", load: timeline },
  { pattern: "/events/:requestId", view: "event", load: timeline },
  { pattern: "/metrics", view: "account", load: metrics },
  { pattern: "/queues", view: "list", load: queues },
  { pattern: "/queues/:name", view: "queue", load: queues },
  { pattern: "/topics", view: "list", load: topics },
  { pattern: "/topics/:arn", view: "topic", load: topics },
  { pattern: "/streams", view: "list", load: streams },
  { pattern: "/streams/:name", view: "stream", load: streams },
  { pattern: "/tables", view: "list", load: tables },
  { pattern: "/tables/:name", view: "table", load: tables },
  { pattern: "/mappings", view: "list", load: mappings },
  { pattern: "/mappings/:uuid", view: "mapping", load: mappings },
  { pattern: "/apis", view: "list", load: apis },
  { pattern: "/apis/rest/:id", view: "rest", load: apis },
  { pattern: "/apis/http/:id", view: "http", load: apis },
  { pattern: "/iam", view: "overview", load: iam },
  { pattern: "/iam/roles/:name", view: "role", load: iam },
  { pattern: "/iam/users/:name", view: "user", load: iam },
  { pattern: "/iam/policies/:arn", view: "policy", load: iam },
  { pattern: "/iam/explain", view: "explain", load: explain },
];

/** The main navigation, in the order people look for things. */
export const NAV: { to: string; label: string }[] = [
  { to: "/functions", label: "Functions" },
  { to: "/logs", label: "Logs" },
  { to: "/events", label: "Async events" },
  { to: "/metrics", label: "Metrics" },
  { to: "/queues", label: "Queues" },
  { to: "/topics", label: "Topics" },
  { to: "/streams", label: "Streams" },
  { to: "/tables", label: "Tables" },
  { to: "/mappings", label: "Event source mappings" },
  { to: "/apis", label: "APIs and URLs" },
  { to: "/iam", label: "IAM" },
];
