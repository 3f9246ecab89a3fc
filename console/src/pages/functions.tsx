/**
 * Functions: every function, loaded page by page (the first page shows as soon as it arrives, the
 * rest fill in behind it for search), with the state and last hour's invocations and errors of the
 * rows on screen.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { type FunctionConfiguration, LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { type ApiError, apiError, call, client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { type Column, DataTable, ErrorBox, Loading, PageHeader, fmtNumber, fmtTime } from "../ui/ui";

interface Row {
  fn: FunctionConfiguration;
  state?: string;
  invocations?: number;
  errors?: number;
}

const HOUR = 3_600_000;

export default function Functions(_: PageProps) {
  const [rows, setRows] = useState<FunctionConfiguration[]>();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [extra, setExtra] = useState<Record<string, Omit<Row, "fn">>>({});
  const [extraError, setExtraError] = useState<ApiError>();
  const asked = useRef(new Set<string>());

  useEffect(() => {
    let live = true;
    (async () => {
      const all: FunctionConfiguration[] = [];
      try {
        for await (const page of paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {})) {
          if (!live) return;
          all.push(...(page.Functions ?? []));
          setRows([...all]);
        }
        if (live) {
          setRows([...all]);
          setDone(true);
        }
      } catch (err) {
        if (live) setError(apiError(err));
      }
    })();
    return () => void (live = false);
  }, []);

  // What only the rows on screen need: their state and their last hour's counts, asked once each,
  // after the rows are drawn (the page is usable first), a few calls at a time.
  async function onVisible(visible: Row[]) {
    const names = visible.map((r) => r.fn.FunctionName!).filter((n) => !asked.current.has(n));
    if (names.length === 0) return;
    for (const n of names) asked.current.add(n);
    await afterPaint();
    const now = Date.now();
    const queries: MetricDataQuery[] = names.flatMap((name, i) =>
      (["Invocations", "Errors"] as const).map((metric) => ({
        Id: `${metric === "Invocations" ? "i" : "e"}${i}`,
        MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: metric, Dimensions: [{ Name: "FunctionName", Value: name }] }, Period: 3600, Stat: "Sum" },
        ReturnData: true,
      })),
    );
    const counts = call(client(CloudWatchClient).send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(now - HOUR), EndTime: new Date(now + 60_000) })))
      .then((out) => {
        const found: Record<string, Omit<Row, "fn">> = {};
        names.forEach((name, i) => {
          const sum = (id: string) => (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
          found[name] = { invocations: sum(`i${i}`), errors: sum(`e${i}`) };
        });
        setExtra((x) => merge(x, found));
      })
      .catch((err) => setExtraError(apiError(err)));
    // GetFunctionConfiguration (ListFunctions leaves State out, as in AWS): a plain signed GET, four
    // at a time, the table redrawn once per four answers rather than once per row.
    const queue = [...names];
    const states = Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          let state: string;
          try {
            state = (await flintFetch<{ State?: string }>(`/2015-03-31/functions/${encodeURIComponent(name)}/configuration`)).State ?? "—";
          } catch (err) {
            // The cell says which refusal (the whole answer is one call away, on the function's page).
            state = `(${apiError(err).code})`;
          }
          setExtra((x) => merge(x, { [name!]: { state } }));
        }
      }),
    );
    await Promise.all([counts, states]);
  }

  const columns: Column<Row>[] = [
    { label: "Name", render: (r) => <Link to={`/functions/${seg(r.fn.FunctionName!)}`}>{r.fn.FunctionName}</Link> },
    { label: "Runtime", value: (r) => r.fn.Runtime ?? (r.fn.PackageType === "Image" ? "image" : undefined) },
    { label: "Memory (MB)", value: (r) => r.fn.MemorySize, numeric: true },
    { label: "State", value: (r) => r.state },
    { label: "Last modified", value: (r) => fmtTime(r.fn.LastModified) },
    { label: "Invocations (1 h)", value: (r) => fmtNumber(r.invocations), numeric: true },
    { label: "Errors (1 h)", render: (r) => <span class={r.errors ? "bad" : undefined}>{fmtNumber(r.errors)}</span>, numeric: true },
  ];

  return (
    <>
      <PageHeader title="Functions" />
      {error && <ErrorBox error={error} />}
      {extraError && <ErrorBox error={extraError} context="Invocations and errors" />}
      {!rows && !error && <Loading what="Loading functions" />}
      {rows && (
        <DataTable<Row>
          caption={`${rows.length.toLocaleString("en-US")} function${rows.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={rows.map((fn) => ({ fn, ...extra[fn.FunctionName!] }))}
          columns={columns}
          rowKey={(r) => r.fn.FunctionName!}
          searchText={(r) => r.fn.FunctionName!}
          searchLabel="Search functions by name"
          empty="No functions yet. Create one with the AWS CLI: aws lambda create-function …"
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more functions" />}
        />
      )}
    </>
  );
}

/** Resolves once the browser has drawn what is on screen now (and had a moment for input). */
const afterPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

function merge(x: Record<string, Omit<Row, "fn">>, y: Record<string, Omit<Row, "fn">>) {
  const out = { ...x };
  for (const [k, v] of Object.entries(y)) out[k] = { ...out[k], ...v };
  return out;
}
