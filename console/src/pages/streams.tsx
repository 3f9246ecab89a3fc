/**
 * Kinesis streams: the list (ListStreams, page by page, with each stream's status and mode), and a
 * stream: its summary, its shards, its records read from a chosen shard and start (the shard, the
 * start and the timestamp are in the URL), and a form to put a record.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type _Record,
  ListShardsCommand,
  type Shard,
  type ShardIteratorType,
  type StreamSummary,
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { useAction, useAsync, useStreamedList } from "../ui/async";
import { type Column, DataTable, ErrorBox, Field, KeyValue, Loading, PageHeader, Section, Show, fmtNumber, fmtTime } from "../ui/ui";
import { DataView } from "../ui/records-data";

export default function Streams({ view, params, query }: PageProps) {
  return view === "stream" ? <StreamPage name={params.name!} query={query} /> : <StreamList />;
}

function StreamList() {
  const { items: rows, done, error } = useStreamedList(async function* () {
    let token: string | undefined;
    do {
      const out = await call(client(KinesisClient).send(new ListStreamsCommand({ Limit: 100, ...(token ? { NextToken: token } : {}) })));
      // StreamSummaries when the server gives them; the bare names otherwise.
      yield out.StreamSummaries ?? (out.StreamNames ?? []).map((StreamName) => ({ StreamName }) as StreamSummary);
      token = out.HasMoreStreams ? out.NextToken : undefined;
    } while (token);
  }, []);
  const columns: Column<StreamSummary>[] = [
    { label: "Name", render: (s) => <Link to={`/streams/${seg(s.StreamName!)}`}>{s.StreamName}</Link> },
    { label: "Status", value: (s) => s.StreamStatus },
    { label: "Capacity mode", value: (s) => s.StreamModeDetails?.StreamMode },
    { label: "Created", value: (s) => (s.StreamCreationTimestamp ? fmtTime(s.StreamCreationTimestamp) : undefined) },
  ];
  return (
    <>
      <PageHeader title="Streams" />
      {error && <ErrorBox error={error} />}
      {!rows && !error && <Loading what="Loading streams" />}
      {rows && (
        <DataTable<StreamSummary>
          caption={`${rows.length.toLocaleString("en-US")} Kinesis stream${rows.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={rows}
          columns={columns}
          rowKey={(s) => s.StreamName!}
          searchText={(s) => s.StreamName!}
          searchLabel="Search streams by name"
          empty="No streams yet. Create one with the AWS CLI: aws kinesis create-stream --stream-name … --shard-count 1"
          more={done ? undefined : <Loading what="Loading more streams" />}
        />
      )}
    </>
  );
}

function StreamPage({ name, query }: { name: string; query: URLSearchParams }) {
  const summary = useAsync(() => call(client(KinesisClient).send(new DescribeStreamSummaryCommand({ StreamName: name }))), [name]);
  const shards = useAsync(async () => {
    const all: Shard[] = [];
    let token: string | undefined;
    do {
      const out = await call(client(KinesisClient).send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: name })));
      all.push(...(out.Shards ?? []));
      token = out.NextToken;
    } while (token);
    return all;
  }, [name]);
  return (
    <>
      <PageHeader title={`Stream ${name}`} crumbs={[{ to: "/streams", label: "Streams" }]} />
      <Section title="Summary">
        <Show state={summary} what="Loading the stream">
          {({ StreamDescriptionSummary: s }) => (
            <KeyValue
              entries={[
                ["Status", s?.StreamStatus],
                ["ARN", s?.StreamARN],
                ["Capacity mode", s?.StreamModeDetails?.StreamMode],
                ["Open shards", fmtNumber(s?.OpenShardCount)],
                ["Retention", s?.RetentionPeriodHours !== undefined ? `${s.RetentionPeriodHours} hours` : undefined],
                ["Consumers", fmtNumber(s?.ConsumerCount)],
                ["Encryption", s?.EncryptionType === "KMS" ? `KMS (${s.KeyId ?? "key not given"})` : (s?.EncryptionType ?? "NONE")],
                ["Created", s?.StreamCreationTimestamp ? fmtTime(s.StreamCreationTimestamp) : undefined],
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Shards">
        <Show state={shards} what="Loading the shards">
          {(list) => (
            <DataTable<Shard>
              caption={`${list.length} shard${list.length === 1 ? "" : "s"}`}
              rows={list}
              columns={[
                { label: "Shard", value: (s) => s.ShardId },
                { label: "Hash key range", render: (s) => <code class="records-range">{`${s.HashKeyRange?.StartingHashKey} – ${s.HashKeyRange?.EndingHashKey}`}</code> },
                {
                  label: "Sequence number range",
                  render: (s) => <code class="records-range">{`${s.SequenceNumberRange?.StartingSequenceNumber ?? "?"} – ${s.SequenceNumberRange?.EndingSequenceNumber ?? "(open)"}`}</code>,
                },
                { label: "Parent", value: (s) => [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean).join(" + ") || undefined },
              ]}
              rowKey={(s) => s.ShardId!}
            />
          )}
        </Show>
      </Section>
      {shards.data && <RecordsReader stream={name} shards={shards.data} query={query} />}
      <PutRecordForm stream={name} />
    </>
  );
}

const STARTS: { id: ShardIteratorType; label: string }[] = [
  { id: "TRIM_HORIZON", label: "Oldest record (TRIM_HORIZON)" },
  { id: "LATEST", label: "Only new records (LATEST)" },
  { id: "AT_TIMESTAMP", label: "From a time (AT_TIMESTAMP)" },
];

/** `datetime-local` value (local time) ⇄ Date. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Records of one shard from the chosen start: GetShardIterator, then GetRecords; "Next records"
 * continues with the NextShardIterator and adds what it reads below what is shown.
 */
function RecordsReader({ stream, shards, query }: { stream: string; shards: Shard[]; query: URLSearchParams }) {
  const shard = query.get("shard") ?? undefined;
  const from = (query.get("from") as ShardIteratorType | null) ?? "TRIM_HORIZON";
  const at = query.get("at") ?? undefined;
  const [formShard, setFormShard] = useState(shard ?? shards[0]?.ShardId ?? "");
  const [formFrom, setFormFrom] = useState<ShardIteratorType>(from);
  const [formAt, setFormAt] = useState(at ? localInput(new Date(at)) : localInput(new Date(Date.now() - 3_600_000)));
  const [records, setRecords] = useState<_Record[]>([]);
  const [next, setNext] = useState<string>();
  const [behind, setBehind] = useState<number>();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [reads, setReads] = useState(0);
  const [again, setAgain] = useState(0);
  // Bumped by every new read (a new shard, start or stream): an answer to an older read, a "Next
  // records" still in flight included, is dropped rather than added to or replacing the newer one.
  const generation = useRef(0);

  async function read(iterator: string, append: boolean, live: () => boolean) {
    const out = await call(client(KinesisClient).send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 })));
    if (!live()) return;
    setRecords((r) => (append ? [...r, ...(out.Records ?? [])] : (out.Records ?? [])));
    setNext(out.NextShardIterator);
    setBehind(out.MillisBehindLatest);
    setReads((n) => n + 1);
  }

  // A shard and start in the URL: read from there (again whenever they change).
  useEffect(() => {
    const mine = ++generation.current;
    setReading(false);
    if (!shard) return;
    const live = () => generation.current === mine;
    setReading(true);
    setError(undefined);
    setRecords([]);
    setNext(undefined);
    setReads(0);
    (async () => {
      try {
        const it = await call(
          client(KinesisClient).send(
            new GetShardIteratorCommand({ StreamName: stream, ShardId: shard, ShardIteratorType: from, ...(from === "AT_TIMESTAMP" && at ? { Timestamp: new Date(at) } : {}) }),
          ),
        );
        if (!live()) return;
        await read(it.ShardIterator!, false, live);
      } catch (err) {
        if (live()) setError(apiError(err));
      } finally {
        if (live()) setReading(false);
      }
    })();
    return () => void generation.current++;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stream, shard, from, at, again]);

  async function more() {
    if (!next) return;
    const mine = generation.current;
    const live = () => generation.current === mine;
    setReading(true);
    setError(undefined);
    try {
      await read(next, true, live);
    } catch (err) {
      if (live()) setError(apiError(err));
    } finally {
      if (live()) setReading(false);
    }
  }

  return (
    <Section title="Records">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const when = formFrom === "AT_TIMESTAMP" ? new Date(formAt) : undefined;
          // The same choice again reads again.
          if (formShard === shard && formFrom === from && (when?.toISOString() ?? undefined) === at) setAgain((n) => n + 1);
          else setQuery({ shard: formShard, from: formFrom, at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : undefined });
        }}
      >
        <Field label="Shard" id="records-shard">
          <select id="records-shard" value={formShard} onChange={(e) => setFormShard((e.target as HTMLSelectElement).value)}>
            {shards.map((s) => (
              <option key={s.ShardId} value={s.ShardId}>
                {s.ShardId}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Start from" id="records-from">
          <select id="records-from" value={formFrom} onChange={(e) => setFormFrom((e.target as HTMLSelectElement).value as ShardIteratorType)}>
            {STARTS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>
        {formFrom === "AT_TIMESTAMP" && (
          <Field label="Time (local)" id="records-at">
            <input id="records-at" type="datetime-local" step={1} value={formAt} onInput={(e) => setFormAt((e.target as HTMLInputElement).value)} />
          </Field>
        )}
        <div class="field">
          <button type="submit" class="button primary" disabled={reading || shards.length === 0}>
            Read records
          </button>
        </div>
      </form>
      {error && <ErrorBox error={error} context="Reading records" />}
      {shard && (
        <div aria-live="polite" aria-busy={reading}>
          <p class="records-status">
            {reading && reads === 0
              ? `Reading ${shard}…`
              : `${records.length} record${records.length === 1 ? "" : "s"} read from ${shard} (${from === "AT_TIMESTAMP" ? `from ${at ? fmtTime(at) : "?"}` : from})` +
                (behind !== undefined ? `; ${behind === 0 ? "at the tip of the shard" : `${fmtNumber(behind)} ms behind the latest record`}` : "")}
          </p>
          {reads > 0 && (
            <div class="table-scroll">
              <table class="records-table">
                <caption>Records of {shard}</caption>
                <thead>
                  <tr>
                    <th scope="col">Sequence number</th>
                    <th scope="col">Partition key</th>
                    <th scope="col">Arrived</th>
                    <th scope="col">Data</th>
                  </tr>
                </thead>
                <tbody>
                  {records.length === 0 ? (
                    <tr>
                      <td colSpan={4} class="empty">
                        No records {from === "LATEST" ? "since the iterator was taken" : "from this start"} yet.
                      </td>
                    </tr>
                  ) : (
                    records.map((r) => (
                      <tr key={r.SequenceNumber}>
                        <td>
                          <code class="records-seq">{r.SequenceNumber}</code>
                        </td>
                        <td>{r.PartitionKey}</td>
                        <td>{r.ApproximateArrivalTimestamp ? fmtTime(r.ApproximateArrivalTimestamp) : "—"}</td>
                        <td>
                          <DataView bytes={r.Data} label={`Data of record ${r.SequenceNumber}`} />
                        </td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
          )}
          {reads > 0 && (
            <p>
              {next ? (
                <button type="button" onClick={more} disabled={reading}>
                  Next records
                </button>
              ) : (
                "The shard is closed: there is nothing more to read."
              )}
            </p>
          )}
        </div>
      )}
    </Section>
  );
}

function PutRecordForm({ stream }: { stream: string }) {
  const [key, setKey] = useState("");
  const [data, setData] = useState("");
  const { busy, error, result, run } = useAction<{ ShardId?: string; SequenceNumber?: string }>();
  return (
    <Section title="Put a record">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          await run(async () => {
            const out = await call(client(KinesisClient).send(new PutRecordCommand({ StreamName: stream, PartitionKey: key, Data: new TextEncoder().encode(data) })));
            return { ShardId: out.ShardId, SequenceNumber: out.SequenceNumber };
          });
        }}
      >
        <div class="row">
          <Field label="Partition key" id="put-key">
            <input id="put-key" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
          </Field>
        </div>
        <Field label="Data (UTF-8 text)" id="put-data">
          <textarea id="put-data" rows={4} class="records-textarea" value={data} onInput={(e) => setData((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <button type="submit" class="button primary" disabled={busy}>
          Put record
        </button>
      </form>
      {error && <ErrorBox error={error} context="PutRecord" />}
      <div role="status" aria-live="polite">
        {result && (
          <p class="good">
            Put in shard <code>{result.ShardId}</code> with sequence number <code class="records-seq">{result.SequenceNumber}</code>.
          </p>
        )}
      </div>
    </Section>
  );
}
