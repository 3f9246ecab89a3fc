/**
 * Functions: every function, loaded page by page (the first page shows as soon as it arrives, the
 * rest fill in behind it for search), with the state and last hour's invocations and errors of the
 * rows on screen.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type FunctionConfiguration, LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { type ApiError, apiError, call, client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { type Column, DataTable, ErrorBox, Loading, PageHeader, fmtNumber, fmtTime } from "../ui/ui";
import { itemsOf, useStreamedList } from "../ui/async";

interface Row {
  fn: FunctionConfiguration;
  state?: string;
  invocations?: number;
  errors?: number;
}

const HOUR = 3_600_000;

/** What search looks at, and each row's key: the same functions every render (the table's memo holds). */
const nameOf = (r: Row) => r.fn.FunctionName!;

const COLUMNS: Column<Row>[] = [
  { label: "Name", render: (r) => <Link to={`/functions/${seg(r.fn.FunctionName!)}`}>{r.fn.FunctionName}</Link> },
  { label: "Runtime", value: (r) => r.fn.Runtime ?? (r.fn.PackageType === "Image" ? "image" : undefined) },
  { label: "Memory (MB)", value: (r) => r.fn.MemorySize, numeric: true },
  { label: "State", value: (r) => r.state },
  { label: "Last modified", value: (r) => fmtTime(r.fn.LastModified) },
  { label: "Invocations (1 h)", value: (r) => fmtNumber(r.invocations), numeric: true },
  { label: "Errors (1 h)", render: (r) => <span class={r.errors ? "bad" : undefined}>{fmtNumber(r.errors)}</span>, numeric: true },
];

/** How long the rows on screen must stay put (typing in the search, paging) before their details are asked. */
const SETTLE_MS = 150;

export default function Functions(_: PageProps) {
  const { items: functions, done, error } = useStreamedList(() => itemsOf(paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {}), (p) => p.Functions), []);
  const [extra, setExtra] = useState<Record<string, Omit<Row, "fn">>>({});
  const [countsError, setCountsError] = useState<ApiError>();
  const [stateError, setStateError] = useState<ApiError>();
  // Names whose counts / state were asked (or are being asked); a failed ask is forgotten, so the
  // row is asked again the next time it shows.
  const askedCounts = useRef(new Set<string>());
  const askedStates = useRef(new Set<string>());
  const live = useRef(true);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      clearTimeout(settle.current);
    };
  }, []);

  // What only the rows on screen need: their state and their last hour's counts, asked once each,
  // once the rows have stayed on screen a moment (the page is drawn and usable first, and a search
  // typed a letter at a time asks only for what it ends on), a few calls at a time.
  function onVisible(visible: Row[]) {
    clearTimeout(settle.current);
    const names = visible.map(nameOf);
    settle.current = setTimeout(() => {
      if (live.current) void details(names);
    }, SETTLE_MS);
  }

  async function details(visible: string[]) {
    const countNames = visible.filter((n) => !askedCounts.current.has(n));
    const stateNames = visible.filter((n) => !askedStates.current.has(n));
    for (const n of countNames) askedCounts.current.add(n);
    for (const n of stateNames) askedStates.current.add(n);
    await Promise.all([counts(countNames), states(stateNames)]);
  }

  async function counts(names: string[]) {
    if (names.length === 0) return;
    const now = Date.now();
    const queries: MetricDataQuery[] = names.flatMap((name, i) =>
      (["Invocations", "Errors"] as const).map((metric) => ({
        Id: `${metric === "Invocations" ? "i" : "e"}${i}`,
        MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: metric, Dimensions: [{ Name: "FunctionName", Value: name }] }, Period: 3600, Stat: "Sum" },
        ReturnData: true,
      })),
    );
    try {
      const out = await call(client(CloudWatchClient).send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(now - HOUR), EndTime: new Date(now + 60_000) })));
      if (!live.current) return;
      const found: Record<string, Omit<Row, "fn">> = {};
      names.forEach((name, i) => {
        const sum = (id: string) => (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
        found[name] = { invocations: sum(`i${i}`), errors: sum(`e${i}`) };
      });
      setExtra((x) => merge(x, found));
      setCountsError(undefined);
    } catch (err) {
      for (const n of names) askedCounts.current.delete(n);
      if (live.current) setCountsError(apiError(err));
    }
  }

  // GetFunctionConfiguration (ListFunctions leaves State out, as in AWS): a plain signed GET, four
  // at a time.
  async function states(names: string[]) {
    const queue = [...names];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let name = queue.shift(); name !== undefined && live.current; name = queue.shift()) {
          let state: string;
          try {
            state = (await flintFetch<{ State?: string }>(`/2015-03-31/functions/${encodeURIComponent(name)}/configuration`)).State ?? "—";
          } catch (err) {
            // The cell names the refusal; the first one is shown whole above the table.
            const e = apiError(err);
            state = `(${e.code})`;
            askedStates.current.delete(name);
            if (live.current) setStateError((first) => first ?? e);
          }
          if (live.current) setExtra((x) => merge(x, { [name!]: { state } }));
        }
      }),
    );
  }

  const rows = useMemo(() => functions?.map((fn) => ({ fn, ...extra[fn.FunctionName!] })), [functions, extra]);

  return (
    <>
      <PageHeader title="Functions" />
      {error && <ErrorBox error={error} />}
      {countsError && <ErrorBox error={countsError} context="Invocations and errors" />}
      {stateError && <ErrorBox error={stateError} context="State" />}
      {!rows && !error && <Loading what="Loading functions" />}
      {rows && (
        <DataTable<Row>
          caption={`${rows.length.toLocaleString("en-US")} function${rows.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={rows}
          columns={COLUMNS}
          rowKey={nameOf}
          searchText={nameOf}
          searchLabel="Search functions by name"
          queryKey="q"
          empty="No functions yet. Create one with the AWS CLI: aws lambda create-function …"
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more functions" />}
        />
      )}
    </>
  );
}

function merge(x: Record<string, Omit<Row, "fn">>, y: Record<string, Omit<Row, "fn">>) {
  const out = { ...x };
  for (const [k, v] of Object.entries(y)) out[k] = { ...out[k], ...v };
  return out;
}
