/**
 * Kinesis on the one listener, chosen by the `kinesis` credential scope or its target prefix:
 * AWS JSON 1.1, `X-Amz-Target: Kinesis_20131202.<Operation>`, blobs base64 in JSON, errors as
 * `{"__type": "<Shape>", "message": …}`.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonParameters.html
 */
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import { requirements } from "../../iam/actions.js";
import { tagContext } from "../../iam/authorizer.js";
import { iteratorStream } from "../../services/kinesis/iterators.js";
import { type Account, readPageToken, streamArn } from "../../services/kinesis/names.js";
import type { KinesisService } from "../../services/kinesis/service.js";
import type { Ask } from "../authorize.js";
import { type ApiRequest, awsJsonBody, notAStructure, type ScopedService } from "../http.js";
import { renderAwsJson11Error } from "../render-error.js";
import { OPERATIONS } from "./operations.js";

const TARGET_PREFIX = "Kinesis_20131202.";
/** PutRecords: 500 records of up to 1 MiB, base64 (4/3), fits within this; AWS caps the request at 10 MiB of data. */
const MAX_REQUEST_BODY = 16 * 1024 * 1024;

function decode(req: ApiRequest): { operation: string; members: Record<string, unknown> } {
  const target = req.headers["x-amz-target"] ?? "";
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  if (!Object.hasOwn(OPERATIONS, operation)) throw awsError("UnknownOperationException", `Unknown operation ${operation || target}`);
  const body = awsJsonBody(req.body);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw notAStructure();
  return { operation, members: body as Record<string, unknown> };
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The stream a request names: StreamARN, ResourceARN, StreamName, or the one in its iterator or NextToken. */
function streamOf(account: Account, operation: string, m: Record<string, unknown>): string {
  const arn = str(m.StreamARN) ?? str(m.ResourceARN);
  if (arn) return arn;
  let name = str(m.StreamName);
  if (!name && operation === "GetRecords" && str(m.ShardIterator)) name = iteratorStream(m.ShardIterator as string);
  if (!name && operation === "ListShards" && str(m.NextToken)) {
    try {
      name = readPageToken(m.NextToken as string, "stream").stream;
    } catch {
      // Refused by ListShards itself.
    }
  }
  return streamArn(account, name ?? "");
}

/**
 * What a Kinesis operation asks of IAM: `kinesis:<Operation>` on the stream's ARN (ListStreams on
 * `*`), with the tags a tagging operation adds or removes as condition keys.
 */
export function kinesisAsks(account: Account, operation: string, m: Record<string, unknown>): Ask[] {
  const needs = requirements("kinesis", operation) ?? [{ action: `kinesis:${operation}`, resource: "stream" as const }];
  const tags = ["CreateStream", "AddTagsToStream", "TagResource"].includes(operation) && typeof m.Tags === "object" && m.Tags !== null ? (m.Tags as Record<string, string>) : undefined;
  const removed = ["RemoveTagsFromStream", "UntagResource"].includes(operation) && Array.isArray(m.TagKeys) ? m.TagKeys.filter((k): k is string => typeof k === "string") : undefined;
  const context = tags || removed ? tagContext(tags, removed) : undefined;
  const arn = needs.some((n) => n.resource !== "*") ? streamOf(account, operation, m) : "*";
  return needs.map((n) => ({ action: n.action, resource: n.resource === "*" ? "*" : arn, ...(context ? { context } : {}) }));
}

export class KinesisApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(
    private readonly kinesis: KinesisService,
    private readonly account: Account,
  ) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const { operation, members } = decode(req);
    req.authorize(() => kinesisAsks(this.account, operation, members));
    const result = await OPERATIONS[operation]!(this.kinesis, members);
    res.send(200, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": req.requestId }, JSON.stringify(result ?? {}));
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    renderAwsJson11Error(res, req.requestId, err);
  }

  tooLarge(): Error {
    return awsError("ValidationException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
