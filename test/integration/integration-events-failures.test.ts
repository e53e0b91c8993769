import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { composeApp } from '../../shared/compose';
import { integrationEventId } from '../../shared/domain/integration-events';
import { coordinator } from '../support/builders';
import { type EventsOut, QUIET, startEventsOut } from '../support/events-out';
import { settingsWith } from '../support/settings';

/** Events out when receivers fail: outages, retries, dead letters, DNS rebinding (the acceptance test is integration-events.test.ts). */
let h: EventsOut;
beforeAll(async () => {
  h = await startEventsOut('events-fail');
});
afterAll(() => h.close());
beforeEach(async () => {
  // Each test starts after what earlier ones wrote; earlier subscriptions go.
  await h.pump();
  for (const subscription of await h.app.webhooks.list(coordinator)) await h.app.webhooks.delete(subscription.id, coordinator);
  h.sleeps.length = 0;
});

describe('integration events out of the table stream: failures', () => {
  test('a receiver outage: retried with backoff then delivered, or dead-lettered after the limit; the other subscriptions get everything in order', async () => {
    // Prepare: one receiver refuses its first two posts, one is down for good, one is healthy.
    const flaky = await h.receiver();
    const down = await h.receiver();
    const healthy = await h.receiver();
    const subscriptions = {
      flaky: await h.app.webhooks.register({ url: flaky.url, eventTypes: [] }, coordinator),
      down: await h.app.webhooks.register({ url: down.url, eventTypes: [] }, coordinator),
      healthy: await h.app.webhooks.register({ url: healthy.url, eventTypes: [] }, coordinator),
    };
    flaky.refuseNext(2);
    down.setDown(true);

    // Act
    const id = await h.start('junior-f', 'mentor-1');
    await h.app.sessions.pauseSession(id, { reason: 'outage drill' }, coordinator);
    await h.app.sessions.resumeSession(id, {}, coordinator);
    const fed = await h.pump();
    const replay = await makeTableStream(h.app)({ Records: fed });

    // Assess
    const log = await h.auditLog([id]);
    const ids = log.map((event) => event.id);
    expect(log.map((event) => event.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused', 'session_resumed']);
    // The flaky one: its first event on the third attempt, then the rest, once each, in order.
    expect(flaky.accepted.map((delivery) => [delivery.eventId, delivery.attempt])).toEqual(ids.map((eventId, index) => [eventId, index === 0 ? '3' : '1']));
    expect(flaky.attempts).toBe(ids.length + 2);
    // The healthy one never waited on the others' failures for its copy: everything once, in order.
    expect(healthy.accepted.map((delivery) => delivery.eventId)).toEqual(ids);
    // The one that stayed down: three attempts an event, then dead-lettered; later events were still tried (not blocked behind it).
    expect(down.accepted).toEqual([]);
    expect(down.attempts).toBe(ids.length * 3);
    const dead = await h.app.webhooks.deliveries(subscriptions.down.subscription.id, { limit: 50 }, coordinator);
    expect(dead.items.map((delivery) => [delivery.eventId, delivery.status, delivery.attempts, delivery.lastStatusCode])).toEqual(
      ids.map((eventId) => [eventId, 'dead', 3, 503]),
    );
    const deadOnly = await h.app.webhooks.deliveries(subscriptions.down.subscription.id, { limit: 50, status: 'dead' }, coordinator);
    expect(deadOnly.items).toHaveLength(ids.length);
    const delivered = await h.app.webhooks.deliveries(subscriptions.flaky.subscription.id, { limit: 50 }, coordinator);
    expect(delivered.items.map((delivery) => [delivery.status, delivery.attempts])).toEqual(ids.map((_, index) => ['delivered', index === 0 ? 3 : 1]));
    // Backoff between attempts: two pauses for the flaky one's first event, two for each of the down one's.
    expect(h.sleeps).toHaveLength(2 + ids.length * 2);
    // A replay retries nothing settled: the dead stay dead, the delivered are not sent again.
    expect(replay).toEqual({ batchItemFailures: [] });
    expect([flaky.attempts, down.attempts, healthy.accepted.length]).toEqual([ids.length + 2, ids.length * 3, ids.length]);
    // A subscription made afterwards gets nothing from a replay of older records.
    const late = await h.receiver();
    h.clock.advanceMinutes(1);
    await h.app.webhooks.register({ url: late.url, eventTypes: [] }, coordinator);
    expect(await makeTableStream(h.app)({ Records: fed })).toEqual({ batchItemFailures: [] });
    expect(late.attempts).toBe(0);
  }, 120_000);

  test('a receiver that comes back: deliveries are retried then delivered, and pages of deliveries follow their cursor', async () => {
    // Prepare
    const back = await h.receiver();
    const subscription = await h.app.webhooks.register({ url: back.url, eventTypes: ['session_started', 'session_paused', 'session_resumed'] }, coordinator);
    back.refuseNext(1);

    // Act
    const id = await h.start('junior-g', 'mentor-1');
    await h.app.sessions.pauseSession(id, {}, coordinator);
    await h.pump();
    back.refuseNext(2);
    await h.app.sessions.resumeSession(id, {}, coordinator);
    await h.pump();
    const first = await h.app.webhooks.deliveries(subscription.subscription.id, { limit: 2 }, coordinator);
    const second = await h.app.webhooks.deliveries(subscription.subscription.id, { limit: 2, cursor: first.next! }, coordinator);

    // Assess
    expect(back.accepted.map((delivery) => JSON.parse(delivery.body).type)).toEqual(['session_started', 'session_paused', 'session_resumed']);
    expect(back.accepted.map((delivery) => delivery.attempt)).toEqual(['2', '1', '3']);
    expect([...first.items, ...second.items].map((delivery) => [delivery.eventType, delivery.status])).toEqual([
      ['session_started', 'delivered'],
      ['session_paused', 'delivered'],
      ['session_resumed', 'delivered'],
    ]);
    await expect(
      h.app.webhooks.deliveries(subscription.subscription.id, { limit: 2, cursor: Buffer.from('SESSION#x').toString('base64url') }, coordinator),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  }, 120_000);
});

describe('integration events under the AWS URL policy', () => {
  test('a host that resolved to a public address at registration and to the metadata address at delivery is refused then: dead-lettered, not retried', async () => {
    // Prepare: an app with the strict policy and a resolver the test controls (DNS rebinding).
    let answer = '93.184.216.34';
    const strict = composeApp({
      tableName: h.table.tableName,
      dynamo: h.table.dynamo,
      clock: h.clock,
      engine: h.engine,
      settings: settingsWith({ max_concurrent_sessions_per_mentor: 1000, integration_events: { webhook_max_attempts: 3 } }),
      logger: QUIET,
      webhookResolve: async () => [{ address: answer, family: 4 }],
      integrationSleep: async (ms) => void h.sleeps.push(ms),
    });
    const subscription = await strict.webhooks.register({ url: 'https://hooks.partner.example/mentorship', eventTypes: ['session_started'] }, coordinator);
    await expect(strict.webhooks.register({ url: 'https://internal.partner.example/x', eventTypes: [] }, coordinator)).resolves.toBeDefined();
    answer = '169.254.169.254';
    await expect(strict.webhooks.register({ url: 'https://rebound.partner.example/x', eventTypes: [] }, coordinator)).rejects.toMatchObject({
      code: 'invalid_request',
      issues: [{ path: 'body.url', message: 'rebound.partner.example resolves to 169.254.169.254, a link-local (instance metadata) address' }],
    });

    // Act
    const id = (await strict.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-h', mentorId: 'mentor-1' }, coordinator)).sessionId;
    const records = await h.stream.read();
    expect(await makeTableStream(strict)({ Records: records })).toEqual({ batchItemFailures: [] });

    // Assess
    const page = await strict.webhooks.deliveries(subscription.subscription.id, { limit: 10 }, coordinator);
    expect(page.items).toEqual([
      expect.objectContaining({
        eventId: integrationEventId(id, 1),
        status: 'dead',
        attempts: 1,
        lastError: 'hooks.partner.example resolves to 169.254.169.254, a link-local (instance metadata) address',
      }),
    ]);
    expect(page.items[0]!.lastStatusCode).toBeUndefined();
  }, 120_000);
});
