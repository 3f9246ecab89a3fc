/**
 * The composition root: config → store → services → servers. The only place wiring happens.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { ApiServer } from "./api/server.js";
import { SqsApi } from "./api/sqs/handler.js";
import { CloudWatchApi } from "./api/cloudwatch/handler.js";
import { SnsApi } from "./api/sns/handler.js";
import { IamApi } from "./api/iam/handler.js";
import { StsApi } from "./api/sts/handler.js";
import { KinesisApi } from "./api/kinesis/handler.js";
import { LogsApi } from "./api/logs/handler.js";
import { DynamoApi } from "./api/dynamodb/handler.js";
import { ApiGatewayApi } from "./api/apigateway/index.js";
import { RestApiGatewayApi } from "./api/apigateway/rest.js";
import { RestApisService } from "./services/apigateway/rest-apis.js";
import { ExecuteApiTrigger } from "./gateway/execute-api.js";
import { RestApiTrigger } from "./gateway/rest-api.js";
import { presignUrl, SigV4Verifier, type Credentials } from "./api/sigv4.js";
import { AsyncInvocations, DEFAULT_MAX_EVENT_AGE_S, DEFAULT_MAX_RETRIES } from "./async/queue.js";
import { Destinations } from "./async/destinations.js";
import { clockFile, clockSetting, resumeClock } from "./clock/clock.js";
import type { FlintConfig } from "./config/config.js";
import { CredentialAuthority, rootCredentials } from "./credentials.js";
import { awsError } from "./errors.js";
import { MemoryConcurrencyGate } from "./invoke/concurrency.js";
import { LeasedConcurrencyGate } from "./invoke/leased-gate.js";
import { Invoker } from "./invoke/invoker.js";
import { EnvironmentPool } from "./invoke/pool.js";
import { SparePool } from "./invoke/spares.js";
import { ProvisionedLeases } from "./invoke/provisioned-leases.js";
import { Metrics } from "./observability/metrics.js";
import { LambdaMetrics } from "./observability/cloudwatch.js";
import { extractEmf } from "./services/cloudwatch/emf.js";
import { selectDriver } from "./sandbox/select.js";
import { precompilePythonRuntime } from "./sandbox/runtime-command.js";
import type { SandboxDriver } from "./sandbox/driver.js";
import { functionArn, parseFunctionRef } from "./services/lambda/arns.js";
import type { FunctionRecord, FunctionVersion } from "./services/lambda/model.js";
import { CodeStore } from "./services/lambda/code.js";
import { AliasesService } from "./services/lambda/aliases.js";
import { ConcurrencyService } from "./services/lambda/concurrency.js";
import { FunctionRegistry } from "./services/lambda/registry.js";
import { LambdaService } from "./services/lambda/service.js";
import { PermissionsService } from "./services/lambda/permissions.js";
import { VersionsService } from "./services/lambda/versions.js";
import { EventInvokeConfigService } from "./services/lambda/event-invoke-config.js";
import { LogStore } from "./services/logs/log-store.js";
import { LogsService } from "./services/logs/service.js";
import { SqsService } from "./services/sqs/service.js";
import { SnsService } from "./services/sns/service.js";
import { CloudWatchService } from "./services/cloudwatch/service.js";
import { KinesisService } from "./services/kinesis/service.js";
import { TablesService } from "./services/dynamodb/tables.js";
import { ItemsService } from "./services/dynamodb/items.js";
import { TtlSweeper } from "./services/dynamodb/ttl.js";
import { DynamoStreamsService } from "./services/dynamodb/streams.js";
import { IamService } from "./services/iam/service.js";
import { StsService } from "./services/sts/service.js";
import { PolicySimulator } from "./services/iam/simulator.js";
import { openStore } from "./store/open.js";
import { newRequestId } from "./lib/request-id.js";
import { Authorizer, serviceIdentity } from "./iam/authorizer.js";
import { executionRoleCheck } from "./iam/execution-role.js";
import { SessionTokens } from "./iam/sessions.js";
import { authorizeOnBehalf } from "./api/authorize.js";
import type { SendMessageInput } from "./services/sqs/inputs.js";
import { EventSourceMappingService, type MappingRecord } from "./services/lambda/event-source-mappings.js";
import { EventSourcePollers } from "./event-sources/pollers.js";
import { compileFilters } from "./event-sources/filter.js";
import { KINESIS, kinesisReader } from "./event-sources/kinesis.js";
import { DYNAMODB, dynamodbReader } from "./event-sources/dynamodb.js";
import { mappingRoleCheck } from "./iam/execution-role.js";
import { FunctionUrlService } from "./services/lambda/function-urls.js";
import { FunctionUrlTrigger } from "./gateway/function-url.js";
import { HttpApiControl } from "./api/apigateway/http.js";
import { HttpApisService } from "./services/apigateway/http-apis.js";
import { HttpApiParts } from "./services/apigateway/http-api-parts.js";
import { HttpApiTrigger } from "./gateway/http-api.js";

export const VERSION = "0.1.0";

export interface Flint {
  address: AddressInfo;
  endpoint: string;
  credentials: Credentials;
  /** Set when the credentials were generated by this start. */
  credentialsFile?: string;
  generatedCredentials: boolean;
  driver: SandboxDriver;
  close(): Promise<void>;
}

export async function startFlint(config: FlintConfig): Promise<Flint> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await openStore(config);
  const { credentials, generated, file } = await rootCredentials(config, store.settings);
  const account = { region: config.region, accountId: config.accountId };
  const { clock, stop: stopClock } = await resumeClock(store.settings ? clockSetting(store.settings) : clockFile(path.join(config.dataDir, "clock.json")), config.timeScale);
  const code = await CodeStore.create(config.dataDir, store.blobs);
  const logs = await LogStore.create(config.dataDir, store.logs, () => clock.now());
  // CloudWatch metrics: the API's service, and the sink Flint's own metrics (AWS/Lambda, EMF) go through.
  const cloudwatch = new CloudWatchService({ store: store.metrics, clock });
  cloudwatch.start();
  const [driver] = await Promise.all([selectDriver(config.sandbox, code.root), precompilePythonRuntime()]);

  const signCodeUrl = (baseUrl: string, path: string) => presignUrl(credentials, config.region, "lambda", baseUrl, path, 600, new Date());
  const registry = await FunctionRegistry.load(account, store, clock);
  const lambda = new LambdaService(registry, code, signCodeUrl);
  const versions = new VersionsService(registry);
  const aliases = new AliasesService(registry);
  const eventInvokeConfigs = new EventInvokeConfigService(registry);
  const permissions = new PermissionsService(registry);
  const defaultShape = { memoryMb: 128, ephemeralStorageMb: 512, network: "default" } as const;
  const spares = new SparePool(driver, { perShape: driver.bindsLater ? config.sparesPerShape : 0, maxShapes: 4 }, [
    { ...defaultShape, runtime: "nodejs20.x", family: "node" },
    { ...defaultShape, runtime: "python3.12", family: "python" },
  ]);
  spares.refill();
  // Who may do what: IAM's users, roles and policies, STS's sessions, and one decision for every call.
  const iam = await IamService.create(account, store.iam, clock, store.changes);
  const authority = new CredentialAuthority(credentials, config.accountId, iam, new SessionTokens(credentials.secretAccessKey));
  const authorizer = new Authorizer(config.iam, config.region);
  authorizer.setResourcePolicies("lambda", (arn) => permissions.resourcePolicy(arn));
  authorizer.setResourceTags("lambda", (arn) => registry.get(arn.split(":")[6] ?? "")?.tags);
  lambda.checkRole = executionRoleCheck(iam, authorizer, config.accountId);
  // Functions call Flint's API with temporary credentials of their own (a session of their execution
  // role), on the address Flint listens on.
  let endpoint = "";
  const functionCredentials = (v: FunctionVersion) => {
    const issued = authority.issue(v.functionName, v.role);
    return {
      env: { AWS_ACCESS_KEY_ID: issued.accessKeyId, AWS_SECRET_ACCESS_KEY: issued.secretAccessKey, AWS_SESSION_TOKEN: issued.sessionToken, AWS_ENDPOINT_URL: endpoint },
      revoke: () => authority.revoke(issued.accessKeyId),
    };
  };
  // Metrics functions print in Embedded Metric Format go to CloudWatch, as AWS/Lambda's do.
  const onJsonLine = (_v: FunctionVersion, line: string) => {
    for (const datum of extractEmf(line, clock.now())) cloudwatch.record(datum);
  };
  const pool = new EnvironmentPool(
    { driver, logs, region: config.region, codeDir: (v) => lambda.codeDir(v.code), spares, scalingRate: config.scalingRate, credentials: functionCredentials, onJsonLine },
    clock,
    config.idleTimeoutMs,
  );
  const lambdaMetrics = new LambdaMetrics(cloudwatch, clock);
  const metrics = new Metrics(() => pool.byVersion(), lambdaMetrics, () => authorizer.counts);
  // With several nodes, one at a time keeps a function's provisioned environments (invoke/provisioned-leases.ts).
  const provisioning =
    store.slots.shared && store.settings
      ? new ProvisionedLeases({ leases: store.leases, settings: store.settings, clock, records: () => registry.all(), reconcile: (r) => pool.reconcile(r), local: (name, version) => pool.progress(name, version) })
      : undefined;
  const reconcile = (record: FunctionRecord) => pool.reconcile(provisioning ? provisioning.view(record) : record);
  const concurrency = new ConcurrencyService(registry, config.concurrencyLimit, (name, qualifier) => {
    const record = registry.get(name);
    const number = record && (/^\d+$/.test(qualifier) ? qualifier : record.aliases[qualifier]?.functionVersion);
    if (provisioning) return provisioning.progress(name, qualifier, number);
    return number ? pool.progress(name, number) : { allocated: 0, available: 0 };
  });
  // The port FunctionUrl names: the listener's own, known once it listens (it may be asked for port 0).
  let listenPort = config.port;
  const functionUrls = await FunctionUrlService.create({ registry, store: store.functionUrls, port: () => listenPort, now: () => clock.now(), changes: store.changes });
  registry.listener = {
    deployed: (record) => {
      pool.retire(record.name, record.deployed?.revisionId);
      reconcile(record);
    },
    deleted: (name, remote) => {
      pool.retire(name);
      metrics.forget(name);
      // The node that deleted the function deletes its URLs; the others only forget it.
      if (!remote) void functionUrls.functionDeleted(name).catch((err) => console.error("flint: function URLs:", err));
    },
    configured: (record) => reconcile(record),
  };
  lambda.resumeDeployments();
  const gate = store.slots.shared ? await LeasedConcurrencyGate.create(store.slots, concurrency, clock) : new MemoryConcurrencyGate(concurrency);
  const invoker = new Invoker(account, lambda, pool, gate, metrics);
  const destinations = new Destinations({});
  const sqs = await SqsService.create(account, store.queues, clock, store.changes);
  authorizer.setResourcePolicies("sqs", (arn) => sqs.resourcePolicy(arn));
  authorizer.setResourceTags("sqs", (arn) => sqs.findByArn(arn)?.tags);
  destinations.set("sqs", async (arn, body, attributes) => void (await sqs.sendMessage(arn, { MessageBody: body, MessageAttributes: attributes })));
  // Destinations and dead-letter queues are written with the function's execution role, as on AWS.
  destinations.authorize = (from, ask) => {
    const record = registry.get(from.functionName);
    if (record) authorizeOnBehalf(authorizer, authority.roleSession(registry.resolve(record, from.qualifier).version.role, from.functionName), ask);
  };
  const events = new AsyncInvocations({
    store: store.asyncEvents,
    clock,
    execute: (name, qualifier, requestId, payload) => invoker.execute(name, qualifier, requestId, payload),
    settings: (name, qualifier) => {
      const record = registry.get(name);
      if (!record) return undefined;
      let version;
      try {
        version = registry.resolve(record, qualifier).version;
      } catch {
        return undefined;
      }
      const runs = version.version === "$LATEST" ? (record.deployed ?? record.latest) : version;
      const c = record.eventInvokeConfigs[qualifier ?? "$LATEST"];
      return {
        maximumRetryAttempts: c?.maximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
        maximumEventAgeMs: (c?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000,
        ...(c?.onSuccess ? { onSuccess: c.onSuccess } : {}),
        ...(c?.onFailure ? { onFailure: c.onFailure } : {}),
        ...(runs.deadLetterTargetArn ? { deadLetterTargetArn: runs.deadLetterTargetArn } : {}),
      };
    },
    deliver: destinations.deliver,
    concurrencyPerFunction: config.asyncConcurrency,
    metrics: metrics.async,
  });
  invoker.events = events;
  // A Lambda destination (and an SNS subscription) receives its message as an asynchronous invocation.
  const invokeAsync = async (arn: string, body: string) => {
    const ref = parseFunctionRef(account, arn);
    const record = registry.get(ref.name);
    if (!record) throw awsError("ResourceNotFoundException", `Function not found: ${arn}`);
    registry.resolve(record, ref.qualifier);
    await events.accept(ref.name, ref.qualifier, newRequestId(), Buffer.from(body));
  };
  destinations.set("lambda", invokeAsync);
  // SNS links (SubscribeURL, UnsubscribeURL, SigningCertURL) use the address functions reach Flint on.
  // SNS delivers as the SNS service for the topic: the queue's policy or the function's permissions must let it.
  const snsService = serviceIdentity("sns.amazonaws.com");
  const asSns = (action: string, target: string, topicArn: string) =>
    authorizeOnBehalf(authorizer, snsService, { action, resource: target, context: { "aws:SourceArn": topicArn, "aws:SourceAccount": config.accountId } });
  const snsTargets = {
    sqs: {
      sendMessage: async (queueArn: string, input: SendMessageInput, topicArn: string) => {
        // The queue's policy decides: read it from the store if the queue was made on another node a moment ago.
        await sqs.lookUpArn(queueArn);
        asSns("sqs:SendMessage", queueArn, topicArn);
        return sqs.sendMessage(queueArn, input);
      },
    },
    invokeAsync: (functionArn: string, payload: string, topicArn: string) => {
      asSns("lambda:InvokeFunction", functionArn, topicArn);
      return invokeAsync(functionArn, payload);
    },
  };
  const sns = await SnsService.create(account, store.sns, clock, { targets: snsTargets, endpoint: () => endpoint, changes: store.changes });
  authorizer.setResourcePolicies("sns", (arn) => sns.resourcePolicy(arn));
  authorizer.setResourceTags("sns", (arn) => sns.resourceTags(arn));
  destinations.set("sns", async (arn, body, attributes) => void (await sns.publish({ TopicArn: arn, Message: body, MessageAttributes: attributes })));
  // Shard iterators are signed with a key derived from the root secret, so they outlive a restart.
  // CloudWatch Logs' API over the same store the functions' logs are written to.
  const cloudwatchLogs = new LogsService({ store: store.logs, clock, account });
  const kinesis = await KinesisService.create({ account, store: store.streams, clock, iteratorSecret: credentials.secretAccessKey, changes: store.changes });
  authorizer.setResourceTags("kinesis", (arn) => kinesis.tagsOf(arn));
  // DynamoDB: tables (shared with the other nodes), their items, streams and TTL sweeps.
  const tables = await TablesService.create({ account, store: store.dynamodb, clock, changes: store.changes, leases: store.leases });
  authorizer.setResourceTags("dynamodb", (arn) => tables.tagsOf(arn));
  const dynamoStreams = await DynamoStreamsService.create({ tables, store: store.dynamodb, clock, region: config.region, iteratorSecret: credentials.secretAccessKey, changes: store.changes });
  const appended = (streamArn: string, sequence: number) => dynamoStreams.appended(streamArn, sequence);
  const items = new ItemsService({ tables, store: store.dynamodb, clock, region: config.region, appended });
  const ttl = new TtlSweeper({ tables, store: store.dynamodb, clock, appended });
  ttl.start();
  // Event source mappings: the control plane, and pollers that read with the function's execution role.
  const versionOf = (m: MappingRecord) => {
    const record = registry.get(m.functionName);
    try {
      return record && registry.resolve(record, m.qualifier).version;
    } catch {
      return undefined;
    }
  };
  const mappings = await EventSourceMappingService.create({
    account,
    changes: store.changes,
    registry,
    store: store.mappings,
    clock,
    source: async (kind, arn) => {
      if (kind === "sqs") {
        const q = await sqs.lookUpArn(arn);
        return q && { fifo: q.fifo, visibilityTimeout: q.settings.visibilityTimeout };
      }
      if (kind === "dynamodb") return (await tables.resolveStream(arn)) ? {} : undefined;
      return (await kinesis.exists(arn)) ? {} : undefined;
    },
    checkRole: mappingRoleCheck(authorizer, (role, functionName) => authority.roleSession(role, functionName)),
    checkFilters: (filters) => void compileFilters({ Filters: filters }),
  });
  lambda.otherTags = mappings;
  const pollers = new EventSourcePollers({
    clock,
    region: config.region,
    sqs,
    streams: { kinesis: { source: kinesisReader(kinesis), flavour: KINESIS }, dynamodb: { source: dynamodbReader(dynamoStreams), flavour: DYNAMODB } },
    checkpoints: store.mappings,
    leases: store.leases,
    metrics: metrics.mappings,
    execute: (m, requestId, payload) => invoker.execute(m.functionName, m.qualifier, requestId, payload),
    authorize: (m, action, resource) => authorizeOnBehalf(authorizer, authority.roleSession(versionOf(m)?.role ?? "", m.functionName), { action, resource }),
    deliver: (m, destination, body) => destinations.deliver(destination, body, undefined, { functionName: m.functionName, ...(m.qualifier !== undefined ? { qualifier: m.qualifier } : {}) }),
    report: (uuid, report) => void mappings.report(uuid, report).catch((err) => console.error("flint: event source mapping:", err)),
    roleOf: (m) => versionOf(m)?.role,
    functionTimeout: (m) => versionOf(m)?.timeout,
    functionArn: (m) => functionArn(account, m.functionName, m.qualifier),
    executedVersion: (m) => versionOf(m)?.version ?? "$LATEST",
  });
  mappings.listener = (uuid, record) => void pollers.apply(uuid, record);
  // API Gateway REST APIs: the control plane.
  const restApis = await RestApisService.create(account, store.restApis, clock, store.changes);
  // API Gateway HTTP APIs: the control plane, and their invoke side on the execute-api host.
  const httpApis = await HttpApisService.create({ account, store: store.httpApis, clock, changes: store.changes });
  const httpApiControl = new HttpApiControl({ account, apis: httpApis, parts: new HttpApiParts(httpApis), apiEndpoint: (apiId) => `http://${apiId}.execute-api.localhost:${listenPort}` });
  const verifier = new SigV4Verifier(authority, config.region);
  const simulator = new PolicySimulator({ iam, authorizer, identityOf: (arn, session) => authority.identityOf(arn, session), accountId: config.accountId });
  const api = new ApiServer({
    lambda,
    versions,
    aliases,
    concurrency,
    eventInvokeConfigs,
    permissions,
    mappings,
    functionUrls,
    invoker,
    verifier,
    authorizer,
    account,
    scoped: { monitoring: new CloudWatchApi(cloudwatch), sqs: new SqsApi(sqs, account), sns: new SnsApi(sns, account), iam: new IamApi(iam, config.accountId, simulator), sts: new StsApi(new StsService(iam, authority.sessions, config.accountId)),
      kinesis: new KinesisApi(kinesis, account),
      logs: new LogsApi(cloudwatchLogs),
      dynamodb: new DynamoApi({ tables, items, streams: dynamoStreams, account }),
      apigateway: new ApiGatewayApi(new RestApiGatewayApi(restApis, account), httpApiControl),
    },
    metrics,
    events,
    simulator,
    triggers: {
      "lambda-url": new FunctionUrlTrigger({ urls: functionUrls, invoker, verifier, authorizer, account, port: () => listenPort, now: () => clock.now() }),
      // REST APIs invoke functions as the API Gateway service: the function's policy must let it, as on AWS.
      "execute-api": new ExecuteApiTrigger([
        new RestApiTrigger({ apis: restApis, account, invoker, authorizer, now: () => clock.now() }),
        new HttpApiTrigger({ apis: httpApis, invoker, authorizer, account, port: () => listenPort, now: () => clock.now() }),
      ]),
    },
    // What `flint mappings` shows: each mapping as the API has it, with how far behind its source it is.
    mappingStatus: async () =>
      Promise.all(
        [...mappings.all()].map(async (m) => {
          let lag: Record<string, unknown> = {};
          if (m.source === "sqs") {
            const counts = await sqs.getQueueAttributes(m.eventSourceArn, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]).catch(() => undefined);
            if (counts) lag = { MessagesWaiting: Number(counts.ApproximateNumberOfMessages), MessagesInFlight: Number(counts.ApproximateNumberOfMessagesNotVisible) };
          } else lag = { Shards: pollers.iteratorAges(m.uuid).map((a) => ({ ShardId: a.shardId, IteratorAgeMilliseconds: a.ms })) };
          return { ...mappings.toApi(m), Lag: lag };
        }),
      ),
    health: async () => ({
      status: "ok",
      version: VERSION,
      node: store.nodeId,
      region: config.region,
      accountId: config.accountId,
      isolation: driver.isolation,
      driver: driver.name,
      limits: driver.limits,
      environments: pool.counts(),
      spares: await spares.report(),
    }),
  });
  const address = await api.listen(config.port, config.host);
  listenPort = address.port;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  // A wildcard listener is reached from a sandbox through loopback.
  const reachable = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "[::1]" : host;
  endpoint = `http://${reachable}:${address.port}`;
  // Environments (provisioned ones now, the rest on demand) start only once that address is known.
  for (const record of registry.all()) reconcile(record);
  provisioning?.start();
  const recovered = await events.recover();
  if (recovered) console.log(`flint: ${recovered} asynchronous event(s) from the last run are queued again`);
  for (const m of mappings.all()) if (m.enabled) void pollers.apply(m.uuid, m);
  const snsRecovered = await sns.recover();
  if (snsRecovered) console.log(`flint: ${snsRecovered} SNS deliveries from the last run are queued again`);

  let closing: Promise<void> | undefined;
  return {
    address,
    endpoint: `http://${host}:${address.port}`,
    credentials,
    credentialsFile: file,
    generatedCredentials: generated,
    driver,
    close: () =>
      (closing ??= (async () => {
        // Live tails end first: their streams would hold the listener open.
        cloudwatchLogs.close();
        await api.close();
        await mappings.idle();
        await pollers.close();
        await sns.close();
        await sqs.close();
        await kinesis.close();
        ttl.stop();
        await dynamoStreams.close();
        await tables.close();
        await events.close();
        await pool.shutdown();
        lambdaMetrics.stop();
        await registry.idle();
        await driver.close();
        await provisioning?.close();
        await gate.stop();
        logs.close();
        await cloudwatch.stop();
        await stopClock();
        await store.close();
      })()),
  };
}
