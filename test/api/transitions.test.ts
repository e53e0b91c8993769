import type { SessionClient } from '../../shared/client';
import type { SessionStatus } from '../../shared/domain/status';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { countItems, DIRECTORY, eventsOf, expectError, expectEventsReplay, REPORT, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

let app: LocalApp;
let coordinator: SessionClient;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture());
});
afterAll(() => app.close());

type Operation = 'pause' | 'resume' | 'cancel' | 'complete' | 'fail';
const BODIES: Record<Operation, unknown> = {
  pause: { reason: 'break' },
  resume: {},
  cancel: { reason: 'withdrawn' },
  complete: { report: REPORT },
  fail: { error: 'broken' },
};

/** Brings a fresh session to a status through the API. */
async function sessionIn(status: Exclude<SessionStatus, 'Queued'>): Promise<string> {
  const id = await startSession(coordinator);
  const via: Record<typeof status, Operation | undefined> = {
    Active: undefined,
    Paused: 'pause',
    Completed: 'complete',
    Failed: 'fail',
    Cancelled: 'cancel',
  };
  const operation = via[status];
  if (operation !== undefined) expect((await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/${operation}`, BODIES[operation])).status).toBe(200);
  expect((await expectEventsReplay(coordinator, id)).status).toBe(status);
  return id;
}

/** The spec's transition table (AC2) as the API must answer it. `same` = already took effect: 200, no event. */
type Outcome = SessionStatus | 'same' | 409;
const TABLE: Record<Exclude<SessionStatus, 'Queued'>, Record<Operation, Outcome>> = {
  Active: { pause: 'Paused', resume: 'same', cancel: 'Cancelled', complete: 'Completed', fail: 'Failed' },
  Paused: { pause: 'same', resume: 'Active', cancel: 'Cancelled', complete: 409, fail: 409 },
  Completed: { pause: 409, resume: 409, cancel: 409, complete: 'same', fail: 409 },
  Failed: { pause: 409, resume: 409, cancel: 409, complete: 409, fail: 'same' },
  Cancelled: { pause: 409, resume: 409, cancel: 'same', complete: 409, fail: 409 },
};
const ALLOWED: Record<Exclude<SessionStatus, 'Queued'>, Operation[]> = {
  Active: ['pause', 'cancel', 'complete', 'fail'],
  Paused: ['resume', 'cancel'],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

const cases = (Object.keys(TABLE) as (keyof typeof TABLE)[]).flatMap((status) =>
  (Object.keys(BODIES) as Operation[]).map((operation) => [status, operation, TABLE[status][operation]] as const),
);

describe('the transition table over HTTP', () => {
  test.each(cases)('%s + %s -> %s', async (status, operation, outcome) => {
    const id = await sessionIn(status);
    const before = await eventsOf(coordinator, id);

    const response = await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/${operation}`, BODIES[operation]);

    const details = await expectEventsReplay(coordinator, id);
    if (outcome === 409) {
      const error = expectError(response, 409, 'transition_forbidden');
      expect(error.details).toEqual({ operation, currentStatus: status, allowedOperations: ALLOWED[status] });
      expect(error.message).toContain(status);
      expect(details.status).toBe(status);
      expect(details.events).toEqual(before);
    } else if (outcome === 'same') {
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { success: true, sessionId: id, status } });
      expect(details.events).toEqual(before);
    } else {
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { success: true, sessionId: id, status: outcome } });
      expect(details.status).toBe(outcome);
      expect(details.events).toHaveLength(before.length + 1);
      expect(details.events.at(-1)).toMatchObject({ fromStatus: status, toStatus: outcome });
    }
  });

  test('pausing a paused session twice more answers 200 each time and keeps one pause event', async () => {
    const id = await sessionIn('Paused');

    const again = await coordinator.pauseSession(id, { reason: 'second' });
    const thrice = await coordinator.pauseSession(id);

    expect([again.status, thrice.status]).toEqual(['Paused', 'Paused']);
    const details = await expectEventsReplay(coordinator, id);
    expect(details.events.map((event) => event.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused']);
    expect(details.pauseReason).toBe('break');
  });

  test('a refused transition leaves the version unchanged', async () => {
    const id = await sessionIn('Completed');
    const { version } = await expectEventsReplay(coordinator, id);

    expectError(await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/resume`, {}), 409, 'transition_forbidden');

    expect((await expectEventsReplay(coordinator, id)).version).toBe(version);
  });
});

describe('422 for a reference that does not exist', () => {
  test.each([
    ['storyId', 'no-such-story', { storyId: 'no-such-story', juniorId: 'junior-a', mentorId: 'mentor-a' }],
    ['juniorId', 'no-such-junior', { storyId: DIRECTORY.story, juniorId: 'no-such-junior', mentorId: 'mentor-a' }],
    ['mentorId', 'no-such-mentor', { storyId: DIRECTORY.story, juniorId: 'junior-a', mentorId: 'no-such-mentor' }],
  ])('a missing %s is named, and nothing is written (no session, no workflow instance)', async (field, missing, body) => {
    const before = await Promise.all([countItems(app, 'session'), countItems(app, 'event'), countItems(app, 'workflow')]);

    const response = await sendJson(coordinator, 'POST', SESSIONS, body);

    const error = expectError(response, 422, 'reference_not_found');
    expect(error.details).toEqual({ field, id: missing });
    expect(error.message).toContain(field);
    expect(await Promise.all([countItems(app, 'session'), countItems(app, 'event'), countItems(app, 'workflow')])).toEqual(before);
  });

  test('a 422 does not use up the Idempotency-Key: once the story exists, the same request starts the session', async () => {
    const body = { storyId: 'story-later', juniorId: 'junior-a' };
    const headers = { 'idempotency-key': 'created-later' };
    expectError(await sendJson(coordinator, 'POST', SESSIONS, body, headers), 422, 'reference_not_found');
    await coordinator.putStory('story-later', { title: 'Later', skillArea: 'ops' });

    const response = await sendJson(coordinator, 'POST', SESSIONS, body, headers);

    expect(response.status).toBe(201);
  });
});
