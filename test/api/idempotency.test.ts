import type { SessionClient } from '../../shared/client';
import { SessionStartResultSchema } from '../../shared/http/schemas';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { countItems, DIRECTORY, expectError, expectEventsReplay, SESSIONS, sendJson } from './helpers';

jest.setTimeout(30_000);

let app: LocalApp;
let coordinator: SessionClient;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture());
});
afterAll(() => app.close());

const body = { storyId: DIRECTORY.story, juniorId: 'junior-a', mentorId: 'mentor-a' };

async function counts() {
  const [sessions, events, workflows] = await Promise.all([countItems(app, 'session'), countItems(app, 'event'), countItems(app, 'workflow')]);
  return { sessions, events, workflows };
}

async function startWithKey(client: SessionClient, key: string, input: unknown = body) {
  const response = await sendJson(client, 'POST', SESSIONS, input, { 'idempotency-key': key });
  return response;
}

describe('Idempotency-Key on POST /sessions', () => {
  test('the same key and body twice: the first answer again, one session', async () => {
    const before = await counts();

    const first = await startWithKey(coordinator, 'retry-1');
    const second = await startWithKey(coordinator, 'retry-1');

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    const { sessionId } = SessionStartResultSchema().parse(first.json);
    // session_started and mentor_assigned.
    expect(await counts()).toEqual({ sessions: before.sessions + 1, events: before.events + 2, workflows: before.workflows + 1 });
    expect((await expectEventsReplay(coordinator, sessionId)).status).toBe('Active');
  });

  test('the same body with the fields in another order is the same request', async () => {
    const first = await startWithKey(coordinator, 'reordered', { storyId: body.storyId, juniorId: body.juniorId, mentorId: body.mentorId });
    const before = await counts();

    const second = await startWithKey(coordinator, 'reordered', { mentorId: body.mentorId, juniorId: body.juniorId, storyId: body.storyId });

    expect(second.json).toEqual(first.json);
    expect(await counts()).toEqual(before);
  });

  test('the same key with another body: 422 idempotency_key_reused naming the first session, nothing written', async () => {
    const first = SessionStartResultSchema().parse((await startWithKey(coordinator, 'reused')).json);
    const before = await counts();

    const response = await startWithKey(coordinator, 'reused', { ...body, mentorId: 'mentor-b' });

    expect(expectError(response, 422, 'idempotency_key_reused').details).toEqual({ sessionId: first.sessionId });
    expect(await counts()).toEqual(before);
    expect(await expectEventsReplay(coordinator, first.sessionId)).toMatchObject({ status: 'Active', mentorId: 'mentor-a' });
  });

  test('keys belong to their caller: another coordinator using the same key starts its own session', async () => {
    const other = await app.as('coord-2', 'coordinator');
    const mine = SessionStartResultSchema().parse((await startWithKey(coordinator, 'shared-key')).json);

    const theirs = await startWithKey(other, 'shared-key');

    expect(theirs.status).toBe(201);
    expect(SessionStartResultSchema().parse(theirs.json).sessionId).not.toBe(mine.sessionId);
  });

  test('without a key, the same body twice starts two sessions', async () => {
    const before = await counts();

    const first = await sendJson(coordinator, 'POST', SESSIONS, body);
    const second = await sendJson(coordinator, 'POST', SESSIONS, body);

    expect(SessionStartResultSchema().parse(first.json).sessionId).not.toBe(SessionStartResultSchema().parse(second.json).sessionId);
    expect((await counts()).sessions).toBe(before.sessions + 2);
  });

  test('five concurrent retries with one key: one session, every answer names it', async () => {
    const before = await counts();

    const responses = await Promise.all(Array.from({ length: 5 }, () => startWithKey(coordinator, 'concurrent-1')));

    expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(responses.map((response) => SessionStartResultSchema().parse(response.json).sessionId));
    expect(ids.size).toBe(1);
    const after = await counts();
    expect(after.sessions).toBe(before.sessions + 1);
    expect(after.events).toBe(before.events + 2);
    expect((await expectEventsReplay(coordinator, [...ids][0]!)).status).toBe('Active');
  });

  test('a late retry after the session moved on still answers the first result', async () => {
    const first = SessionStartResultSchema().parse((await startWithKey(coordinator, 'then-paused')).json);
    await coordinator.pauseSession(first.sessionId);

    const retry = await startWithKey(coordinator, 'then-paused');

    expect(retry.json).toEqual(first);
    expect((await expectEventsReplay(coordinator, first.sessionId)).status).toBe('Paused');
  });
});
