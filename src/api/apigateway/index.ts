/**
 * API Gateway on the one listener, chosen by the `apigateway` credential scope: REST APIs
 * (`/restapis…`, the `apigateway` model) and HTTP APIs (`/v2/apis…`, `apigatewayv2`) share the
 * signing name, so the path picks which one answers. Both speak REST-JSON.
 */
import type { HttpResponse } from "../../lib/http-server.js";
import type { ApiRequest, ScopedService } from "../http.js";

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
