// Loaded after the test framework in every api worker: each file's answers were checked
// against the OpenAPI document as they arrived (openapi-conformance.ts); any violation fails the file.
import { conformanceReport } from './openapi-conformance';

afterAll(() => {
  const { validated, unmatched, violations } = conformanceReport();
  const file = expect.getState().testPath?.replace(/^.*\/test\//, 'test/') ?? 'this file';
  process.stdout.write(`openapi conformance: ${file}: ${validated} responses validated, ${unmatched} to paths outside the document, ${violations.length} violation(s)\n`);
  if (violations.length > 0) {
    const lines = violations.slice(0, 50).map((v) => `  ${v.operation} ${v.status} ${v.where}: ${v.message}`);
    throw new Error(`${violations.length} answer(s) violate the OpenAPI document:\n${lines.join('\n')}`);
  }
});
