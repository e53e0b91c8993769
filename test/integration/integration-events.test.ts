import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { type AppDeps, composeApp } from '../../shared/compose';
import { type IntegrationEvent, integrationEventId } from '../../shared/domain/integration-events';
import { WORKFLOW_PROGRESS_EVENTS } from '../../shared/domain/mentorship-state';
import { SESSION_EVENT_TYPES, type SessionEventType } from '../../shared/domain/model';
import { IntegrationEventSchema } from '../../shared/http/schemas';
import type { BusFailure, IntegrationBus } from '../../shared/ports/webhooks';
import { aJunior, aMentor, aStory, coordinator, engineCaller, mentorCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { FaultyEngine } from '../support/faulty-engine';
import { settingsWith } from '../support/settings';
import { openTableStream, type StreamRecord, type TableStream } from '../support/table-stream';
import { type ReceivedDelivery, signatureIsValid, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/** The bus side (EventBridge has no local stand-in): records what was published. */
class RecordingBus implements IntegrationBus {
  readonly published: IntegrationEvent[] = [];
  async publish(events: readonly IntegrationEvent[]): Promise<BusFailure[]> {
    this.published.push(...events);
    return [];
  }
}

const SUBSET: SessionEventType[] = ['session_started', 'session_paused', 'session_completed', 'session_timed_out'];
const report = { summary: 'done', overallScore: 88, metrics: {} };

let table: TestTable;
let clock: ManualClock;
let engine: FaultyEngine;
let stream: TableStream;
let app: AppDeps;
let bus: RecordingBus;
let sleeps: number[];
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  table = await createTestTable('events-out');
  clock = new ManualClock();
  engine = new FaultyEngine(new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock));
  stream = await openTableStream(table);
  bus = new RecordingBus();
  sleeps = [];
  app = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    engine,
    settings: settingsWith({
      max_concurrent_sessions_per_junior: 1,
      max_concurrent_sessions_per_mentor: 1000,
      integration_events: { webhook_url_policy: 'local', webhook_max_attempts: 3 },
    }),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    integrationBus: bus,
    integrationSleep: async (ms) => void sleeps.push(ms),
  });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1', { title: 'Fix login' }));
  await directory.put('story', aStory('story-cobol', { title: 'Port the batch job', skillArea: 'cobol' }));
  await directory.put('mentor', aMentor('mentor-1', { maxConcurrentSessions: 1000 }));
  await directory.put('mentor', aMentor('mentor-2', { maxConcurrentSessions: 1000 }));
  await directory.put('mentor', aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }] }));
  for (const id of ['junior-a', 'junior-b', 'junior-c', 'junior-d', 'junior-e', 'junior-f', 'junior-g', 'junior-h']) {
    await directory.put(
      'junior',
      aJunior(id, {
        name: `Ada ${id}`,
        skills: [
          { area: 'typescript', level: 2 },
          { area: 'cobol', level: 1 },
        ],
      }),
    );
  }
});
afterAll(async () => {
  stream.close();
  for (const receiver of receivers) await receiver.close();
  table.dynamo.client.destroy();
});
beforeEach(async () => {
  // Each test starts after what earlier ones wrote; earlier subscriptions go.
  await pump();
  for (const subscription of await app.webhooks.list(coordinator)) await app.webhooks.delete(subscription.id, coordinator);
  sleeps.length = 0;
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** Feeds the stream handler what the table's stream holds until it is quiet; returns every record fed. */
async function pump(fed: StreamRecord[] = []): Promise<StreamRecord[]> {
  const handler = makeTableStream(app);
  for (let round = 0; round < 10; round += 1) {
    const records = await stream.read();
    if (records.length === 0) return fed;
    fed.push(...records);
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
  }
  throw new Error('the stream never went quiet');
}

const start = async (juniorId: string, mentorId?: string, storyId = 'story-1') =>
  (await app.sessions.startSession({ storyId, juniorId, ...(mentorId !== undefined && { mentorId }) }, coordinator)).sessionId;

/** The audit log's event ids of these sessions, by session, in sequence order, with their types. */
async function auditLog(ids: readonly string[]): Promise<{ id: string; type: SessionEventType; sessionId: string; seq: number }[]> {
  const all = [];
  for (const sessionId of ids) {
    for (const event of await app.sessions.getSessionEvents(sessionId, coordinator)) {
      all.push({ id: integrationEventId(sessionId, event.seq), type: event.type, sessionId, seq: event.seq });
    }
  }
  return all;
}

const eventsOf = (deliveries: readonly ReceivedDelivery[]) => deliveries.map((delivery) => IntegrationEventSchema.parse(JSON.parse(delivery.body)));

/** Per session, the sequences in arrival order. */
function sequencesBySession(events: readonly IntegrationEvent[]): Map<string, number[]> {
  const bySession = new Map<string, number[]>();
  for (const event of events) bySession.set(event.sessionId, [...(bySession.get(event.sessionId) ?? []), event.sequence]);
  return bySession;
}

describe('integration events out of the table stream', () => {
  test('every event type reaches each subscription once, signed, in order per session, and a replay of the whole stream sends nothing twice', async () => {
    // Prepare: one subscription to everything, one to a few types, one paused.
    const everything = await receiver();
    const some = await receiver();
    const paused = await receiver();
    const all = await app.webhooks.register({ url: everything.url, eventTypes: [] }, coordinator);
    const few = await app.webhooks.register({ url: some.url, eventTypes: SUBSET }, coordinator);
    const off = await app.webhooks.register({ url: paused.url, eventTypes: [] }, coordinator);
    await app.webhooks.setPaused(off.subscription.id, true, coordinator);
    const fed: StreamRecord[] = [];
    const progress = (id: string, type: (typeof WORKFLOW_PROGRESS_EVENTS)[number]) =>
      app.sessions.recordWorkflowEvent(id, { type, eventId: `${type}-${id}`, occurredAt: clock.now().toISOString() }, engineCaller);

    // Act: sessions driven through every event type the audit log knows.
    const a = await start('junior-a', 'mentor-1'); // session_started, mentor_assigned
    const queued = await start('junior-a'); // session_queued
    await pump(fed);
    await app.sessions.recordWorkflowEvent(
      a,
      { type: 'state_changed', toState: 'PLAN_DECOMPOSITION', eventId: `plan-${a}`, occurredAt: clock.now().toISOString() },
      engineCaller,
    );
    for (const type of WORKFLOW_PROGRESS_EVENTS.filter((t) => t !== 'merge_completed')) await progress(a, type);
    await app.sessions.pauseSession(a, { reason: 'lunch' }, mentorCaller('mentor-1'));
    await app.sessions.resumeSession(a, {}, coordinator);
    await app.configs.update(a, { checkInIntervalMinutes: 45 }, coordinator); // config_updated
    await app.assignments.reassign(a, { mentorId: 'mentor-2', reason: 'workload' }, coordinator); // mentor_reassigned
    await pump(fed);
    await progress(a, 'merge_completed');
    await app.sessions.completeSession(a, { report }, engineCaller); // releases junior-a: the queued one starts (session_dequeued)
    await app.history.hold(a, { hold: true, reason: 'audit' }, coordinator);
    await app.history.hold(a, { hold: false }, coordinator);
    const failing = await start('junior-c', 'mentor-1');
    await app.sessions.failSession(failing, { error: 'workflow faulted' }, engineCaller);
    const unsynced = await start('junior-d', 'mentor-1');
    engine.failOn('cancel');
    await app.sessions.cancelSession(unsynced, { reason: 'duplicate' }, coordinator); // workflow_sync_failed
    engine.heal();
    await app.reconciliation.reconcile(); // workflow_sync_resolved
    const cobol = await start('junior-e', 'mentor-cobol', 'story-cobol');
    await new DynamoDirectoryStore(table.dynamo.document, table.tableName).put(
      'mentor',
      aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }], available: false }),
    );
    await app.assignments.mentorSaved(aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }], available: false })); // mentor_reassignment_queued
    await pump(fed);
    clock.advanceMinutes(46);
    await app.sessions.sweepDue(); // check_in_missed (and the ladder's escalation_triggered)
    clock.advanceMinutes(9 * 60);
    await app.sessions.sweepDue(); // the dequeued and the cobol sessions time out
    await pump(fed);
    const sessions = [a, queued, failing, unsynced, cobol];
    const once = { everything: [...everything.accepted], some: [...some.accepted] };
    const replay = await makeTableStream(app)({ Records: fed });

    // Assess: what the audit logs hold, each type at least once.
    const log = await auditLog(sessions);
    expect([...new Set(log.map((event) => event.type))].sort()).toEqual([...new Set(SESSION_EVENT_TYPES)].sort());
    // Every event once to the subscription to everything, the chosen types once to the other, nothing to the paused one.
    expect(once.everything.map((d) => d.eventId).sort()).toEqual(log.map((event) => event.id).sort());
    expect(once.some.map((d) => d.eventId).sort()).toEqual(
      log
        .filter((event) => SUBSET.includes(event.type))
        .map((event) => event.id)
        .sort(),
    );
    expect(paused.attempts).toBe(0);
    // Signed with each subscription's own secret; the body is the envelope the header names.
    for (const [deliveries, secret] of [
      [once.everything, all.secret],
      [once.some, few.secret],
    ] as const) {
      for (const delivery of deliveries) expect([delivery.eventId, signatureIsValid(secret, delivery.signature, delivery.body)]).toEqual([delivery.eventId, true]);
      expect(deliveries.some((delivery) => signatureIsValid(secret === all.secret ? few.secret : all.secret, delivery.signature, delivery.body))).toBe(false);
      expect(eventsOf(deliveries).map((event) => event.id)).toEqual(deliveries.map((delivery) => delivery.eventId));
    }
    // In order per session: each session's sequences arrive increasing.
    for (const [sessionId, sequences] of sequencesBySession(eventsOf(once.everything))) {
      expect([sessionId, sequences]).toEqual([sessionId, [...sequences].sort((x, y) => x - y)]);
      expect([sessionId, sequences]).toEqual([sessionId, log.filter((event) => event.sessionId === sessionId).map((event) => event.seq)]);
    }
    // The envelope: the pause names its statuses, the junior, story and mentor as of then.
    const pause = eventsOf(once.everything).find((event) => event.sessionId === a && event.type === 'session_paused')!;
    expect(pause).toMatchObject({
      version: 1,
      sessionId: a,
      junior: { id: 'junior-a', name: 'Ada junior-a' },
      mentor: { id: 'mentor-1' },
      story: { id: 'story-1', title: 'Fix login' },
      status: { before: 'Active', after: 'Paused' },
      actor: { id: 'mentor-1', role: 'mentor' },
      reason: 'lunch',
    });
    const reassigned = eventsOf(once.everything).find((event) => event.sessionId === a && event.type === 'mentor_reassigned')!;
    expect(reassigned).toMatchObject({ mentor: { id: 'mentor-2' }, status: { before: 'Active', after: 'Active' } });
    // The bus got every event too.
    expect(bus.published.map((event) => event.id).sort()).toEqual(log.map((event) => event.id).sort());
    // The replay: no failure, nothing sent or published again.
    expect(replay).toEqual({ batchItemFailures: [] });
    expect(everything.accepted).toHaveLength(once.everything.length);
    expect(some.accepted).toHaveLength(once.some.length);
    expect(everything.attempts).toBe(once.everything.length);
    expect(bus.published).toHaveLength(log.length);
    const listed = await app.webhooks.deliveries(all.subscription.id, { limit: 100 }, coordinator);
    expect(listed.items.filter((delivery) => delivery.status === 'delivered')).toHaveLength(Math.min(100, log.length));
  }, 180_000);

  test('a receiver outage: retried with backoff then delivered, or dead-lettered after the limit; the other subscriptions get everything in order', async () => {
    // Prepare: one receiver refuses its first two posts, one is down for good, one is healthy.
    const flaky = await receiver();
    const down = await receiver();
    const healthy = await receiver();
    const subscriptions = {
      flaky: await app.webhooks.register({ url: flaky.url, eventTypes: [] }, coordinator),
      down: await app.webhooks.register({ url: down.url, eventTypes: [] }, coordinator),
      healthy: await app.webhooks.register({ url: healthy.url, eventTypes: [] }, coordinator),
    };
    flaky.refuseNext(2);
    down.setDown(true);

    // Act
    const id = await start('junior-f', 'mentor-1');
    await app.sessions.pauseSession(id, { reason: 'outage drill' }, coordinator);
    await app.sessions.resumeSession(id, {}, coordinator);
    const fed = await pump();
    const replay = await makeTableStream(app)({ Records: fed });

    // Assess
    const log = await auditLog([id]);
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
    const dead = await app.webhooks.deliveries(subscriptions.down.subscription.id, { limit: 50 }, coordinator);
    expect(dead.items.map((delivery) => [delivery.eventId, delivery.status, delivery.attempts, delivery.lastStatusCode])).toEqual(
      ids.map((eventId) => [eventId, 'dead', 3, 503]),
    );
    const deadOnly = await app.webhooks.deliveries(subscriptions.down.subscription.id, { limit: 50, status: 'dead' }, coordinator);
    expect(deadOnly.items).toHaveLength(ids.length);
    const delivered = await app.webhooks.deliveries(subscriptions.flaky.subscription.id, { limit: 50 }, coordinator);
    expect(delivered.items.map((delivery) => [delivery.status, delivery.attempts])).toEqual(ids.map((_, index) => ['delivered', index === 0 ? 3 : 1]));
    // Backoff between attempts: two pauses for the flaky one's first event, two for each of the down one's.
    expect(sleeps).toHaveLength(2 + ids.length * 2);
    // A replay retries nothing settled: the dead stay dead, the delivered are not sent again.
    expect(replay).toEqual({ batchItemFailures: [] });
    expect([flaky.attempts, down.attempts, healthy.accepted.length]).toEqual([ids.length + 2, ids.length * 3, ids.length]);
    // A subscription made afterwards gets nothing from a replay of older records.
    const late = await receiver();
    clock.advanceMinutes(1);
    await app.webhooks.register({ url: late.url, eventTypes: [] }, coordinator);
    expect(await makeTableStream(app)({ Records: fed })).toEqual({ batchItemFailures: [] });
    expect(late.attempts).toBe(0);
  });

  test('a receiver that comes back: deliveries are retried then delivered, and pages of deliveries follow their cursor', async () => {
    // Prepare
    const back = await receiver();
    const subscription = await app.webhooks.register({ url: back.url, eventTypes: ['session_started', 'session_paused', 'session_resumed'] }, coordinator);
    back.refuseNext(1);

    // Act
    const id = await start('junior-g', 'mentor-1');
    await app.sessions.pauseSession(id, {}, coordinator);
    await pump();
    back.refuseNext(2);
    await app.sessions.resumeSession(id, {}, coordinator);
    await pump();
    const first = await app.webhooks.deliveries(subscription.subscription.id, { limit: 2 }, coordinator);
    const second = await app.webhooks.deliveries(subscription.subscription.id, { limit: 2, cursor: first.next! }, coordinator);

    // Assess
    expect(back.accepted.map((delivery) => JSON.parse(delivery.body).type)).toEqual(['session_started', 'session_paused', 'session_resumed']);
    expect(back.accepted.map((delivery) => delivery.attempt)).toEqual(['2', '1', '3']);
    expect([...first.items, ...second.items].map((delivery) => [delivery.eventType, delivery.status])).toEqual([
      ['session_started', 'delivered'],
      ['session_paused', 'delivered'],
      ['session_resumed', 'delivered'],
    ]);
    await expect(
      app.webhooks.deliveries(subscription.subscription.id, { limit: 2, cursor: Buffer.from('SESSION#x').toString('base64url') }, coordinator),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('integration events under the AWS URL policy', () => {
  test('a host that resolved to a public address at registration and to the metadata address at delivery is refused then: dead-lettered, not retried', async () => {
    // Prepare: an app with the strict policy and a resolver the test controls (DNS rebinding).
    let answer = '93.184.216.34';
    const strict = composeApp({
      tableName: table.tableName,
      dynamo: table.dynamo,
      clock,
      engine,
      settings: settingsWith({ max_concurrent_sessions_per_mentor: 1000, integration_events: { webhook_max_attempts: 3 } }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      webhookResolve: async () => [{ address: answer, family: 4 }],
      integrationSleep: async (ms) => void sleeps.push(ms),
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
    const records = await stream.read();
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
  });
});
