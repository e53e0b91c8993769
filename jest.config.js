/** Test tiers, one jest project each: unit (no network), infra (CDK template), integration and api (DynamoDB Local), browser (the console in Chromium). */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const transformIgnorePatterns = ['/node_modules/(?!(@middy|jose)/)'];
const common = { transform, transformIgnorePatterns, testEnvironment: 'node' };

module.exports = {
  // Two workers, each with its own DynamoDB Local (test/support/global-setup.ts): one instance saturates one core.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      // One DynamoDB Local per worker; the generous timeout is set in timeout.ts.
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
    },
    {
      ...common,
      displayName: 'api',
      testMatch: ['<rootDir>/test/api/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/env.ts'],
      // Every answer an api test receives is checked against the OpenAPI document (fails the file on a violation).
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts', '<rootDir>/test/support/openapi-conformance-setup.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      // The console (console/dist, built by `npm run console:ensure`) in headless Chromium against the real local server.
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts', '<rootDir>/test/support/browser-timeout.ts'],
    },
  ],
};
