import fc from 'fast-check';
import { nextCheckInAt } from '../../shared/domain/check-ins';
import { updateConfig } from '../../shared/domain/config-update';
import { nextDeadline } from '../../shared/domain/deadlines';
import type { Session, SessionTimeouts } from '../../shared/domain/session';
import { DEFAULT_NOTIFICATIONS, diffConfig, ESCALATION_POLICIES, hoursToMs, type SessionConfig, type SessionConfigPatch } from '../../shared/domain/session-config';
import type { SessionStatus } from '../../shared/domain/status';
import { aConfig } from '../support/builders';
import { aSessionIn, coordinatorActor, ctxAt, T0, T1, T2 } from './support';

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const TIMEOUTS: SessionTimeouts = { maxDurationMs: 8 * HOUR, pauseTimeoutMs: 24 * HOUR, queueTimeoutMs: 4 * HOUR };

/**
 * Sessions at NOW = T2 (09:30), each with 90 minutes of active time used:
 * Active since T0 (09:00) after 60 minutes in earlier stretches; Paused at T1
 * after 90 minutes; Queued with none.
 */
const NOW = T2;
const SESSIONS: Record<'Queued' | 'Active' | 'Paused', Session> = {
  Queued: aSessionIn('Queued', { timeouts: TIMEOUTS, enqueuedAt: T0 }),
  Active: aSessionIn('Active', { timeouts: TIMEOUTS, activeMs: 60 * MIN, activeSince: T0, checkIn: { nextActiveMs: 100 * MIN, missed: 1 } }),
  Paused: aSessionIn('Paused', { timeouts: TIMEOUTS, activeMs: 90 * MIN, pausedAt: T1, checkIn: { nextActiveMs: 100 * MIN, missed: 2 } }),
};
const OPEN = ['Queued', 'Active', 'Paused'] as const;
const TERMINAL = ['Completed', 'Failed', 'Cancelled'] as const;

describe('updateConfig: what may change at each status', () => {
  test.each(OPEN)('%s: notifications, check-in interval and escalation policy may change', (status) => {
    // Prepare
    const session = SESSIONS[status];
    const patch: SessionConfigPatch = {
      checkInIntervalMinutes: 45,
      escalationPolicy: 'relaxed',
      notifications: { notifyOnCompletion: false, emailEnabled: true, additionalRecipients: ['lead@example.com'] },
    };

    // Act
    const outcome = updateConfig(session, patch, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.write.session.config).toStrictEqual({
      maxDurationHours: 8,
      checkInIntervalMinutes: 45,
      escalationPolicy: 'relaxed',
      notifications: { ...DEFAULT_NOTIFICATIONS, notifyOnCompletion: false, emailEnabled: true, additionalRecipients: ['lead@example.com'] },
    });
    expect(outcome.changes).toEqual([
      { field: 'checkInIntervalMinutes', from: 30, to: 45 },
      { field: 'escalationPolicy', from: 'progressive', to: 'relaxed' },
      { field: 'notifications.emailEnabled', from: false, to: true },
      { field: 'notifications.additionalRecipients', from: [], to: ['lead@example.com'] },
      { field: 'notifications.notifyOnCompletion', from: true, to: false },
    ]);
  });

  test.each(TERMINAL)('%s: the session has ended', (status) => {
    // Prepare
    const session = aSessionIn(status, { timeouts: TIMEOUTS });

    // Act
    const outcome = updateConfig(session, { escalationPolicy: 'immediate' }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({ outcome: 'ended' });
  });

  test('a config that breaks a business rule is invalid, with its issues', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Active, { checkInIntervalMinutes: 3, notifications: { additionalRecipients: ['nobody'] } }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({
      outcome: 'invalid',
      issues: [
        { path: 'checkInIntervalMinutes', message: expect.any(String) },
        { path: 'notifications.additionalRecipients.0', message: expect.any(String) },
      ],
    });
  });

  test('an interval that is not shorter than the max duration is invalid', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Queued, { maxDurationHours: 1, checkInIntervalMinutes: 60 }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({ outcome: 'invalid', issues: [{ path: 'checkInIntervalMinutes', message: expect.any(String) }] });
  });

  test.each(OPEN)('%s: a patch that changes nothing is unchanged, the same session, no event', (status) => {
    // Prepare
    const session = SESSIONS[status];

    // Act
    const outcome = updateConfig(
      session,
      { checkInIntervalMinutes: 30, escalationPolicy: 'progressive', qualityTierOverride: null, notifications: { slackEnabled: true } },
      ctxAt(NOW),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'unchanged', session });
    if (outcome.outcome === 'unchanged') expect(outcome.session).toBe(session);
  });
});

describe('updateConfig: quality tier', () => {
  test('while Queued the tier may be set', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Queued, { qualityTierOverride: 4 }, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.write.session.config.qualityTierOverride).toBe(4);
    expect(outcome.changes).toEqual([{ field: 'qualityTierOverride', from: null, to: 4 }]);
  });

  test('while Queued the tier may be cleared with null', () => {
    // Prepare
    const session = aSessionIn('Queued', { timeouts: TIMEOUTS, enqueuedAt: T0, config: aConfig({ qualityTierOverride: 2 }) });

    // Act
    const outcome = updateConfig(session, { qualityTierOverride: null }, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect('qualityTierOverride' in outcome.write.session.config).toBe(false);
    expect(outcome.changes).toEqual([{ field: 'qualityTierOverride', from: 2, to: null }]);
  });

  test.each(['Active', 'Paused'] as const)('%s: changing the tier is unsafe', (status) => {
    // Act
    const outcome = updateConfig(SESSIONS[status], { qualityTierOverride: 4, escalationPolicy: 'immediate' }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({
      outcome: 'unsafe',
      field: 'qualityTierOverride',
      message: expect.any(String),
      details: { currentStatus: status },
    });
  });

  test.each(['Active', 'Paused'] as const)('%s: clearing the tier is unsafe', (status) => {
    // Prepare
    const session = { ...SESSIONS[status], config: aConfig({ qualityTierOverride: 2 }) };

    // Act
    const outcome = updateConfig(session, { qualityTierOverride: null }, ctxAt(NOW));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'unsafe', field: 'qualityTierOverride' });
  });

  test.each(['Active', 'Paused'] as const)('%s: restating the same tier is no change', (status) => {
    // Prepare
    const session = { ...SESSIONS[status], config: aConfig({ qualityTierOverride: 2 }) };

    // Act
    const outcome = updateConfig(session, { qualityTierOverride: 2 }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({ outcome: 'unchanged', session });
  });
});

describe('updateConfig: max duration against the active time used (90 minutes)', () => {
  test.each(['Active', 'Paused'] as const)('%s: a max equal to the time used is unsafe', (status) => {
    // Act
    const outcome = updateConfig(SESSIONS[status], { maxDurationHours: 1.5 }, ctxAt(NOW));

    // Assess
    expect(outcome).toEqual({
      outcome: 'unsafe',
      field: 'maxDurationHours',
      message: expect.any(String),
      details: { activeMinutesUsed: 90 },
    });
  });

  test.each(['Active', 'Paused'] as const)('%s: a max below the time used is unsafe', (status) => {
    // Act
    const outcome = updateConfig(SESSIONS[status], { maxDurationHours: 1, checkInIntervalMinutes: 15 }, ctxAt(NOW));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'unsafe', field: 'maxDurationHours' });
  });

  test('Active: the running stretch counts, to the millisecond', () => {
    // Prepare: one millisecond later, 90 minutes and 1 ms are used.
    const now = at(30 * MIN + 1);

    // Act
    const outcome = updateConfig(SESSIONS.Active, { maxDurationHours: 1.5 }, ctxAt(now));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'unsafe', field: 'maxDurationHours', details: { activeMinutesUsed: 91 } });
  });

  test.each(['Active', 'Paused'] as const)('%s: a max above the time used is applied and sets the timeout', (status) => {
    // Act
    const outcome = updateConfig(SESSIONS[status], { maxDurationHours: 1.75 }, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.write.session.timeouts).toEqual({ ...TIMEOUTS, maxDurationMs: 105 * MIN });
    expect(outcome.changes).toEqual([{ field: 'maxDurationHours', from: 8, to: 1.75 }]);
  });

  test('Active: a lowered max leaves the deadline at now plus the time left', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Active, { maxDurationHours: 1.75 }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(nextDeadline(outcome.write.session)).toEqual({ at: at(45 * MIN), kind: 'max_duration' });
  });

  test('Queued: no active time is used, so any valid max may be set', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Queued, { maxDurationHours: 0.25, checkInIntervalMinutes: 5 }, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.write.session.timeouts).toEqual({ ...TIMEOUTS, maxDurationMs: 15 * MIN });
  });

  test('a session without time limits keeps none', () => {
    // Prepare
    const { timeouts: _none, ...session } = SESSIONS.Active;

    // Act
    const outcome = updateConfig(session, { maxDurationHours: 4 }, ctxAt(NOW));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.write.session.timeouts).toBeUndefined();
  });
});

describe('updateConfig: the change', () => {
  test('writes one config_updated event carrying the diff, and bumps the version', () => {
    // Prepare
    const before = SESSIONS.Active;
    const patch: SessionConfigPatch = { escalationPolicy: 'immediate', maxDurationHours: 4 };

    // Act
    const outcome = updateConfig(before, patch, ctxAt(NOW));

    // Assess
    const config: SessionConfig = { ...before.config, escalationPolicy: 'immediate', maxDurationHours: 4 };
    const changes = [
      { field: 'maxDurationHours', from: 8, to: 4 },
      { field: 'escalationPolicy', from: 'progressive', to: 'immediate' },
    ];
    expect(diffConfig(before.config, config)).toEqual(changes);
    expect(outcome).toStrictEqual({
      outcome: 'changed',
      changes,
      write: {
        session: {
          ...before,
          config,
          timeouts: { ...TIMEOUTS, maxDurationMs: 4 * HOUR },
          updatedAt: NOW,
          version: before.version + 1,
          eventCount: before.eventCount + 1,
        },
        events: [
          {
            sessionId: before.id,
            seq: before.eventCount + 1,
            recordedAt: NOW,
            type: 'config_updated',
            occurredAt: NOW,
            actor: coordinatorActor.id,
            actorRole: coordinatorActor.role,
            data: { changes },
          },
        ],
      },
    });
  });

  test('Active: a new check-in interval counts from now, and the misses so far stand', () => {
    // Act: 90 minutes used, new interval 45.
    const outcome = updateConfig(SESSIONS.Active, { checkInIntervalMinutes: 45 }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(outcome.write.session.checkIn).toEqual({ nextActiveMs: 135 * MIN, missed: 1 });
    expect(nextCheckInAt(outcome.write.session)).toBe(at(30 * MIN + 45 * MIN));
  });

  test('Active: a shorter interval does not reach back into the past', () => {
    // Prepare: the clock is 10 minutes from due; the new interval (5) would have fallen due already if counted from the last check-in.
    const session = { ...SESSIONS.Active, checkIn: { nextActiveMs: 100 * MIN, missed: 0 } };

    // Act
    const outcome = updateConfig(session, { checkInIntervalMinutes: 5 }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(nextCheckInAt(outcome.write.session)).toBe(at(35 * MIN));
  });

  test('Paused: a new check-in interval counts from the active time used', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Paused, { checkInIntervalMinutes: 20 }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(outcome.write.session.checkIn).toEqual({ nextActiveMs: 110 * MIN, missed: 2 });
  });

  test('Active: a change that leaves the interval alone leaves the check-in clock alone', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Active, { escalationPolicy: 'relaxed' }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(outcome.write.session.checkIn).toEqual(SESSIONS.Active.checkIn);
  });

  test('Queued: no check-in clock is started by an interval change', () => {
    // Act
    const outcome = updateConfig(SESSIONS.Queued, { checkInIntervalMinutes: 20 }, ctxAt(NOW));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`expected changed, got ${outcome.outcome}`);
    expect(outcome.write.session.checkIn).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Property: a config change never moves a deadline into the past.

const PROPERTY_TIMEOUTS = { pauseTimeoutMs: 24 * HOUR, queueTimeoutMs: 4 * HOUR };

const configArb: fc.Arbitrary<SessionConfig> = fc.integer({ min: 15, max: 48 * 60 }).chain((maxMinutes) =>
  fc
    .record({
      checkInIntervalMinutes: fc.integer({ min: 5, max: Math.min(1440, maxMinutes - 1) }),
      escalationPolicy: fc.constantFrom(...ESCALATION_POLICIES),
      qualityTierOverride: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    })
    .map(({ qualityTierOverride, ...rest }) =>
      aConfig({ maxDurationHours: maxMinutes / 60, ...rest, ...(qualityTierOverride === undefined ? {} : { qualityTierOverride }) }),
    ),
);

interface Case {
  readonly session: Session;
  readonly now: string;
}

/** A session at a status and a `now` at which nothing is due yet (a sweep would have handled anything overdue). */
const caseArb: fc.Arbitrary<Case> = fc.tuple(fc.constantFrom<SessionStatus>('Queued', 'Active', 'Paused'), configArb).chain(([status, config]) => {
  const maxMs = hoursToMs(config.maxDurationHours);
  const intervalMs = config.checkInIntervalMinutes * MIN;
  const timeouts: SessionTimeouts = { ...PROPERTY_TIMEOUTS, maxDurationMs: maxMs };
  if (status === 'Queued') {
    return fc
      .integer({ min: 0, max: PROPERTY_TIMEOUTS.queueTimeoutMs - 1 })
      .map((d) => ({ session: aSessionIn('Queued', { config, timeouts, enqueuedAt: T0 }), now: at(d) }));
  }
  return fc
    .record({
      activeMs: fc.integer({ min: 0, max: maxMs - 1 }),
      toCheckIn: fc.integer({ min: 1, max: intervalMs }),
      missed: fc.integer({ min: 0, max: 3 }),
      fraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    })
    .map(({ activeMs, toCheckIn, missed, fraction }) => {
      const checkIn = { nextActiveMs: activeMs + toCheckIn, missed };
      if (status === 'Paused') {
        const d = Math.floor(fraction * PROPERTY_TIMEOUTS.pauseTimeoutMs);
        return { session: aSessionIn('Paused', { config, timeouts, activeMs, pausedAt: T0, checkIn }), now: at(d) };
      }
      // Active since T0: now comes before both the check-in and the max-duration deadline.
      const room = Math.min(toCheckIn, maxMs - activeMs);
      const d = Math.floor(fraction * room);
      return { session: aSessionIn('Active', { config, timeouts, activeMs, activeSince: T0, checkIn }), now: at(d) };
    });
});

const patchArb: fc.Arbitrary<SessionConfigPatch> = fc.record(
  {
    maxDurationHours: fc.integer({ min: 15, max: 48 * 60 }).map((m) => m / 60),
    checkInIntervalMinutes: fc.integer({ min: 5, max: 240 }),
    escalationPolicy: fc.constantFrom(...ESCALATION_POLICIES),
    qualityTierOverride: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(null)),
    notifications: fc.record({ notifyOnBlocker: fc.boolean(), notifyOnCompletion: fc.boolean() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('updateConfig property', () => {
  test('a config change never moves a deadline or the next check-in into the past', () => {
    let changed = 0;
    fc.assert(
      fc.property(caseArb, patchArb, ({ session, now }, patch) => {
        // Act
        const outcome = updateConfig(session, patch, ctxAt(now));

        // Assess
        if (outcome.outcome !== 'changed') return;
        changed += 1;
        const after = outcome.write.session;
        const nowMs = Date.parse(now);
        const deadline = nextDeadline(after);
        const checkIn = nextCheckInAt(after);
        if (deadline !== undefined) expect(Date.parse(deadline.at)).toBeGreaterThanOrEqual(nowMs);
        if (checkIn !== undefined) expect(Date.parse(checkIn)).toBeGreaterThanOrEqual(nowMs);
        // A changed max duration leaves time to run; a changed interval gives a full interval from now.
        if (after.status === 'Active' && after.config.maxDurationHours !== session.config.maxDurationHours) {
          expect(Date.parse(deadline!.at)).toBeGreaterThan(nowMs);
        }
        if (after.status === 'Active' && after.config.checkInIntervalMinutes !== session.config.checkInIntervalMinutes) {
          expect(checkIn).toBe(new Date(nowMs + after.config.checkInIntervalMinutes * MIN).toISOString());
        }
      }),
      { numRuns: 1000 },
    );
    // Assess: the property was exercised, not vacuous.
    expect(changed).toBeGreaterThan(100);
  });

  test('a changed max duration always leaves the deadline after now, even for a session already past its old one', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 100 * HOUR }),
        fc.integer({ min: 0, max: 10 * HOUR }),
        fc.integer({ min: 15, max: 168 * 60 }),
        (config, activeMs, running, newMaxMinutes) => {
          // Prepare
          const timeouts: SessionTimeouts = { ...PROPERTY_TIMEOUTS, maxDurationMs: hoursToMs(config.maxDurationHours) };
          const session = aSessionIn('Active', { config, timeouts, activeMs, activeSince: T0, checkIn: { nextActiveMs: activeMs + running + 1, missed: 0 } });
          const now = at(running);

          // Act
          const outcome = updateConfig(session, { maxDurationHours: newMaxMinutes / 60, checkInIntervalMinutes: 5 }, ctxAt(now));

          // Assess
          if (outcome.outcome === 'changed' && outcome.changes.some((c) => c.field === 'maxDurationHours')) {
            expect(Date.parse(nextDeadline(outcome.write.session)!.at)).toBeGreaterThan(Date.parse(now));
          } else if (outcome.outcome === 'unsafe') {
            expect(outcome.field).toBe('maxDurationHours');
            expect(newMaxMinutes * MIN).toBeLessThanOrEqual(activeMs + running);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
