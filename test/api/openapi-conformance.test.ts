import { ROUTES } from '../../functions/http/routes';
import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { conformanceReport } from '../support/openapi-conformance';
import { expectNoServerError, startSession } from './helpers';

/**
 * The error side of every route, so the OpenAPI check (every api file's answers
 * are validated, test/support/openapi-conformance.ts) sees each status the
 * service can give: no token, a role that may not act, an unknown or malformed
 * id, a body that is not JSON, a body over the limit, a body of the wrong shape.
 */

let app: LocalApp;
let coordinator: SessionClient;
let junior: SessionClient;
let sessionId: string;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture());
  junior = await app.as('junior-a', 'junior');
  sessionId = await startSession(coordinator);
});
afterAll(() => app.close());

const routes = Object.values(ROUTES);
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const pathOf = (template: string, id: string) => template.replace('{id}', id);
const idFor = (template: string) => (template.includes('/sessions/') ? sessionId : 'junior-a');

describe('every route, every kind of refusal, answers what the document says', () => {
  test.each(routes.map((route) => [route.operationId, route] as const))('%s', async (_name, route) => {
    // Prepare
    const anonymous = app.anonymous();
    const path = pathOf(route.path, idFor(route.path));
    const body = route.method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } };

    // Act
    const answers = [
      await anonymous.raw(route.method, path, body),
      await junior.raw(route.method, path, body),
      await coordinator.raw(route.method, path, body),
      await coordinator.raw(route.method, pathOf(route.path, UNKNOWN_UUID), body),
      await coordinator.raw(route.method, pathOf(route.path, 'not%20an%20id'), body),
      ...(route.method === 'GET'
        ? [await coordinator.raw(route.method, `${path}?unknownParameter=1`)]
        : [
            await coordinator.raw(route.method, path, { body: 'hello', headers: { 'content-type': 'text/plain' } }),
            await coordinator.raw(route.method, path, { body: '{"a":', headers: { 'content-type': 'application/json' } }),
            await coordinator.raw(route.method, path, { body: JSON.stringify({ x: 'y'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } }),
            await coordinator.raw(route.method, path, { body: '[1,2]', headers: { 'content-type': 'application/json' } }),
          ]),
    ];

    // Assess: no 5xx here; the document check runs on each answer and fails the file in afterAll.
    for (const answer of answers) expectNoServerError(answer);
  });

  test('the check saw the answers (and found them all documented)', () => {
    const { validated, violations } = conformanceReport();

    expect(validated).toBeGreaterThan(routes.length * 5);
    expect(violations).toEqual([]);
  });
});
