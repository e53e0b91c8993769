// Loaded in every integration and API test worker before the test file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_LEVEL ??= 'silent';

// Each worker talks to its own DynamoDB Local (see global-setup.ts).
const endpoints = (process.env.DYNAMODB_ENDPOINTS ?? '').split(',').filter((endpoint) => endpoint !== '');
if (endpoints.length > 0) {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  process.env.DYNAMODB_ENDPOINT = endpoints[(worker - 1) % endpoints.length];
}
