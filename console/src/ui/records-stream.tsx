/** A DynamoDB table's stream records (DynamoDB Streams), every shard from its oldest record. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard as StreamShard,
} from "@aws-sdk/client-dynamodb-streams";
import { type ApiError, apiError, call, client } from "../aws";
import { ErrorBox, Loading, Section, fmtTime } from "./ui";
import { itemText } from "./records-data";

interface ShardCursor {
  shard: string;
  iterator?: string;
}

/**
 * The table's stream from the beginning of every shard (TRIM_HORIZON), oldest first; "Read newer
 * records" continues every shard from where it stopped.
 */
export function StreamRecords({ arn }: { arn: string }) {
  const streams = client(DynamoDBStreamsClient);
  const [shards, setShards] = useState<StreamShard[]>();
  const [cursors, setCursors] = useState<ShardCursor[]>([]);
  const [records, setRecords] = useState<(StreamRecord & { shard: string })[]>([]);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<ApiError>();
  const [reads, setReads] = useState(0);
  // Bumped when the stream changes (or the section goes): a read still in flight for an older
  // stream, "Read newer records" included, is dropped rather than added to the newer one's records.
  const generation = useRef(0);

  async function readFrom(list: ShardCursor[], live: () => boolean): Promise<void> {
    const got: (StreamRecord & { shard: string })[] = [];
    const nextCursors = await Promise.all(
      list.map(async (c) => {
        if (!c.iterator) return c;
        const out = await call(streams.send(new GetRecordsCommand({ ShardIterator: c.iterator, Limit: 1000 })));
        got.push(...(out.Records ?? []).map((r) => ({ ...r, shard: c.shard })));
        return { shard: c.shard, iterator: out.NextShardIterator };
      }),
    );
    if (!live()) return;
    setCursors(nextCursors);
    setRecords((r) => [...r, ...got].sort(byTime));
    setReads((n) => n + 1);
  }

  useEffect(() => {
    const mine = ++generation.current;
    const live = () => generation.current === mine;
    setBusy(true);
    setError(undefined);
    setRecords([]);
    setCursors([]);
    setShards(undefined);
    setReads(0);
    (async () => {
      try {
        const all: StreamShard[] = [];
        let after: string | undefined;
        do {
          const out = await call(streams.send(new DescribeStreamCommand({ StreamArn: arn, ...(after ? { ExclusiveStartShardId: after } : {}) })));
          all.push(...(out.StreamDescription?.Shards ?? []));
          after = out.StreamDescription?.LastEvaluatedShardId;
        } while (after);
        if (!live()) return;
        setShards(all);
        const list = await Promise.all(
          all.map(async (s) => {
            const it = await call(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: s.ShardId!, ShardIteratorType: "TRIM_HORIZON" })));
            return { shard: s.ShardId!, iterator: it.ShardIterator };
          }),
        );
        if (!live()) return;
        await readFrom(list, live);
      } catch (err) {
        if (live()) setError(apiError(err));
      } finally {
        if (live()) setBusy(false);
      }
    })();
    return () => void generation.current++;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [arn]);

  async function more() {
    const mine = generation.current;
    const live = () => generation.current === mine;
    setBusy(true);
    setError(undefined);
    try {
      await readFrom(cursors, live);
    } catch (err) {
      if (live()) setError(apiError(err));
    } finally {
      if (live()) setBusy(false);
    }
  }

  const open = cursors.some((c) => c.iterator);
  return (
    <Section title="Stream records">
      <p>
        Stream <code>{arn}</code>
        {shards && `, ${shards.length} shard${shards.length === 1 ? "" : "s"}`}.
      </p>
      {error && <ErrorBox error={error} context="Reading the stream" />}
      {busy && reads === 0 && !error && <Loading what="Reading the stream" />}
      {reads > 0 && (
        <div aria-live="polite" aria-busy={busy}>
          <div class="table-scroll">
            <table class="records-table">
              <caption>
                {records.length} stream record{records.length === 1 ? "" : "s"}, oldest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Keys</th>
                  <th scope="col">New image</th>
                  <th scope="col">Old image</th>
                  <th scope="col">Sequence number</th>
                </tr>
              </thead>
              <tbody>
                {records.length === 0 ? (
                  <tr>
                    <td colSpan={6} class="empty">
                      No records in the stream yet.
                    </td>
                  </tr>
                ) : (
                  records.map((r) => (
                    <tr key={`${r.shard}/${r.dynamodb?.SequenceNumber}`}>
                      <td>{r.dynamodb?.ApproximateCreationDateTime ? fmtTime(r.dynamodb.ApproximateCreationDateTime) : "—"}</td>
                      <td>
                        <span class={`badge records-event-${(r.eventName ?? "").toLowerCase()}`}>{r.eventName}</span>
                      </td>
                      <td>
                        <ImageCell item={r.dynamodb?.Keys} label="Keys" />
                      </td>
                      <td>
                        <ImageCell item={r.dynamodb?.NewImage} label="New image" />
                      </td>
                      <td>
                        <ImageCell item={r.dynamodb?.OldImage} label="Old image" />
                      </td>
                      <td>
                        <code class="records-seq">{r.dynamodb?.SequenceNumber}</code>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <p>
            {open ? (
              <button type="button" onClick={more} disabled={busy}>
                Read newer records
              </button>
            ) : (
              "Every shard is closed: there is nothing more to read."
            )}
          </p>
        </div>
      )}
    </Section>
  );
}

function ImageCell({ item, label }: { item: Record<string, unknown> | undefined; label: string }) {
  if (!item) return <span aria-label={`${label}: none`}>—</span>;
  return (
    <pre class="records-pre" tabIndex={0} aria-label={label}>
      {itemText(item as Record<string, AttributeValue>)}
    </pre>
  );
}

function byTime(a: StreamRecord, b: StreamRecord): number {
  const ta = a.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0;
  const tb = b.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0;
  if (ta !== tb) return ta - tb;
  const sa = a.dynamodb?.SequenceNumber ?? "";
  const sb = b.dynamodb?.SequenceNumber ?? "";
  return sa.length !== sb.length ? sa.length - sb.length : sa < sb ? -1 : sa > sb ? 1 : 0;
}
