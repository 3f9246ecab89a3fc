/** Send a message to a queue: body, delay (standard queues), group and deduplication ids (FIFO), attribute rows. */
import { useState } from "preact/hooks";
import { SendMessageCommand, type SendMessageCommandOutput, SQSClient } from "@aws-sdk/client-sqs";
import { call, client } from "../aws";
import { useAction } from "./async";
import { ErrorBox, Field, KeyValue, Section } from "./ui";
import { fmtSeconds } from "./format";
import { type AttributeRow, AttributeRows, attributesOf } from "./queue-message-attributes";

const sqs = () => client(SQSClient);

export function Send({ url, fifo, attributes, onSent }: { url: string; fifo: boolean; attributes: Record<string, string>; onSent: () => void }) {
  const [body, setBody] = useState("");
  const [delay, setDelay] = useState("");
  const [rows, setRows] = useState<AttributeRow[]>([]);
  const [group, setGroup] = useState("");
  const [dedup, setDedup] = useState("");
  const { busy, error, result: sent, run } = useAction<SendMessageCommandOutput>();

  async function send(e: Event) {
    e.preventDefault();
    await run(async () => {
      const out = await call(
        sqs().send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: body,
            ...(!fifo && delay.trim() !== "" ? { DelaySeconds: Number(delay) } : {}),
            ...(attributesOf(rows) ? { MessageAttributes: attributesOf(rows) } : {}),
            ...(fifo && group ? { MessageGroupId: group } : {}),
            ...(fifo && dedup ? { MessageDeduplicationId: dedup } : {}),
          }),
        ),
      );
      onSent();
      return out;
    });
  }

  return (
    <Section title="Send a message">
      <form onSubmit={(e) => void send(e)}>
        <Field label="Message body" id="send-body" hint="Up to 256 KiB of text; JSON is sent as typed.">
          <textarea id="send-body" value={body} aria-describedby="send-body-hint" onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
        </Field>
        {!fifo && (
          <Field label="Delay seconds" id="send-delay" hint={`0 to 900; empty uses the queue's delivery delay (${fmtSeconds(attributes.DelaySeconds)}).`}>
            <input id="send-delay" type="number" min={0} max={900} value={delay} aria-describedby="send-delay-hint" onInput={(e) => setDelay((e.target as HTMLInputElement).value)} />
          </Field>
        )}
        {fifo && (
          <div class="row">
            <Field label="Message group ID" id="send-group" hint="Required on a FIFO queue: messages of a group are received in order.">
              <input id="send-group" value={group} aria-describedby="send-group-hint" onInput={(e) => setGroup((e.target as HTMLInputElement).value)} />
            </Field>
            <Field
              label="Message deduplication ID"
              id="send-dedup"
              hint={attributes.ContentBasedDeduplication === "true" ? "Optional: content-based deduplication is on." : "Required: content-based deduplication is off."}
            >
              <input id="send-dedup" value={dedup} aria-describedby="send-dedup-hint" onInput={(e) => setDedup((e.target as HTMLInputElement).value)} />
            </Field>
          </div>
        )}
        <AttributeRows rows={rows} onChange={setRows} idPrefix="send-attr" />
        <p>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Sending…" : "Send message"}
          </button>
        </p>
      </form>
      {error && <ErrorBox error={error} />}
      <div aria-live="polite">
        {sent && (
          <div role="status" class="queue-sent">
            <p>
              Sent. Message ID: <strong class="mono">{sent.MessageId}</strong>
            </p>
            <KeyValue
              entries={[
                ["MD5 of the body", <span class="mono">{sent.MD5OfMessageBody}</span>],
                ["MD5 of the attributes", sent.MD5OfMessageAttributes ? <span class="mono">{sent.MD5OfMessageAttributes}</span> : undefined],
                ...(sent.SequenceNumber ? ([["Sequence number", sent.SequenceNumber]] as [string, string][]) : []),
              ]}
            />
          </div>
        )}
      </div>
    </Section>
  );
}

