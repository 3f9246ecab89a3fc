/** Function URLs as a user makes them public: the URL, and the two statements AWS's console adds. */
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, type FunctionUrlAuthType, type InvokeMode } from "@aws-sdk/client-lambda";
import type { FlintProcess } from "./flint.js";

export interface Url {
  id: string;
  /** `http://<id>.lambda-url.<region>.localhost:<port>/`, as the API gives it. */
  url: string;
  /** `<endpoint>/_aws/lambda-url/<id>`, for clients that do not resolve `*.localhost`. */
  path: string;
}

/** The two statements a public URL needs (urls-auth: since October 2025 both). */
export async function allowPublicUrl(flint: FlintProcess, name: string, qualifier?: string): Promise<void> {
  const q = qualifier ? { Qualifier: qualifier } : {};
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: name, ...q, StatementId: "FunctionURLAllowPublicAccess", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: name, ...q, StatementId: "FunctionURLAllowInvokeAction", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));
}

/** A URL for `name` (public, unless `authType` is AWS_IAM or `grant` is false). */
export async function createUrl(
  flint: FlintProcess,
  name: string,
  opts: { authType?: FunctionUrlAuthType; qualifier?: string; cors?: object; grant?: false; invokeMode?: InvokeMode } = {},
): Promise<Url> {
  const made = await flint.lambda.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: name,
      AuthType: opts.authType ?? "NONE",
      ...(opts.qualifier ? { Qualifier: opts.qualifier } : {}),
      ...(opts.cors ? { Cors: opts.cors } : {}),
      ...(opts.invokeMode ? { InvokeMode: opts.invokeMode } : {}),
    }),
  );
  if ((opts.authType ?? "NONE") === "NONE" && opts.grant !== false) await allowPublicUrl(flint, name, opts.qualifier);
  const id = made.FunctionUrl!.slice("http://".length).split(".")[0]!;
  return { id, url: made.FunctionUrl!, path: `${flint.endpoint}/_aws/lambda-url/${id}` };
}
