/**
 * CloudWatch on the one listener, chosen by the `monitoring` credential scope. Its clients speak one
 * of three protocols, all decoded to the same members and run by the same operation table:
 * the query protocol (`Action=PutMetricData&Version=2010-08-01`, XML: CLI v2 2.9, older botocore),
 * AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, errors with
 * `x-amzn-query-error`: SDK v3, botocore ≥ 1.38) and Smithy RPC v2 CBOR
 * (`POST /service/GraniteServiceVersion20100801/operation/<Op>`, `smithy-protocol: rpc-v2-cbor`).
 */
import { cbor } from "@smithy/core/cbor";
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import type { CloudWatchService } from "../../services/cloudwatch/service.js";
import { type ApiRequest, awsJsonBody, type ScopedService } from "../http.js";
import { paramTree, queryParams } from "../query.js";
import { membersFromQuery } from "../query-model.js";
import { renderAwsJsonError, renderCborError, renderQueryError } from "../render-error.js";
import { requirements } from "../../iam/actions.js";
import { nestsDeeperThan, MAX_JSON_DEPTH } from "../../lib/json-depth.js";
import { OPERATIONS } from "./operations.js";
import { CLOUDWATCH_XMLNS, cborDates, cborResult, jsonResult, xmlResponse } from "./shapes.js";

const TARGET = "GraniteServiceVersion20100801";
const CBOR_PATH = new RegExp(`^/service/${TARGET}/operation/([^/]+)$`);
/** PutMetricData's largest request is 1 MB (AWS's limit); its query form is longer. */
const MAX_REQUEST_BODY = 4 * 1024 * 1024;

type Protocol = "json" | "cbor" | "query";

function protocolOf(req: Pick<ApiRequest, "headers"> & { rawPath?: string }): Protocol {
  if (req.headers["x-amz-target"] !== undefined) return "json";
  if (req.headers["smithy-protocol"] === "rpc-v2-cbor" || CBOR_PATH.test(req.rawPath ?? "")) return "cbor";
  return "query";
}

function known(operation: string): void {
  if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("UnknownOperationException", `Flint's CloudWatch does not provide the operation ${operation}.`);
}

/** The operation and its members, from whichever protocol the request speaks. */
function decode(req: ApiRequest, protocol: Protocol): { operation: string; members: Record<string, unknown> } {
  if (protocol === "json") {
    const target = req.headers["x-amz-target"]!;
    const operation = target.startsWith(`${TARGET}.`) ? target.slice(TARGET.length + 1) : "";
    known(operation);
    return { operation, members: awsJsonBody(req.body) as Record<string, unknown> };
  }
  if (protocol === "cbor") {
    const operation = CBOR_PATH.exec(req.rawPath)?.[1] ?? "";
    known(operation);
    let body: unknown = {};
    if (req.body.length > 0) {
      try {
        body = cbor.deserialize(req.body);
      } catch {
        throw awsError("SerializationException", "The request body is not valid CBOR.");
      }
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw awsError("SerializationException", "Start of structure or map found where not expected.");
    if (nestsDeeperThan(body)) throw awsError("SerializationException", `Nesting depth exceeds ${MAX_JSON_DEPTH}.`);
    return { operation, members: cborDates(body) as Record<string, unknown> };
  }
  const params = queryParams(req);
  const operation = params.get("Action");
  if (!operation) throw awsError("MissingParameter", "The request must contain the parameter Action.");
  if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
  return { operation, members: membersFromQuery(paramTree(params)) };
}

export class CloudWatchApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(private readonly cloudwatch: CloudWatchService) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const protocol = protocolOf(req);
    const { operation, members } = decode(req, protocol);
    if (typeof members !== "object" || members === null || Array.isArray(members)) throw awsError("SerializationException", "Start of structure or map found where not expected.");
    req.authorize(() => (requirements("cloudwatch", operation) ?? []).map((n) => ({ action: n.action, resource: "*" })));
    const result = await OPERATIONS[operation]!(this.cloudwatch, members);
    const headers = { "x-amzn-RequestId": req.requestId };
    if (protocol === "json") res.send(200, { ...headers, "Content-Type": "application/x-amz-json-1.0" }, JSON.stringify(jsonResult(result ?? {})));
    else if (protocol === "cbor") res.send(200, { ...headers, "Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor" }, Buffer.from(cbor.serialize(cborResult(result ?? {}))));
    else res.send(200, { ...headers, "Content-Type": "text/xml" }, xmlResponse(operation, result, req.requestId));
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId"> & { rawPath?: string }, res: HttpResponse, err: unknown): void {
    const protocol = protocolOf(req);
    if (protocol === "json") renderAwsJsonError(res, req.requestId, err, true);
    else if (protocol === "cbor") renderCborError(res, req.requestId, err, true);
    else renderQueryError(res, req.requestId, err, CLOUDWATCH_XMLNS);
  }

  tooLarge(): Error {
    return awsError("InvalidParameterValue", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
