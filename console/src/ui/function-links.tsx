/**
 * What the pages about a function share: where it logs, its ARN and qualifiers, an alias's routing.
 * (Links from the ARNs a configuration names: ui/arn.tsx.)
 */
import { useEffect, useState } from "preact/hooks";
import { type FunctionConfiguration, GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type ApiError, apiError, call, client } from "../aws";
import { requireSession } from "../session";
import { parseArn } from "./arn";

/** The function's log group: its LoggingConfig's, or Lambda's default `/aws/lambda/<name>`. */
export function logGroupOf(name: string, config?: FunctionConfiguration): string {
  return config?.LoggingConfig?.LogGroup || `/aws/lambda/${name}`;
}

/**
 * The log group of a function the page knows only by name (GetFunctionConfiguration's LoggingConfig):
 * Lambda's default group until the answer, and still after a refusal (a function deleted since still
 * has its lines there), with the refusal as the API gave it for the page to show.
 */
export function useFunctionLogGroup(name: string | undefined): { group?: string; error?: ApiError } {
  const [state, setState] = useState<{ name?: string; config?: FunctionConfiguration; error?: ApiError }>({});
  useEffect(() => {
    if (!name) return;
    let live = true;
    setState({ name });
    call(client(LambdaClient).send(new GetFunctionConfigurationCommand({ FunctionName: name }))).then(
      (config) => live && setState({ name, config }),
      (err) => live && setState({ name, error: apiError(err) }),
    );
    return () => void (live = false);
  }, [name]);
  if (!name) return {};
  // Until the effect ran for a new name, the last name's answer is not this one's.
  const mine = state.name === name;
  return { group: logGroupOf(name, mine ? state.config : undefined), error: mine ? state.error : undefined };
}

/** The unqualified ARN of a function in the signed-in account and region. */
export function functionArnOf(name: string): string {
  if (name.startsWith("arn:")) return name;
  const s = requireSession();
  return `arn:aws:lambda:${s.region}:${s.accountId}:function:${name}`;
}

/** The qualifier at the end of a qualified function ARN (`...:function:f:live` → `live`), or "$LATEST"/"(unqualified)". */
export function qualifierOf(arn: string | undefined): string {
  if (!arn) return "—";
  return parseArn(arn)?.resource.split(":")[2] ?? "(unqualified)";
}

/** An alias's routing: "2: 90%, 3: 10%" (its version's share first), or just the version. */
export function routingText(version: string | undefined, weights: Record<string, number> | undefined): string {
  const extra = Object.entries(weights ?? {});
  if (extra.length === 0) return `${version ?? "—"}: 100%`;
  const pct = (w: number) => `${Math.round(w * 1000) / 10}%`;
  const rest = extra.reduce((a, [, w]) => a + w, 0);
  return [`${version}: ${pct(Math.max(0, 1 - rest))}`, ...extra.map(([v, w]) => `${v}: ${pct(w)}`)].join(", ");
}
