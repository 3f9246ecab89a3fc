/**
 * APIs and URLs: API Gateway REST APIs and HTTP APIs, and function URLs. The list shows both kinds
 * of API as they page in; function URLs are per function (ListFunctionUrlConfigs), so the functions
 * are listed and the rows on screen asked for their URLs, a few at a time. An API's page shows its
 * routes or resources and methods, integrations (with their functions), stages with their invoke
 * URLs in Flint's forms (ui/api-urls.tsx), and deployments, every page of each.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  APIGatewayClient,
  type Deployment,
  GetRestApiCommand,
  GetStagesCommand as GetRestStagesCommand,
  type Resource,
  type RestApi,
  paginateGetDeployments,
  paginateGetResources,
  paginateGetRestApis,
} from "@aws-sdk/client-api-gateway";
import { type Api, ApiGatewayV2Client, GetApiCommand, GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand } from "@aws-sdk/client-apigatewayv2";
import { type FunctionUrlConfig, LambdaClient, ListFunctionUrlConfigsCommand, paginateListFunctions } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { useAsync } from "../ui/async";
import { parseArn } from "../ui/arn";
import { type Column, DataTable, ErrorBox, JsonView, KeyValue, Loading, PageHeader, Section, Show, fmtTime } from "../ui/ui";
import { InvokeUrl, TargetLink, executeApiHostUrl, executeApiUrl, functionUrlPathForm } from "../ui/api-urls";

export default function Apis({ view, params }: PageProps) {
  if (view === "rest") return <RestApiPage id={params.id!} />;
  if (view === "http") return <HttpApiPage id={params.id!} />;
  return <ApiList />;
}

const CRUMBS = [{ to: "/apis", label: "APIs and URLs" }];

/** Every page of a paged list, shown as each arrives. */
function usePaged<T>(load: (add: (items: T[]) => void, live: () => boolean) => Promise<void>): { rows?: T[]; done: boolean; error?: ApiError } {
  const [rows, setRows] = useState<T[]>();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    let live = true;
    const all: T[] = [];
    load(
      (items) => {
        all.push(...items);
        if (live) setRows([...all]);
      },
      () => live,
    ).then(
      () => {
        if (!live) return;
        setRows([...all]);
        setDone(true);
      },
      (err) => live && setError(apiError(err)),
    );
    return () => void (live = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { rows, done, error };
}

/** Every page of an API Gateway v2 list (NextToken), in one array. */
async function everyPage<T>(get: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const out = await get(token);
    all.push(...(out.Items ?? []));
    token = out.NextToken;
  } while (token);
  return all;
}

function ApiList() {
  const rest = usePaged<RestApi>(async (add, live) => {
    for await (const page of paginateGetRestApis({ client: client(APIGatewayClient), pageSize: 100 }, {})) {
      if (!live()) return;
      add(page.items ?? []);
    }
  });
  const http = usePaged<Api>(async (add, live) => {
    let NextToken: string | undefined;
    do {
      const page = await call(client(ApiGatewayV2Client).send(new GetApisCommand({ MaxResults: "100", NextToken })));
      if (!live()) return;
      add(page.Items ?? []);
      NextToken = page.NextToken;
    } while (NextToken);
  });

  return (
    <>
      <PageHeader title="APIs and URLs" />
      <Section title="HTTP APIs">
        {http.error && <ErrorBox error={http.error} />}
        {!http.rows && !http.error && <Loading what="Loading HTTP APIs" />}
        {http.rows && (
          <DataTable<Api>
            caption={`${http.rows.length} HTTP API${http.rows.length === 1 ? "" : "s"}${http.done ? "" : " so far"}`}
            rows={http.rows}
            rowKey={(a) => a.ApiId!}
            searchText={(a) => `${a.Name} ${a.ApiId}`}
            searchLabel="Search HTTP APIs"
            empty="No HTTP APIs. Create one with: aws apigatewayv2 create-api --name … --protocol-type HTTP --target <function ARN>"
            columns={[
              { label: "Name", render: (a) => <Link to={`/apis/http/${seg(a.ApiId!)}`}>{a.Name}</Link> },
              { label: "API id", value: (a) => a.ApiId },
              { label: "Protocol", value: (a) => a.ProtocolType },
              { label: "Endpoint", value: (a) => a.ApiEndpoint },
              { label: "Created", value: (a) => fmtTime(a.CreatedDate) },
            ]}
          />
        )}
      </Section>
      <Section title="REST APIs">
        {rest.error && <ErrorBox error={rest.error} />}
        {!rest.rows && !rest.error && <Loading what="Loading REST APIs" />}
        {rest.rows && (
          <DataTable<RestApi>
            caption={`${rest.rows.length} REST API${rest.rows.length === 1 ? "" : "s"}${rest.done ? "" : " so far"}`}
            rows={rest.rows}
            rowKey={(a) => a.id!}
            searchText={(a) => `${a.name} ${a.id}`}
            searchLabel="Search REST APIs"
            empty="No REST APIs. Create one with: aws apigateway create-rest-api --name …"
            columns={[
              { label: "Name", render: (a) => <Link to={`/apis/rest/${seg(a.id!)}`}>{a.name}</Link> },
              { label: "API id", value: (a) => a.id },
              { label: "Description", value: (a) => a.description },
              { label: "Created", value: (a) => fmtTime(a.createdDate) },
            ]}
          />
        )}
      </Section>
      <FunctionUrls />
    </>
  );
}

/* ---------------------------------------------------------------- function URLs */

/** How many functions are asked for their URLs at once. */
const URL_CONCURRENCY = 4;

/**
 * What only the rows on screen need, asked for as they show, `concurrency` at a time: rows that
 * stopped showing before their turn are not asked (until they show again), and a failed row is asked
 * again the next time it shows.
 */
function usePerRow<T>(load: (key: string) => Promise<T>, concurrency: number) {
  const [values, setValues] = useState<Record<string, T>>({});
  const [errors, setErrors] = useState<Record<string, ApiError>>({});
  const work = useRef({ asked: new Set<string>(), queue: [] as string[], running: 0, live: true });
  useEffect(() => {
    const w = work.current;
    w.live = true;
    return () => void (w.live = false);
  }, []);
  const pump = () => {
    const w = work.current;
    while (w.live && w.running < concurrency && w.queue.length > 0) {
      const key = w.queue.shift()!;
      w.running++;
      load(key)
        .then(
          (value) => {
            if (!w.live) return;
            setValues((v) => ({ ...v, [key]: value }));
            setErrors((e) => {
              if (!(key in e)) return e;
              const { [key]: _gone, ...rest } = e;
              return rest;
            });
          },
          (err) => {
            w.asked.delete(key);
            if (w.live) setErrors((e) => ({ ...e, [key]: apiError(err) }));
          },
        )
        .finally(() => {
          w.running--;
          pump();
        });
    }
  };
  const onVisible = (keys: string[]) => {
    const w = work.current;
    for (const k of w.queue) w.asked.delete(k);
    w.queue = keys.filter((k) => !w.asked.has(k));
    for (const k of w.queue) w.asked.add(k);
    pump();
  };
  return { values, errors, onVisible };
}

interface UrlRow {
  name: string;
  urls?: FunctionUrlConfig[];
  error?: ApiError;
}

const urlRowKey = (r: UrlRow) => r.name;
const urlRowText = (r: UrlRow) => r.name;

/** A function's URL configs (the function's own and its aliases'), every page. */
async function urlConfigsOf(name: string): Promise<FunctionUrlConfig[]> {
  const all: FunctionUrlConfig[] = [];
  let Marker: string | undefined;
  do {
    const out = await call(client(LambdaClient).send(new ListFunctionUrlConfigsCommand({ FunctionName: name, Marker })));
    all.push(...(out.FunctionUrlConfigs ?? []));
    Marker = out.NextMarker;
  } while (Marker);
  return all;
}

/** One line per URL config of the row, made by `cell`; "…" until asked, the error's code if it failed. */
function perUrl(r: UrlRow, cell: (u: FunctionUrlConfig) => ComponentChildren, none: ComponentChildren = "—"): ComponentChildren {
  if (r.urls === undefined) return r.error ? <span class="bad">({r.error.code})</span> : "…";
  if (r.urls.length === 0) return none;
  if (r.urls.length === 1) return cell(r.urls[0]!);
  return r.urls.map((u) => <div key={u.FunctionArn ?? u.FunctionUrl}>{cell(u)}</div>);
}

/** The alias a URL config is for (its FunctionArn's qualifier), if any. */
const aliasOf = (u: FunctionUrlConfig) => parseArn(u.FunctionArn)?.resource.split(":")[2];

const URL_COLUMNS: Column<UrlRow>[] = [
  { label: "Function", render: (r) => <Link to={`/functions/${seg(r.name)}`}>{r.name}</Link> },
  {
    label: "URL",
    render: (r) =>
      perUrl(
        r,
        (u) => (
          <>
            {aliasOf(u) && <span class="hint">alias {aliasOf(u)}: </span>}
            <InvokeUrl path={functionUrlPathForm(u.FunctionUrl!) ?? u.FunctionUrl!} host={u.FunctionUrl} />
          </>
        ),
        "none",
      ),
  },
  { label: "Auth type", render: (r) => perUrl(r, (u) => u.AuthType) },
  { label: "Invoke mode", render: (r) => perUrl(r, (u) => u.InvokeMode ?? "BUFFERED") },
  { label: "CORS", render: (r) => perUrl(r, (u) => corsSummary(u.Cors)) },
];

/**
 * Function URLs: ListFunctionUrlConfigs is per function, so the functions are listed (page by page)
 * and only the rows on screen are asked for their URLs, a few at a time, as on the functions list.
 */
function FunctionUrls() {
  const functions = usePaged<string>(async (add, live) => {
    for await (const page of paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {})) {
      if (!live()) return;
      add((page.Functions ?? []).map((f) => f.FunctionName!));
    }
  });
  const { values, errors, onVisible } = usePerRow(urlConfigsOf, URL_CONCURRENCY);
  const rows = useMemo(() => functions.rows?.map((name): UrlRow => ({ name, urls: values[name], error: errors[name] })), [functions.rows, values, errors]);
  const failed = Object.entries(errors);
  return (
    <Section title="Function URLs">
      <p class="hint">Each function's URLs (its own and its aliases') are asked for when its row shows.</p>
      {functions.error && <ErrorBox error={functions.error} context="Listing functions" />}
      {failed.length > 0 && <ErrorBox error={failed[0]![1]} context={`URLs of ${failed[0]![0]}${failed.length > 1 ? ` (and ${failed.length - 1} more functions)` : ""}`} />}
      {!rows && !functions.error && <Loading what="Loading functions" />}
      {rows && (
        <DataTable<UrlRow>
          caption={`${rows.length.toLocaleString("en-US")} function${rows.length === 1 ? "" : "s"}${functions.done ? "" : " so far"} and their URLs`}
          rows={rows}
          rowKey={urlRowKey}
          searchText={urlRowText}
          searchLabel="Search functions by name"
          onVisible={(visible) => onVisible(visible.map(urlRowKey))}
          empty="No functions. A function URL is made with: aws lambda create-function-url-config --function-name … --auth-type NONE"
          more={functions.done ? undefined : <Loading what="Loading more functions" />}
          columns={URL_COLUMNS}
        />
      )}
    </Section>
  );
}

function corsSummary(cors: FunctionUrlConfig["Cors"]): string {
  if (!cors) return "none";
  const parts = [
    cors.AllowOrigins?.length ? `origins ${cors.AllowOrigins.join(", ")}` : "",
    cors.AllowMethods?.length ? `methods ${cors.AllowMethods.join(", ")}` : "",
    cors.AllowCredentials ? "credentials" : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "configured (no origins)";
}

/* ---------------------------------------------------------------- HTTP API */

function HttpApiPage({ id }: { id: string }) {
  const v2 = client(ApiGatewayV2Client);
  const api = useAsync(() => call(v2.send(new GetApiCommand({ ApiId: id }))), [id]);
  const routes = useAsync(() => everyPage((NextToken) => call(v2.send(new GetRoutesCommand({ ApiId: id, MaxResults: "500", NextToken })))), [id]);
  const integrations = useAsync(() => everyPage((NextToken) => call(v2.send(new GetIntegrationsCommand({ ApiId: id, MaxResults: "500", NextToken })))), [id]);
  const stages = useAsync(() => everyPage((NextToken) => call(v2.send(new GetStagesCommand({ ApiId: id, MaxResults: "500", NextToken })))), [id]);
  const integrationOf = (target: string | undefined) => integrations.data?.find((i) => target === `integrations/${i.IntegrationId}`);
  return (
    <>
      <PageHeader title={api.data?.Name ? `HTTP API ${api.data.Name}` : `HTTP API ${id}`} crumbs={CRUMBS} />
      <Show state={api} what="Loading the API">
        {(a) => (
          <KeyValue
            entries={[
              ["API id", a.ApiId],
              ["Protocol", a.ProtocolType],
              ["Endpoint (host form)", a.ApiEndpoint],
              ["Route selection", a.RouteSelectionExpression],
              ["Created", fmtTime(a.CreatedDate)],
              ["Description", a.Description],
              ["CORS", a.CorsConfiguration ? <JsonView value={a.CorsConfiguration} label="CORS configuration" /> : "none"],
            ]}
          />
        )}
      </Show>
      <Section title="Stages">
        <Show state={stages} what="Loading stages">
          {(s) => (
            <DataTable
              caption={`${s.length} stage${s.length === 1 ? "" : "s"}`}
              rows={s}
              rowKey={(x) => x.StageName!}
              empty="No stages: the API answers nowhere until it has one (aws apigatewayv2 create-stage)."
              columns={[
                { label: "Stage", value: (x) => x.StageName },
                { label: "Invoke URL", render: (x) => <InvokeUrl path={executeApiUrl(id, x.StageName!)} host={executeApiHostUrl(id, x.StageName!)} /> },
                { label: "Auto-deploy", value: (x) => (x.AutoDeploy ? "yes" : "no") },
                { label: "Deployment", value: (x) => x.DeploymentId },
                { label: "Last updated", value: (x) => fmtTime(x.LastUpdatedDate) },
                { label: "Stage variables", value: (x) => (x.StageVariables && Object.keys(x.StageVariables).length ? Object.entries(x.StageVariables).map(([k, v]) => `${k}=${v}`).join(", ") : undefined) },
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Routes">
        <Show state={routes} what="Loading routes">
          {(r) => (
            <DataTable
              caption={`${r.length} route${r.length === 1 ? "" : "s"}`}
              rows={r}
              rowKey={(x) => x.RouteId!}
              searchText={(x) => x.RouteKey ?? ""}
              searchLabel="Search routes"
              empty="No routes."
              columns={[
                { label: "Route", render: (x) => <code>{x.RouteKey}</code> },
                { label: "Authorization", value: (x) => x.AuthorizationType },
                { label: "Integration", value: (x) => x.Target },
                { label: "Function", render: (x) => <TargetLink uri={integrationOf(x.Target)?.IntegrationUri} /> },
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Integrations">
        <Show state={integrations} what="Loading integrations">
          {(r) => (
            <DataTable
              caption={`${r.length} integration${r.length === 1 ? "" : "s"}`}
              rows={r}
              rowKey={(x) => x.IntegrationId!}
              empty="No integrations."
              columns={[
                { label: "Integration id", value: (x) => x.IntegrationId },
                { label: "Type", value: (x) => x.IntegrationType },
                { label: "Target", render: (x) => <TargetLink uri={x.IntegrationUri} /> },
                { label: "Payload format", value: (x) => x.PayloadFormatVersion },
                { label: "Timeout (ms)", value: (x) => x.TimeoutInMillis, numeric: true },
              ]}
            />
          )}
        </Show>
      </Section>
    </>
  );
}

/* ---------------------------------------------------------------- REST API */

interface MethodRow {
  key: string;
  path: string;
  method: string;
  authorization?: string;
  integrationType?: string;
  uri?: string;
}

function RestApiPage({ id }: { id: string }) {
  const gw = client(APIGatewayClient);
  const api = useAsync(() => call(gw.send(new GetRestApiCommand({ restApiId: id }))), [id]);
  const resources = useAsync(async () => {
    const all: Resource[] = [];
    for await (const page of paginateGetResources({ client: gw, pageSize: 500 }, { restApiId: id, embed: ["methods"] })) all.push(...(page.items ?? []));
    return all.sort((a, b) => (a.path ?? "").localeCompare(b.path ?? ""));
  }, [id]);
  const stages = useAsync(() => call(gw.send(new GetRestStagesCommand({ restApiId: id }))), [id]);
  const deployments = useAsync(async () => {
    const all: Deployment[] = [];
    for await (const page of paginateGetDeployments({ client: gw, pageSize: 500 }, { restApiId: id })) all.push(...(page.items ?? []));
    return all;
  }, [id]);
  const methods = (rs: Resource[]): MethodRow[] =>
    rs.flatMap((r) => {
      const ms = Object.entries(r.resourceMethods ?? {});
      if (ms.length === 0) return [{ key: r.id!, path: r.path ?? "", method: "—" }];
      return ms.map(([m, def]) => ({
        key: `${r.id} ${m}`,
        path: r.path ?? "",
        method: m,
        authorization: def.authorizationType,
        integrationType: def.methodIntegration?.type,
        uri: def.methodIntegration?.uri,
      }));
    });
  return (
    <>
      <PageHeader title={api.data?.name ? `REST API ${api.data.name}` : `REST API ${id}`} crumbs={CRUMBS} />
      <Show state={api} what="Loading the API">
        {(a) => (
          <KeyValue
            entries={[
              ["API id", a.id],
              ["Description", a.description],
              ["Created", fmtTime(a.createdDate)],
              ["Endpoint types", a.endpointConfiguration?.types?.join(", ")],
            ]}
          />
        )}
      </Show>
      <Section title="Stages">
        <Show state={stages} what="Loading stages">
          {(s) => (
            <DataTable
              caption={`${s.item?.length ?? 0} stage${s.item?.length === 1 ? "" : "s"}`}
              rows={s.item ?? []}
              rowKey={(x) => x.stageName!}
              empty="No stages: deploy the API to a stage (aws apigateway create-deployment --stage-name …) to call it."
              columns={[
                { label: "Stage", value: (x) => x.stageName },
                { label: "Invoke URL", render: (x) => <InvokeUrl path={executeApiUrl(id, x.stageName!)} host={executeApiHostUrl(id, x.stageName!)} /> },
                { label: "Deployment", value: (x) => x.deploymentId },
                { label: "Last updated", value: (x) => fmtTime(x.lastUpdatedDate) },
                { label: "Stage variables", value: (x) => (x.variables && Object.keys(x.variables).length ? Object.entries(x.variables).map(([k, v]) => `${k}=${v}`).join(", ") : undefined) },
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Resources and methods">
        <Show state={resources} what="Loading resources">
          {(rs) => (
            <DataTable<MethodRow>
              caption={`${rs.length} resource${rs.length === 1 ? "" : "s"}`}
              rows={methods(rs)}
              rowKey={(x) => x.key}
              searchText={(x) => `${x.method} ${x.path}`}
              searchLabel="Search resources"
              columns={[
                { label: "Path", render: (x) => <code>{x.path}</code> },
                { label: "Method", value: (x) => x.method },
                { label: "Authorization", value: (x) => x.authorization },
                { label: "Integration", value: (x) => x.integrationType },
                { label: "Target", render: (x) => <TargetLink uri={x.uri} /> },
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Deployments">
        <Show state={deployments} what="Loading deployments">
          {(d) => (
            <DataTable
              caption={`${d.length} deployment${d.length === 1 ? "" : "s"}`}
              rows={d}
              rowKey={(x) => x.id!}
              empty="No deployments."
              columns={[
                { label: "Deployment id", value: (x) => x.id },
                { label: "Description", value: (x) => x.description },
                { label: "Created", value: (x) => fmtTime(x.createdDate) },
              ]}
            />
          )}
        </Show>
      </Section>
    </>
  );
}
