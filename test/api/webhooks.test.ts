import type { SessionClient } from '../../shared/client';
import { type ApiFixture, startApiFixture } from '../support/api-fixture';
import { API, expectError, issues, sendJson } from './helpers';

/** Webhook subscriptions over HTTP with the AWS URL policy (strict, the default) and a resolver the test controls. */
const DNS: Record<string, string[]> = {
  'hooks.partner.example': ['93.184.216.34'],
  'intranet.partner.example': ['10.20.30.40'],
  'metadata.partner.example': ['169.254.169.254'],
  'split.partner.example': ['93.184.216.34', 'fd00:ec2::254'],
  localhost: ['127.0.0.1'],
};
const WEBHOOKS = `${API}/webhooks`;

let fixture: ApiFixture;
let coordinator: SessionClient;

beforeAll(async () => {
  fixture = await startApiFixture({
    seed: false,
    webhookResolve: async (host) => (DNS[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  });
  coordinator = fixture.coordinator;
});
afterAll(() => fixture.app.close());

describe('registering a webhook on AWS refuses what could reach inside (SSRF)', () => {
  test.each([
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254 resolves to 169.254.169.254, a link-local (instance metadata) address'],
    ['https://metadata.partner.example/hook', 'metadata.partner.example resolves to 169.254.169.254, a link-local (instance metadata) address'],
    ['https://10.0.0.12/hook', '10.0.0.12 resolves to 10.0.0.12, a private address'],
    ['https://intranet.partner.example/hook', 'intranet.partner.example resolves to 10.20.30.40, a private address'],
    ['https://192.168.0.5/hook', '192.168.0.5 resolves to 192.168.0.5, a private address'],
    ['https://127.0.0.1/hook', '127.0.0.1 resolves to 127.0.0.1, a loopback address'],
    ['https://localhost/hook', 'localhost resolves to 127.0.0.1, a loopback address'],
    ['https://[::1]/hook', '::1 resolves to ::1, a loopback address'],
    ['https://[fe80::1]/hook', 'fe80::1 resolves to fe80::1, a link-local address'],
    ['https://[fd12:3456::1]/hook', 'fd12:3456::1 resolves to fd12:3456::1, a unique-local address'],
    ['https://[::ffff:169.254.169.254]/hook', '::ffff:a9fe:a9fe resolves to ::ffff:a9fe:a9fe, a link-local (instance metadata) address'],
    ['https://split.partner.example/hook', 'split.partner.example resolves to fd00:ec2::254, a unique-local address'],
    ['https://nowhere.partner.example/hook', 'nowhere.partner.example resolves to no address'],
    ['http://hooks.partner.example/hook', 'must use https'],
    ['http://127.0.0.1:8080/hook', 'must use https'],
  ])('%s: 400 on the url field', async (url, message) => {
    const error = expectError(await sendJson(coordinator, 'POST', WEBHOOKS, { url, eventTypes: [] }), 400, 'invalid_request');
    expect(issues(error)).toEqual([{ path: 'body.url', message }]);
  });

  test('a public host is registered; its secret is shown once and never listed', async () => {
    const created = await sendJson(coordinator, 'POST', WEBHOOKS, {
      url: 'https://hooks.partner.example/hook',
      eventTypes: ['session_timed_out'],
      description: 'timeouts to the platform',
    });
    const listed = await coordinator.raw('GET', WEBHOOKS);

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      webhook: { url: 'https://hooks.partner.example/hook', eventTypes: ['session_timed_out'], paused: false, createdBy: 'coord-1' },
    });
    const secret = (created.json as { secret: string }).secret;
    expect(listed.text).not.toContain(secret);
    expect(listed.json).toMatchObject({ items: [expect.objectContaining({ description: 'timeouts to the platform' })] });
  });
});

describe('bad input names the offending field', () => {
  test.each([
    [{ eventTypes: [] }, 'body.url'],
    [{ url: 'not a url', eventTypes: [] }, 'body.url'],
    [{ url: 'https://hooks.partner.example/x', eventTypes: ['session_exploded'] }, 'body.eventTypes.0'],
    // An unknown field is reported on the body, naming the field (a caller may not choose the secret).
    [{ url: 'https://hooks.partner.example/x', eventTypes: [], secret: 'mine' }, 'body'],
    [{ url: 'https://hooks.partner.example/x', description: '' }, 'body.description'],
    [{ url: `https://hooks.partner.example/${'x'.repeat(2100)}` }, 'body.url'],
  ])('%j: 400 at %s', async (body, path) => {
    const error = expectError(await sendJson(coordinator, 'POST', WEBHOOKS, body), 400, 'invalid_request');
    expect(issues(error).map((issue) => issue.path)).toContain(path);
    if (path === 'body') expect(issues(error).find((issue) => issue.path === 'body')?.message).toContain('secret');
  });

  test('PATCH takes only `paused`; an unknown id is 404; a malformed id is 400', async () => {
    const created = await sendJson(coordinator, 'POST', WEBHOOKS, { url: 'https://hooks.partner.example/patch' });
    const id = (created.json as { webhook: { id: string } }).webhook.id;

    expect(issues(expectError(await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/${id}`, { paused: 'yes' }), 400, 'invalid_request')).map((i) => i.path)).toEqual([
      'body.paused',
    ]);
    const unknown = issues(expectError(await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/${id}`, { url: 'https://x.example' }), 400, 'invalid_request'));
    expect(unknown.find((issue) => issue.path === 'body')?.message).toContain('url');
    expectError(await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/01900000-0000-7000-8000-000000000009`, { paused: true }), 404, 'not_found');
    expectError(await coordinator.raw('DELETE', `${WEBHOOKS}/not-a-uuid`), 400, 'invalid_request');
    expectError(await coordinator.raw('GET', `${WEBHOOKS}/${id}/deliveries?limit=0`), 400, 'invalid_request');
    expectError(await coordinator.raw('GET', `${WEBHOOKS}/${id}/deliveries?cursor=bm90LWEtY3Vyc29y`), 400, 'invalid_request');
  });
});

describe('only coordinators manage webhooks', () => {
  test.each([
    ['mentor', 'mentor-a'],
    ['junior', 'junior-a'],
    ['service', 'engine'],
  ] as const)('a %s gets 403 on every webhook route', async (role, sub) => {
    const created = await sendJson(coordinator, 'POST', WEBHOOKS, { url: 'https://hooks.partner.example/roles' });
    const id = (created.json as { webhook: { id: string } }).webhook.id;
    const other = await fixture.app.as(sub, role);

    expectError(await sendJson(other, 'POST', WEBHOOKS, { url: 'https://hooks.partner.example/mine' }), 403, 'forbidden');
    expectError(await other.raw('GET', WEBHOOKS), 403, 'forbidden');
    expectError(await sendJson(other, 'PATCH', `${WEBHOOKS}/${id}`, { paused: true }), 403, 'forbidden');
    expectError(await other.raw('DELETE', `${WEBHOOKS}/${id}`), 403, 'forbidden');
    expectError(await other.raw('GET', `${WEBHOOKS}/${id}/deliveries`), 403, 'forbidden');
    expect((await coordinator.raw('GET', WEBHOOKS)).json).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id, paused: false })]) });
  });

  test('pause, unpause (repeatable), delete; a deleted subscription is gone', async () => {
    const created = await sendJson(coordinator, 'POST', WEBHOOKS, { url: 'https://hooks.partner.example/lifecycle' });
    const id = (created.json as { webhook: { id: string } }).webhook.id;

    expect((await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/${id}`, { paused: true })).json).toMatchObject({ id, paused: true });
    expect((await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/${id}`, { paused: true })).json).toMatchObject({ id, paused: true });
    expect((await sendJson(coordinator, 'PATCH', `${WEBHOOKS}/${id}`, { paused: false })).json).toMatchObject({ id, paused: false });
    expect((await coordinator.raw('DELETE', `${WEBHOOKS}/${id}`)).json).toEqual({ id, deleted: true });
    expectError(await coordinator.raw('DELETE', `${WEBHOOKS}/${id}`), 404, 'not_found');
    expectError(await coordinator.raw('GET', `${WEBHOOKS}/${id}/deliveries`), 404, 'not_found');
  });
});
