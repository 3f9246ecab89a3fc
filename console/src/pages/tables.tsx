/**
 * DynamoDB tables: the list (ListTables page by page, searchable, with the status, item count and
 * billing mode of the rows on screen), and a table: its description and time to live, its items
 * (Scan, or Query by a partition key value on the table or one of its indexes, 50 at a time), and
 * its stream's records (INSERT/MODIFY/REMOVE with keys and images) when it has a stream.
 */
import { useMemo, useRef, useState } from "preact/hooks";
import {
  type AttributeValue,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg, setQuery } from "../router";
import { useAsync, useStreamedList } from "../ui/async";
import { type Column, DataTable, ErrorBox, Field, KeyValue, Loading, PageHeader, Section, Show, fmtBytes, fmtNumber, fmtTime } from "../ui/ui";
import { AttrCell } from "../ui/records-data";
import { StreamRecords } from "../ui/records-stream";

export default function Tables({ view, params, query }: PageProps) {
  return view === "table" ? <TablePage name={params.name!} query={query} /> : <TableList />;
}

interface Row {
  name: string;
  /** Described (or refused: the refusal is shown above the table, the cells "—"). */
  described?: boolean;
  status?: string;
  items?: number;
  billing?: string;
  stream?: string;
}

function TableList() {
  const { items: names, done, error } = useStreamedList(async function* () {
    let start: string | undefined;
    do {
      const out = await call(client(DynamoDBClient).send(new ListTablesCommand({ Limit: 100, ...(start ? { ExclusiveStartTableName: start } : {}) })));
      yield out.TableNames ?? [];
      start = out.LastEvaluatedTableName;
    } while (start);
  }, []);
  const [extra, setExtra] = useState<Record<string, Omit<Row, "name">>>({});
  // The first DescribeTable refusal, as the API gave it (the refused rows' cells say "—").
  const [describeError, setDescribeError] = useState<ApiError>();
  const asked = useRef(new Set<string>());

  // The rows on screen: described once each (a refused one is asked again when next shown).
  function onVisible(visible: Row[]) {
    const db = client(DynamoDBClient);
    for (const { name } of visible) {
      if (asked.current.has(name)) continue;
      asked.current.add(name);
      call(db.send(new DescribeTableCommand({ TableName: name })))
        .then(({ Table: t }) =>
          setExtra((x) => ({
            ...x,
            [name]: {
              described: true,
              status: t?.TableStatus,
              items: t?.ItemCount,
              billing: t?.BillingModeSummary?.BillingMode ?? "PROVISIONED",
              stream: t?.StreamSpecification?.StreamEnabled ? t.StreamSpecification.StreamViewType : "none",
            },
          })),
        )
        .catch((err) => {
          asked.current.delete(name);
          setDescribeError((e) => e ?? apiError(err));
          setExtra((x) => ({ ...x, [name]: { described: true } }));
        });
    }
  }

  // "…" until the row is described; "—" for what a refusal left unknown.
  const cell = (r: Row, v: string | undefined) => (r.described ? v : "…");
  const columns: Column<Row>[] = [
    { label: "Name", render: (r) => <Link to={`/tables/${seg(r.name)}`}>{r.name}</Link> },
    { label: "Status", value: (r) => cell(r, r.status) },
    { label: "Items", value: (r) => cell(r, r.items === undefined ? undefined : fmtNumber(r.items)), numeric: true },
    { label: "Billing mode", value: (r) => cell(r, r.billing) },
    { label: "Stream", value: (r) => cell(r, r.stream) },
  ];
  return (
    <>
      <PageHeader title="Tables" />
      {error && <ErrorBox error={error} />}
      {describeError && <ErrorBox error={describeError} context="DescribeTable" />}
      {!names && !error && <Loading what="Loading tables" />}
      {names && (
        <DataTable<Row>
          caption={`${names.length.toLocaleString("en-US")} DynamoDB table${names.length === 1 ? "" : "s"}${done ? "" : " so far"}`}
          rows={names.map((name) => ({ name, ...extra[name] }))}
          columns={columns}
          rowKey={(r) => r.name}
          searchText={(r) => r.name}
          searchLabel="Search tables by name"
          empty="No tables yet. Create one with the AWS CLI: aws dynamodb create-table …"
          onVisible={onVisible}
          more={done ? undefined : <Loading what="Loading more tables" />}
        />
      )}
    </>
  );
}

const keyText = (ks: KeySchemaElement[] | undefined) => (ks ?? []).map((k) => `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"})`).join(", ");

function TablePage({ name, query }: { name: string; query: URLSearchParams }) {
  const desc = useAsync(() => call(client(DynamoDBClient).send(new DescribeTableCommand({ TableName: name }))), [name]);
  const ttl = useAsync(() => call(client(DynamoDBClient).send(new DescribeTimeToLiveCommand({ TableName: name }))), [name]);
  const t = desc.data?.Table;
  return (
    <>
      <PageHeader title={`Table ${name}`} crumbs={[{ to: "/tables", label: "Tables" }]} />
      <Section title="Description">
        <Show state={desc} what="Loading the table">
          {({ Table: t }) => (
            <>
              <KeyValue
                entries={[
                  ["Status", t?.TableStatus],
                  ["ARN", t?.TableArn],
                  ["Key schema", keyText(t?.KeySchema)],
                  ["Attribute definitions", (t?.AttributeDefinitions ?? []).map((a) => `${a.AttributeName}: ${a.AttributeType}`).join(", ")],
                  ["Item count", fmtNumber(t?.ItemCount)],
                  ["Size", fmtBytes(t?.TableSizeBytes)],
                  ["Billing mode", t?.BillingModeSummary?.BillingMode ?? "PROVISIONED"],
                  [
                    "Provisioned throughput",
                    t?.BillingModeSummary?.BillingMode === "PAY_PER_REQUEST" ? undefined : `${t?.ProvisionedThroughput?.ReadCapacityUnits ?? "?"} read, ${t?.ProvisionedThroughput?.WriteCapacityUnits ?? "?"} write`,
                  ],
                  ["Stream", t?.StreamSpecification?.StreamEnabled ? `enabled (${t.StreamSpecification.StreamViewType})` : "disabled"],
                  ["Latest stream ARN", t?.LatestStreamArn],
                  [
                    "Time to live",
                    ttl.error ? (
                      <span class="bad">{`${ttl.error.code}: ${ttl.error.message}`}</span>
                    ) : ttl.data ? (
                      `${ttl.data.TimeToLiveDescription?.TimeToLiveStatus ?? "DISABLED"}${ttl.data.TimeToLiveDescription?.AttributeName ? ` (attribute ${ttl.data.TimeToLiveDescription.AttributeName})` : ""}`
                    ) : (
                      "…"
                    ),
                  ],
                  ["Created", t?.CreationDateTime ? fmtTime(t.CreationDateTime) : undefined],
                ]}
              />
              <Indexes table={t!} />
            </>
          )}
        </Show>
      </Section>
      {t && <Items key={`${t.TableName}\n${query.get("pk") ?? ""}\n${query.get("index") ?? ""}`} table={t} query={query} />}
      {t?.StreamSpecification?.StreamEnabled && t.LatestStreamArn && <StreamRecords arn={t.LatestStreamArn} />}
    </>
  );
}

interface IndexRow {
  name: string;
  kind: "global" | "local";
  keys: string;
  projection: string;
  status?: string;
  items?: number;
}

function Indexes({ table }: { table: TableDescription }) {
  const rows: IndexRow[] = [
    ...(table.GlobalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName!,
      kind: "global" as const,
      keys: keyText(i.KeySchema),
      projection: projectionText(i.Projection),
      status: i.IndexStatus,
      items: i.ItemCount,
    })),
    ...(table.LocalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName!, kind: "local" as const, keys: keyText(i.KeySchema), projection: projectionText(i.Projection), items: i.ItemCount })),
  ];
  if (rows.length === 0) return <p>No secondary indexes.</p>;
  return (
    <DataTable<IndexRow>
      caption="Secondary indexes"
      rows={rows}
      rowKey={(r) => r.name}
      columns={[
        { label: "Index", value: (r) => r.name },
        { label: "Kind", value: (r) => r.kind },
        { label: "Keys", value: (r) => r.keys },
        { label: "Projection", value: (r) => r.projection },
        { label: "Status", value: (r) => r.status },
        { label: "Items", value: (r) => fmtNumber(r.items), numeric: true },
      ]}
    />
  );
}

function projectionText(p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) {
  if (!p?.ProjectionType) return "—";
  return p.NonKeyAttributes?.length ? `${p.ProjectionType} (${p.NonKeyAttributes.join(", ")})` : p.ProjectionType;
}

const PAGE = 50;
type Item = Record<string, AttributeValue>;

/**
 * Items, 50 a page: a Scan, or a Query for one partition key value (`?pk=`, on `?index=` if given).
 * "Next page" continues from the LastEvaluatedKey; "Previous page" goes back to the page before.
 */
function Items({ table, query }: { table: TableDescription; query: URLSearchParams }) {
  const pk = query.get("pk") ?? undefined;
  const index = query.get("index") ?? "";
  const indexes = useMemo(
    () => [
      { name: "", label: `the table (${keyText(table.KeySchema)})`, keys: table.KeySchema ?? [] },
      ...[...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].map((i) => ({ name: i.IndexName!, label: `index ${i.IndexName} (${keyText(i.KeySchema)})`, keys: i.KeySchema ?? [] })),
    ],
    [table],
  );
  const chosen = indexes.find((i) => i.name === index) ?? indexes[0]!;
  const hashName = chosen.keys.find((k) => k.KeyType === "HASH")?.AttributeName;
  const hashType = (table.AttributeDefinitions ?? []).find((a) => a.AttributeName === hashName)?.AttributeType ?? "S";
  const [formIndex, setFormIndex] = useState(index);
  const [formPk, setFormPk] = useState(pk ?? "");
  // The start key of each page read so far, this one last (undefined: the first page). A new query
  // or scan is a new component (keyed by the URL's query), so it starts from the first page.
  const [starts, setStarts] = useState<(Item | undefined)[]>([undefined]);
  const start = starts[starts.length - 1];

  const page = useAsync(async () => {
    const db = client(DynamoDBClient);
    if (pk === undefined) {
      return call(db.send(new ScanCommand({ TableName: table.TableName, Limit: PAGE, ...(start ? { ExclusiveStartKey: start } : {}) })));
    }
    if (!hashName) throw new Error("This index has no partition key.");
    const value: AttributeValue = hashType === "N" ? { N: pk } : hashType === "B" ? { B: Uint8Array.from(atob(pk), (c) => c.charCodeAt(0)) } : { S: pk };
    return call(
      db.send(
        new QueryCommand({
          TableName: table.TableName,
          ...(index ? { IndexName: index } : {}),
          KeyConditionExpression: "#k = :v",
          ExpressionAttributeNames: { "#k": hashName },
          ExpressionAttributeValues: { ":v": value },
          Limit: PAGE,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
  }, [table.TableName, pk, index, hashName, hashType, start]);

  // One column per attribute seen on this page: the keys first, then the others in the order met.
  const columns = useMemo(() => {
    const keys = [...(table.KeySchema ?? []), ...chosen.keys].map((k) => k.AttributeName!);
    const seen = new Set<string>(keys);
    for (const item of page.data?.Items ?? []) for (const k of Object.keys(item)) seen.add(k);
    return [...seen];
  }, [page.data, table, chosen]);
  const items = page.data?.Items ?? [];
  // What the form's partition key is (on the index chosen in the form): a number or binary needs saying.
  const formHash = (indexes.find((i) => i.name === formIndex) ?? indexes[0]!).keys.find((k) => k.KeyType === "HASH")?.AttributeName;
  const formType = (table.AttributeDefinitions ?? []).find((a) => a.AttributeName === formHash)?.AttributeType;
  const formHint = formType === "N" ? `${formHash} is a number` : formType === "B" ? `${formHash} is binary: give it in base64` : undefined;
  const last = page.data?.LastEvaluatedKey;

  return (
    <Section title="Items">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ pk: formPk === "" ? undefined : formPk, index: formPk === "" ? undefined : formIndex || undefined });
        }}
      >
        <Field label="Query" id="items-index">
          <select id="items-index" value={formIndex} onChange={(e) => setFormIndex((e.target as HTMLSelectElement).value)}>
            {indexes.map((i) => (
              <option key={i.name} value={i.name}>
                {i.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Partition key value" id="items-pk" hint={formHint}>
          <input id="items-pk" aria-describedby={formHint ? "items-pk-hint" : undefined} value={formPk} onInput={(e) => setFormPk((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="field">
          <button type="submit" class="button primary">
            Query
          </button>
        </div>
        <div class="field">
          <button
            type="button"
            onClick={() => {
              setFormPk("");
              setQuery({ pk: undefined, index: undefined });
              if (pk === undefined) page.reload();
            }}
          >
            Scan all items
          </button>
        </div>
      </form>
      {page.error && <ErrorBox error={page.error} context={pk === undefined ? "Scan" : "Query"} />}
      {!page.error && !page.data && <Loading what="Reading items" />}
      {page.data && (
        <div aria-busy={page.loading}>
          <div class="table-scroll">
            <table class="records-table">
              <caption>
                {pk === undefined ? "Scan" : `Query ${hashName} = ${JSON.stringify(pk)}${index ? ` on ${index}` : ""}`}: page {starts.length}, {items.length} item{items.length === 1 ? "" : "s"}
              </caption>
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {items.length === 0 ? (
                  <tr>
                    <td colSpan={columns.length} class="empty">
                      {pk === undefined ? (starts.length > 1 ? "No more items." : "The table has no items.") : "No items have this partition key value."}
                    </td>
                  </tr>
                ) : (
                  items.map((item, i) => (
                    <tr key={i}>
                      {columns.map((c) => (
                        <td key={c}>
                          <AttrCell value={item[c]} />
                        </td>
                      ))}
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <div class="pager">
            <span role="status" aria-live="polite">
              Page {starts.length}: {items.length} item{items.length === 1 ? "" : "s"}
              {page.data.ScannedCount !== undefined && page.data.ScannedCount !== items.length ? ` (${page.data.ScannedCount} read)` : ""}
              {last ? "; more follow" : "; the last page"}
            </span>
            <button type="button" disabled={starts.length <= 1 || page.loading} onClick={() => setStarts((s) => s.slice(0, -1))}>
              Previous page of items
            </button>
            <button type="button" disabled={!last || page.loading} onClick={() => setStarts((s) => [...s, last])}>
              Next page of items
            </button>
          </div>
        </div>
      )}
    </Section>
  );
}
