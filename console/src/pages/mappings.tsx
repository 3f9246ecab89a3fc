/**
 * Event source mappings: the list (ListEventSourceMappings page by page) with each mapping's state,
 * function, source, batch size, last result and lag, and a mapping's whole configuration with its
 * lag. The lag (an SQS queue's waiting and in-flight messages, a stream's iterator age per shard)
 * comes from Flint's `GET /_flint/mappings`, read again every 5 seconds with the states.
 */
import { useState } from "preact/hooks";
import { type EventSourceMappingConfiguration, GetEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client, flintFetch } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { ArnLink } from "../ui/arn";
import { useAsync, useStreamedList } from "../ui/async";
import { fmtDuration } from "../ui/format";
import { usePoll } from "../ui/poll";
import { type Column, DataTable, ErrorBox, JsonView, KeyValue, Loading, PageHeader, Section, Show, fmtNumber, fmtTime } from "../ui/ui";

/** What `GET /_flint/mappings` says of a mapping: its API shape plus its lag. */
interface Status {
  UUID: string;
  State?: string;
  StateTransitionReason?: string;
  LastProcessingResult?: string;
  Lag?: { MessagesWaiting?: number; MessagesInFlight?: number; Shards?: { ShardId: string; IteratorAgeMilliseconds: number }[] };
}

const REFRESH_MS = 5000;

export default function Mappings({ view, params }: PageProps) {
  return view === "mapping" ? <MappingPage uuid={params.uuid!} /> : <MappingList />;
}

/** The lag, by UUID: read now and 5 s after each answer while the page shows (paused in a hidden tab). */
function useStatuses(): { statuses?: Map<string, Status>; error?: ApiError; at?: Date } {
  const [state, setState] = useState<{ statuses?: Map<string, Status>; error?: ApiError; at?: Date }>({});
  usePoll(
    (live) =>
      flintFetch<{ EventSourceMappings?: Status[] }>("/_flint/mappings").then(
        (out) => live() && setState({ statuses: new Map((out.EventSourceMappings ?? []).map((s) => [s.UUID, s])), at: new Date() }),
        (err) => live() && setState((s) => ({ ...s, error: apiError(err) })),
      ),
    REFRESH_MS,
    [],
  );
  return state;
}

/** The lag in a few words: the queue's waiting and in-flight messages, or the oldest shard's iterator age. */
export function lagText(lag: Status["Lag"] | undefined): string {
  if (!lag) return "—";
  if (lag.MessagesWaiting !== undefined) return `${fmtNumber(lag.MessagesWaiting)} waiting, ${fmtNumber(lag.MessagesInFlight ?? 0)} in flight`;
  if (lag.Shards) {
    if (lag.Shards.length === 0) return "no shard being read";
    const max = Math.max(...lag.Shards.map((s) => s.IteratorAgeMilliseconds));
    return `iterator age ${fmtDuration(max)} (oldest of ${lag.Shards.length} shard${lag.Shards.length === 1 ? "" : "s"})`;
  }
  return "—";
}

function StateBadge({ state }: { state: string | undefined }) {
  if (!state) return <>—</>;
  const cls = state === "Enabled" ? "good" : state === "Disabled" ? "bad" : undefined;
  return <span class={`badge${cls ? ` ${cls}` : ""}`}>{state}</span>;
}

interface Row {
  m: EventSourceMappingConfiguration;
  status?: Status;
}

function MappingList() {
  const { items: rows, done, error } = useStreamedList(async function* () {
    let marker: string | undefined;
    do {
      const out = await call(client(LambdaClient).send(new ListEventSourceMappingsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) })));
      yield out.EventSourceMappings ?? [];
      marker = out.NextMarker;
    } while (marker);
  }, []);
  const { statuses, error: lagError, at } = useStatuses();

  const columns: Column<Row>[] = [
    { label: "Mapping", render: (r) => <Link to={`/mappings/${seg(r.m.UUID!)}`}>{r.m.UUID}</Link> },
    { label: "State", render: (r) => <StateBadge state={r.status?.State ?? r.m.State} /> },
    { label: "Function", render: (r) => <ArnLink arn={r.m.FunctionArn} show="name" /> },
    { label: "Source", render: (r) => <ArnLink arn={r.m.EventSourceArn} show="kind" /> },
    { label: "Batch size", value: (r) => r.m.BatchSize, numeric: true },
    { label: "Last result", value: (r) => r.status?.LastProcessingResult ?? r.m.LastProcessingResult },
    { label: "Last modified", value: (r) => (r.m.LastModified ? fmtTime(r.m.LastModified) : undefined) },
    { label: "Lag", value: (r) => (statuses ? lagText(r.status?.Lag) : "…") },
  ];
  return (
    <>
      <PageHeader title="Event source mappings" />
      {error && <ErrorBox error={error} />}
      {lagError && <ErrorBox error={lagError} context="Lag (GET /_flint/mappings)" />}
      {!rows && !error && <Loading what="Loading mappings" />}
      {rows && (
        <>
          <DataTable<Row>
            caption={`${rows.length.toLocaleString("en-US")} event source mapping${rows.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
            rows={rows.map((m) => ({ m, status: statuses?.get(m.UUID!) }))}
            columns={columns}
            rowKey={(r) => r.m.UUID!}
            searchText={(r) => `${r.m.UUID} ${r.m.FunctionArn} ${r.m.EventSourceArn}`}
            searchLabel="Search mappings by function, source or UUID"
            empty="No event source mappings yet. Create one with the AWS CLI: aws lambda create-event-source-mapping …"
            more={done ? undefined : <Loading what="Loading more mappings" />}
          />
          <p class="hint" aria-live="off">
            State, last result and lag are read again every 5 seconds while this page shows{at ? `; last read ${fmtTime(at)}` : ""}.
          </p>
        </>
      )}
    </>
  );
}

function MappingPage({ uuid }: { uuid: string }) {
  const mapping = useAsync(() => call(client(LambdaClient).send(new GetEventSourceMappingCommand({ UUID: uuid }))), [uuid]);
  const { statuses, error: lagError, at } = useStatuses();
  const status = statuses?.get(uuid);
  return (
    <>
      <PageHeader title={`Mapping ${uuid}`} crumbs={[{ to: "/mappings", label: "Event source mappings" }]} />
      <Show state={mapping} what="Loading the mapping">
        {(m) => (
          <>
            <Section title="State">
              <KeyValue
                entries={[
                  ["State", <StateBadge state={status?.State ?? m.State} />],
                  ["State transition reason", status?.StateTransitionReason ?? m.StateTransitionReason],
                  ["Last processing result", status?.LastProcessingResult ?? m.LastProcessingResult],
                  ["Last modified", m.LastModified ? fmtTime(m.LastModified) : undefined],
                ]}
              />
            </Section>
            <Section title="Lag">
              {lagError && <ErrorBox error={lagError} context="Lag (GET /_flint/mappings)" />}
              <div aria-live="polite">
                {!statuses && !lagError ? <Loading what="Reading the lag" /> : <Lag status={status} />}
              </div>
              {at && <p class="hint">Read again every 5 seconds while this page shows; last read {fmtTime(at)}.</p>}
            </Section>
            <Section title="Configuration">
              <KeyValue
                entries={[
                  ["Function", <ArnLink arn={m.FunctionArn} show="name" />],
                  ["Source", <ArnLink arn={m.EventSourceArn} show="kind" />],
                  ["Source ARN", m.EventSourceArn],
                  ["Mapping ARN", m.EventSourceMappingArn],
                  ["Batch size", fmtNumber(m.BatchSize)],
                  ["Batching window", m.MaximumBatchingWindowInSeconds !== undefined ? `${m.MaximumBatchingWindowInSeconds} s` : undefined],
                  ["Starting position", m.StartingPosition ? `${m.StartingPosition}${m.StartingPositionTimestamp ? ` (${fmtTime(m.StartingPositionTimestamp)})` : ""}` : undefined],
                  ["Bisect batch on function error", m.BisectBatchOnFunctionError === undefined ? undefined : m.BisectBatchOnFunctionError ? "yes" : "no"],
                  ["Maximum retry attempts", m.MaximumRetryAttempts === undefined ? undefined : m.MaximumRetryAttempts === -1 ? "infinite (-1)" : String(m.MaximumRetryAttempts)],
                  ["Maximum record age", m.MaximumRecordAgeInSeconds === undefined ? undefined : m.MaximumRecordAgeInSeconds === -1 ? "infinite (-1)" : `${m.MaximumRecordAgeInSeconds} s`],
                  ["Parallelization factor", m.ParallelizationFactor === undefined ? undefined : String(m.ParallelizationFactor)],
                  ["Tumbling window", m.TumblingWindowInSeconds === undefined ? undefined : `${m.TumblingWindowInSeconds} s`],
                  ["Function response types", m.FunctionResponseTypes?.length ? m.FunctionResponseTypes.join(", ") : "none"],
                  ["Maximum concurrency", m.ScalingConfig?.MaximumConcurrency !== undefined ? String(m.ScalingConfig.MaximumConcurrency) : undefined],
                  ["On-failure destination", m.DestinationConfig?.OnFailure?.Destination ? <ArnLink arn={m.DestinationConfig.OnFailure.Destination} show="kind" /> : m.DestinationConfig ? "none" : undefined],
                ]}
              />
            </Section>
            <Section title="Filters">
              {m.FilterCriteria?.Filters?.length ? (
                <ol class="mappings-filters">
                  {m.FilterCriteria.Filters.map((f, i) => (
                    <li key={i}>
                      <JsonView value={f.Pattern ?? ""} label={`Filter ${i + 1} pattern`} />
                    </li>
                  ))}
                </ol>
              ) : (
                <p>No filters: every record goes to the function.</p>
              )}
            </Section>
          </>
        )}
      </Show>
    </>
  );
}

function Lag({ status }: { status: Status | undefined }) {
  if (!status) return <p>Flint reports no lag for this mapping.</p>;
  const lag = status.Lag ?? {};
  if (lag.MessagesWaiting !== undefined) {
    return (
      <KeyValue
        entries={[
          ["Messages waiting", fmtNumber(lag.MessagesWaiting)],
          ["Messages in flight", fmtNumber(lag.MessagesInFlight ?? 0)],
        ]}
      />
    );
  }
  if (lag.Shards) {
    if (lag.Shards.length === 0) return <p>No shard is being read{status.State === "Disabled" ? " (the mapping is disabled)" : ""}.</p>;
    return (
      <DataTable
        caption="Iterator age per shard"
        rows={lag.Shards}
        rowKey={(s) => s.ShardId}
        columns={[
          { label: "Shard", value: (s) => s.ShardId },
          { label: "Iterator age", value: (s) => fmtDuration(s.IteratorAgeMilliseconds), numeric: true },
          { label: "Milliseconds", value: (s) => fmtNumber(s.IteratorAgeMilliseconds), numeric: true },
        ]}
      />
    );
  }
  return <p>Flint could not read the source's lag.</p>;
}
