import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local';

/**
 * One DynamoDB Local (in memory) per jest worker: a single instance keeps one
 * core busy while the other waits, so each worker gets its own and the two
 * cores both work. Test files isolate themselves by table name. The endpoints
 * reach the workers through the environment, which they inherit; env.ts picks
 * the worker's own. DYNAMODB_ENDPOINT set from outside means: use that one.
 */
export default async function globalSetup(globalConfig: { readonly maxWorkers: number }): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (process.env.DYNAMODB_ENDPOINTS || process.env.DYNAMODB_ENDPOINT) return;
  const count = Math.max(1, globalConfig.maxWorkers);
  const instances: DynamoDbLocal[] = [];
  (globalThis as { __dynamoDbLocal?: DynamoDbLocal[] }).__dynamoDbLocal = instances;
  const started = await Promise.allSettled(Array.from({ length: count }, () => startDynamoDbLocal({ readyTimeoutMs: 60_000 })));
  for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(instances.map((dynamo) => dynamo.stop()));
    throw failure.reason;
  }
  process.env.DYNAMODB_ENDPOINTS = instances.map((dynamo) => dynamo.endpoint).join(',');
  const stopOnSignal = () => {
    void Promise.all(instances.map((dynamo) => dynamo.stop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
}
