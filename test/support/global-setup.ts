import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';

/**
 * One DynamoDB Local (in memory) for the whole run; test files isolate
 * themselves by table name. The endpoint reaches the workers through the
 * environment, which they inherit.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (process.env.DYNAMODB_ENDPOINT) return;
  const dynamo = await startDynamoDbLocal({ readyTimeoutMs: 60_000 });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __dynamoDbLocal?: typeof dynamo }).__dynamoDbLocal = dynamo;
  const stopOnSignal = () => {
    void dynamo.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
}
