/**
 * APIs and URLs: API Gateway REST APIs and HTTP APIs, and function URLs. The list shows both kinds
 * of API as they page in; function URLs are found by asking each function for its URL configs, a
 * few functions at a time (ListFunctionUrlConfigs is per function), with the progress shown, so a
 * thousand functions fill the table in behind the APIs. An API's page shows its routes or
 * resources and methods, integrations (with their functions), stages with their invoke URLs in
 * Flint's forms (ui/api-urls.tsx), and deployments.
 */
import { useEffect, useState } from "preact/hooks";
import {
  APIGatewayClient,
  GetDeploymentsCommand,
  GetRestApiCommand,
  GetStagesCommand as GetRestStagesCommand,
  type Resource,
  type RestApi,
  paginateGetResources,
  paginateGetRestApis,
} from "@aws-sdk/client-api-gateway";
import { type Api, ApiGatewayV2Client, GetApiCommand, GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand } from "@aws-sdk/client-apigatewayv2";
import { type FunctionUrlConfig, LambdaClient, ListFunctionUrlConfigsCommand, paginateListFunctions } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, seg } from "../router";
import { useAsync } from "../ui/async";
import { DataTable, ErrorBox, JsonView, KeyValue, Loading, PageHeader, Section, Show, fmtTime } from "../ui/ui";
import { InvokeUrl, TargetLink, executeApiHostUrl, executeApiUrl, functionOf, functionUrlPathForm } from "../ui/api-urls";

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

/** How many functions are asked for their URLs at once. */
const URL_CONCURRENCY = 4;

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
  const [progress, setProgress] = useState({ functions: 0, checked: 0, listed: false });
  const [urlErrors, setUrlErrors] = useState<{ fn: string; error: ApiError }[]>([]);
  const urls = usePaged<FunctionUrlConfig & { FunctionName: string }>(async (add, live) => {
    const lambda = client(LambdaClient);
    const queue: string[] = [];
    let listed = false;
    let functions = 0;
    let checked = 0;
    // Workers take functions as the listing finds them; the listing goes on meanwhile.
    const waiting: (() => void)[] = [];
    const wake = () => waiting.splice(0).forEach((w) => w());
    const next = async (): Promise<string | undefined> => {
      for (;;) {
        if (queue.length) return queue.shift();
        if (listed || !live()) return undefined;
        await new Promise<void>((r) => waiting.push(r));
      }
    };
    const worker = async () => {
      for (let name = await next(); name !== undefined && live(); name = await next()) {
        try {
          let Marker: string | undefined;
          do {
            const out = await call(lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name, Marker })));
            add((out.FunctionUrlConfigs ?? []).map((c) => ({ ...c, FunctionName: name! })));
            Marker = out.NextMarker;
          } while (Marker);
        } catch (err) {
          const fn = name;
          if (live()) setUrlErrors((e) => [...e, { fn, error: apiError(err) }]);
        }
        checked++;
        if (live()) setProgress({ functions, checked, listed });
      }
    };
    const workers = Array.from({ length: URL_CONCURRENCY }, worker);
    try {
      for await (const page of paginateListFunctions({ client: lambda, pageSize: 50 }, {})) {
        if (!live()) return;
        const names = (page.Functions ?? []).map((f) => f.FunctionName!);
        queue.push(...names);
        functions += names.length;
        setProgress({ functions, checked, listed });
        wake();
      }
    } finally {
      listed = true;
      wake();
    }
    await Promise.all(workers);
    if (live()) setProgress({ functions, checked, listed: true });
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
      <Section title="Function URLs">
        <p role="status" aria-live="polite" class="hint">
          {progress.listed && progress.checked >= progress.functions
            ? `Checked ${progress.functions === 1 ? "the one function" : `all ${progress.functions.toLocaleString("en-US")} functions`} for URLs.`
            : `Finding function URLs: checked ${progress.checked.toLocaleString("en-US")} of ${progress.functions.toLocaleString("en-US")} functions${progress.listed ? "" : " listed so far"}…`}
        </p>
        {urls.error && <ErrorBox error={urls.error} context="Listing functions" />}
        {urlErrors.slice(0, 3).map((e) => (
          <ErrorBox key={e.fn} error={e.error} context={`URLs of ${e.fn}`} />
        ))}
        {urlErrors.length > 3 && <p class="bad">…and {urlErrors.length - 3} more functions whose URLs could not be read.</p>}
        {urls.rows && (
          <DataTable<FunctionUrlConfig & { FunctionName: string }>
            caption={`${urls.rows.length} function URL${urls.rows.length === 1 ? "" : "s"}${urls.done ? "" : " so far"}`}
            rows={urls.rows}
            rowKey={(u) => u.FunctionArn ?? u.FunctionUrl!}
            searchText={(u) => `${u.FunctionName} ${u.FunctionUrl}`}
            searchLabel="Search function URLs"
            empty={urls.done ? "No function URLs. Create one with: aws lambda create-function-url-config --function-name … --auth-type NONE" : "None found yet."}
            columns={[
              { label: "Function", render: (u) => <FunctionLink arn={u.FunctionArn} name={u.FunctionName} /> },
              { label: "URL", render: (u) => <InvokeUrl path={functionUrlPathForm(u.FunctionUrl!) ?? u.FunctionUrl!} host={u.FunctionUrl} /> },
              { label: "Auth type", value: (u) => u.AuthType },
              { label: "Invoke mode", value: (u) => u.InvokeMode ?? "BUFFERED" },
              { label: "CORS", value: (u) => corsSummary(u.Cors) },
            ]}
          />
        )}
      </Section>
    </>
  );
}

/** A function by its ARN (an alias's URL names the alias: `name:alias`). */
function FunctionLink({ arn, name }: { arn?: string; name: string }) {
  const qualifier = arn?.split(":")[7];
  return (
    <>
      <Link to={`/functions/${seg(name)}`}>{name}</Link>
      {qualifier && <span class="hint"> (alias {qualifier})</span>}
    </>
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
  const routes = useAsync(() => call(v2.send(new GetRoutesCommand({ ApiId: id, MaxResults: "500" }))), [id]);
  const integrations = useAsync(() => call(v2.send(new GetIntegrationsCommand({ ApiId: id, MaxResults: "500" }))), [id]);
  const stages = useAsync(() => call(v2.send(new GetStagesCommand({ ApiId: id, MaxResults: "500" }))), [id]);
  const integrationOf = (target: string | undefined) => integrations.data?.Items?.find((i) => target === `integrations/${i.IntegrationId}`);
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
              caption={`${s.Items?.length ?? 0} stage${s.Items?.length === 1 ? "" : "s"}`}
              rows={s.Items ?? []}
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
              caption={`${r.Items?.length ?? 0} route${r.Items?.length === 1 ? "" : "s"}`}
              rows={r.Items ?? []}
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
              caption={`${r.Items?.length ?? 0} integration${r.Items?.length === 1 ? "" : "s"}`}
              rows={r.Items ?? []}
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
  const deployments = useAsync(() => call(gw.send(new GetDeploymentsCommand({ restApiId: id, limit: 500 }))), [id]);
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
                { label: "Target", render: (x) => (x.uri ? functionOf(x.uri) ? <TargetLink uri={x.uri} /> : <span>{x.uri}</span> : "—") },
              ]}
            />
          )}
        </Show>
      </Section>
      <Section title="Deployments">
        <Show state={deployments} what="Loading deployments">
          {(d) => (
            <DataTable
              caption={`${d.items?.length ?? 0} deployment${d.items?.length === 1 ? "" : "s"}`}
              rows={d.items ?? []}
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
