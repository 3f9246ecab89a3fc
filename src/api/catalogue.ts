/**
 * Which AWS service a request is for, and which protocol its client will parse the answer in.
 *
 * AWS tells services apart by host name; Flint has one endpoint, so it reads every signal a request
 * carries: `X-Amz-Target` (AWS JSON), `smithy-protocol: rpc-v2-cbor` and its `/service/…/operation/…`
 * path, the REST paths of the services with REST protocols, `Action=` with `Version=` (the query
 * protocol), and last the service named by the signature's credential scope. The signature is then
 * checked against the service so chosen, never the other way round.
 *
 * The catalogue also names common AWS services Flint does not provide, so that their clients get an
 * error they can parse (in the service's own protocol) saying so, instead of something they report
 * as "invalid XML received".
 */
import { awsError } from "../errors.js";

export type Protocol = "rest-json" | "json" | "query" | "cbor" | "rest-xml" | "ec2";

export interface ServiceInfo {
  /** SigV4 signing name, the service of the credential scope (`sqs`, `monitoring`). */
  signingName: string;
  /** Name for people (`Amazon SQS`). */
  title: string;
  /** The protocol its clients speak when a request carries no other sign (the first in its model). */
  protocol: Protocol;
  /** AWS JSON and rpc-v2-cbor: `X-Amz-Target` prefix / CBOR service shape name. */
  target?: string;
  /** Query protocol: the `Version` parameter and the response namespace. */
  version?: string;
  xmlns?: string;
  /** Moved from the query protocol: JSON errors also carry `x-amzn-query-error`. */
  queryCompatible?: boolean;
  /**
   * A global service's signing region (IAM: `us-east-1`), which its clients use whatever their own
   * region; a client given a custom endpoint signs with its own region, so both are accepted.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
   */
  signingRegion?: string;
}

const q = (signingName: string, title: string, version: string, xmlns = `https://${signingName}.amazonaws.com/doc/${version}/`): ServiceInfo => ({ signingName, title, protocol: "query", version, xmlns });
const j = (signingName: string, title: string, target: string): ServiceInfo => ({ signingName, title, protocol: "json", target });

/** What botocore's service models say of each (metadata: protocol, targetPrefix, apiVersion, xmlNamespace). */
export const SERVICES: readonly ServiceInfo[] = [
  { signingName: "lambda", title: "AWS Lambda", protocol: "rest-json" },
  { signingName: "sqs", title: "Amazon SQS", protocol: "json", target: "AmazonSQS", version: "2012-11-05", xmlns: "http://queue.amazonaws.com/doc/2012-11-05/", queryCompatible: true },
  q("sns", "Amazon SNS", "2010-03-31", "http://sns.amazonaws.com/doc/2010-03-31/"),
  { ...q("iam", "AWS IAM", "2010-05-08"), signingRegion: "us-east-1" },
  q("sts", "AWS STS", "2011-06-15"),
  { ...q("monitoring", "Amazon CloudWatch", "2010-08-01", "http://monitoring.amazonaws.com/doc/2010-08-01/"), target: "GraniteServiceVersion20100801", queryCompatible: true },
  q("cloudformation", "AWS CloudFormation", "2010-05-15", "http://cloudformation.amazonaws.com/doc/2010-05-15/"),
  q("email", "Amazon SES", "2010-12-01", "http://ses.amazonaws.com/doc/2010-12-01/"),
  q("elasticloadbalancing", "Elastic Load Balancing", "2015-12-01", "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"),
  q("rds", "Amazon RDS", "2014-10-31", "http://rds.amazonaws.com/doc/2014-10-31/"),
  { signingName: "ec2", title: "Amazon EC2", protocol: "ec2", version: "2016-11-15", xmlns: "http://ec2.amazonaws.com/doc/2016-11-15" },
  j("logs", "Amazon CloudWatch Logs", "Logs_20140328"),
  j("dynamodb", "Amazon DynamoDB", "DynamoDB_20120810"),
  { ...j("dynamodb", "Amazon DynamoDB Streams", "DynamoDBStreams_20120810") },
  j("kinesis", "Amazon Kinesis", "Kinesis_20131202"),
  j("events", "Amazon EventBridge", "AWSEvents"),
  j("ssm", "AWS Systems Manager", "AmazonSSM"),
  j("secretsmanager", "AWS Secrets Manager", "secretsmanager"),
  j("kms", "AWS KMS", "TrentService"),
  j("states", "AWS Step Functions", "AWSStepFunctions"),
  j("firehose", "Amazon Data Firehose", "Firehose_20150804"),
  j("ecr", "Amazon ECR", "AmazonEC2ContainerRegistry_V20150921"),
  j("ecs", "Amazon ECS", "AmazonEC2ContainerServiceV20141113"),
  j("cognito-idp", "Amazon Cognito user pools", "AWSCognitoIdentityProviderService"),
  { signingName: "s3", title: "Amazon S3", protocol: "rest-xml" },
  { signingName: "apigateway", title: "Amazon API Gateway", protocol: "rest-json" },
  { signingName: "execute-api", title: "Amazon API Gateway", protocol: "rest-json" },
];

const byTarget = new Map(SERVICES.filter((s) => s.target).map((s) => [s.target!, s]));
const byVersion = new Map(SERVICES.filter((s) => s.version).map((s) => [s.version!, s]));
const bySigningName = new Map<string, ServiceInfo>();
for (const s of SERVICES) if (!bySigningName.has(s.signingName)) bySigningName.set(s.signingName, s);

/** The entry for a signing name, or a stand-in for a service the catalogue does not know. */
export function serviceNamed(signingName: string, protocol: Protocol = "rest-json"): ServiceInfo {
  return bySigningName.get(signingName) ?? { signingName, title: signingName, protocol };
}

/** A request as the router sees it: its head, and a form body's parameters once read. */
export interface RouteSignals {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  /** The credential scope's service, when the request is signed. */
  scopeService?: string;
  /** Whether a body follows the head. */
  hasBody: boolean;
}

export interface Destination {
  service: ServiceInfo;
  protocol: Protocol;
  /** Chosen from the scope or a default only: a form body's `Version` may still name the service. */
  provisional: boolean;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const CBOR_PATH = /^\/service\/([^/]+)\/operation\/[^/]+$/;
const QUEUE_PATH = /^\/\d{12}\/[^/]+\/?$/;

/** A query-protocol body (a form, or the empty content type botocore never sends but curl does). */
export function isFormBody(headers: Record<string, string | undefined>): boolean {
  const type = headers["content-type"] ?? "";
  return type === "" || type.startsWith("application/x-www-form-urlencoded");
}

/**
 * The service and protocol a request's head points to. `isRest(path)` says whether a path is one of
 * the REST routes Flint serves (Lambda's).
 */
export function destination(req: RouteSignals, isRest: (method: string, rawPath: string) => boolean): Destination {
  const scoped = req.scopeService !== undefined ? serviceNamed(req.scopeService) : undefined;
  // A target no catalogued service has: the scope's service if the catalogue does not know it
  // either (it is then some AWS service Flint does not provide), else no service at all.
  const otherwise = (protocol: Protocol): ServiceInfo => (scoped && !bySigningName.has(scoped.signingName) ? scoped : { signingName: "unknown", title: "unknown", protocol });
  const target = req.headers["x-amz-target"];
  if (target !== undefined) {
    const prefix = target.slice(0, Math.max(0, target.lastIndexOf(".")));
    return { service: byTarget.get(prefix) ?? otherwise("json"), protocol: "json", provisional: false };
  }
  const cbor = CBOR_PATH.exec(req.rawPath);
  if (cbor || req.headers["smithy-protocol"] === "rpc-v2-cbor") {
    return { service: byTarget.get(cbor?.[1] ?? "") ?? otherwise("cbor"), protocol: "cbor", provisional: false };
  }
  if (isRest(req.method, req.rawPath)) return { service: bySigningName.get("lambda")!, protocol: "rest-json", provisional: false };
  const version = first(req.query.Version);
  const versioned = version !== undefined ? byVersion.get(version) : undefined;
  if (versioned) return { service: versioned, protocol: versioned.protocol === "ec2" ? "ec2" : "query", provisional: false };
  if (QUEUE_PATH.test(req.rawPath)) return { service: bySigningName.get("sqs")!, protocol: "query", provisional: false };
  // A body may name its service (a form's `Version`) and will say whether it is a query request: it is
  // read first (after the head's checks), and until then the scope's service and protocol stand.
  const action = first(req.query.Action) !== undefined;
  if (action || req.hasBody) {
    const service = scoped ?? { signingName: "unknown", title: "unknown", protocol: "query" as const };
    const query = action || (req.hasBody && isFormBody(req.headers));
    return { service, protocol: query ? (service.protocol === "ec2" ? "ec2" : "query") : service.protocol, provisional: true };
  }
  if (scoped) return { service: scoped, protocol: scoped.protocol, provisional: false };
  return { service: { signingName: "unknown", title: "unknown", protocol: "rest-json" }, protocol: "rest-json", provisional: false };
}

/** A form body's `Version` may name the service outright. */
export function serviceOfVersion(version: string | undefined): ServiceInfo | undefined {
  return version === undefined ? undefined : byVersion.get(version);
}

/** The error for a service Flint does not provide, in terms its client will report. */
export function notProvided(service: ServiceInfo, provided: readonly string[]): Error {
  return awsError("NotImplemented", `Flint does not provide ${service.title} ('${service.signingName}'); it provides ${provided.join(", ")}.`);
}
