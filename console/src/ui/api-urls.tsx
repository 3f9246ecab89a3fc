/**
 * The URLs Flint serves its HTTP triggers at (src/gateway/address.ts): every trigger has a host form
 * (`<id>.execute-api.localhost:<port>`, `<url-id>.lambda-url.<region>.localhost:<port>`, AWS's form on
 * Flint's port) and a path form on the listener itself (`/_aws/execute-api/<id>/…`,
 * `/_aws/lambda-url/<url-id>/…`). The path form is the clickable one: it works on whatever host the
 * console was opened on.
 */
import { ArnLink, targetOf } from "./arn";

/** A REST API stage's or an HTTP API stage's invoke URL, path form (`$default` answers at the API's root). */
export function executeApiUrl(apiId: string, stage: string): string {
  return `${location.origin}/_aws/execute-api/${apiId}/${stage === "$default" ? "" : `${encodeURIComponent(stage)}/`}`;
}

/** The same in AWS's host form, on this listener's port. */
export function executeApiHostUrl(apiId: string, stage: string): string {
  return `${location.protocol}//${apiId}.execute-api.localhost${location.port ? `:${location.port}` : ""}/${stage === "$default" ? "" : `${encodeURIComponent(stage)}/`}`;
}

/** A function URL's path form, from the FunctionUrl Lambda gives (`http://<url-id>.lambda-url.<region>.localhost:<port>/`). */
export function functionUrlPathForm(functionUrl: string): string | undefined {
  const m = /^https?:\/\/([a-z0-9]+)\.lambda-url\./i.exec(functionUrl);
  return m ? `${location.origin}/_aws/lambda-url/${m[1]!.toLowerCase()}/` : undefined;
}

/** The Lambda function ARN an integration targets: the URI itself (HTTP APIs) or the one in API Gateway's `…/functions/<arn>/invocations`. */
export function functionArnIn(uri: string | undefined): string | undefined {
  return uri ? /arn:aws[a-z-]*:lambda:[^:/]*:[^:/]*:function:[^:/]+(?::[^:/]+)?/.exec(uri)?.[0] : undefined;
}

/** An integration's target: its function (this account's and region's) as a link, else the URI as given. */
export function TargetLink({ uri }: { uri: string | undefined }) {
  const arn = functionArnIn(uri);
  if (!arn || !targetOf(arn)) return uri ? <span class="mono">{uri}</span> : <>—</>;
  return <ArnLink arn={arn} show="name" />;
}

/** An invoke URL: the path form as a link, the host form beside it as text. */
export function InvokeUrl({ path, host }: { path: string; host?: string }) {
  return (
    <span class="invoke-url">
      <a href={path} target="_blank" rel="noopener noreferrer">
        {path}
      </a>
      {host && <span class="hint"> (also {host})</span>}
    </span>
  );
}
