import { join } from 'node:path';
import { CONSOLE_HEADERS, LOCAL_SIGN_IN_PATH } from '../../infra/local/console-host';
import { type LocalApp, startLocalApp } from '../support/local-app';

/**
 * The local server's console host (infra/local/console-host.ts), over real HTTP: the built files with their
 * security headers, the runtime config, and the local-only sign-in, which answers bad input with a clear 4xx.
 */

let app: LocalApp;
beforeAll(async () => {
  app = await startLocalApp({ consoleDir: join(__dirname, '..', '..', 'console', 'dist') });
});
afterAll(() => app?.close());

const signIn = (body: string, contentType = 'application/json', method = 'POST') =>
  fetch(`${app.url}${LOCAL_SIGN_IN_PATH}`, { method, headers: { 'content-type': contentType }, ...(method === 'POST' && { body }) });

test('the console is served at /console/ with its content security policy and security headers', async () => {
  const index = await fetch(`${app.url}/console/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
  for (const [name, value] of Object.entries(CONSOLE_HEADERS)) expect(index.headers.get(name)).toBe(value);
  expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await index.text();
  const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(`${app.url}/console/${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toContain('immutable');

  const bare = await fetch(`${app.url}/console`, { redirect: 'manual' });
  expect(bare.status).toBe(302);
  expect(bare.headers.get('location')).toBe('/console/');
  await expect((await fetch(`${app.url}/console/config.json`)).json()).resolves.toEqual({ auth: 'local', apiUrl: '', signInPath: LOCAL_SIGN_IN_PATH });
});

test('no file outside the console is served, and missing files are a 404', async () => {
  for (const path of ['/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/nope.js', '/console/assets']) {
    const response = await fetch(`${app.url}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 404 });
  }
  expect((await fetch(`${app.url}/console/%E0%A4%A`)).status).toBe(400);
  expect((await fetch(`${app.url}/console/`, { method: 'POST' })).status).toBe(405);
});

test('the local sign-in mints a token the API accepts, for the chosen role and user id', async () => {
  const response = await signIn(JSON.stringify({ role: 'junior', sub: 'junior-x' }));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string; role: string; sub: string };
  expect(body).toMatchObject({ role: 'junior', sub: 'junior-x' });
  const claims = await app.jwt.verify(body.token);
  expect(claims).toMatchObject({ sub: 'junior-x', 'cognito:groups': ['junior'], token_use: 'access' });
  const list = await fetch(`${app.url}/api/mentorship/sessions`, { headers: { authorization: `Bearer ${body.token}` } });
  expect(list.status).toBe(200);
});

test('the local sign-in answers bad input with a clear 4xx', async () => {
  const cases: [string, Response, number, string][] = [
    ['unknown role', await signIn(JSON.stringify({ role: 'admin', sub: 'a' })), 400, 'body.role'],
    ['service role', await signIn(JSON.stringify({ role: 'service', sub: 'a' })), 400, 'body.role'],
    ['bad user id', await signIn(JSON.stringify({ role: 'mentor', sub: 'has spaces' })), 400, 'body.sub'],
    ['missing user id', await signIn(JSON.stringify({ role: 'mentor' })), 400, 'body.sub'],
    ['unknown field', await signIn(JSON.stringify({ role: 'mentor', sub: 'a', admin: true })), 400, 'body'],
    ['not JSON', await signIn('{role:'), 400, 'malformed_json'],
    ['not an object', await signIn('[]'), 400, 'invalid_request'],
    ['too large', await signIn(JSON.stringify({ role: 'mentor', sub: 'a'.repeat(5000) })), 413, 'payload_too_large'],
    ['form body', await signIn('role=mentor', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type'],
    ['GET', await signIn('', 'application/json', 'GET'), 405, 'method_not_allowed'],
  ];
  for (const [name, response, status, mentions] of cases) {
    const text = await response.text();
    expect({ name, status: response.status }).toEqual({ name, status });
    expect({ name, mentions: text.includes(mentions) }).toEqual({ name, mentions: true });
    expect(text).not.toContain('token');
  }
});

test('without a console directory the server neither serves the console nor signs anyone in (as on AWS: no such route)', async () => {
  const plain = await startLocalApp();
  try {
    expect((await fetch(`${plain.url}/console/`)).status).toBe(404);
    const response = await fetch(`${plain.url}${LOCAL_SIGN_IN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"coordinator","sub":"a"}',
    });
    expect(response.status).toBe(404);
  } finally {
    await plain.close();
  }
});
