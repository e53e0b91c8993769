import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { settingsWith } from '../support/settings';
import { API, SESSIONS, sendJson } from './helpers';

// Real limits this time: one session per junior, two system-wide, a queue of two.
let app: LocalApp;
let coordinator: SessionClient;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture({
    settings: settingsWith({ max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_system: 2, max_queue_size: 2 }),
    coordinatorId: 'coord-q',
  }));
  for (const id of ['junior-c', 'junior-d']) await coordinator.putJunior(id, { name: id, skills: [] });
});
afterAll(() => app.close());

const start = (juniorId: string) => sendJson(coordinator, 'POST', SESSIONS, { storyId: 'story-1', juniorId });

describe('the queue over HTTP', () => {
  test('queued, where it stands, who may see it, queue full, and the start when a slot frees', async () => {
    const a = await start('junior-a');
    const b = await start('junior-b');
    const c = await start('junior-c');
    const d = await start('junior-d');
    expect([a.status, b.status, c.status, d.status]).toEqual([201, 201, 201, 201]);
    expect(c.json).toMatchObject({ success: true, status: 'queued', queuePosition: 1 });
    expect(d.json).toMatchObject({ status: 'queued', queuePosition: 2 });
    const queuedId = (c.json as { sessionId: string }).sessionId;

    // The queue is full now: 429 with its own code, and nothing was written.
    const full = await start('junior-a');
    expect(full.status).toBe(429);
    expect(full.json).toMatchObject({ error: { code: 'queue_full', details: { maxQueueSize: 2 } } });

    // Its junior sees where it stands; another junior gets 404.
    const own = await app.as('junior-c', 'junior');
    expect(await own.getQueuePosition(queuedId)).toMatchObject({ status: 'Queued', position: 1, blockedBy: ['system'] });
    const other = await app.as('junior-d', 'junior');
    expect((await other.raw('GET', `${SESSIONS}/${queuedId}/queue-position`)).status).toBe(404);

    // Any role may read the queue as a whole; a token without a known role may not.
    const mentor = await app.as('mentor-a', 'mentor');
    expect(await mentor.getQueueStatus()).toMatchObject({
      totalQueued: 2,
      activeSessionCount: 2,
      maxConcurrentSessions: 2,
      limits: { system: { used: 2, max: 2 }, queue: { used: 2, max: 2 } },
    });
    expect((await (await app.as('nobody')).raw('GET', `${API}/queue`)).status).toBe(403);

    // A slot frees: the head starts in the same request.
    const aId = (a.json as { sessionId: string }).sessionId;
    await coordinator.cancelSession(aId, { reason: 'make room' });
    expect((await coordinator.getSession(queuedId)).status).toBe('Active');
    expect(await coordinator.getQueuePosition((d.json as { sessionId: string }).sessionId)).toMatchObject({ position: 1 });
  });
});
