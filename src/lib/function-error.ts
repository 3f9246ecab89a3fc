/**
 * A function error's payload as the runtime reports it (`{"errorType": …, "errorMessage": …}`),
 * read where an invocation failed: a function URL's answer, InvokeWithResponseStream's
 * `InvokeComplete`. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-invokeerror
 */
export interface FunctionErrorFields {
  errorType?: unknown;
  errorMessage?: unknown;
}

/** The payload's error fields; undefined when it is not a JSON object (the caller decides what stands for it). */
export function functionErrorOf(payload: Buffer | undefined): FunctionErrorFields | undefined {
  try {
    const error: unknown = JSON.parse(payload?.toString("utf8") ?? "");
    return typeof error === "object" && error !== null ? error : undefined;
  } catch {
    return undefined;
  }
}
