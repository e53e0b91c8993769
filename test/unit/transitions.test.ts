import { ENGINE_REPORTABLE_STATES, type MentorshipState } from '../../shared/domain/mentorship-state';
import { type Actor, type Session, type SessionEventType, SYSTEM_ACTOR } from '../../shared/domain/session';
import { SESSION_STATUSES, type SessionStatus } from '../../shared/domain/status';
import { allowedOperations, OPERATIONS, type Operation, transition } from '../../shared/domain/transitions';
import { aCommand, aSessionIn, ctxAt, T1 } from './support';

/*
 * The expected table, written from ARCHITECTURE "Statuses and transitions" and
 * spec AC2, not from the code's TRANSITIONS constant:
 *   Queued -> Cancelled (Active is reached by the queue, not by an operation)
 *   Active -> Paused | Completed | Failed | Cancelled
 *   Paused -> Active | Cancelled
 *   Completed, Failed, Cancelled: terminal.
 * An operation on a session already in its target status took effect already: unchanged.
 */
const STATUSES: readonly SessionStatus[] = ['Queued', 'Active', 'Paused', 'Completed', 'Failed', 'Cancelled'];
const OPS: readonly Operation[] = ['pause', 'resume', 'cancel', 'complete', 'fail'];

type Expected =
  | { readonly outcome: 'changed'; readonly to: SessionStatus; readonly event: SessionEventType }
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'rejected' };

const changed = (to: SessionStatus, event: SessionEventType): Expected => ({ outcome: 'changed', to, event });
const UNCHANGED: Expected = { outcome: 'unchanged' };
const REJECTED: Expected = { outcome: 'rejected' };

const EXPECTED: Record<SessionStatus, Record<Operation, Expected>> = {
  Queued: { pause: REJECTED, resume: REJECTED, cancel: changed('Cancelled', 'session_cancelled'), complete: REJECTED, fail: REJECTED },
  Active: {
    pause: changed('Paused', 'session_paused'),
    resume: UNCHANGED,
    cancel: changed('Cancelled', 'session_cancelled'),
    complete: changed('Completed', 'session_completed'),
    fail: changed('Failed', 'session_failed'),
  },
  Paused: { pause: UNCHANGED, resume: changed('Active', 'session_resumed'), cancel: changed('Cancelled', 'session_cancelled'), complete: REJECTED, fail: REJECTED },
  Completed: { pause: REJECTED, resume: REJECTED, cancel: REJECTED, complete: UNCHANGED, fail: REJECTED },
  Failed: { pause: REJECTED, resume: REJECTED, cancel: REJECTED, complete: REJECTED, fail: UNCHANGED },
  Cancelled: { pause: REJECTED, resume: REJECTED, cancel: UNCHANGED, complete: REJECTED, fail: REJECTED },
};

/** What a 409 must offer, per status (the operations that would change it). */
const ALLOWED: Record<SessionStatus, readonly Operation[]> = {
  Queued: ['cancel'],
  Active: ['pause', 'cancel', 'complete', 'fail'],
  Paused: ['resume', 'cancel'],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

/** The MentorshipState each change leaves the session in (vocabulary: Exception group; resume returns to the paused-from step). */
function expectedStateAfter(operation: Operation, before: Session): MentorshipState | undefined {
  switch (operation) {
    case 'pause':
      return 'PAUSED';
    case 'resume':
      return before.pausedFromState;
    case 'cancel':
      return 'CANCELLED';
    case 'complete':
      return 'COMPLETED';
    case 'fail':
      return 'FAILED';
  }
}

const CROSS_PRODUCT = STATUSES.flatMap((status) => OPS.map((operation) => [status, operation] as const));
const sorted = (ops: readonly string[]) => [...ops].sort();
const mentor: Actor = { id: 'mentor-1', role: 'mentor' };

describe('the expected table covers the whole domain', () => {
  test('every status and every operation of the code is in the table', () => {
    // Prepare / Act
    const statuses = sorted(SESSION_STATUSES);
    const operations = sorted(OPERATIONS);

    // Assess
    expect(statuses).toEqual(sorted(STATUSES));
    expect(operations).toEqual(sorted(OPS));
    expect(CROSS_PRODUCT).toHaveLength(30);
  });
});

describe('transition: every status x every operation', () => {
  test.each(CROSS_PRODUCT)('%s session, %s', (status, operation) => {
    // Prepare
    const before = aSessionIn(status);
    const snapshot = structuredClone(before);
    const command = aCommand(operation);
    const expected = EXPECTED[status][operation];

    // Act
    const result = transition(before, command, ctxAt(T1, mentor));

    // Assess
    expect(result.outcome).toBe(expected.outcome);
    expect(before).toEqual(snapshot);
    if (expected.outcome === 'unchanged') {
      expect(result).toEqual({ outcome: 'unchanged', session: before });
      expect('events' in result).toBe(false);
    }
    if (expected.outcome === 'rejected') {
      expect(result).toEqual({ outcome: 'rejected', operation, status, allowedOperations: allowedOperations(status) });
      if (result.outcome === 'rejected') expect(sorted(result.allowedOperations)).toEqual(sorted(ALLOWED[status]));
    }
  });

  const changes = CROSS_PRODUCT.filter(([status, operation]) => EXPECTED[status][operation].outcome === 'changed');

  test.each(changes)('%s session, %s: new status, version, one event with who/why', (status, operation) => {
    // Prepare
    const before = aSessionIn(status);
    const command = aCommand(operation);
    const expected = EXPECTED[status][operation];
    if (expected.outcome !== 'changed') throw new Error('table filter is wrong');

    // Act
    const result = transition(before, command, ctxAt(T1, mentor));

    // Assess
    if (result.outcome !== 'changed') throw new Error(`expected changed, got ${result.outcome}`);
    expect(result.session.status).toBe(expected.to);
    expect(result.session.version).toBe(before.version + 1);
    expect(result.session.updatedAt).toBe(T1);
    expect(result.session.eventCount).toBe(before.eventCount);
    expect(result.session).toMatchObject({
      id: before.id,
      storyId: before.storyId,
      juniorId: before.juniorId,
      mentorId: before.mentorId,
      createdAt: before.createdAt,
    });
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({
      type: expected.event,
      occurredAt: T1,
      actor: 'mentor-1',
      actorRole: 'mentor',
      fromStatus: status,
      toStatus: expected.to,
      notes: command.notes,
    });
    expect(event?.reason).toBe('reason' in command ? command.reason : undefined);
    expect(event?.fromState).toBe(before.currentState);
    expect(result.session.currentState).toBe(expectedStateAfter(operation, before));
    expect(event?.toState).toBe(expectedStateAfter(operation, before));
  });
});

describe('transition: what each change stores', () => {
  test('pause remembers the step it interrupted and records why and when', () => {
    // Prepare
    const before = aSessionIn('Active', { currentState: 'MONITOR_REVIEW' });

    // Act
    const result = transition(before, { operation: 'pause', reason: 'junior on leave', notes: 'two days' }, ctxAt(T1));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.session).toMatchObject({
      status: 'Paused',
      currentState: 'PAUSED',
      pausedFromState: 'MONITOR_REVIEW',
      pausedAt: T1,
      pauseReason: 'junior on leave',
    });
    expect(result.events[0]).toMatchObject({ fromState: 'MONITOR_REVIEW', toState: 'PAUSED', reason: 'junior on leave', notes: 'two days' });
  });

  test('pause without a reason stores no reason anywhere', () => {
    // Prepare
    const before = aSessionIn('Active');

    // Act
    const result = transition(before, { operation: 'pause' }, ctxAt(T1));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect('pauseReason' in result.session).toBe(false);
    expect(result.events[0]).not.toHaveProperty('reason');
    expect(result.events[0]).not.toHaveProperty('notes');
  });

  test('resume returns to the paused-from step and clears the pause fields', () => {
    // Prepare
    const before = aSessionIn('Paused', { pausedFromState: 'DIAGNOSE_BLOCKER' });

    // Act
    const result = transition(before, { operation: 'resume', notes: 'back' }, ctxAt(T1));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.session.status).toBe('Active');
    expect(result.session.currentState).toBe('DIAGNOSE_BLOCKER');
    expect(result.session).not.toHaveProperty('pausedAt');
    expect(result.session).not.toHaveProperty('pauseReason');
    expect(result.session).not.toHaveProperty('pausedFromState');
    expect(result.events[0]).toMatchObject({ fromState: 'PAUSED', toState: 'DIAGNOSE_BLOCKER', notes: 'back' });
    expect(result.events[0]).not.toHaveProperty('reason');
  });

  test.each(ENGINE_REPORTABLE_STATES.map((state) => [state] as const))('pause then resume from %s comes back to it', (state: MentorshipState) => {
    // Prepare
    const active = aSessionIn('Active', { currentState: state });

    // Act
    const paused = transition(active, { operation: 'pause' }, ctxAt(T1));
    if (paused.outcome !== 'changed') throw new Error('pause did not apply');
    const resumed = transition(paused.session, { operation: 'resume' }, ctxAt(T1));

    // Assess
    expect(resumed.outcome).toBe('changed');
    if (resumed.outcome !== 'changed') return;
    expect(resumed.session.currentState).toBe(state);
    expect(resumed.session.version).toBe(active.version + 2);
  });

  test('complete stores the report and the end time, and puts the report on the event', () => {
    // Prepare
    const before = aSessionIn('Active', { currentState: 'MERGE_AND_COMPLETE' });
    const report = { summary: 'Done', overallScore: 92, metrics: { hints: 0 } };

    // Act
    const result = transition(before, { operation: 'complete', report }, ctxAt(T1, { id: 'engine', role: 'service' }));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.session).toMatchObject({ status: 'Completed', currentState: 'COMPLETED', endedAt: T1, report });
    expect(result.events[0]).toMatchObject({
      type: 'session_completed',
      actor: 'engine',
      actorRole: 'service',
      fromState: 'MERGE_AND_COMPLETE',
      toState: 'COMPLETED',
      data: { report },
    });
  });

  test('fail stores the failure context and the end time', () => {
    // Prepare
    const before = aSessionIn('Active');

    // Act
    const result = transition(before, { operation: 'fail', error: 'worker crashed' }, ctxAt(T1, SYSTEM_ACTOR));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.session).toMatchObject({ status: 'Failed', currentState: 'FAILED', endedAt: T1, error: 'worker crashed' });
    expect(result.events[0]).toMatchObject({ actor: 'system', actorRole: 'system', data: { error: 'worker crashed' } });
  });

  test.each(['Queued', 'Active', 'Paused'] as const)('cancel of a %s session stores the reason and the end time', (status) => {
    // Prepare
    const before = aSessionIn(status);

    // Act
    const result = transition(before, { operation: 'cancel', reason: 'timeout' }, ctxAt(T1, SYSTEM_ACTOR));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.session).toMatchObject({ status: 'Cancelled', currentState: 'CANCELLED', endedAt: T1, cancelReason: 'timeout' });
    expect(result.events[0]).toMatchObject({ type: 'session_cancelled', fromStatus: status, reason: 'timeout', toState: 'CANCELLED' });
  });

  test('cancel of a queued session (no workflow yet) records no fromState', () => {
    // Prepare
    const before = aSessionIn('Queued');

    // Act
    const result = transition(before, { operation: 'cancel', reason: 'changed plans' }, ctxAt(T1));

    // Assess
    expect(result.outcome).toBe('changed');
    if (result.outcome !== 'changed') return;
    expect(result.events[0]).not.toHaveProperty('fromState');
  });
});

describe('allowedOperations', () => {
  test.each(STATUSES)('%s allows exactly what the table says', (status) => {
    // Prepare
    const expected = ALLOWED[status];

    // Act
    const allowed = allowedOperations(status);

    // Assess
    expect(sorted(allowed)).toEqual(sorted(expected));
    expect(sorted(allowed)).toEqual(sorted(OPS.filter((op) => EXPECTED[status][op].outcome === 'changed')));
  });
});
