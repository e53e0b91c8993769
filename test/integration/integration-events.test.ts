import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import type { IntegrationEvent } from '../../shared/domain/integration-events';
import { WORKFLOW_PROGRESS_EVENTS } from '../../shared/domain/mentorship-state';
import { SESSION_EVENT_TYPES, type SessionEventType } from '../../shared/domain/model';
import { aMentor, coordinator, engineCaller, mentorCaller } from '../support/builders';
import { type EventsOut, eventsOf, startEventsOut } from '../support/events-out';
import type { StreamRecord } from '../support/table-stream';
import { signatureIsValid } from '../support/webhook-receiver';

/**
 * Events out, the acceptance test: every audit event type, from the table's
 * real stream (DynamoDB Local) through the real stream handler to real HTTP
 * receivers on 127.0.0.1. The failure paths are in integration-events-failures.test.ts.
 */
const SUBSET: SessionEventType[] = ['session_started', 'session_paused', 'session_completed', 'session_timed_out'];
const report = { summary: 'done', overallScore: 88, metrics: {} };

let h: EventsOut;
beforeAll(async () => {
  h = await startEventsOut('events-out');
});
afterAll(() => h.close());

/** Per session, the sequences in arrival order. */
function sequencesBySession(events: readonly IntegrationEvent[]): Map<string, number[]> {
  const bySession = new Map<string, number[]>();
  for (const event of events) bySession.set(event.sessionId, [...(bySession.get(event.sessionId) ?? []), event.sequence]);
  return bySession;
}

describe('integration events out of the table stream', () => {
  test('every event type reaches each subscription once, signed, in order per session, and a replay of the whole stream sends nothing twice', async () => {
    // Prepare: one subscription to everything, one to a few types, one paused.
    const everything = await h.receiver();
    const some = await h.receiver();
    const paused = await h.receiver();
    const all = await h.app.webhooks.register({ url: everything.url, eventTypes: [] }, coordinator);
    const few = await h.app.webhooks.register({ url: some.url, eventTypes: SUBSET }, coordinator);
    const off = await h.app.webhooks.register({ url: paused.url, eventTypes: [] }, coordinator);
    await h.app.webhooks.setPaused(off.subscription.id, true, coordinator);
    const fed: StreamRecord[] = [];
    const progress = (id: string, type: (typeof WORKFLOW_PROGRESS_EVENTS)[number]) =>
      h.app.sessions.recordWorkflowEvent(id, { type, eventId: `${type}-${id}`, occurredAt: h.clock.now().toISOString() }, engineCaller);

    // Act: sessions driven through every event type the audit log knows.
    const a = await h.start('junior-a', 'mentor-1'); // session_started, mentor_assigned
    const queued = await h.start('junior-a'); // session_queued
    await h.pump(fed);
    await h.app.sessions.recordWorkflowEvent(
      a,
      { type: 'state_changed', toState: 'PLAN_DECOMPOSITION', eventId: `plan-${a}`, occurredAt: h.clock.now().toISOString() },
      engineCaller,
    );
    for (const type of WORKFLOW_PROGRESS_EVENTS.filter((t) => t !== 'merge_completed')) await progress(a, type);
    await h.app.sessions.pauseSession(a, { reason: 'lunch' }, mentorCaller('mentor-1'));
    await h.app.sessions.resumeSession(a, {}, coordinator);
    await h.app.configs.update(a, { checkInIntervalMinutes: 45 }, coordinator); // config_updated
    await h.app.assignments.reassign(a, { mentorId: 'mentor-2', reason: 'workload' }, coordinator); // mentor_reassigned
    await h.pump(fed);
    await progress(a, 'merge_completed');
    await h.app.sessions.completeSession(a, { report }, engineCaller); // releases junior-a: the queued one starts (session_dequeued)
    await h.app.history.hold(a, { hold: true, reason: 'audit' }, coordinator);
    await h.app.history.hold(a, { hold: false }, coordinator);
    const failing = await h.start('junior-c', 'mentor-1');
    await h.app.sessions.failSession(failing, { error: 'workflow faulted' }, engineCaller);
    const unsynced = await h.start('junior-d', 'mentor-1');
    h.engine.failOn('cancel');
    await h.app.sessions.cancelSession(unsynced, { reason: 'duplicate' }, coordinator); // the stop stays pending
    h.clock.advanceMinutes(1);
    await h.app.sessions.commands.redriveDue(); // the worker's try is refused too: workflow_sync_failed, marked
    h.engine.heal();
    await h.app.reconciliation.reconcile(); // workflow_sync_resolved
    const cobol = await h.start('junior-e', 'mentor-cobol', 'story-cobol');
    // Through the app's own directory store, as the put-mentor handler writes (its next read is fresh).
    await h.app.directoryStore.put('mentor', aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }], available: false }));
    await h.app.assignments.mentorSaved(aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }], available: false })); // mentor_reassignment_queued
    await h.pump(fed);
    h.clock.advanceMinutes(46);
    await h.app.sessions.sweepDue(); // check_in_missed (and the ladder's escalation_triggered)
    h.clock.advanceMinutes(9 * 60);
    await h.app.sessions.sweepDue(); // the dequeued and the cobol sessions time out
    await h.pump(fed);
    const sessions = [a, queued, failing, unsynced, cobol];
    const once = { everything: [...everything.accepted], some: [...some.accepted] };
    const replay = await makeTableStream(h.app)({ Records: fed });

    // Assess: what the audit logs hold, each type at least once.
    const log = await h.auditLog(sessions);
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
    expect(h.bus.published.map((event) => event.id).sort()).toEqual(log.map((event) => event.id).sort());
    // The replay: no failure, nothing sent or published again.
    expect(replay).toEqual({ batchItemFailures: [] });
    expect(everything.accepted).toHaveLength(once.everything.length);
    expect(some.accepted).toHaveLength(once.some.length);
    expect(everything.attempts).toBe(once.everything.length);
    expect(h.bus.published).toHaveLength(log.length);
    const listed = await h.app.webhooks.deliveries(all.subscription.id, { limit: 100 }, coordinator);
    expect(listed.items.filter((delivery) => delivery.status === 'delivered')).toHaveLength(Math.min(100, log.length));
  }, 180_000);
});
