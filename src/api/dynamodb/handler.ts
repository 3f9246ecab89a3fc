/**
 * DynamoDB and DynamoDB Streams on the one listener, both signed for `dynamodb` and told apart by
 * their target prefix: AWS JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Operation>` or
 * `DynamoDBStreams_20120810.<Operation>`. Every answer carries `x-amz-crc32`, the CRC32 of its body,
 * which botocore checks when present. Errors are `{"__type": "<namespace>#<Code>", "message": …}`
 * with status 400 (services/dynamodb/dynamo-errors.ts).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 */
import * as zlib from "node:zlib";
import type { HttpResponse } from "../../lib/http-server.js";
import { awsError } from "../../errors.js";
import { requirements } from "../../iam/actions.js";
import { tagContext } from "../../iam/authorizer.js";
import { namespaceOf } from "../../services/dynamodb/dynamo-errors.js";
import type { DynamoStreamsService } from "../../services/dynamodb/streams.js";
import { type Account, tableArn, type TablesService } from "../../services/dynamodb/tables.js";
import type { Ask } from "../authorize.js";
import { type ApiRequest, awsJsonBody, notAStructure, type ScopedService } from "../http.js";
import { asAwsError } from "../render-error.js";
import { type ItemOperations, OPERATIONS } from "./operations.js";
import { STREAMS_OPERATIONS } from "./streams-operations.js";

export const DYNAMODB_PREFIX = "DynamoDB_20120810.";
export const STREAMS_PREFIX = "DynamoDBStreams_20120810.";
/** A BatchWriteItem of 25 items of 400 KB, or a TransactWriteItems of 100 (4 MB), in JSON with base64 binaries. */
const MAX_REQUEST_BODY = 16 * 1024 * 1024;
const CONTENT_TYPE = "application/x-amz-json-1.0";

type Members = Record<string, unknown>;

interface Decoded {
  api: "dynamodb" | "streams";
  operation: string;
  members: Members;
}

function decode(req: Pick<ApiRequest, "headers" | "body">): Decoded {
  const target = req.headers["x-amz-target"] ?? "";
  let api: Decoded["api"] | undefined;
  let operation = "";
  if (target.startsWith(DYNAMODB_PREFIX)) {
    api = "dynamodb";
    operation = target.slice(DYNAMODB_PREFIX.length);
  } else if (target.startsWith(STREAMS_PREFIX)) {
    api = "streams";
    operation = target.slice(STREAMS_PREFIX.length);
  }
  const known = api === "dynamodb" ? Object.hasOwn(OPERATIONS, operation) : api === "streams" ? Object.hasOwn(STREAMS_OPERATIONS, operation) : false;
  if (!api || !known) throw awsError("UnknownOperationException", "");
  const body = awsJsonBody(req.body);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw notAStructure();
  return { api, operation, members: body as Members };
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const isMap = (v: unknown): v is Members => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What a DynamoDB operation asks of IAM: `dynamodb:<Operation>` on the table it names (by name or
 * ARN), Query and Scan on the index when they name one, a batch once per table, a transaction per
 * item's own action (ConditionCheck: `dynamodb:ConditionCheckItem`), the streams' calls on the
 * stream; listing calls on `*`. Tagging asks carry the tags as condition keys.
 */
export function dynamodbAsks(account: Account, api: "dynamodb" | "streams", operation: string, m: Members): Ask[] {
  const arnOf = (nameOrArn: string | undefined) => (nameOrArn?.startsWith("arn:") ? nameOrArn : tableArn(account, nameOrArn ?? ""));
  if (api === "streams") {
    if (operation === "ListStreams") return [{ action: "dynamodb:ListStreams", resource: "*" }];
    const arn = operation === "GetRecords" ? (str(m.ShardIterator)?.split("|")[0] ?? "") : (str(m.StreamArn) ?? "");
    return [{ action: `dynamodb:${operation}`, resource: arn || "*" }];
  }
  const unique = (asks: Ask[]) => [...new Map(asks.map((a) => [`${a.action} ${a.resource}`, a])).values()];
  switch (operation) {
    case "BatchGetItem":
    case "BatchWriteItem": {
      const tables = isMap(m.RequestItems) ? Object.keys(m.RequestItems) : [];
      return tables.length ? tables.map((t) => ({ action: `dynamodb:${operation}`, resource: arnOf(t) })) : [{ action: `dynamodb:${operation}`, resource: "*" }];
    }
    case "TransactGetItems":
    case "TransactWriteItems": {
      const items = Array.isArray(m.TransactItems) ? m.TransactItems.filter(isMap) : [];
      const ACTIONS: Record<string, string> = { Get: "GetItem", Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem" };
      const asks = items.flatMap((item) =>
        Object.entries(item)
          .filter(([k, v]) => Object.hasOwn(ACTIONS, k) && isMap(v))
          .map(([k, v]) => ({ action: `dynamodb:${ACTIONS[k]}`, resource: arnOf(str((v as Members).TableName)) })),
      );
      return asks.length ? unique(asks) : [{ action: operation === "TransactGetItems" ? "dynamodb:GetItem" : "dynamodb:PutItem", resource: "*" }];
    }
  }
  const needs = requirements("dynamodb", operation) ?? [{ action: `dynamodb:${operation}`, resource: "table" as const }];
  const tags = ["CreateTable", "TagResource"].includes(operation) && Array.isArray(m.Tags)
    ? Object.fromEntries(m.Tags.filter(isMap).map((t) => [String(t.Key), String(t.Value)]))
    : undefined;
  const removed = operation === "UntagResource" && Array.isArray(m.TagKeys) ? m.TagKeys.filter((k): k is string => typeof k === "string") : undefined;
  const context = tags || removed ? tagContext(tags, removed) : undefined;
  let arn = arnOf(str(m.TableName) ?? str(m.ResourceArn));
  if ((operation === "Query" || operation === "Scan") && str(m.IndexName)) arn = `${arn}/index/${m.IndexName as string}`;
  return needs.map((n) => ({ action: n.action, resource: n.resource === "*" ? "*" : arn, ...(context ? { context } : {}) }));
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) by table, for Node before 20.15 (no zlib.crc32). */
export function tableCrc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const zlibCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
const crc32 = (data: Buffer): number => (zlibCrc32 ? zlibCrc32(data) : tableCrc32(data));

/** Send a JSON 1.0 body with its CRC32. */
function sendBody(res: HttpResponse, status: number, requestId: string, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, "utf8");
  res.send(status, { "Content-Type": CONTENT_TYPE, "x-amzn-RequestId": requestId, "x-amz-crc32": String(crc32(bytes)), ...headers }, bytes);
}

/** An error as DynamoDB sends it: 400 (500 for its own faults), `__type` in the namespace of whoever modelled it. */
export function renderDynamoError(res: HttpResponse, requestId: string, err: unknown): void {
  const e = asAwsError(err);
  const server = e.fault === "server";
  const code = server ? "InternalServerError" : e.code;
  const body: Members = { __type: `${namespaceOf(code)}#${code}`, [code === "AccessDeniedException" ? "Message" : "message"]: server ? "Internal server error" : e.message, ...e.extra };
  // An UnknownOperationException has no message in DynamoDB's answer.
  if (code === "UnknownOperationException" && !e.message) delete body.message;
  sendBody(res, server ? 500 : 400, requestId, JSON.stringify(body), e.headers);
}

export interface DynamoApiDeps {
  tables: TablesService;
  items: ItemOperations;
  streams: DynamoStreamsService;
  account: Account;
}

export class DynamoApi implements ScopedService {
  readonly maxBody = MAX_REQUEST_BODY;

  constructor(private readonly deps: DynamoApiDeps) {}

  async handle(req: ApiRequest, res: HttpResponse): Promise<void> {
    const { api, operation, members } = decode(req);
    req.authorize(() => dynamodbAsks(this.deps.account, api, operation, members));
    const result =
      api === "streams"
        ? await STREAMS_OPERATIONS[operation]!(this.deps.streams, members)
        : await OPERATIONS[operation]!({ tables: this.deps.tables, items: this.deps.items, host: req.headers.host ?? "localhost" }, members);
    sendBody(res, 200, req.requestId, JSON.stringify(result ?? {}));
  }

  renderError(req: Pick<ApiRequest, "headers" | "requestId">, res: HttpResponse, err: unknown): void {
    renderDynamoError(res, req.requestId, err);
  }

  tooLarge(): Error {
    return awsError("ValidationException", `Request body must be at most ${MAX_REQUEST_BODY} bytes.`);
  }
}
