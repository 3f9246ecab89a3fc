/**
 * API Gateway on the one listener, chosen by the `apigateway` credential scope: REST APIs
 * (`/restapis…`, the `apigateway` model) and HTTP APIs (`/v2/apis…`, `apigatewayv2`) share the
 * signing name, so the path picks which one answers. Both speak REST-JSON.
 */
import type { HttpResponse } from "../../lib/http-server.js";
import type { ApiRequest, ScopedService } from "../http.js";
import { awsError } from "../../errors.js";
import { renderRestJsonError } from "../render-error.js";

const isV2 = (rawPath: string) => rawPath === "/v2" || rawPath.startsWith("/v2/");

export class ApiGatewayApi implements ScopedService {
  readonly maxBody: number;

  constructor(
    private readonly rest: ScopedService,
    private readonly http: ScopedService,
  ) {
    this.maxBody = Math.max(rest.maxBody, http.maxBody);
  }

  handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    return (isV2(req.rawPath) ? this.http : this.rest).handle(req, res);
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId"> & { rawPath?: string }, res: HttpResponse, err: unknown): void {
    (isV2(req.rawPath ?? "") ? this.http : this.rest).renderError(req, res, err);
  }

  tooLarge(): Error {
    return this.rest.tooLarge();
  }
}

/**
 * Until HTTP APIs (`apigatewayv2`) are served: every `/v2/` call gets API Gateway's NotFoundException.
 * Replaced by the HTTP API handler in main.ts.
 */
export const NO_HTTP_APIS: ScopedService = {
  maxBody: 0,
  handle: () => Promise.reject(awsError("GatewayNotFound", "Invalid API identifier specified")),
  renderError: (req, res, err) => renderRestJsonError(res, req.requestId, err),
  tooLarge: () => awsError("GatewayNotFound", "Invalid API identifier specified"),
};
