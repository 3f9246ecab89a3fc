/**
 * IAM enforced on every call, end to end, with the AWS CLI v2, the SDK v3 and boto3 inside a
 * function: a user allowed one function's invoke is refused another's; a function whose role lacks
 * sqs:SendMessage is refused from inside until the policy is attached; an SNS topic reaches a
 * function only once the function's policy lets it; execution roles are checked at CreateFunction;
 * each service refuses in its own protocol's shape; `--iam report` and `--iam off` let calls through.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand, InvokeCommand, LambdaClient, CreateFunctionCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ACCOUNT, LAMBDA_TRUST_POLICY, REGION, ROLE, runCli, AWS_CLI_V2, startFlint, TEST_CREDENTIALS, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke, RUNTIME_OF } from "../harness/functions.js";
import { zipFixture } from "../harness/zip.js";
import { boto3Version, findAwsCliV1 } from "../harness/sqs-clients.js";
import { PATIENCE_MS } from "../harness/processes.js";
import { endedTimeline, invokeEvent } from "../harness/async.js";

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const FUNCTION_ARN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

describe("IAM enforcement", () => {
  let flint: FlintProcess;
  let iam: IAMClient;
  let nodeZip: Buffer;
  const clients: { destroy(): void }[] = [];
  const client = <T extends { destroy(): void }>(c: T): T => (clients.push(c), c);
  const lambdaAs = (credentials: Creds) => client(new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials, maxAttempts: 1 }));

  /** A user with one inline policy and an access key, as an administrator would make one. */
  async function userWith(policy: object | undefined): Promise<{ arn: string; creds: Creds }> {
    const name = uniqueName("user");
    const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
    if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "only", PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { arn: User!.Arn!, creds: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
  }

  before(async () => {
    flint = await startFlint();
    iam = client(new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    nodeZip = await zipFixture("nodejs");
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await flint.stop();
  });

  test("a user allowed to invoke one function is refused another, with AWS's status, code and message (SDK v3 and CLI v2)", async () => {
    const allowed = await createFunction(flint, nodeZip, "echo.handler");
    const other = await createFunction(flint, nodeZip, "echo.handler");
    const user = await userWith({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FUNCTION_ARN(allowed) }] });
    const lambda = lambdaAs(user.creds);
    const ok = await lambda.send(new InvokeCommand({ FunctionName: allowed, Payload: Buffer.from('{"hi":1}') }));
    assert.equal(ok.StatusCode, 200);
    assert.deepEqual(JSON.parse(Buffer.from(ok.Payload!).toString()), { hi: 1 });

    const expected = `User: ${user.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION_ARN(other)} because no identity-based policy allows the lambda:InvokeFunction action`;
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: other })), (err: any) => {
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.message, expected);
      return true;
    });
    // `function:f` does not cover `function:f:1` or an alias: the qualified ARN is what is asked about.
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: allowed, Qualifier: "$LATEST" })), { name: "AccessDeniedException" });
    // Nor may the user do anything else with the function it may invoke.
    await assert.rejects(lambda.send(new (await import("@aws-sdk/client-lambda")).GetFunctionCommand({ FunctionName: allowed })), { name: "AccessDeniedException" });

    const cli = await runCli(AWS_CLI_V2, flint.endpoint, ["lambda", "invoke", "--function-name", other, "/dev/null"], undefined, user.creds);
    assert.equal(cli.code, 254, cli.stderr);
    assert.match(cli.stderr, /AccessDeniedException/);
    assert.ok(cli.stderr.includes(expected), cli.stderr);
    const cliOk = await runCli(AWS_CLI_V2, flint.endpoint, ["lambda", "invoke", "--function-name", allowed, "/dev/null"], undefined, user.creds);
    assert.equal(cliOk.code, 0, cliOk.stderr);
  });

  test("an explicit Deny wins over an Allow, and says so", async () => {
    const fn = await createFunction(flint, nodeZip, "echo.handler");
    const user = await userWith({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "lambda:*", Resource: "*" },
        { Sid: "NoInvoke", Effect: "Deny", Action: "lambda:Invoke*", Resource: FUNCTION_ARN(fn) },
      ],
    });
    await assert.rejects(lambdaAs(user.creds).send(new InvokeCommand({ FunctionName: fn })), (err: any) => {
      assert.equal(err.message, `User: ${user.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION_ARN(fn)} with an explicit deny in an identity-based policy`);
      return true;
    });
  });

  test("attribute-based access: a function's tags against the user's, and the tags a request sets", async () => {
    const ours = await createFunction(flint, nodeZip, "echo.handler", { Tags: { team: "blue" } });
    const theirs = await createFunction(flint, nodeZip, "echo.handler", { Tags: { team: "red" } });
    const user = await userWith({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } },
        { Effect: "Allow", Action: "lambda:TagResource", Resource: "*", Condition: { StringEquals: { "aws:RequestTag/team": "${aws:PrincipalTag/team}" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } } },
      ],
    });
    await iam.send(new (await import("@aws-sdk/client-iam")).TagUserCommand({ UserName: user.arn.split("/").pop()!, Tags: [{ Key: "team", Value: "blue" }] }));
    const lambda = lambdaAs(user.creds);
    const { TagResourceCommand } = await import("@aws-sdk/client-lambda");
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: ours }))).StatusCode, 200);
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: theirs })), { name: "AccessDeniedException" });
    await assert.rejects(lambda.send(new TagResourceCommand({ Resource: FUNCTION_ARN(theirs), Tags: { team: "red" } })), { name: "AccessDeniedException" });
    await assert.rejects(lambda.send(new TagResourceCommand({ Resource: FUNCTION_ARN(theirs), Tags: { team: "blue", owner: "me" } })), { name: "AccessDeniedException" });
    // Re-tagging the other team's function as ours is allowed by the tag it sets, and then it is ours to invoke.
    await lambda.send(new TagResourceCommand({ Resource: FUNCTION_ARN(theirs), Tags: { team: "blue" } }));
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: theirs }))).StatusCode, 200);
  });

  test("a function's resource policy lets a user without identity policies invoke it", async () => {
    const fn = await createFunction(flint, nodeZip, "echo.handler");
    const user = await userWith(undefined);
    const lambda = lambdaAs(user.creds);
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: fn })), { name: "AccessDeniedException" });
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "user", Action: "lambda:InvokeFunction", Principal: user.arn }));
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: fn }))).StatusCode, 200);
  });

  test("a function whose role lacks sqs:SendMessage is refused from inside, and succeeds once the policy is attached (boto3 in the function)", { skip: boto3Version() ? false : "boto3 is not installed (apt-get install python3-boto3)" }, async () => {
    const roleName = uniqueName("queue-writer");
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const queueName = uniqueName("from-function");
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`;
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: "find-queue", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:GetQueueUrl", Resource: queueArn }] }) }));
    const fn = await createFunction(flint, await zipFixture("python"), "sdk_call.handler", { runtime: RUNTIME_OF.python, Role: Role!.Arn });

    const refused = await invoke(flint, fn, { queue: queueName, body: { n: 1 } });
    assert.equal(refused.functionError, "Unhandled", refused.raw);
    assert.match(refused.payload.errorMessage, /AccessDenied/);
    assert.ok(
      refused.payload.errorMessage.includes(`User: arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${fn} is not authorized to perform: sqs:sendmessage on resource: ${queueArn}`),
      refused.payload.errorMessage,
    );
    assert.equal((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes!.ApproximateNumberOfMessages, "0");

    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: "send", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn }] }) }));
    const sent = await invoke(flint, fn, { queue: queueName, body: { n: 2 } });
    assert.equal(sent.functionError, undefined, sent.raw);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    assert.deepEqual(JSON.parse(received.Messages![0]!.Body!), { n: 2 });
  });

  test("an async invocation's failure destination is written with the execution role: refused until the role may send", async () => {
    const roleName = uniqueName("no-destinations");
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const queueName = uniqueName("on-failure");
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`;
    const fn = await createFunction(flint, nodeZip, "throw.handler", { Role: Role!.Arn });
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queueArn } } }));

    const refused = await endedTimeline(flint, await invokeEvent(flint, fn, { n: 1 }));
    const destination = refused.Timeline.find((e) => e.Kind === "destination")!;
    assert.equal(destination.ok, false);
    assert.equal(
      destination.error,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${fn} is not authorized to perform: sqs:sendmessage on resource: ${queueArn} because no identity-based policy allows the sqs:sendmessage action`,
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: "on-failure", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn }] }) }));
    const delivered = await endedTimeline(flint, await invokeEvent(flint, fn, { n: 2 }));
    assert.equal(delivered.Outcome, "delivered");
    const record = JSON.parse((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }))).Messages![0]!.Body!);
    assert.deepEqual(record.requestPayload, { n: 2 });
  });

  test("an SNS subscription to a function fails delivery until AddPermission lets the topic invoke it", async () => {
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const sns = client(new SNSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const forwardUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("forwarded") }))).QueueUrl!;
    const dlqName = uniqueName("undelivered");
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl!;
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlqName}`;
    const fn = await createFunction(flint, nodeZip, "forward.handler", { Environment: { Variables: { FORWARD_QUEUE_URL: forwardUrl } } });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("to-function") }));
    // The dead-letter queue lets the topic send to it, as AWS requires of a subscription's DLQ.
    const dlqPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: dlqArn, Condition: { ArnEquals: { "aws:SourceArn": TopicArn } } }] };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlqUrl, Attributes: { Policy: JSON.stringify(dlqPolicy) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: FUNCTION_ARN(fn), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) } }));

    await sns.send(new PublishCommand({ TopicArn, Message: "before the permission" }));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 20 }));
    assert.equal(JSON.parse(dead.Messages?.[0]?.Body ?? "{}").Message, "before the permission", "the refused delivery reached the dead-letter queue");

    await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "from-topic", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: TopicArn }));
    await sns.send(new PublishCommand({ TopicArn, Message: "after the permission" }));
    const forwarded = await sqs.send(new ReceiveMessageCommand({ QueueUrl: forwardUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }));
    const messages = (forwarded.Messages ?? []).map((m) => JSON.parse(m.Body!).Records[0].Sns.Message);
    assert.deepEqual(messages, ["after the permission"], "only the message sent after AddPermission reached the function");
  });

  test("CreateFunction refuses a role that does not exist or that Lambda may not assume, and asks iam:PassRole of users", async () => {
    const create = (role: string, lambda = flint.lambda) =>
      lambda.send(new CreateFunctionCommand({ FunctionName: uniqueName("role-check"), Runtime: "nodejs20.x", Handler: "echo.handler", Role: role, Code: { ZipFile: nodeZip } }));
    const refusal = { name: "InvalidParameterValueException", message: "The role defined for the function cannot be assumed by Lambda." };
    await assert.rejects(create(`arn:aws:iam::${ACCOUNT}:role/${uniqueName("missing")}`), refusal);
    const ec2Only = uniqueName("ec2-only");
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: ec2Only, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    await assert.rejects(create(Role!.Arn!), refusal);

    // A deployer allowed lambda:CreateFunction but not iam:PassRole on the role.
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("deployer"), PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" }] }) }));
    const deployer = await userWith(undefined);
    await iam.send(new AttachUserPolicyCommand({ UserName: deployer.arn.split("/").pop()!, PolicyArn: Policy!.Arn }));
    await assert.rejects(create(ROLE, lambdaAs(deployer.creds)), (err: any) => {
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(err.message, `User: ${deployer.arn} is not authorized to perform: iam:PassRole on resource: ${ROLE} because no identity-based policy allows the iam:PassRole action`);
      return true;
    });
    await iam.send(new PutUserPolicyCommand({ UserName: deployer.arn.split("/").pop()!, PolicyName: "pass", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: ROLE, Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }] }) }));
    const made = await create(ROLE, lambdaAs(deployer.creds));
    assert.equal(made.Role, ROLE);
  });

  test("SQS, SNS and IAM refuse in their own protocols' shapes", async () => {
    const user = await userWith(undefined);
    const sqsUrl = (await client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 })).send(new CreateQueueCommand({ QueueName: uniqueName("guarded") }))).QueueUrl!;
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${sqsUrl.split("/").pop()}`;
    // SDK v3: SQS's JSON protocol.
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: user.creds, maxAttempts: 1 }));
    await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl: sqsUrl, MessageBody: "x" })), (err: any) => {
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.match(err.name, /AccessDenied/);
      assert.equal(err.message, `User: ${user.arn} is not authorized to perform: sqs:sendmessage on resource: ${queueArn} because no identity-based policy allows the sqs:sendmessage action`);
      return true;
    });
    // CLI v2: SQS's query protocol, AccessDenied.
    const cli = await runCli(AWS_CLI_V2, flint.endpoint, ["sqs", "send-message", "--queue-url", sqsUrl, "--message-body", "x"], undefined, user.creds);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(AccessDenied\)/);
    // SNS: AuthorizationError, the action printed SNS:Publish.
    const { TopicArn } = await client(new SNSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 })).send(new CreateTopicCommand({ Name: uniqueName("guarded") }));
    const sns = await runCli(AWS_CLI_V2, flint.endpoint, ["sns", "publish", "--topic-arn", TopicArn!, "--message", "x"], undefined, user.creds);
    assert.match(sns.stderr, /\(AuthorizationError\)/);
    assert.ok(sns.stderr.includes(`User: ${user.arn} is not authorized to perform: SNS:Publish on resource: ${TopicArn}`), sns.stderr);
    // IAM: AccessDenied in query XML.
    const iamCli = await runCli(AWS_CLI_V2, flint.endpoint, ["iam", "list-roles"], undefined, user.creds);
    assert.match(iamCli.stderr, /\(AccessDenied\)/);
    assert.ok(iamCli.stderr.includes(`User: ${user.arn} is not authorized to perform: iam:ListRoles on resource: *`), iamCli.stderr);
    const v1 = findAwsCliV1();
    if (v1.path) {
      // The AWS CLI v1 speaks SQS's JSON protocol: the code it reads from x-amzn-query-error.
      const json = await runCli(v1.path, flint.endpoint, ["sqs", "send-message", "--queue-url", sqsUrl, "--message-body", "x"], undefined, user.creds);
      assert.match(json.stderr, /AccessDenied/);
    }
  });

  test("queue and topic policies are resource policies: one without a principal or with an unknown operator is refused and changes nothing", async () => {
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("policed") }))).QueueUrl!;
    const noPrincipal = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }] });
    await assert.rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: noPrincipal } })), (err: any) => {
      assert.match(err.name, /InvalidAttributeValue/);
      assert.equal(err.message, "Invalid value for the parameter Policy. Reason: Policy document should specify a principal.");
      return true;
    });
    assert.equal((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy"] }))).Attributes?.Policy, undefined);
    const sns = client(new SNSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("policed") }));
    const badOperator = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TopicArn, Condition: { StringEqualz: { "aws:SourceAccount": ACCOUNT } } }] });
    const cli = await flint.aws(["sns", "set-topic-attributes", "--topic-arn", TopicArn!, "--attribute-name", "Policy", "--attribute-value", badOperator]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(InvalidParameter\).*Invalid parameter: Policy Error: Invalid Condition type : StringEqualz\./);
  });

  test("the root credentials bypass identity policies but not a resource policy's explicit Deny", async () => {
    const fn = await createFunction(flint, nodeZip, "echo.handler");
    assert.equal((await invoke(flint, fn)).status, 200);
    // AddPermission makes only Allow statements; a Deny comes from a queue policy instead.
    const sqs = client(new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
    const name = uniqueName("sealed");
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: arn }] }) } }));
    await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })), (err: any) => {
      assert.equal(err.message, `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sqs:sendmessage on resource: ${arn} with an explicit deny in a resource-based policy`);
      return true;
    });
  });
});

describe("IAM modes", () => {
  for (const mode of ["report", "off"] as const) {
    test(`--iam ${mode} lets a user without policies through${mode === "report" ? ", logging what enforcement would deny" : ""}`, async () => {
      const flint = await startFlint({ args: ["--iam", mode] });
      const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      try {
        const fn = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
        const name = uniqueName("nobody");
        const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
        const lambda = new LambdaClient({ endpoint: flint.endpoint, region: REGION, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, maxAttempts: 1 });
        assert.equal((await lambda.send(new InvokeCommand({ FunctionName: fn }))).StatusCode, 200);
        lambda.destroy();
        const line = `would deny lambda:InvokeFunction on ${FUNCTION_ARN(fn)} to ${User!.Arn}`;
        if (mode === "report") {
          const deadline = Date.now() + PATIENCE_MS;
          while (!flint.output().includes(line) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          assert.ok(flint.output().includes(line), flint.output());
        } else assert.ok(!flint.output().includes("would deny"), flint.output());
      } finally {
        iam.destroy();
        await flint.stop();
      }
    });
  }
});
