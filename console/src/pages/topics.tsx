/**
 * SNS topics. The list: every topic (ListTopics, page by page), with the subscription counts of the
 * rows on screen. A topic: its attributes, its subscriptions (an SQS endpoint links to its queue's
 * page, a Lambda endpoint to its function's) with their filter policies, and a form to publish.
 */
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  type PublishCommandOutput,
  SNSClient,
  type Subscription,
  paginateListSubscriptionsByTopic,
  paginateListTopics,
} from "@aws-sdk/client-sns";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { itemsOf, useAction, useAsync, useStreamedList } from "../ui/async";
import { type Column, DataTable, ErrorBox, Field, JsonView, KeyValue, Loading, PageHeader, Section, Show, fmtNumber } from "../ui/ui";
import { EndpointLink, arnName } from "../ui/queue-format";
import { type AttributeRow, AttributeRows, attributesOf } from "../ui/queue-message-attributes";

const sns = () => client(SNSClient);

export default function Topics({ view, params }: PageProps) {
  return view === "topic" ? <TopicPage arn={params.arn!} /> : <TopicList />;
}

/* ------------------------------------------------------------------ the list */

interface Row {
  arn: string;
  name: string;
  attributes?: Record<string, string>;
}

function TopicList() {
  const { items: arns, done, error } = useStreamedList(() => itemsOf(paginateListTopics({ client: sns() }, {}), (p) => (p.Topics ?? []).map((t) => t.TopicArn!)), []);
  const [attrs, setAttrs] = useState<Record<string, Record<string, string>>>({});
  const [attrsError, setAttrsError] = useState<ApiError>();
  const asked = useRef(new Set<string>());

  function onVisible(visible: Row[]) {
    for (const r of visible) {
      if (asked.current.has(r.arn)) continue;
      asked.current.add(r.arn);
      call(sns().send(new GetTopicAttributesCommand({ TopicArn: r.arn })))
        .then((out) => setAttrs((a) => ({ ...a, [r.arn]: out.Attributes ?? {} })))
        .catch((err) => {
          // Asked again when the row shows again, rather than "…" for good.
          asked.current.delete(r.arn);
          setAttrsError(apiError(err));
        });
    }
  }

  const count = (r: Row, a: string) => (r.attributes ? fmtNumber(Number(r.attributes[a] ?? 0)) : "…");
  const columns: Column<Row>[] = [
    { label: "Name", render: (r) => <Link to={`/topics/${seg(r.arn)}`}>{r.name}</Link> },
    { label: "Type", value: (r) => (r.name.endsWith(".fifo") ? "FIFO" : "Standard") },
    { label: "Display name", value: (r) => r.attributes?.DisplayName || undefined },
    { label: "Subscriptions confirmed", value: (r) => count(r, "SubscriptionsConfirmed"), numeric: true },
    { label: "Pending confirmation", value: (r) => count(r, "SubscriptionsPending"), numeric: true },
  ];

  return (
    <>
      <PageHeader title="Topics" />
      {error && <ErrorBox error={error} />}
      {attrsError && <ErrorBox error={attrsError} context="Topic attributes" />}
      {!arns && !error && <Loading what="Loading topics" />}
      {arns && (
        <DataTable<Row>
          caption={`${arns.length.toLocaleString("en-US")} topic${arns.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={arns.map((arn) => ({ arn, name: arnName(arn), attributes: attrs[arn] }))}
          columns={columns}
          rowKey={(r) => r.arn}
          searchText={(r) => r.name}
          searchLabel="Search topics by name"
          empty="No topics yet. Create one with the AWS CLI: aws sns create-topic --name …"
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more topics" />}
        />
      )}
    </>
  );
}

/* ------------------------------------------------------------------ a topic */

function TopicPage({ arn }: { arn: string }) {
  const attrs = useAsync(async () => (await call(sns().send(new GetTopicAttributesCommand({ TopicArn: arn })))).Attributes ?? {}, [arn]);
  return (
    <>
      <PageHeader title={arnName(arn)} crumbs={[{ to: "/topics", label: "Topics" }]} />
      <Show state={attrs} what="Loading the topic">
        {(a) => (
          <>
            <TopicDetails arn={arn} attributes={a} />
            <Subscriptions arn={arn} />
            <Publish arn={arn} fifo={a.FifoTopic === "true"} contentDedup={a.ContentBasedDeduplication === "true"} />
            <Section title="Access policy">{a.Policy ? <JsonView value={a.Policy} label="Access policy" /> : <p>None.</p>}</Section>
            <Section title="Delivery policy">
              {a.DeliveryPolicy ? <JsonView value={a.DeliveryPolicy} label="Delivery policy" /> : <p>None set: HTTP/S deliveries use SNS's default retries.</p>}
              {a.EffectiveDeliveryPolicy && (
                <>
                  <h3>Effective delivery policy</h3>
                  <JsonView value={a.EffectiveDeliveryPolicy} label="Effective delivery policy" />
                </>
              )}
            </Section>
          </>
        )}
      </Show>
    </>
  );
}

function TopicDetails({ arn, attributes: a }: { arn: string; attributes: Record<string, string> }) {
  const fifo = a.FifoTopic === "true";
  const entries: [string, ComponentChildren][] = [
    ["Type", fifo ? "FIFO (ordered, deduplicated; SQS FIFO queues subscribe)" : "Standard"],
    ["ARN", <span class="mono">{arn}</span>],
    ["Display name", a.DisplayName],
    ["Owner", a.Owner],
    ["Subscriptions confirmed", fmtNumber(Number(a.SubscriptionsConfirmed ?? 0))],
    ["Subscriptions pending confirmation", fmtNumber(Number(a.SubscriptionsPending ?? 0))],
    ["Subscriptions deleted", fmtNumber(Number(a.SubscriptionsDeleted ?? 0))],
  ];
  if (fifo) entries.push(["Content-based deduplication", a.ContentBasedDeduplication === "true" ? "On: the message's SHA-256 is the deduplication ID" : "Off: each publish needs a deduplication ID"]);
  if (a.FifoThroughputScope) entries.push(["FIFO throughput scope", a.FifoThroughputScope]);
  if (a.KmsMasterKeyId) entries.push(["Encryption key", a.KmsMasterKeyId]);
  if (a.SignatureVersion) entries.push(["Signature version", a.SignatureVersion]);
  if (a.TracingConfig) entries.push(["Tracing", a.TracingConfig]);
  return (
    <Section title="Attributes">
      <KeyValue entries={entries} />
    </Section>
  );
}

/* ------------------------------------------------------------------ subscriptions */

interface SubRow {
  sub: Subscription;
  /** Its place in the list (pending subscriptions have no ARN to tell them apart). */
  i: number;
  attributes?: Record<string, string>;
}

const pendingArn = (arn: string | undefined) => !arn || arn === "PendingConfirmation" || arn === "pending confirmation";

function Subscriptions({ arn }: { arn: string }) {
  const { items: subs, done, error } = useStreamedList(() => itemsOf(paginateListSubscriptionsByTopic({ client: sns() }, { TopicArn: arn }), (p) => p.Subscriptions), [arn]);
  const [attrs, setAttrs] = useState<Record<string, Record<string, string>>>({});
  const [attrsError, setAttrsError] = useState<ApiError>();
  const asked = useRef(new Set<string>());


  // Filter policy and raw delivery are the subscription's attributes: asked for the rows on screen.
  function onVisible(visible: SubRow[]) {
    for (const r of visible) {
      const s = r.sub.SubscriptionArn;
      if (pendingArn(s) || asked.current.has(s!)) continue;
      asked.current.add(s!);
      call(sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s })))
        .then((out) => setAttrs((a) => ({ ...a, [s!]: out.Attributes ?? {} })))
        .catch((err) => {
          asked.current.delete(s!);
          setAttrsError(apiError(err));
        });
    }
  }

  const key = (s: Subscription, i?: number) => (pendingArn(s.SubscriptionArn) ? `pending:${s.Protocol}:${s.Endpoint}:${i ?? ""}` : s.SubscriptionArn!);
  const columns: Column<SubRow>[] = [
    { label: "Protocol", value: (r) => r.sub.Protocol },
    { label: "Endpoint", render: (r) => <EndpointLink protocol={r.sub.Protocol} endpoint={r.sub.Endpoint} /> },
    {
      label: "Status",
      value: (r) => (pendingArn(r.sub.SubscriptionArn) || r.attributes?.PendingConfirmation === "true" ? "Pending confirmation" : "Confirmed"),
    },
    {
      label: "Raw delivery",
      value: (r) => (pendingArn(r.sub.SubscriptionArn) ? undefined : r.attributes ? (r.attributes.RawMessageDelivery === "true" ? "Yes" : "No") : "…"),
    },
    {
      label: "Filter policy",
      render: (r) => {
        if (pendingArn(r.sub.SubscriptionArn)) return "—";
        if (!r.attributes) return "…";
        const fp = r.attributes.FilterPolicy;
        if (!fp) return "None: every message";
        return (
          <>
            <JsonView value={fp} label={`Filter policy of the ${r.sub.Protocol} subscription to ${r.sub.Endpoint}`} />
            <span class="hint">Applies to the message {r.attributes.FilterPolicyScope === "MessageBody" ? "body" : "attributes"}.</span>
          </>
        );
      },
    },
    { label: "Subscription ID", render: (r) => (pendingArn(r.sub.SubscriptionArn) ? "—" : <span class="mono" title={r.sub.SubscriptionArn}>{arnName(r.sub.SubscriptionArn!)}</span>) },
  ];

  return (
    <Section title="Subscriptions">
      {error && <ErrorBox error={error} />}
      {attrsError && <ErrorBox error={attrsError} context="Subscription attributes" />}
      {!subs && !error && <Loading what="Loading subscriptions" />}
      {subs && (
        <DataTable<SubRow>
          caption={`${subs.length.toLocaleString("en-US")} subscription${subs.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={subs.map((sub, i) => ({ sub, attributes: pendingArn(sub.SubscriptionArn) ? undefined : attrs[sub.SubscriptionArn!], i }))}
          columns={columns}
          rowKey={(r) => key(r.sub, r.i)}
          searchText={(r) => `${r.sub.Protocol} ${r.sub.Endpoint}`}
          searchLabel="Search subscriptions by protocol or endpoint"
          empty="No subscriptions. Subscribe with the AWS CLI: aws sns subscribe --topic-arn … --protocol sqs --notification-endpoint <queue ARN>"
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more subscriptions" />}
        />
      )}
    </Section>
  );
}

/* ------------------------------------------------------------------ publish */

function Publish({ arn, fifo, contentDedup }: { arn: string; fifo: boolean; contentDedup: boolean }) {
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [rows, setRows] = useState<AttributeRow[]>([]);
  const [group, setGroup] = useState("");
  const [dedup, setDedup] = useState("");
  const { busy, error, result: published, run } = useAction<PublishCommandOutput>();

  async function publish(e: Event) {
    e.preventDefault();
    await run(async () => {
      const attributes = attributesOf(rows);
      return call(
        sns().send(
          new PublishCommand({
            TopicArn: arn,
            Message: message,
            ...(subject ? { Subject: subject } : {}),
            ...(attributes ? { MessageAttributes: attributes as Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }> } : {}),
            ...(fifo && group ? { MessageGroupId: group } : {}),
            ...(fifo && dedup ? { MessageDeduplicationId: dedup } : {}),
          }),
        ),
      );
    });
  }

  return (
    <Section title="Publish a message">
      <form onSubmit={(e) => void publish(e)}>
        <Field label="Subject" id="pub-subject" hint="Optional; email subscriptions use it as the subject line, and it is in the JSON envelope SQS and Lambda subscribers get.">
          <input id="pub-subject" class="queue-wide" value={subject} aria-describedby="pub-subject-hint" onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Message" id="pub-message" hint="Up to 256 KiB of text, delivered to every subscription whose filter policy matches.">
          <textarea id="pub-message" value={message} aria-describedby="pub-message-hint" onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} />
        </Field>
        {fifo && (
          <div class="row">
            <Field label="Message group ID" id="pub-group" hint="Required on a FIFO topic.">
              <input id="pub-group" value={group} aria-describedby="pub-group-hint" onInput={(e) => setGroup((e.target as HTMLInputElement).value)} />
            </Field>
            <Field label="Message deduplication ID" id="pub-dedup" hint={contentDedup ? "Optional: content-based deduplication is on." : "Required: content-based deduplication is off."}>
              <input id="pub-dedup" value={dedup} aria-describedby="pub-dedup-hint" onInput={(e) => setDedup((e.target as HTMLInputElement).value)} />
            </Field>
          </div>
        )}
        <AttributeRows rows={rows} onChange={setRows} idPrefix="pub-attr" />
        <p>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Publishing…" : "Publish message"}
          </button>
        </p>
      </form>
      {error && <ErrorBox error={error} />}
      <div aria-live="polite">
        {published && (
          <p role="status" class="queue-sent">
            Published. Message ID: <strong class="mono">{published.MessageId}</strong>
            {published.SequenceNumber && <> (sequence number {published.SequenceNumber})</>}
          </p>
        )}
      </div>
    </Section>
  );
}
