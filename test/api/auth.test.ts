import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ROUTES } from '../../functions/http/routes';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalJwt, localJwt } from '../../infra/local/jwt';
import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, countItems, DIRECTORY, eventsOf, expectError, expectEventsReplay, issuePaths, type RawResponse, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

let app: LocalApp;
let coordinator: SessionClient;
let foreignJwt: LocalJwt;
let foreignDir: string;
let sessionId: string;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture());
  sessionId = await startSession(coordinator);
  foreignDir = mkdtempSync(join(tmpdir(), 'mss-foreign-key-'));
  foreignJwt = await localJwt(foreignDir);
});
afterAll(async () => {
  await app.close();
  rmSync(foreignDir, { recursive: true, force: true });
});

/** A request with exactly this Authorization header (or none). */
function withAuthorization(authorization: string | undefined, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const client = app.anonymous();
  return client.raw(method, path, {
    headers: { ...(authorization === undefined ? {} : { authorization }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function expect401(response: RawResponse): void {
  expectError(response, 401, 'unauthenticated');
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('401', () => {
  const protectedRoutes = Object.values(ROUTES).filter((route) => route.auth);

  test.each(protectedRoutes.map((route) => [route.method, route.path] as const))('%s %s without a token', async (method, template) => {
    const path = template.replace('{id}', template.includes('/sessions/') ? sessionId : 'junior-a');

    const response = await withAuthorization(undefined, method, path, method === 'GET' ? undefined : {});

    expect401(response);
  });

  test('the only routes open without a token are /health and the OpenAPI document', () => {
    expect(
      Object.values(ROUTES)
        .filter((route) => !route.auth)
        .map((route) => route.path)
        .sort(),
    ).toEqual(['/api/mentorship/openapi.json', '/health']);
  });

  test.each([
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['another scheme', 'Basic Y29vcmQ6c2VjcmV0'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('a malformed Authorization header: %s', async (_label, authorization) => {
    expect401(await withAuthorization(authorization, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test('a valid token without the Bearer scheme', async () => {
    const token = await app.jwt.sign({ sub: 'coord-1', roles: ['coordinator'] });

    expect401(await withAuthorization(token, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test('a token signed by another key', async () => {
    const token = await foreignJwt.sign({ sub: 'coord-1', roles: ['coordinator'] });

    expect401(await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test.each([
    ['expired a minute ago', -60],
    ['expiring the second it was issued', 0],
  ])('an expired token (%s)', async (_label, ttlSeconds) => {
    const token = await app.jwt.sign({ sub: 'coord-1', roles: ['coordinator'], ttlSeconds });

    expect401(await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test('an unsigned token (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: 'coord-1', 'cognito:groups': ['coordinator'], iss: 'mentorship-local', aud: 'mentorship-api', iat: now, exp: now + 3600 };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;

    expect401(await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test('a genuine token whose claims were edited (a junior made coordinator)', async () => {
    const [header, payload, signature] = (await app.jwt.sign({ sub: 'junior-a', roles: ['junior'] })).split('.');
    const claims = z.record(z.string(), z.unknown()).parse(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')));
    const forged = `${header}.${base64url({ ...claims, 'cognito:groups': ['coordinator'] })}.${signature}`;

    expect401(await withAuthorization(`Bearer ${forged}`, 'GET', `${SESSIONS}/${sessionId}`));
  });

  test('a verified token with an empty subject', async () => {
    const token = await app.jwt.sign({ sub: '', roles: ['coordinator'] });

    expectError(await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`), 401, 'unauthenticated');
  });

  describe('claims the local check requires (issue 14)', () => {
    const base = () => {
      const now = Math.floor(Date.now() / 1000);
      return { sub: 'coord-1', 'cognito:groups': ['coordinator'], token_use: 'access', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now, exp: now + 3600 };
    };

    test.each([
      ['no exp (it would never expire)', () => ({ ...base(), exp: undefined }), /exp/],
      ['no sub', () => ({ ...base(), sub: undefined }), /sub/],
      ['an iat ten minutes in the future', () => ({ ...base(), iat: base().iat + 600 }), /future/],
      ['an ID token (token_use id)', () => ({ ...base(), token_use: 'id' }), /access token/],
      ['no token_use', () => ({ ...base(), token_use: undefined }), /access token/],
    ])('%s: 401 that says why', async (_label, claims, why) => {
      // Prepare
      const token = await app.jwt.signPayload(JSON.parse(JSON.stringify(claims())));

      // Act
      const response = await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`);

      // Assess
      expect401(response);
      expect(expectError(response, 401, 'unauthenticated').message).toMatch(why);
    });

    test('an iat within the allowed skew (30 s ahead) is accepted', async () => {
      // Prepare
      const token = await app.jwt.signPayload({ ...base(), iat: base().iat + 30 });

      // Act
      const response = await withAuthorization(`Bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`);

      // Assess
      expect(response.status).toBe(200);
    });

    test('sign() sets exp by default', async () => {
      // Prepare
      const token = await app.jwt.sign({ sub: 'coord-1', roles: ['coordinator'] });

      // Act
      const claims = await app.jwt.verify(token);

      // Assess
      expect(claims?.exp).toEqual(expect.any(Number));
      expect(claims!.exp! - claims!.iat!).toBe(12 * 3600);
    });
  });

  test('the scheme is case-insensitive', async () => {
    const token = await app.jwt.sign({ sub: 'coord-1', roles: ['coordinator'] });

    expect((await withAuthorization(`bearer ${token}`, 'GET', `${SESSIONS}/${sessionId}`)).status).toBe(200);
  });

  test('an unauthenticated start or change writes nothing', async () => {
    const sessionsBefore = await countItems(app, 'session');
    const eventsBefore = await eventsOf(coordinator, sessionId);
    const foreign = app.withToken(await foreignJwt.sign({ sub: 'coord-1', roles: ['coordinator'] }));

    const start = await sendJson(foreign, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: 'junior-a' });
    const pause = await sendJson(foreign, 'POST', `${SESSIONS}/${sessionId}/pause`, {});
    const cancel = await withAuthorization(undefined, 'POST', `${SESSIONS}/${sessionId}/cancel`, { reason: 'no token' });

    for (const response of [start, pause, cancel]) expect401(response);
    expect(await countItems(app, 'session')).toBe(sessionsBefore);
    expect(await eventsOf(coordinator, sessionId)).toEqual(eventsBefore);
    expect((await expectEventsReplay(coordinator, sessionId)).status).toBe('Active');
  });
});

describe('404', () => {
  const unknown = '6f1c1b1e-8c4b-4f3e-9a57-3f0c2d1e0b7a';

  test.each([
    ['GET', `${SESSIONS}/${unknown}`, undefined],
    ['GET', `${SESSIONS}/${unknown}/events`, undefined],
    ['POST', `${SESSIONS}/${unknown}/pause`, {}],
    ['POST', `${SESSIONS}/${unknown}/resume`, {}],
    ['POST', `${SESSIONS}/${unknown}/cancel`, { reason: 'gone' }],
    ['POST', `${SESSIONS}/${unknown}/complete`, { report: { summary: 's', overallScore: 1 } }],
    ['POST', `${SESSIONS}/${unknown}/fail`, { error: 'e' }],
    ['POST', `${SESSIONS}/${unknown}/workflow-events`, { type: 'info', eventId: 'x', occurredAt: '2026-01-05T09:00:00Z' }],
    ['GET', `${API}/juniors/nobody`, undefined],
    ['GET', `${API}/mentors/nobody`, undefined],
    ['GET', `${API}/stories/nothing`, undefined],
  ])('%s %s (unknown id)', async (method, path, body) => {
    const response = body === undefined ? await coordinator.raw(method, path) : await sendJson(coordinator, method, path, body);

    expectError(response, 404, 'not_found');
  });

  test('a change to an unknown session writes nothing', async () => {
    const before = await countItems(app, 'event');

    await sendJson(coordinator, 'POST', `${SESSIONS}/${unknown}/cancel`, { reason: 'gone' });

    expect(await countItems(app, 'event')).toBe(before);
  });

  test.each([
    ['GET', '/'],
    ['GET', '/api/mentorship'],
    ['GET', `${API}/nothing-here`],
    ['POST', `${SESSIONS}/${unknown}/explode`],
    ['DELETE', `${SESSIONS}/${unknown}`],
    ['PATCH', `${API}/juniors/junior-a`],
    ['POST', '/health'],
    ['GET', `${SESSIONS}/${unknown}/events/extra`],
    ['GET', `/API/MENTORSHIP/SESSIONS/${unknown}`],
  ])('%s %s (no such route), with or without a token', async (method, path) => {
    expectError(await coordinator.raw(method, path), 404, 'not_found');
    expectError(await app.anonymous().raw(method, path), 404, 'not_found');
  });
});

describe('400 for an id that cannot be one', () => {
  test.each([
    ['GET', `${SESSIONS}/not-a-uuid`, undefined],
    ['GET', `${SESSIONS}/12345/events`, undefined],
    ['POST', `${SESSIONS}/${'a'.repeat(36)}/pause`, {}],
    ['POST', `${SESSIONS}/%20/cancel`, { reason: 'x' }],
  ])('%s %s names params.id', async (method, path, body) => {
    const response = body === undefined ? await coordinator.raw(method, path) : await sendJson(coordinator, method, path, body);

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['params.id']);
  });

  test.each([
    ['a space', 'bad%20id'],
    ['a slash (encoded)', 'a%2Fb'],
    ['129 characters', 'x'.repeat(129)],
    ['non-ASCII', '%C3%A9l%C3%A8ve'],
  ])('a directory id with %s names params.id', async (_label, id) => {
    const response = await sendJson(coordinator, 'PUT', `${API}/juniors/${id}`, { name: 'Bad id' });

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['params.id']);
  });

  test('a directory id of 128 characters of the allowed alphabet is accepted', async () => {
    const id = 'A-z_0.9'.repeat(19).slice(0, 128);

    const response = await sendJson(coordinator, 'PUT', `${API}/juniors/${id}`, { name: 'Long id' });

    expect(response.status).toBe(200);
    expect(await coordinator.getJunior(id)).toEqual({ id, name: 'Long id', skills: [] });
  });
});
