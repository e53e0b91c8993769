import { ROUTES } from '../../functions/http/routes';
import { renderReferenceDocs } from '../../infra/local/reference-docs';
import { DOCS_PATH, startLocalServer } from '../../infra/local/server';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';

/** `npm start` serves the rendered reference at /api/mentorship/docs, without a token, rendered once. */

jest.setTimeout(60_000);

let app: LocalApp;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let renders = 0;

beforeAll(async () => {
  ({ app } = await startApiFixture({ seed: false }));
  const referenceDocs = () => {
    renders += 1;
    return renderReferenceDocs(buildOpenApiDocument(Object.values(ROUTES)));
  };
  server = await startLocalServer({ deps: app.deps, jwt: app.jwt, port: 0, referenceDocs });
});
afterAll(async () => {
  await server.close();
  await app.close();
});

test('GET /api/mentorship/docs answers the reference as HTML, with no token, rendering it once', async () => {
  // Act
  const first = await fetch(`${server.url}${DOCS_PATH}`);
  const html = await first.text();
  const second = await fetch(`${server.url}${DOCS_PATH}`);
  await second.text();

  // Assess
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(html).toContain('Mentorship session service');
  expect(html.match(/<script[^>]*\ssrc=/gi) ?? []).toEqual([]);
  expect(second.status).toBe(200);
  expect(renders).toBe(1);
});

test('a server started without the reference (the tests, the bench) has no such path', async () => {
  // Act
  const response = await fetch(`${app.url}${DOCS_PATH}`);

  // Assess
  expect(response.status).toBe(404);
});
