// Loaded after the test framework in every integration and API worker: jest 30 ignores a
// project's own `testTimeout`, so the generous timeout for DynamoDB Local is set here.
jest.setTimeout(30_000);
