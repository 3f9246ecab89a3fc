/**
 * SQS queues. The list: a prefix search asked of the API (ListQueues' QueueNamePrefix, page by page
 * with NextToken), with the depth of the rows on screen. A queue: its attributes in words, its depth
 * every 5 s, peek (a receive with a visibility timeout of 0: it counts as a receive, as AWS's "poll
 * for messages" does), send, purge, and for a dead-letter queue its source queues and redrive tasks.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  PurgeQueueCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SQSClient,
  paginateListQueues,
} from "@aws-sdk/client-sqs";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { itemsOf, useAsync, useStreamedList } from "../ui/async";
import { usePoll } from "../ui/poll";
import { type Column, DataTable, ErrorBox, Field, JsonView, KeyValue, Loading, PageHeader, Section, Show, Tabs, fmtBytes, fmtNumber, fmtTime } from "../ui/ui";
import { ArnLink } from "../ui/arn";
import { fmtSeconds } from "../ui/format";
import { DEPTH_EVERY_MS, epochMillis, epochSeconds, urlName } from "../ui/queue-format";
import { Redrive } from "../ui/queue-redrive";
import { Send } from "../ui/queue-send";
import { AttributeTable } from "../ui/queue-message-attributes";

const sqs = () => client(SQSClient);

const DEPTH: QueueAttributeName[] = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

export default function Queues({ view, params, query }: PageProps) {
  return view === "queue" ? <QueuePage name={params.name!} query={query} /> : <QueueList query={query} />;
}

/* ------------------------------------------------------------------ the list */

interface Row {
  url: string;
  name: string;
  depth?: Record<string, string>;
}

function QueueList({ query }: { query: URLSearchParams }) {
  const prefix = query.get("prefix") ?? "";
  const [typed, setTyped] = useState(prefix);
  const { items: urls, done, error } = useStreamedList(() => itemsOf(paginateListQueues({ client: sqs(), pageSize: 100 }, { ...(prefix ? { QueueNamePrefix: prefix } : {}) }), (p) => p.QueueUrls), [prefix]);
  const [depth, setDepth] = useState<Record<string, Record<string, string>>>({});
  const [depthError, setDepthError] = useState<ApiError>();
  const asked = useRef(new Set<string>());

  useEffect(() => setTyped(prefix), [prefix]);

  // The depth of the rows on screen, asked once each.
  function onVisible(visible: Row[]) {
    for (const r of visible) {
      if (asked.current.has(r.url)) continue;
      asked.current.add(r.url);
      call(sqs().send(new GetQueueAttributesCommand({ QueueUrl: r.url, AttributeNames: DEPTH })))
        .then((out) => setDepth((d) => ({ ...d, [r.url]: out.Attributes ?? {} })))
        .catch((err) => {
          // Asked again when the row shows again, rather than "…" for good.
          asked.current.delete(r.url);
          setDepthError(apiError(err));
        });
    }
  }

  const n = (r: Row, a: string) => (r.depth ? fmtNumber(Number(r.depth[a] ?? 0)) : "…");
  const columns: Column<Row>[] = [
    { label: "Name", render: (r) => <Link to={`/queues/${seg(r.name)}`}>{r.name}</Link> },
    { label: "Type", value: (r) => (r.name.endsWith(".fifo") ? "FIFO" : "Standard") },
    { label: "Messages available", value: (r) => n(r, "ApproximateNumberOfMessages"), numeric: true },
    { label: "In flight", value: (r) => n(r, "ApproximateNumberOfMessagesNotVisible"), numeric: true },
    { label: "Delayed", value: (r) => n(r, "ApproximateNumberOfMessagesDelayed"), numeric: true },
  ];

  return (
    <>
      <PageHeader title="Queues" />
      <form
        role="search"
        class="row queue-search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ prefix: typed.trim() });
        }}
      >
        <Field label="Queue name prefix" id="queue-prefix" hint="Lists the queues whose names start with this (ListQueues' QueueNamePrefix); empty lists them all.">
          <div class="row queue-search-row">
            <input id="queue-prefix" type="search" value={typed} aria-describedby="queue-prefix-hint" onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
            <button type="submit" class="primary">
              Search
            </button>
          </div>
        </Field>
      </form>
      {error && <ErrorBox error={error} />}
      {depthError && <ErrorBox error={depthError} context="Queue depth" />}
      {!urls && !error && <Loading what="Loading queues" />}
      {urls && (
        <DataTable<Row>
          key={prefix}
          caption={`${urls.length.toLocaleString("en-US")} queue${urls.length === 1 ? "" : "s"}${prefix ? ` named “${prefix}…”` : ""}${done ? "" : " so far"}`}
          rows={urls.map((url) => ({ url, name: urlName(url), depth: depth[url] }))}
          columns={columns}
          rowKey={(r) => r.url}
          empty={prefix ? `No queue's name starts with “${prefix}”.` : "No queues yet. Create one with the AWS CLI: aws sqs create-queue --queue-name …"}
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more queues" />}
        />
      )}
    </>
  );
}

/* ------------------------------------------------------------------ a queue */

const TABS = [
  { id: "details", label: "Details" },
  { id: "peek", label: "Peek messages" },
  { id: "send", label: "Send a message" },
  { id: "redrive", label: "Dead-letter redrive" },
];

function QueuePage({ name, query }: { name: string; query: URLSearchParams }) {
  const url = useAsync(async () => (await call(sqs().send(new GetQueueUrlCommand({ QueueName: name })))).QueueUrl!, [name]);
  return (
    <>
      <PageHeader title={name} crumbs={[{ to: "/queues", label: "Queues" }]} />
      <Show state={url} what="Finding the queue">
        {(u) => <Queue key={u} name={name} url={u} tab={TABS.some((t) => t.id === query.get("tab")) ? query.get("tab")! : "details"} />}
      </Show>
    </>
  );
}

function Queue({ name, url, tab }: { name: string; url: string; tab: string }) {
  const attrs = useAsync(async () => (await call(sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))).Attributes ?? {}, [url]);
  const [depth, setDepth] = useState<{ values: Record<string, string>; at: number }>();
  const [depthError, setDepthError] = useState<ApiError>();
  // Each read of the depth is numbered: an answer older than the one shown (a slow poll overtaken
  // by the read after a send or purge) is dropped.
  const asked = useRef(0);
  const shown = useRef(0);
  const refreshDepth = (live: () => boolean = () => true) => {
    const mine = ++asked.current;
    return call(sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: DEPTH })))
      .then((out) => {
        if (!live() || mine < shown.current) return;
        shown.current = mine;
        setDepth({ values: out.Attributes ?? {}, at: Date.now() });
        setDepthError(undefined);
      })
      .catch((err) => {
        if (live() && mine >= shown.current) setDepthError(apiError(err));
      });
  };
  useEffect(() => {
    if (attrs.data) setDepth({ values: attrs.data, at: Date.now() });
  }, [attrs.data]);
  // Read again 5 s after each answer while the page shows (not in a hidden tab); the first is the attributes'.
  usePoll(refreshDepth, DEPTH_EVERY_MS, [url], { wait: true });

  if (attrs.error) return <ErrorBox error={attrs.error} />;
  const a = attrs.data;
  if (!a) return <Loading what="Loading the queue's attributes" />;
  const fifo = a.FifoQueue === "true";
  const arn = a.QueueArn!;
  // The attributes' counts until the first read of the depth (not zeros on the first render).
  const counts = depth?.values ?? a;

  return (
    <>
      <Purge name={name} url={url} onPurged={() => void refreshDepth()} />
      <Section title="Depth">
        <div aria-live="polite">
          <KeyValue
            entries={[
              ["Messages available", fmtNumber(Number(counts.ApproximateNumberOfMessages ?? 0))],
              ["Messages in flight (not visible)", fmtNumber(Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0))],
              ["Messages delayed", fmtNumber(Number(counts.ApproximateNumberOfMessagesDelayed ?? 0))],
            ]}
          />
        </div>
        <p class="hint">Approximate, as SQS counts them; read again every {DEPTH_EVERY_MS / 1000} seconds while this page shows{depth ? ` (last at ${fmtTime(depth.at)})` : ""}.</p>
        {depthError && <ErrorBox error={depthError} context="Refreshing the depth" />}
      </Section>
      <Tabs tabs={TABS} current={tab} onSelect={(id) => setQuery({ tab: id === "details" ? undefined : id })} />
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
        {tab === "details" && <Details attributes={a} />}
        {tab === "peek" && <Peek url={url} attributes={a} onReceived={() => void refreshDepth()} />}
        {tab === "send" && <Send url={url} fifo={fifo} attributes={a} onSent={() => void refreshDepth()} />}
        {tab === "redrive" && <Redrive url={url} arn={arn} fifo={fifo} onTasksRead={() => void refreshDepth()} />}
      </div>
    </>
  );
}

/* ------------------------------------------------------------------ details */

function redrivePolicyText(raw: string | undefined) {
  if (!raw) return "None: messages that fail stay in this queue until they expire.";
  try {
    const p = JSON.parse(raw) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    return (
      <>
        After {p.maxReceiveCount} receive{Number(p.maxReceiveCount) === 1 ? "" : "s"}, a message moves to the dead-letter queue{" "}
        {p.deadLetterTargetArn ? <ArnLink arn={p.deadLetterTargetArn} show="name" /> : "(none named)"}.
      </>
    );
  } catch {
    return <span class="mono">{raw}</span>;
  }
}

function redriveAllowText(raw: string | undefined) {
  if (!raw) return "Any queue may use this queue as its dead-letter queue (no redrive allow policy).";
  try {
    const p = JSON.parse(raw) as { redrivePermission?: string; sourceQueueArns?: string[] };
    if (p.redrivePermission === "allowAll") return "Any queue may use this queue as its dead-letter queue.";
    if (p.redrivePermission === "denyAll") return "No queue may use this queue as its dead-letter queue.";
    if (p.redrivePermission === "byQueue") {
      return (
        <>
          Only these queues may use it as their dead-letter queue:{" "}
          {(p.sourceQueueArns ?? []).map((s, i) => (
            <span key={s}>
              {i > 0 && ", "}
              <ArnLink arn={s} show="name" />
            </span>
          ))}
          .
        </>
      );
    }
  } catch {
    // shown as given below
  }
  return <span class="mono">{raw}</span>;
}

function Details({ attributes: a }: { attributes: Record<string, string> }) {
  const fifo = a.FifoQueue === "true";
  const entries: [string, ComponentChildren][] = [
    ["Type", fifo ? "FIFO (first-in, first-out, exactly once)" : "Standard"],
    ["ARN", <span class="mono">{a.QueueArn}</span>],
    ["Visibility timeout", fmtSeconds(a.VisibilityTimeout)],
    ["Message retention period", fmtSeconds(a.MessageRetentionPeriod)],
    ["Delivery delay", fmtSeconds(a.DelaySeconds)],
    ["Maximum message size", a.MaximumMessageSize ? `${fmtBytes(Number(a.MaximumMessageSize))} (${fmtNumber(Number(a.MaximumMessageSize))} bytes)` : undefined],
    ["Receive message wait time", a.ReceiveMessageWaitTimeSeconds === "0" ? "0 seconds (short polling)" : `${fmtSeconds(a.ReceiveMessageWaitTimeSeconds)} (long polling)`],
    ["Redrive policy", redrivePolicyText(a.RedrivePolicy)],
    ["Redrive allow policy", redriveAllowText(a.RedriveAllowPolicy)],
  ];
  if (fifo) {
    entries.push(
      ["Content-based deduplication", a.ContentBasedDeduplication === "true" ? "On: the body's SHA-256 is the deduplication ID" : "Off: each message needs a deduplication ID"],
      ["Deduplication scope", a.DeduplicationScope === "messageGroup" ? "Message group" : a.DeduplicationScope === "queue" ? "Queue" : a.DeduplicationScope],
      ["FIFO throughput limit", a.FifoThroughputLimit === "perMessageGroupId" ? "Per message group ID" : a.FifoThroughputLimit === "perQueue" ? "Per queue" : a.FifoThroughputLimit],
    );
  }
  entries.push(
    ["Encryption", a.KmsMasterKeyId ? `KMS key ${a.KmsMasterKeyId} (data key reused for ${fmtSeconds(a.KmsDataKeyReusePeriodSeconds)})` : a.SqsManagedSseEnabled === "true" ? "SQS-managed (SSE-SQS)" : "None"],
    ["Created", fmtTime(epochSeconds(a.CreatedTimestamp))],
    ["Last modified", fmtTime(epochSeconds(a.LastModifiedTimestamp))],
  );
  return (
    <>
      <Section title="Attributes">
        <KeyValue entries={entries} />
      </Section>
      <Section title="Access policy">{a.Policy ? <JsonView value={a.Policy} label="Access policy" /> : <p>No access policy: only this account's principals, through their IAM policies, may use the queue.</p>}</Section>
    </>
  );
}

/* ------------------------------------------------------------------ peek */

function Peek({ url, attributes, onReceived }: { url: string; attributes: Record<string, string>; onReceived: () => void }) {
  const [messages, setMessages] = useState<Message[]>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  let dlq: { arn: string; max: string } | undefined;
  try {
    const p = attributes.RedrivePolicy ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number }) : undefined;
    if (p) dlq = { arn: p.deadLetterTargetArn, max: String(p.maxReceiveCount) };
  } catch {
    // no redrive note
  }

  async function peek() {
    setBusy(true);
    setError(undefined);
    try {
      const out = await call(
        sqs().send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["All"],
            AttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        ),
      );
      setMessages(out.Messages ?? []);
      onReceived();
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Peek messages">
      <div class="queue-note">
        <p>
          <strong>Peeking is a receive.</strong> It receives up to 10 messages with a visibility timeout of 0 seconds, so they stay visible to the queue's consumers and nothing is deleted,
          but each message's receive count (ApproximateReceiveCount) goes up by one, as with “Poll for messages” in AWS's console.
        </p>
        {dlq && (
          <p>
            This queue has a redrive policy: a message already received {dlq.max} times moves to its dead-letter queue <ArnLink arn={dlq.arn} show="name" /> when peeked, instead of being shown.
          </p>
        )}
      </div>
      <button type="button" class="primary" disabled={busy} onClick={() => void peek()}>
        {busy ? "Peeking…" : "Peek messages"}
      </button>
      {error && <ErrorBox error={error} />}
      <div aria-live="polite">
        {messages && (
          <p role="status">
            {messages.length === 0 ? "No messages were visible to receive." : `${messages.length} message${messages.length === 1 ? "" : "s"} received (at most 10 per peek).`}
          </p>
        )}
      </div>
      {messages?.map((m) => <PeekedMessage key={m.MessageId} m={m} />)}
    </Section>
  );
}

function isJson(body: string | undefined): boolean {
  if (!body) return false;
  const t = body.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

function PeekedMessage({ m }: { m: Message }) {
  const s = m.Attributes ?? {};
  const json = isJson(m.Body);
  const entries: [string, ComponentChildren][] = [
    ["Message ID", <span class="mono">{m.MessageId}</span>],
    ["Sent", fmtTime(epochMillis(s.SentTimestamp))],
    ["Receive count", s.ApproximateReceiveCount],
    ["First received", fmtTime(epochMillis(s.ApproximateFirstReceiveTimestamp))],
    ["Sender", s.SenderId],
  ];
  if (s.MessageGroupId) entries.push(["Message group ID", s.MessageGroupId]);
  if (s.MessageDeduplicationId) entries.push(["Deduplication ID", s.MessageDeduplicationId]);
  if (s.SequenceNumber) entries.push(["Sequence number", s.SequenceNumber]);
  if (s.DeadLetterQueueSourceArn) entries.push(["Dead-lettered from", <ArnLink arn={s.DeadLetterQueueSourceArn} show="name" />]);
  if (s.AWSTraceHeader) entries.push(["Trace header", s.AWSTraceHeader]);
  return (
    <article class="queue-message" aria-labelledby={`m-${m.MessageId}`}>
      <h3 id={`m-${m.MessageId}`}>Message {m.MessageId}</h3>
      <KeyValue entries={entries} />
      <h4>Body{json ? " (JSON, formatted)" : ""}</h4>
      {json ? (
        <JsonView value={m.Body} label={`Body of message ${m.MessageId}`} />
      ) : (
        <pre class="json" tabIndex={0} aria-label={`Body of message ${m.MessageId}`}>
          {m.Body}
        </pre>
      )}
      <h4>Message attributes</h4>
      <AttributeTable attributes={m.MessageAttributes} caption={`Message attributes of ${m.MessageId}`} />
    </article>
  );
}

/* ------------------------------------------------------------------ purge */

function Purge({ name, url, onPurged }: { name: string; url: string; onPurged: () => void }) {
  const [step, setStep] = useState<"idle" | "confirm" | "busy" | "done">("idle");
  const [error, setError] = useState<ApiError>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (step === "confirm") confirmRef.current?.focus();
  }, [step]);

  async function purge() {
    setStep("busy");
    setError(undefined);
    try {
      await call(sqs().send(new PurgeQueueCommand({ QueueUrl: url })));
      setStep("done");
      onPurged();
    } catch (err) {
      setError(apiError(err));
      setStep("idle");
    }
  }

  return (
    <div class="queue-purge">
      {(step === "idle" || step === "done") && (
        <button type="button" onClick={() => setStep("confirm")}>
          Purge messages…
        </button>
      )}
      {(step === "confirm" || step === "busy") && (
        <div class="queue-confirm" role="group" aria-labelledby="purge-q">
          <p id="purge-q">
            <strong>Purge {name}?</strong> Every message in the queue (available, in flight and delayed) is deleted. This cannot be undone.
          </p>
          <div class="row">
            <button type="button" class="danger" ref={confirmRef} disabled={step === "busy"} onClick={() => void purge()}>
              {step === "busy" ? "Purging…" : "Purge queue"}
            </button>
            <button type="button" disabled={step === "busy"} onClick={() => setStep("idle")}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <div aria-live="polite">{step === "done" && <p role="status">Purged: the queue's messages were deleted.</p>}</div>
      {error && <ErrorBox error={error} context="Purge" />}
    </div>
  );
}

/* ------------------------------------------------------------------ redrive */
