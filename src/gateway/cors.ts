/**
 * CORS as function URLs and HTTP APIs apply it when it is configured: the endpoint answers the
 * preflight `OPTIONS` itself (the function is not invoked), and on every other response the
 * configured headers replace whatever CORS headers the function returned.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */

/** AWS's member names, shared by a function URL's `Cors` and an HTTP API's `CorsConfiguration`. */
export interface CorsConfiguration {
  AllowCredentials?: boolean;
  AllowHeaders?: readonly string[];
  AllowMethods?: readonly string[];
  AllowOrigins?: readonly string[];
  ExposeHeaders?: readonly string[];
  MaxAge?: number;
}

/** A browser's preflight: OPTIONS naming an origin and the method it wants to use. */
export function isPreflight(method: string, headers: Record<string, string>): boolean {
  return method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined;
}

/** The `Access-Control-Allow-Origin` an origin gets: `*`, the origin itself, or none when it is not allowed. */
function allowedOrigin(cors: CorsConfiguration, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes("*")) return cors.AllowCredentials ? origin : "*";
  const lower = origin.toLowerCase();
  return origins.some((o) => o.toLowerCase() === lower) ? origin : undefined;
}

const list = (values: readonly string[] | undefined) => (values && values.length > 0 ? values.join(",") : undefined);

/** The preflight's answer headers (none when the origin is not allowed: the browser then refuses). */
export function preflightHeaders(cors: CorsConfiguration, headers: Record<string, string>): Record<string, string> {
  const origin = allowedOrigin(cors, headers.origin);
  if (origin === undefined) return {};
  const out: Record<string, string> = { "Access-Control-Allow-Origin": origin };
  const methods = cors.AllowMethods?.includes("*") ? headers["access-control-request-method"] : list(cors.AllowMethods);
  if (methods) out["Access-Control-Allow-Methods"] = methods;
  const requested = headers["access-control-request-headers"];
  const allowHeaders = cors.AllowHeaders?.includes("*") ? requested : list(cors.AllowHeaders);
  if (allowHeaders) out["Access-Control-Allow-Headers"] = allowHeaders;
  if (cors.MaxAge !== undefined) out["Access-Control-Max-Age"] = String(cors.MaxAge);
  if (cors.AllowCredentials) out["Access-Control-Allow-Credentials"] = "true";
  return out;
}

/** A response's headers with the function's CORS headers replaced by the configured ones for this request's origin. */
export function withCors<V>(cors: CorsConfiguration, origin: string | undefined, headers: Record<string, V | string>): Record<string, V | string> {
  const out: Record<string, V | string> = {};
  for (const name in headers) if (!name.toLowerCase().startsWith("access-control-")) out[name] = headers[name]!;
  const allowed = allowedOrigin(cors, origin);
  if (allowed === undefined) return out;
  out["access-control-allow-origin"] = allowed;
  const expose = list(cors.ExposeHeaders);
  if (expose) out["access-control-expose-headers"] = expose;
  if (cors.AllowCredentials) out["access-control-allow-credentials"] = "true";
  return out;
}
