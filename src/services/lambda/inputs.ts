/**
 * Typed commands of the Lambda control plane, decoded from JSON request bodies with type checks.
 * Model constraints (patterns, ranges) are checked by the service, in AWS's order.
 */
import { badContent, member } from "./validation.js";

type Body = Record<string, unknown>;

export interface CodeInput {
  zipFile?: Buffer;
  s3?: boolean;
  imageUri?: string;
}

export interface FunctionSettingsInput {
  runtime?: string;
  handler?: string;
  role?: string;
  description?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  ephemeralStorage?: number;
  loggingConfig?: { LogFormat?: string; LogGroup?: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
  tracingMode?: string;
  vpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] };
  /**
   * DeadLetterConfig.TargetArn; "" removes it. A DeadLetterConfig without TargetArn changes nothing
   * (recorded by AWS's run of LocalStack's TestLambdaDLQ::test_dead_letter_queue: `DeadLetterConfig={}`
   * leaves the queue in place).
   */
  deadLetterTargetArn?: string;
}

export interface CreateFunctionInput extends FunctionSettingsInput {
  functionName?: string;
  code?: CodeInput;
  architectures?: string[];
  packageType?: string;
  tags?: Record<string, string>;
  publish?: boolean;
}

export interface UpdateFunctionConfigurationInput extends FunctionSettingsInput {
  revisionId?: string;
}

export interface UpdateFunctionCodeInput {
  code: CodeInput;
  architectures?: string[];
  publish?: boolean;
  revisionId?: string;
  dryRun?: boolean;
}

function decodeBase64(value: string | undefined, name: string): Buffer | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) badContent(`'${name}' is not valid base64`);
  return Buffer.from(value, "base64");
}

function settings(body: Body): FunctionSettingsInput {
  const env = member(body, "Environment", "object");
  const storage = member(body, "EphemeralStorage", "object");
  const logging = member(body, "LoggingConfig", "object");
  const tracing = member(body, "TracingConfig", "object");
  const vpc = member(body, "VpcConfig", "object");
  const dlq = member(body, "DeadLetterConfig", "object");
  return {
    runtime: member(body, "Runtime", "string"),
    handler: member(body, "Handler", "string"),
    role: member(body, "Role", "string"),
    description: member(body, "Description", "string"),
    timeout: member(body, "Timeout", "integer"),
    memorySize: member(body, "MemorySize", "integer"),
    environment: env ? (member(env, "Variables", "stringMap") ?? {}) : undefined,
    ephemeralStorage: storage ? member(storage, "Size", "integer") : undefined,
    loggingConfig: logging
      ? {
          LogFormat: member(logging, "LogFormat", "string"),
          LogGroup: member(logging, "LogGroup", "string"),
          ApplicationLogLevel: member(logging, "ApplicationLogLevel", "string"),
          SystemLogLevel: member(logging, "SystemLogLevel", "string"),
        }
      : undefined,
    tracingMode: tracing ? member(tracing, "Mode", "string") : undefined,
    vpcConfig: vpc
      ? { SubnetIds: member(vpc, "SubnetIds", "stringArray") ?? [], SecurityGroupIds: member(vpc, "SecurityGroupIds", "stringArray") ?? [] }
      : undefined,
    deadLetterTargetArn: dlq ? member(dlq, "TargetArn", "string") : undefined,
  };
}

export function decodeCreateFunction(body: Body): CreateFunctionInput {
  const code = member(body, "Code", "object");
  return {
    ...settings(body),
    functionName: member(body, "FunctionName", "string"),
    code: code ? decodeCode(code) : undefined,
    architectures: member(body, "Architectures", "stringArray"),
    packageType: member(body, "PackageType", "string"),
    tags: member(body, "Tags", "stringMap"),
    publish: member(body, "Publish", "boolean"),
  };
}

function decodeCode(code: Body): CodeInput {
  return {
    zipFile: decodeBase64(member(code, "ZipFile", "string"), "ZipFile"),
    s3: member(code, "S3Bucket", "string") !== undefined || member(code, "S3Key", "string") !== undefined,
    imageUri: member(code, "ImageUri", "string"),
  };
}

export function decodeUpdateFunctionConfiguration(body: Body): UpdateFunctionConfigurationInput {
  return { ...settings(body), revisionId: member(body, "RevisionId", "string") };
}

export function decodeUpdateFunctionCode(body: Body): UpdateFunctionCodeInput {
  return {
    code: decodeCode(body),
    architectures: member(body, "Architectures", "stringArray"),
    publish: member(body, "Publish", "boolean"),
    revisionId: member(body, "RevisionId", "string"),
    dryRun: member(body, "DryRun", "boolean"),
  };
}
