/**
 * STS on the one listener, chosen by `Version=2011-06-15` or the `sts` credential scope (signed for
 * Flint's region, as a client given an endpoint signs): the query protocol, XML responses.
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonParameters.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { StsService } from "../../services/sts/service.js";
import type { ApiRequest, ScopedService } from "../http.js";
import { paramTree, queryParams } from "../query.js";
import { renderQueryError } from "../render-error.js";
import { membersFromQuery, xmlResponse } from "../query-model.js";
import { OPERATIONS } from "./operations.js";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Session policies and tags are small; a form body of 64 KiB holds any valid request. */
const MAX_REQUEST_BODY = 64 * 1024;

export class StsApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(private readonly sts: StsService) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const params = queryParams(req);
    const operation = params.get("Action");
    if (!operation) throw awsError("MissingParameter", "The request must contain the parameter Action.");
    if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("InvalidAction", `Could not find operation ${operation} for version 2011-06-15`);
    // Every STS request is signed: the verifier refused any other before this.
    if (!req.principal) throw awsError("MissingAuthenticationTokenException", "Missing Authentication Token");
    // What each operation asks depends on what it finds (AssumeRole: the role's trust policy), so the service asks.
    const result = OPERATIONS[operation]!(this.sts, req.principal, membersFromQuery(paramTree(params)), req.authorize);
    res.send(200, { "Content-Type": "text/xml", "x-amzn-RequestId": req.requestId }, xmlResponse(operation, result, req.requestId, STS_XMLNS));
  }

  renderError(req: Pick<ApiRequest, "requestId">, res: HttpResponse, err: unknown): void {
    renderQueryError(res, req.requestId, err, STS_XMLNS);
  }

  tooLarge(): Error {
    return awsError("ValidationException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
