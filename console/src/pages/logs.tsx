/**
 * Logs: the log groups (searched by name prefix, page by page), and one group: a live tail
 * (StartLiveTail's event stream), its events filtered by an AWS filter pattern, a time range and a
 * stream (FilterLogEvents, page by page), one invocation's lines by request id, and its streams
 * (latest first). Everything the events view shows is in its URL.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
  type LogGroup,
  type LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { type Column, DataTable, ErrorBox, Field, KeyValue, Loading, PageHeader, Section, fmtNumber, fmtTime } from "../ui/ui";
import { type JsonStyle, formatMessage } from "../ui/logs-message";
import { type Filter, RANGES, filterOf, patternOf } from "../ui/logs-filter";
import { LiveTail } from "../ui/logs-live-tail";

const logs = () => client(CloudWatchLogsClient);

export default function Logs({ view, params, query }: PageProps) {
  return view === "group" ? <Group name={params.group!} query={query} /> : <Groups query={query} />;
}

// ---- the groups

function Groups({ query }: { query: URLSearchParams }) {
  const prefix = query.get("prefix") ?? "";
  const [draft, setDraft] = useState(prefix);
  useEffect(() => setDraft(prefix), [prefix]);
  const list = usePaged<LogGroup>(
    async (nextToken) => {
      const out = await call(logs().send(new DescribeLogGroupsCommand({ ...(prefix ? { logGroupNamePrefix: prefix } : {}), limit: 50, ...(nextToken ? { nextToken } : {}) })));
      return { items: out.logGroups ?? [], nextToken: out.nextToken };
    },
    [prefix],
  );
  const columns: Column<LogGroup>[] = [
    { label: "Log group", render: (g) => <Link to={`/logs/${seg(g.logGroupName!)}`}>{g.logGroupName}</Link> },
    { label: "Created", value: (g) => fmtTime(g.creationTime) },
    { label: "Retention", value: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : "Never expire") },
    { label: "Class", value: (g) => g.logGroupClass },
  ];
  return (
    <>
      <PageHeader title="Log groups" />
      <form
        class="row logs-form"
        role="search"
        aria-label="Search log groups"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ prefix: draft.trim() });
        }}
      >
        <Field label="Log group name prefix" id="logs-prefix" hint="Asks CloudWatch Logs for the groups whose names start with this (case-sensitive).">
          <input id="logs-prefix" type="search" value={draft} aria-describedby="logs-prefix-hint" onInput={(e) => setDraft((e.target as HTMLInputElement).value)} placeholder="/aws/lambda/" />
        </Field>
        <div class="field logs-form-button">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {list.error && <ErrorBox error={list.error} />}
      {list.items === undefined && !list.error && <Loading what="Loading log groups" />}
      {list.items && (
        <DataTable<LogGroup>
          caption={`${fmtNumber(list.items.length)} log group${list.items.length === 1 ? "" : "s"}${prefix ? ` starting with “${prefix}”` : ""}${list.nextToken ? " so far" : ""}`}
          rows={list.items}
          columns={columns}
          rowKey={(g) => g.logGroupName!}
          empty={prefix ? `No log group starts with “${prefix}”.` : "No log groups yet: a function's first invocation creates /aws/lambda/<function name>."}
          more={<LoadMore list={list} what="log groups" />}
        />
      )}
    </>
  );
}

// ---- one group

function Group({ name, query }: { name: string; query: URLSearchParams }) {
  const filter = filterOf(query);
  const [group, setGroup] = useState<{ found?: LogGroup; error?: ApiError }>();
  useEffect(() => {
    let live = true;
    setGroup(undefined);
    // Sorted by name, so the group itself (the shortest name with its own prefix) comes first.
    call(logs().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 1 }))).then(
      (out) => live && setGroup({ found: out.logGroups?.find((g) => g.logGroupName === name) }),
      (err) => live && setGroup({ error: apiError(err) }),
    );
    return () => void (live = false);
  }, [name]);
  const streams = usePaged<LogStream>(
    async (nextToken) => {
      const out = await call(logs().send(new DescribeLogStreamsCommand({ logGroupName: name, orderBy: "LastEventTime", descending: true, limit: 50, ...(nextToken ? { nextToken } : {}) })));
      return { items: out.logStreams ?? [], nextToken: out.nextToken };
    },
    [name],
  );
  const here = `/logs/${seg(name)}`;
  return (
    <>
      <PageHeader title={name} crumbs={[{ to: "/logs", label: "Log groups" }]} />
      {group?.error && <ErrorBox error={group.error} context="Describing the log group" />}
      {group && !group.error && !group.found && (
        <p class="error" role="alert">
          No log group is named “{name}” (a function's group appears with its first invocation).
        </p>
      )}
      {group?.found && (
        <KeyValue
          entries={[
            ["Created", fmtTime(group.found.creationTime)],
            ["Retention", group.found.retentionInDays ? `${group.found.retentionInDays} days` : "Never expire"],
            ["Class", group.found.logGroupClass],
            ["ARN", <span class="mono">{group.found.logGroupArn}</span>],
          ]}
        />
      )}
      <LiveTail group={name} ready={group !== undefined} arn={group?.found?.logGroupArn} filter={filter} />
      <Events group={name} filter={filter} streams={streams.items ?? []} />
      <Section title="Streams">
        {streams.error && <ErrorBox error={streams.error} />}
        {streams.items === undefined && !streams.error && <Loading what="Loading streams" />}
        {streams.items && (
          <DataTable<LogStream>
            caption={`${fmtNumber(streams.items.length)} stream${streams.items.length === 1 ? "" : "s"}, latest event first${streams.nextToken ? " (more to load)" : ""}`}
            rows={streams.items}
            columns={[
              { label: "Stream", render: (s) => <Link to={`${here}?${withQuery(query, { stream: s.logStreamName, requestId: undefined })}`}>{s.logStreamName}</Link> },
              { label: "Last event", value: (s) => fmtTime(s.lastEventTimestamp) },
              { label: "First event", value: (s) => fmtTime(s.firstEventTimestamp) },
              { label: "Created", value: (s) => fmtTime(s.creationTime) },
            ]}
            rowKey={(s) => s.logStreamName!}
            empty="No streams yet."
            more={<LoadMore list={streams} what="streams" />}
          />
        )}
      </Section>
    </>
  );
}

/** The query with some values changed, as a query string. */
function withQuery(query: URLSearchParams, values: Record<string, string | undefined>): string {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  return q.toString();
}

/** Events asked for per FilterLogEvents call, and calls made at most per "Load more". */
const EVENTS_PAGE = 200;
const FOLLOW_UPS = 5;

/** The events view: the filter form (in the URL), then the events, page by page. */
function Events({ group, filter, streams }: { group: string; filter: Filter; streams: LogStream[] }) {
  const [draft, setDraft] = useState(filter);
  const [requestDraft, setRequestDraft] = useState(filter.requestId);
  const key = JSON.stringify(filter);
  useEffect(() => {
    setDraft(filter);
    setRequestDraft(filter.requestId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const [reloads, setReloads] = useState(0);

  const span = useMemo(() => {
    // An invocation is looked for over all time; relative ranges end now (when asked).
    if (filter.requestId) return {};
    const r = RANGES.find((x) => x.id === filter.range)!;
    if (r.ms !== undefined) return { startTime: Date.now() - r.ms };
    if (r.id === "custom") {
      const start = filter.start ? new Date(filter.start).getTime() : undefined;
      const end = filter.end ? new Date(filter.end).getTime() : undefined;
      return { ...(start !== undefined && !Number.isNaN(start) ? { startTime: start } : {}), ...(end !== undefined && !Number.isNaN(end) ? { endTime: end } : {}) };
    }
    return {};
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, reloads]);

  const events = usePaged<FilteredLogEvent>(
    async (nextToken) => {
      const pattern = patternOf(filter);
      // A page may stop short of its limit (or be empty) where the service stopped searching: a few
      // more are asked for at once, so a rare match shows without pressing "Load more" again and again.
      const items: FilteredLogEvent[] = [];
      let token = nextToken;
      for (let round = 0; round < FOLLOW_UPS; round++) {
        const out = await call(
          logs().send(
            new FilterLogEventsCommand({
              logGroupName: group,
              ...(pattern ? { filterPattern: pattern } : {}),
              ...(filter.stream ? { logStreamNames: [filter.stream] } : {}),
              ...span,
              limit: EVENTS_PAGE,
              ...(token ? { nextToken: token } : {}),
            }),
          ),
        );
        items.push(...(out.events ?? []));
        token = out.nextToken;
        if (!token || items.length >= EVENTS_PAGE / 2) break;
      }
      return { items, nextToken: token };
    },
    [group, span],
  );

  const apply = (values: Partial<Filter>) => {
    const f = { ...draft, ...values };
    setQuery({ pattern: f.pattern, range: f.range === "1h" ? undefined : f.range, start: f.range === "custom" ? f.start : undefined, end: f.range === "custom" ? f.end : undefined, stream: f.stream, requestId: f.requestId, json: f.json === "pretty" ? undefined : f.json });
  };
  const streamNames = streams.map((s) => s.logStreamName!);
  if (filter.stream && !streamNames.includes(filter.stream)) streamNames.unshift(filter.stream);

  const columns: Column<FilteredLogEvent>[] = [
    { label: "Time", render: (e) => <span class="mono nowrap">{e.timestamp === undefined ? "—" : new Date(e.timestamp).toISOString()}</span> },
    { label: "Stream", render: (e) => <span class="mono logs-stream-cell">{e.logStreamName}</span> },
    { label: "Message", render: (e) => <pre class="logs-message">{formatMessage(e.message ?? "", filter.json)}</pre> },
  ];
  const described = filter.requestId
    ? `the invocation ${filter.requestId}`
    : [filter.pattern ? `matching ${filter.pattern}` : "", filter.stream ? `in ${filter.stream}` : "", RANGES.find((r) => r.id === filter.range)!.label.toLowerCase()].filter(Boolean).join(", ");

  return (
    <Section
      title="Events"
      actions={
        <button type="button" onClick={() => setReloads((n) => n + 1)}>
          Refresh
        </button>
      }
    >
      <form
        class="row logs-form"
        role="search"
        aria-label="Find an invocation"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ requestId: requestDraft.trim() });
        }}
      >
        <Field label="Request id" id="logs-request-id" hint="An invocation's lines (START, END, REPORT and what it printed), searched over all time.">
          <input id="logs-request-id" class="mono" value={requestDraft} size={40} aria-describedby="logs-request-id-hint" onInput={(e) => setRequestDraft((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="field logs-form-button">
          <button type="submit">Find invocation</button>
        </div>
        {filter.requestId && (
          <div class="field logs-form-button">
            <button type="button" onClick={() => apply({ requestId: "" })}>
              Show all events
            </button>
          </div>
        )}
      </form>
      <form
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ requestId: "" });
        }}
      >
        <Field label="Filter pattern" id="logs-pattern" hint='CloudWatch Logs syntax: terms (ERROR), "quoted phrases", -excluded, ?either, { $.level = "error" }, [ip, user, ...], %regex%.'>
          <input id="logs-pattern" class="mono logs-pattern" value={draft.pattern} aria-describedby="logs-pattern-hint" onInput={(e) => setDraft({ ...draft, pattern: (e.target as HTMLInputElement).value })} />
        </Field>
        <div class="row logs-form">
          <Field label="Time range" id="logs-range">
            <select id="logs-range" value={draft.range} onChange={(e) => setDraft({ ...draft, range: (e.target as HTMLSelectElement).value })}>
              {RANGES.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          </Field>
          {draft.range === "custom" && (
            <>
              <Field label="From (local time)" id="logs-start">
                <input id="logs-start" type="datetime-local" step={1} value={draft.start} onInput={(e) => setDraft({ ...draft, start: (e.target as HTMLInputElement).value })} />
              </Field>
              <Field label="To (local time)" id="logs-end">
                <input id="logs-end" type="datetime-local" step={1} value={draft.end} onInput={(e) => setDraft({ ...draft, end: (e.target as HTMLInputElement).value })} />
              </Field>
            </>
          )}
          <Field label="Stream" id="logs-stream">
            <select id="logs-stream" class="logs-stream-select" value={draft.stream} onChange={(e) => setDraft({ ...draft, stream: (e.target as HTMLSelectElement).value })}>
              <option value="">All streams</option>
              {streamNames.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="JSON messages" id="logs-json">
            <select id="logs-json" value={draft.json} onChange={(e) => apply({ json: (e.target as HTMLSelectElement).value as JsonStyle, requestId: filter.requestId })}>
              <option value="pretty">Pretty</option>
              <option value="line">One line</option>
            </select>
          </Field>
          <div class="field logs-form-button">
            <button type="submit" class="primary">
              Apply filter
            </button>
          </div>
        </div>
      </form>
      {events.error && <ErrorBox error={events.error} context="FilterLogEvents" />}
      {events.items === undefined && !events.error && <Loading what="Loading events" />}
      {events.items && (
        <DataTable<FilteredLogEvent>
          caption={`${fmtNumber(events.items.length)} event${events.items.length === 1 ? "" : "s"} ${described}${events.nextToken ? " so far" : ""}, oldest first`}
          rows={events.items}
          columns={columns}
          rowKey={(e) => `${e.logStreamName}\n${e.eventId ?? `${e.timestamp}:${e.message}`}`}
          pageSize={100}
          empty={events.nextToken ? "No events in what was searched so far: load more to search further." : "No events match."}
          more={<LoadMore list={events} what="events" />}
        />
      )}
    </Section>
  );
}

interface Paged<T> {
  items?: T[];
  nextToken?: string;
  error?: ApiError;
  loading: boolean;
  more: () => void;
}

/** A list read a page at a time (`fetch(nextToken)`), started again when `deps` change. */
function usePaged<T>(fetch: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<{ items?: T[]; nextToken?: string; error?: ApiError; loading: boolean }>({ loading: true });
  const gen = useRef(0);
  const run = (token: string | undefined, mine: number) => {
    setState((s) => ({ ...s, loading: true, error: undefined }));
    fetch(token).then(
      (page) => mine === gen.current && setState((s) => ({ items: [...(token ? (s.items ?? []) : []), ...page.items], nextToken: page.nextToken, loading: false })),
      (err) => mine === gen.current && setState((s) => ({ ...s, error: apiError(err), loading: false })),
    );
  };
  useEffect(() => {
    const mine = ++gen.current;
    setState({ loading: true });
    run(undefined, mine);
    return () => void gen.current++;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { ...state, more: () => state.nextToken && run(state.nextToken, gen.current) };
}

function LoadMore<T>({ list, what }: { list: Paged<T>; what: string }) {
  if (!list.nextToken) return null;
  return (
    <p>
      <button type="button" onClick={list.more} disabled={list.loading}>
        {list.loading ? `Loading more ${what}…` : `Load more ${what}`}
      </button>
    </p>
  );
}
