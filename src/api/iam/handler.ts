/**
 * IAM on the one listener, chosen by `Version=2010-05-08` or the `iam` credential scope: the query
 * protocol (`Action=<Operation>` in a form body or the URL, XML responses).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { IamService } from "../../services/iam/service.js";
import type { ApiRequest, ScopedService } from "../http.js";
import { paramTree, queryParams } from "../query.js";
import { renderQueryError } from "../render-error.js";
import { membersFromQuery, xmlResponse } from "../query-model.js";
import { OPERATIONS } from "./operations.js";
import { SIMULATIONS } from "./simulation.js";
import type { PolicySimulator } from "../../services/iam/simulator.js";
import { IAM_XMLNS } from "./shapes.js";
import type { Ask } from "../authorize.js";
import type { Caller } from "../../iam/types.js";
import { isTemporaryKey } from "../../iam/sessions.js";

/** A policy document is at most 131,072 characters; form-encoded, up to three bytes each. */
const MAX_REQUEST_BODY = 1024 * 1024;

/**
 * What an IAM operation asks: `iam:<Operation>` on the role, user or policy it names (a role's or
 * user's ARN with its path), with `iam:PolicyARN` when it names a policy; a user's own access keys
 * when it names no user; list operations on `*`.
 */
export function iamAsks(iam: Pick<IamService, "findRole" | "findUser">, accountId: string, operation: string, m: Record<string, unknown>, caller?: Caller): Ask[] {
  const text = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : undefined);
  const path = text("Path") ?? "/";
  const policyArn = text("PolicyArn");
  let resource = "*";
  const role = text("RoleName");
  const user = text("UserName") ?? (/AccessKey/.test(operation) && caller?.kind === "user" ? caller.username : undefined);
  if (role !== undefined) resource = iam.findRole(role)?.arn ?? `arn:aws:iam::${accountId}:role${path}${role}`;
  else if (user !== undefined) resource = iam.findUser(user)?.arn ?? `arn:aws:iam::${accountId}:user${path}${user}`;
  else if (policyArn !== undefined) resource = policyArn;
  // The simulator is asked on the principal whose policies it reads.
  else if (operation === "SimulatePrincipalPolicy" && text("PolicySourceArn") !== undefined) resource = text("PolicySourceArn")!;
  else if (operation === "CreatePolicy") resource = `arn:aws:iam::${accountId}:policy${path}${text("PolicyName") ?? ""}`;
  return [{ action: `iam:${operation}`, resource, ...(policyArn !== undefined ? { context: { "iam:PolicyARN": policyArn } } : {}) }];
}

export class IamApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(
    private readonly iam: IamService,
    private readonly accountId: string,
    private readonly simulator: PolicySimulator,
  ) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const params = queryParams(req);
    const operation = params.get("Action");
    if (!operation) throw awsError("MissingParameter", "The request must contain the parameter Action.");
    const simulation = Object.hasOwn(SIMULATIONS, operation) ? SIMULATIONS[operation]! : undefined;
    if (!simulation && !Object.hasOwn(OPERATIONS, operation)) throw awsError("InvalidAction", `Could not find operation ${operation} for version 2010-05-08`);
    // GetSessionToken's sessions may call IAM only with MFA, which Flint's never carry: AWS refuses their token.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html#stsapi_comparison
    const principal = req.principal;
    if (principal && isTemporaryKey(principal.accessKeyId) && principal.caller.kind !== "assumed-role") throw awsError("UnrecognizedClientException", "The security token included in the request is invalid.");
    const members = membersFromQuery(paramTree(params));
    req.authorize(() => iamAsks(this.iam, this.accountId, operation, members, req.principal?.caller));
    const result = simulation ? simulation(this.simulator, members) : await OPERATIONS[operation]!(this.iam, members);
    res.send(200, { "Content-Type": "text/xml", "x-amzn-RequestId": req.requestId }, xmlResponse(operation, result, req.requestId, IAM_XMLNS));
  }

  renderError(req: Pick<ApiRequest, "requestId">, res: HttpResponse, err: unknown): void {
    renderQueryError(res, req.requestId, err, IAM_XMLNS);
  }

  tooLarge(): Error {
    return awsError("ValidationException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
