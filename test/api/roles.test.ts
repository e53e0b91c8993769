import type { SessionClient } from '../../shared/client';
import type { SessionStatus } from '../../shared/domain/status';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, countItems, DIRECTORY, eventsOf, expectError, expectEventsReplay, type RawResponse, REPORT, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(60_000);

/**
 * Every role on every session route. The session under test is always junior-a's,
 * mentored by mentor-a; "another" mentor or junior is mentor-b / junior-b.
 */

let app: LocalApp;
let coordinator: SessionClient;
const callers: Record<string, SessionClient> = {};

const CALLERS = ['coordinator', 'own mentor', 'other mentor', 'own junior', 'other junior', 'service', 'no role', 'unknown group'] as const;
type CallerName = (typeof CALLERS)[number];

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture());
  const token = async (sub: string, roles: string[]) => app.withToken(await app.jwt.sign({ sub, roles }));
  Object.assign(callers, {
    coordinator,
    'own mentor': await app.as('mentor-a', 'mentor'),
    'other mentor': await app.as('mentor-b', 'mentor'),
    'own junior': await app.as('junior-a', 'junior'),
    'other junior': await app.as('junior-b', 'junior'),
    service: await app.as('engine', 'service'),
    'no role': await app.as('junior-a'),
    'unknown group': await token('junior-a', ['admin', 'Coordinator']),
  } satisfies Record<CallerName, SessionClient>);
});
afterAll(() => app.close());

type Action = 'read' | 'events' | 'pause' | 'resume' | 'cancel' | 'complete' | 'fail' | 'report';

let eventCounter = 0;
const ACTIONS: Record<Action, { send(client: SessionClient, id: string): Promise<RawResponse>; from: SessionStatus; to: SessionStatus }> = {
  read: { send: (c, id) => c.raw('GET', `${SESSIONS}/${id}`), from: 'Active', to: 'Active' },
  events: { send: (c, id) => c.raw('GET', `${SESSIONS}/${id}/events`), from: 'Active', to: 'Active' },
  pause: { send: (c, id) => sendJson(c, 'POST', `${SESSIONS}/${id}/pause`, { reason: 'a break' }), from: 'Active', to: 'Paused' },
  resume: { send: (c, id) => sendJson(c, 'POST', `${SESSIONS}/${id}/resume`, {}), from: 'Paused', to: 'Active' },
  cancel: { send: (c, id) => sendJson(c, 'POST', `${SESSIONS}/${id}/cancel`, { reason: 'withdrawn' }), from: 'Active', to: 'Cancelled' },
  complete: { send: (c, id) => sendJson(c, 'POST', `${SESSIONS}/${id}/complete`, { report: REPORT }), from: 'Active', to: 'Completed' },
  fail: { send: (c, id) => sendJson(c, 'POST', `${SESSIONS}/${id}/fail`, { error: 'engine fault' }), from: 'Active', to: 'Failed' },
  report: {
    send: (c, id) =>
      sendJson(c, 'POST', `${SESSIONS}/${id}/workflow-events`, {
        type: 'state_changed',
        toState: 'VALIDATE_STORY',
        eventId: `role-${(eventCounter += 1)}`,
        occurredAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    from: 'Active',
    to: 'Active',
  },
};

type Expected = 'allowed' | 403 | 404;
const all = (expected: Expected): Record<Action, Expected> => ({
  read: expected,
  events: expected,
  pause: expected,
  resume: expected,
  cancel: expected,
  complete: expected,
  fail: expected,
  report: expected,
});

/** The role rules of ARCHITECTURE "Security" and shared/domain/access.ts, as the API must answer them. */
const MATRIX: Record<CallerName, Record<Action, Expected>> = {
  coordinator: all('allowed'),
  'own mentor': { ...all(403), read: 'allowed', events: 'allowed', pause: 'allowed', resume: 'allowed' },
  'other mentor': all(404),
  'own junior': { ...all(403), read: 'allowed', events: 'allowed' },
  'other junior': all(404),
  service: { ...all('allowed'), pause: 403, resume: 403, cancel: 403 },
  'no role': all(404),
  'unknown group': all(404),
};

const cases = CALLERS.flatMap((caller) => (Object.keys(ACTIONS) as Action[]).map((action) => [caller, action, MATRIX[caller][action]] as const));

/** A fresh session of junior-a and mentor-a in the status the action applies from. */
async function sessionIn(status: SessionStatus): Promise<string> {
  const id = await startSession(coordinator, { juniorId: 'junior-a', mentorId: 'mentor-a' });
  if (status === 'Paused') await coordinator.pauseSession(id, { reason: 'set up' });
  return id;
}

describe('session routes, by role', () => {
  test.each(cases)('%s -> %s: %s', async (caller, action, expected) => {
    const { send, from, to } = ACTIONS[action];
    const id = await sessionIn(from);
    const before = await eventsOf(coordinator, id);

    const response = await send(callers[caller]!, id);

    if (expected === 'allowed') {
      expect({ status: response.status, body: response.json }).toMatchObject({ status: 200 });
      const details = await expectEventsReplay(coordinator, id);
      expect(details.status).toBe(to);
      if (action === 'read' || action === 'events') {
        expect(details.events).toEqual(before);
      } else {
        expect(details.events).toHaveLength(before.length + 1);
        const sub = caller === 'coordinator' ? 'coord-1' : caller === 'service' ? 'engine' : 'mentor-a';
        expect(details.events.at(-1)).toMatchObject({ actor: sub, actorRole: caller === 'own mentor' ? 'mentor' : caller });
      }
    } else {
      expectError(response, expected, expected === 403 ? 'forbidden' : 'not_found');
      const details = await expectEventsReplay(coordinator, id);
      expect(details.status).toBe(from);
      expect(details.events).toEqual(before);
    }
  });

  test('a 404 for a session that is not yours reads exactly like one for a session that does not exist', async () => {
    const id = await sessionIn('Active');

    const hidden = await callers['other junior']!.raw('GET', `${SESSIONS}/${id}`);
    const missing = await callers['other junior']!.raw('GET', `${SESSIONS}/00000000-0000-4000-8000-000000000000`);

    expect(expectError(hidden, 404, 'not_found').message.replace(id, '<id>')).toBe(
      expectError(missing, 404, 'not_found').message.replace('00000000-0000-4000-8000-000000000000', '<id>'),
    );
  });

  test('a caller with both the junior and the mentor role acts as the mentor on a session it mentors', async () => {
    const id = await sessionIn('Active');
    const both = await app.as('mentor-a', 'junior', 'mentor');

    const result = await both.pauseSession(id);

    expect(result.status).toBe('Paused');
    expect((await expectEventsReplay(coordinator, id)).events.at(-1)).toMatchObject({ actor: 'mentor-a', actorRole: 'mentor' });
  });
});

describe('start, by role', () => {
  test('a coordinator starts a session', async () => {
    const before = await countItems(app, 'session');

    await startSession(coordinator);

    expect(await countItems(app, 'session')).toBe(before + 1);
  });

  test.each(CALLERS.filter((c) => c !== 'coordinator'))('%s may not start a session (403), and nothing is written', async (caller) => {
    const before = await countItems(app, 'session');

    const response = await sendJson(callers[caller]!, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: 'junior-a', mentorId: 'mentor-a' });

    expectError(response, 403, 'forbidden');
    expect(await countItems(app, 'session')).toBe(before);
  });
});

describe('directory, by role', () => {
  const KINDS = [
    ['juniors', { name: 'Role test' }],
    ['mentors', { name: 'Role test', maxConcurrentSessions: 2 }],
    ['stories', { title: 'Role test', skillArea: 'ops' }],
  ] as const;
  const writeCases = CALLERS.flatMap((caller) => KINDS.map(([plural, body]) => [caller, plural, body] as const));

  test.each(writeCases)('%s writing %s: coordinators only', async (caller, plural, body) => {
    const id = `written-by-${caller.replace(/ /g, '-')}`;

    const response = await sendJson(callers[caller]!, 'PUT', `${API}/${plural}/${id}`, body);

    const read = await coordinator.raw('GET', `${API}/${plural}/${id}`);
    if (caller === 'coordinator') {
      expect(response.status).toBe(200);
      expect(read.json).toMatchObject({ ...body, id });
    } else {
      expectError(response, 403, 'forbidden');
      expectError(read, 404, 'not_found');
    }
  });

  const readers: readonly CallerName[] = ['coordinator', 'service'];
  const readCases = CALLERS.flatMap((caller) =>
    (['juniors', 'mentors', 'stories'] as const).flatMap((plural) => [
      [caller, `GET /${plural}`, `${API}/${plural}`] as const,
      [caller, `GET /${plural}/{id}`, `${API}/${plural}/${plural === 'juniors' ? 'junior-a' : plural === 'mentors' ? 'mentor-a' : DIRECTORY.story}`] as const,
    ]),
  );

  test.each(readCases)('%s reading %s: coordinators and the engine only', async (caller, _route, path) => {
    const response = await callers[caller]!.raw('GET', path);

    if (readers.includes(caller)) expect(response.status).toBe(200);
    else expectError(response, 403, 'forbidden');
  });
});
