// Loaded after the test framework in every integration and API worker: jest 30 ignores a
// project's own `testTimeout`, so the generous timeout for DynamoDB Local is set here.
import { dropTestTables } from './dynamo';

jest.setTimeout(30_000);

// Every file starts from an empty DynamoDB Local: its tables are dropped when it ends.
afterAll(() => dropTestTables(), 60_000);
