/** A dead-letter queue's redrive: its source queues, Start redrive (StartMessageMoveTask) and the move tasks with Cancel. */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  SQSClient,
  StartMessageMoveTaskCommand,
  paginateListDeadLetterSourceQueues,
} from "@aws-sdk/client-sqs";
import { type ApiError, apiError, call, client } from "../aws";
import { Link, seg } from "../router";
import { useAction, useAsync, useInterval } from "./async";
import { type Column, DataTable, ErrorBox, Field, Section, Show, fmtNumber, fmtTime } from "./ui";
import { ArnLink } from "./arn";
import { DEPTH_EVERY_MS, arnName, urlName } from "./queue-format";

const sqs = () => client(SQSClient);

export function Redrive({ url, arn, fifo, onTasksRead }: { url: string; arn: string; fifo: boolean; onTasksRead: () => void }) {
  const sources = useAsync(async () => {
    const all: string[] = [];
    for await (const page of paginateListDeadLetterSourceQueues({ client: sqs(), pageSize: 100 }, { QueueUrl: url })) all.push(...(page.queueUrls ?? []));
    return all;
  }, [url]);
  return (
    <Section title="Dead-letter redrive">
      <Show state={sources} what="Finding the queues that use this one as their dead-letter queue">
        {(list) =>
          list.length === 0 ? (
            <p>No queue names this queue as its dead-letter queue (in its redrive policy), so there is nothing to redrive from it.</p>
          ) : (
            <>
              <div class="table-scroll">
                <table>
                  <caption>
                    {list.length} source queue{list.length === 1 ? "" : "s"}: queues whose redrive policy sends failed messages here
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Source queue</th>
                      <th scope="col">URL</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((u) => (
                      <tr key={u}>
                        <td>
                          <Link to={`/queues/${seg(urlName(u))}`}>{urlName(u)}</Link>
                        </td>
                        <td class="mono">{u}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <StartRedrive arn={arn} fifo={fifo} onTasksRead={onTasksRead} />
            </>
          )
        }
      </Show>
    </Section>
  );
}

function StartRedrive({ arn, fifo, onTasksRead }: { arn: string; fifo: boolean; onTasksRead: () => void }) {
  const [to, setTo] = useState<"sources" | "custom">("sources");
  const [destination, setDestination] = useState("");
  const [rate, setRate] = useState("");
  const { busy, error, result: started, run } = useAction<string>();
  const [tasksVersion, setTasksVersion] = useState(0);

  async function start(e: Event) {
    e.preventDefault();
    await run(async () => {
      const out = await call(
        sqs().send(
          new StartMessageMoveTaskCommand({
            SourceArn: arn,
            ...(to === "custom" ? { DestinationArn: destination.trim() } : {}),
            ...(rate.trim() !== "" ? { MaxNumberOfMessagesPerSecond: Number(rate) } : {}),
          }),
        ),
      );
      setTasksVersion((v) => v + 1);
      return out.TaskHandle ?? "";
    });
  }

  return (
    <>
      <h3>Start a redrive</h3>
      <p>
        Moves this dead-letter queue's messages {to === "sources" ? "back to the queues they failed in" : "to the queue you name"}
        {fifo ? " (SQS does not redrive FIFO dead-letter queues: expect it to refuse)" : ""}.
      </p>
      <form onSubmit={(e) => void start(e)}>
        <fieldset class="queue-radios">
          <legend>Destination</legend>
          <label>
            <input type="radio" name="redrive-to" value="sources" checked={to === "sources"} onChange={() => setTo("sources")} /> Their source queues
          </label>
          <label>
            <input type="radio" name="redrive-to" value="custom" checked={to === "custom"} onChange={() => setTo("custom")} /> Another queue
          </label>
        </fieldset>
        <div class="row">
          {to === "custom" && (
            <Field label="Destination queue ARN" id="redrive-dest" hint="arn:aws:sqs:<region>:<account>:<queue name>">
              <input id="redrive-dest" class="queue-wide" value={destination} required aria-describedby="redrive-dest-hint" onInput={(e) => setDestination((e.target as HTMLInputElement).value)} />
            </Field>
          )}
          <Field label="Maximum messages per second" id="redrive-rate" hint="Optional, 1 to 500; empty lets SQS choose.">
            <input id="redrive-rate" type="number" min={1} max={500} value={rate} aria-describedby="redrive-rate-hint" onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
          </Field>
        </div>
        <p>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Starting…" : "Start redrive"}
          </button>
        </p>
      </form>
      {error && <ErrorBox error={error} context="Start redrive" />}
      <div aria-live="polite">
        {started !== undefined && (
          <p role="status">
            Redrive started. Task handle:{" "}
            <span class="mono" style={{ overflowWrap: "anywhere" }}>
              {started}
            </span>
          </p>
        )}
      </div>
      <MoveTasks arn={arn} version={tasksVersion} onRead={onTasksRead} />
    </>
  );
}

/** The queue's redrive tasks; `onRead` after each read (the queue's depth changes as they move messages). */
function MoveTasks({ arn, version, onRead }: { arn: string; version: number; onRead: () => void }) {
  const tasks = useAsync(async () => (await call(sqs().send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 10 })))).Results ?? [], [arn, version]);
  const read = useRef(onRead);
  read.current = onRead;
  useEffect(() => {
    if (tasks.data) read.current();
  }, [tasks.data]);
  const [cancelError, setCancelError] = useState<ApiError>();
  const [cancelling, setCancelling] = useState<string>();
  const running = tasks.data?.some((t) => t.Status === "RUNNING" || t.Status === "CANCELLING") ?? false;
  useInterval(() => tasks.reload(), running ? DEPTH_EVERY_MS : undefined);

  async function cancel(handle: string) {
    setCancelling(handle);
    setCancelError(undefined);
    try {
      await call(sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle: handle })));
      tasks.reload();
    } catch (err) {
      setCancelError(apiError(err));
    } finally {
      setCancelling(undefined);
    }
  }

  const columns: Column<ListMessageMoveTasksResultEntry>[] = [
    { label: "Started", value: (t) => fmtTime(t.StartedTimestamp) },
    { label: "Status", render: (t) => <span class={t.Status === "FAILED" ? "bad" : t.Status === "COMPLETED" ? "good" : undefined}>{t.Status}</span> },
    { label: "Destination", render: (t) => (t.DestinationArn ? <ArnLink arn={t.DestinationArn} show="name" /> : "Source queues") },
    { label: "Moved", value: (t) => fmtNumber(t.ApproximateNumberOfMessagesMoved), numeric: true },
    { label: "To move", value: (t) => fmtNumber(t.ApproximateNumberOfMessagesToMove), numeric: true },
    { label: "Messages per second", value: (t) => (t.MaxNumberOfMessagesPerSecond === undefined ? "SQS chooses" : fmtNumber(t.MaxNumberOfMessagesPerSecond)), numeric: true },
    { label: "Failure", value: (t) => t.FailureReason },
    {
      label: "Action",
      render: (t) =>
        t.Status === "RUNNING" && t.TaskHandle ? (
          <button type="button" disabled={cancelling === t.TaskHandle} onClick={() => void cancel(t.TaskHandle!)} aria-label={`Cancel the redrive started ${fmtTime(t.StartedTimestamp)}`}>
            Cancel
          </button>
        ) : (
          "—"
        ),
    },
  ];

  return (
    <>
      <h3>Redrive tasks</h3>
      {cancelError && <ErrorBox error={cancelError} context="Cancel redrive" />}
      <Show state={tasks} what="Loading redrive tasks">
        {(list) => (
          <div aria-live="polite">
            <DataTable<ListMessageMoveTasksResultEntry>
              caption={`Redrive tasks from ${arnName(arn)} (the most recent ${list.length}, as ListMessageMoveTasks gives them)${running ? ", refreshed every 5 seconds while one runs" : ""}`}
              rows={list}
              columns={columns}
              rowKey={(t) => `${t.TaskHandle ?? ""}${t.StartedTimestamp ?? ""}`}
              empty="No redrive tasks yet."
            />
          </div>
        )}
      </Show>
    </>
  );
}
