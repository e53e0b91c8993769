import {
  commandClaimed,
  commandConfirmed,
  commanded,
  commandTried,
  effectiveTarget,
  isDue,
  pendingForMs,
  retryDelayMs,
  startGivenUp,
  targetOfOperation,
} from '../../shared/domain/engine-command';
import { isEngineRefusal, WorkflowEngineError } from '../../shared/domain/errors';
import type { Session } from '../../shared/domain/model';
import { reconcile } from '../../shared/domain/reconciliation';
import { aSession } from '../support/builders';

const T0 = '2026-12-07T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const write = (session: Session) => ({ session, events: [] });
const coordinatorActor = { id: 'coord-1', role: 'coordinator' as const };
const engineActor = { id: 'engine', role: 'service' as const };

describe('commanded: the target recorded with the change', () => {
  test('a new target starts its own command, due after the lease', () => {
    const { session } = commanded(write(aSession({ status: 'Paused' })), 'suspended', T0, 30_000);
    expect(session.engineCommand).toEqual({ target: 'suspended', since: T0, attempts: 1, dueAt: at(30) });
  });

  test('the same target asked again keeps its since and counts one more try; another target overlaps a pending one', () => {
    const first = commanded(write(aSession()), 'suspended', T0, 30_000).session;
    const again = commanded(write(first), 'suspended', at(5), 30_000).session;
    const other = commanded(write(first), 'running', at(5), 30_000).session;
    expect(again.engineCommand).toMatchObject({ since: T0, attempts: 2 });
    expect(again.engineCommand?.overlaps).toBeUndefined();
    expect(other.engineCommand).toEqual({ target: 'running', since: at(5), attempts: 1, dueAt: at(35), overlaps: true });
  });

  test('no target drops a pending command (the engine reported the end itself)', () => {
    const pending = commanded(write(aSession()), 'running', T0, 30_000).session;
    expect(commanded(write(pending), undefined, T0, 30_000).session.engineCommand).toBeUndefined();
  });
});

describe('the command through its tries', () => {
  const pending = commanded(write(aSession({ version: 4 })), 'running', T0, 30_000).session;

  test('claimed: one more try, the lease moved, the version bumped', () => {
    const claimed = commandClaimed(pending, at(40), 30_000);
    expect(claimed).toMatchObject({ version: 5, engineCommand: { attempts: 2, dueAt: at(70) } });
  });

  test('tried ambiguously: the error kept, due again after a capped exponential backoff', () => {
    expect(commandTried(pending, 'Elsa did not answer', at(1)).engineCommand).toMatchObject({ lastError: 'Elsa did not answer', dueAt: at(6), attempts: 1 });
    expect([1, 2, 3, 4, 10, 20].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 300_000, 300_000]);
  });

  test('confirmed: the command is gone and an instance the try started is recorded; an overlapping one waits out its lease', () => {
    const confirmed = commandConfirmed(pending, at(1), 30_000, 'wf-1');
    const overlapping = commanded(write(pending), 'suspended', at(1), 30_000).session;
    const settling = commandConfirmed(overlapping, at(2), 30_000);
    expect(confirmed).toMatchObject({ workflowInstanceId: 'wf-1', version: 5 });
    expect(confirmed.engineCommand).toBeUndefined();
    expect(settling.engineCommand).toEqual({ target: 'suspended', since: at(1), attempts: 1, dueAt: at(32) });
    expect(commandConfirmed(settling, at(40), 30_000).engineCommand).toBeUndefined();
    // A try that began a lease after the overlapping command was asked for: no older call can still land.
    expect(commandConfirmed(overlapping, at(35), 30_000, undefined, at(30)).engineCommand).toEqual(
      settling.engineCommand && { ...settling.engineCommand, dueAt: at(65) },
    );
    expect(commandConfirmed(overlapping, at(35), 30_000, undefined, at(31)).engineCommand).toBeUndefined();
    // A stop of a known instance is done at once, overlapping or not: nothing brings a stopped instance back.
    const { workflowInstanceId: _instance, ...noInstance } = pending;
    const stopping = commanded(write({ ...noInstance, workflowInstanceId: 'wf-1' }), 'stopped', at(1), 30_000).session;
    expect(stopping.engineCommand?.overlaps).toBe(true);
    expect(commandConfirmed(stopping, at(2), 30_000).engineCommand).toBeUndefined();
    // With no instance known, an older start may still land one: it waits out the lease.
    const stoppingUnknown = commanded(write(noInstance), 'stopped', at(1), 30_000).session;
    expect(commandConfirmed(stoppingUnknown, at(2), 30_000).engineCommand).toMatchObject({ target: 'stopped' });
  });

  test('due, pending for, given up', () => {
    expect([isDue(pending, at(29)), isDue(pending, at(30))]).toEqual([false, true]);
    expect(pendingForMs(pending, at(90))).toBe(90_000);
    const { workflowInstanceId: _none, ...unstarted } = pending;
    const tried = { ...unstarted, engineCommand: { ...pending.engineCommand!, attempts: 6 } };
    expect([startGivenUp(unstarted, 6), startGivenUp(tried, 6), startGivenUp({ ...tried, workflowInstanceId: 'wf-1' }, 6)]).toEqual([false, true, false]);
  });
});

describe('targets', () => {
  test('by operation: nothing for a session that never started or for the engine’s own end', () => {
    const active = aSession({ status: 'Active' });
    expect(targetOfOperation('pause', active, coordinatorActor)).toBe('suspended');
    expect(targetOfOperation('resume', active, coordinatorActor)).toBe('running');
    expect(targetOfOperation('cancel', active, coordinatorActor)).toBe('stopped');
    expect(targetOfOperation('complete', active, coordinatorActor)).toBe('stopped');
    expect(targetOfOperation('fail', active, engineActor)).toBeUndefined();
    expect(targetOfOperation('cancel', aSession({ status: 'Queued' }), coordinatorActor)).toBeUndefined();
  });

  test('an ended session’s instance stops, whatever an older command said', () => {
    const pendingStart = commanded(write(aSession({ status: 'Cancelled' })), 'running', T0, 30_000).session;
    expect(effectiveTarget(pendingStart)).toBe('stopped');
    expect(effectiveTarget(commanded(write(aSession({ status: 'Paused' })), 'suspended', T0, 0).session)).toBe('suspended');
  });
});

describe('failures', () => {
  test('a refusal is what the engine said it will not do; anything else is ambiguous', () => {
    const kinds = ['rejected', 'not_found', 'unauthorized', 'forbidden', 'timeout', 'network', 'server_error', 'unconfirmed', undefined];
    const refused = kinds.map((failure) => isEngineRefusal(new WorkflowEngineError('x', failure === undefined ? {} : { details: { failure } })));
    expect(refused).toEqual([true, true, true, true, false, false, false, false, false]);
  });
});

describe('reconciliation of the open states', () => {
  const ctx = { actor: { id: 'system', role: 'system' as const }, now: T0 };

  test('an engine that tells a pause from a run: the other open state gets the command its status asks for', () => {
    const paused = aSession({ status: 'Paused', workflowInstanceId: 'wf-1' });
    const decision = reconcile(paused, 'Running', ctx, undefined, true);
    expect(decision.action).toBe('command');
    expect(decision.action === 'command' && decision.write.session.engineCommand).toMatchObject({ target: 'suspended', dueAt: T0 });
  });

  test('an engine that cannot tell (Step Functions): running under a Paused session is in sync', () => {
    expect(reconcile(aSession({ status: 'Paused', workflowInstanceId: 'wf-1' }), 'Running', ctx, undefined, false).action).toBe('in_sync');
  });
});
