/**
 * The service principals a trust policy may name. AWS refuses a trust policy naming a service it
 * does not know (`"Service": "lamda.amazonaws.com"` is MalformedPolicyDocument "Invalid principal in
 * policy"); this is the subset Lambda users meet, after AWS's list of services that work with IAM.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html
 */
const SERVICES = `
  lambda edgelambda apigateway events scheduler states sns sqs s3 dynamodb kinesis firehose logs monitoring
  cloudwatch ec2 ecs ecs-tasks eks elasticbeanstalk elasticmapreduce batch cloudformation codebuild codedeploy
  codepipeline glue athena redshift rds sagemaker bedrock iot appsync cognito-idp cognito-identity ses
  secretsmanager ssm kms config cloudtrail backup datasync transfer mediaconvert pipes delivery.logs
  elasticloadbalancing autoscaling application-autoscaling ops.apigateway replication.dynamodb sts
  iam organizations guardduty securityhub inspector macie xray synthetics airflow-env airflow
  amplify appconfig appflow comprehend textract rekognition translate polly transcribe kafka
  kafkaconnect mq opensearchservice es elasticache dms cloud9 chatbot budgets
`;

export const KNOWN_SERVICE_PRINCIPALS: ReadonlySet<string> = new Set(SERVICES.split(/\s+/).filter(Boolean).map((s) => `${s}.amazonaws.com`));
