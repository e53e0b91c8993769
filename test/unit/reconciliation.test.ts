import { ENGINE_VISIBILITY_GRACE_MS, type EngineInstanceStatus, type EngineSync, reconcile, stillDiverged } from '../../shared/domain/reconciliation';
import { replayStatus, type Session, SYSTEM_ACTOR } from '../../shared/domain/session';
import { SESSION_STATUSES, type SessionStatus } from '../../shared/domain/status';
import { aSessionIn, ctxAt, T1, T2 } from './support';

const ENGINE: readonly EngineInstanceStatus[] = ['Running', 'Suspended', 'Finished', 'Cancelled', 'Faulted', 'NotFound'];
const ctx = ctxAt(T2, SYSTEM_ACTOR);
const pending: EngineSync = { reason: 'engine_call_failed', since: T1, attempts: 2 };

/** An independent reading of the rules: which action each (status, engine status) pair calls for. */
function expectedAction(status: SessionStatus, engine: EngineInstanceStatus): string {
  const alive = engine === 'Running' || engine === 'Suspended';
  if (status === 'Active' || status === 'Paused') return alive ? 'in_sync' : engine === 'Faulted' ? 'fail' : 'diverged';
  if (status === 'Cancelled' && alive) return 'cancel_engine';
  return 'in_sync';
}

const withInstance = (status: SessionStatus, overrides: Partial<Session> = {}) =>
  aSessionIn(status, { workflowInstanceId: 'wf-1', version: 4, eventCount: 3, ...overrides });

describe('reconcile: every session status against every engine status', () => {
  for (const status of SESSION_STATUSES) {
    for (const engine of ENGINE) {
      test(`${status} session, engine ${engine} -> ${expectedAction(status, engine)}`, () => {
        const decision = reconcile(withInstance(status), engine, ctx);
        expect(decision.action).toBe(expectedAction(status, engine));
        // Nothing pending: agreement writes nothing.
        if (decision.action === 'in_sync') expect(decision.write).toBeUndefined();
      });
    }
  }
});

describe('an instance the engine does not show yet', () => {
  test('not found within the grace after the start: no divergence yet; after it: diverged', () => {
    const justNow = new Date(Date.parse(T2) - ENGINE_VISIBILITY_GRACE_MS + 1_000).toISOString();
    expect(reconcile(withInstance('Active', { startedAt: justNow }), 'NotFound', ctx)).toEqual({ action: 'in_sync' });
    const earlier = new Date(Date.parse(T2) - ENGINE_VISIBILITY_GRACE_MS).toISOString();
    expect(reconcile(withInstance('Active', { startedAt: earlier }), 'NotFound', ctx).action).toBe('diverged');
  });
});

describe('a faulted instance fails an open session', () => {
  test.each(['Active', 'Paused'] as const)('from %s: Failed, with the context, one session_failed event that replays', (status) => {
    const session = withInstance(status, { currentState: status === 'Paused' ? 'PAUSED' : 'MONITOR_PROGRESS' });
    const decision = reconcile(session, 'Faulted', ctx);
    if (decision.action !== 'fail') throw new Error(`expected fail, got ${decision.action}`);
    const { session: failed, events } = decision.write;
    expect(failed).toMatchObject({ status: 'Failed', currentState: 'FAILED', endedAt: T2, version: 5, eventCount: session.eventCount + events.length });
    expect(failed.error).toMatch(/faulted/);
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ type: 'session_failed', fromStatus: status, toStatus: 'Failed', reason: 'engine_faulted', actor: 'system', occurredAt: T2 });
    expect(replayStatus(events)).toBe('Failed');
  });

  test("the engine's fault, when known, is the failure's context", () => {
    const decision = reconcile(withInstance('Active'), 'Faulted', ctx, 'review-step: timeout calling GitHub');
    if (decision.action !== 'fail') throw new Error('expected fail');
    expect(decision.write.session.error).toContain('review-step: timeout calling GitHub');
  });

  test('a pending marker does not survive the failure', () => {
    const decision = reconcile(withInstance('Active', { engineSync: pending }), 'Faulted', ctx);
    if (decision.action !== 'fail') throw new Error('expected fail');
    expect(decision.write.session.engineSync).toBeUndefined();
  });
});

describe('divergences are recorded once and counted after', () => {
  test('first sight: the marker and one workflow_sync_failed event; the status stays', () => {
    const session = withInstance('Active');
    const decision = reconcile(session, 'Finished', ctx);
    if (decision.action !== 'diverged') throw new Error('expected diverged');
    expect(decision.write.session).toMatchObject({ status: 'Active', engineSync: { reason: 'engine_ended', since: T2, attempts: 1 }, version: 5 });
    expect(decision.write.events).toEqual([
      expect.objectContaining({ type: 'workflow_sync_failed', reason: 'engine_ended', seq: 4, data: expect.objectContaining({ reverted: false }) }),
    ]);
    expect(decision.write.events[0]).not.toHaveProperty('toStatus');
  });

  test('later passes: no new event, attempts counted, since kept', () => {
    const session = withInstance('Paused', { engineSync: { reason: 'engine_ended', since: T1, attempts: 1 } });
    const decision = reconcile(session, 'NotFound', ctx);
    if (decision.action !== 'diverged') throw new Error('expected diverged');
    expect(decision.write.events).toEqual([]);
    expect(decision.write.session.engineSync).toEqual({ reason: 'engine_ended', since: T1, attempts: 2 });
    expect(decision.write.session.eventCount).toBe(session.eventCount);
  });

  test('stillDiverged (a re-sent cancel failed again) keeps the marker and adds no event when one is pending', () => {
    const session = withInstance('Cancelled', { engineSync: pending });
    const write = stillDiverged(session, 'engine_call_failed', 'still down', ctx);
    expect(write.events).toEqual([]);
    expect(write.session.engineSync).toEqual({ ...pending, attempts: 3 });
  });
});

describe('agreement clears a pending marker with workflow_sync_resolved', () => {
  test.each([
    ['Cancelled', 'Cancelled'],
    ['Cancelled', 'NotFound'],
    ['Active', 'Running'],
    ['Paused', 'Suspended'],
  ] as const)('%s session, engine %s', (status, engine) => {
    const session = withInstance(status, { engineSync: pending });
    const decision = reconcile(session, engine, ctx);
    if (decision.action !== 'in_sync' || decision.write === undefined) throw new Error('expected a resolving write');
    expect(decision.write.session.engineSync).toBeUndefined();
    expect(decision.write.session.status).toBe(status);
    expect(decision.write.events).toEqual([expect.objectContaining({ type: 'workflow_sync_resolved', reason: 'engine_call_failed', data: { since: T1, attempts: 3 } })]);
  });

  test('a cancelled session whose instance still runs is not resolved: the engine is told again', () => {
    expect(reconcile(withInstance('Cancelled', { engineSync: pending }), 'Running', ctx)).toEqual({ action: 'cancel_engine' });
  });
});

describe('an ended session the service ended (marked), whose instance still runs', () => {
  test.each(['Completed', 'Failed'] as const)('%s, marked, instance Running or Suspended: the engine is told to stop', (status) => {
    for (const engine of ['Running', 'Suspended'] as const) {
      expect(reconcile(withInstance(status, { engineSync: pending }), engine, ctx)).toEqual({ action: 'cancel_engine' });
    }
  });

  test.each(['Completed', 'Failed'] as const)('%s, not marked (the engine ended it itself): left alone', (status) => {
    expect(reconcile(withInstance(status), 'Running', ctx)).toEqual({ action: 'in_sync' });
  });
});
