import { ROUTES } from '../../functions/http/routes';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { conformanceReport, conformingFetch } from '../support/openapi-conformance';

/**
 * The api tier's OpenAPI check (test/support/openapi-conformance.ts) reports an
 * answer whose status the document does not list for its operation, and an
 * error code that status cannot carry, as violations (which fail the api file
 * in afterAll). Checked here against a fake server, so no violation is planted
 * in an api file.
 */

const BASE = 'http://api.test';
const document = JSON.stringify(buildOpenApiDocument(Object.values(ROUTES)));
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The fake server: the document, and a fixed answer for each path asked. */
const answers: Record<string, Response> = {
  '/api/mentorship/queue': json(404, { error: { code: 'not_found', message: 'No queue.' } }),
  '/api/mentorship/sessions/00000000-0000-4000-8000-000000000000': json(404, { error: { code: 'forbidden', message: 'Wrong code for a 404.' } }),
  '/api/mentorship/config-templates': json(200, { items: [] }),
};
const server: typeof fetch = async (input) => {
  const path = new URL(String(input)).pathname;
  if (path === '/api/mentorship/openapi.json') return new Response(document, { headers: { 'content-type': 'application/json' } });
  const answer = answers[path];
  if (answer === undefined) throw new Error(`the fake server has no answer for ${path}`);
  return answer.clone();
};

test('an undocumented status and a code its status cannot carry are violations; a documented answer is not', async () => {
  // Prepare
  const checked = conformingFetch(BASE, server);

  // Act
  for (const path of Object.keys(answers)) await checked(`${BASE}${path}`);

  // Assess
  const { validated, violations } = conformanceReport();
  expect(validated).toBe(3);
  expect(violations).toEqual([
    expect.objectContaining({ operation: 'getQueueStatus', status: 404, where: 'status', message: expect.stringMatching(/^status 404 is not documented/) }),
    expect.objectContaining({ operation: 'getSession', status: 404, where: '/error/code' }),
  ]);
});
