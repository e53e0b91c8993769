import fc from 'fast-check';
import { revertAfterEngineFailure, startedSession, withEvents } from '../../shared/domain/lifecycle';
import { type Actor, replayStatus, type Session, type SessionEvent } from '../../shared/domain/session';
import { isTerminal } from '../../shared/domain/status';
import { type Command, transition } from '../../shared/domain/transitions';
import { anAssignment } from '../support/builders';
import { aReport, aStartInput, T0 } from './support';

const text = fc.string({ minLength: 1, maxLength: 20 });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ operation: fc.constant('pause' as const), reason: text, notes: text }, { requiredKeys: ['operation'] }),
  fc.record({ operation: fc.constant('resume' as const), notes: text }, { requiredKeys: ['operation'] }),
  fc.record({ operation: fc.constant('cancel' as const), reason: text, notes: text }, { requiredKeys: ['operation', 'reason'] }),
  fc.record(
    {
      operation: fc.constant('complete' as const),
      report: fc.record({ summary: text, overallScore: fc.integer({ min: 0, max: 100 }) }).map((r) => aReport(r)),
      notes: text,
    },
    { requiredKeys: ['operation', 'report'] },
  ),
  fc.record({ operation: fc.constant('fail' as const), error: text, notes: text }, { requiredKeys: ['operation', 'error'] }),
);

const actorArb: fc.Arbitrary<Actor> = fc.constantFrom<Actor>(
  { id: 'coord-1', role: 'coordinator' },
  { id: 'mentor-1', role: 'mentor' },
  { id: 'engine', role: 'service' },
  { id: 'system', role: 'system' },
);

/** One step: a command, who sends it, and whether the engine then refuses to follow (pause/resume get reverted). */
interface Step {
  readonly command: Command;
  readonly actor: Actor;
  readonly engineFails: boolean;
}
const stepArb: fc.Arbitrary<Step> = fc.record({ command: commandArb, actor: actorArb, engineFails: fc.boolean() });

function instant(step: number): string {
  return new Date(Date.parse(T0) + (step + 1) * 60_000).toISOString();
}

interface Run {
  readonly session: Session;
  readonly events: readonly SessionEvent[];
  readonly changes: number;
}

function run(steps: readonly Step[], revert: boolean): Run {
  const start = startedSession(aStartInput(), anAssignment('mentor-1'), { actor: { id: 'coord-1', role: 'coordinator' }, now: T0 }, 'wf-1');
  let session = start.session;
  const events: SessionEvent[] = [...start.events];
  let changes = 0;
  steps.forEach(({ command, actor, engineFails }, index) => {
    const now = instant(index);
    const wasTerminal = isTerminal(session.status);
    const outcome = transition(session, command, { actor, now });
    if (wasTerminal && outcome.outcome === 'changed') {
      throw new Error(`terminal ${session.status} left by ${command.operation}`);
    }
    if (outcome.outcome !== 'changed') return;
    const write = withEvents(outcome.session, outcome.events, now);
    events.push(...write.events);
    changes += 1;
    const reverts = revert && engineFails && (command.operation === 'pause' || command.operation === 'resume');
    if (!reverts) {
      session = write.session;
      return;
    }
    const reverted = revertAfterEngineFailure(session, write.session, command.operation, 'engine down', { actor, now });
    events.push(...reverted.events);
    session = reverted.session;
    changes += 1;
  });
  return { session, events, changes };
}

describe('any sequence of commands on a started session', () => {
  test.each([
    ['without engine failures', false],
    ['with pause/resume reverted after engine failures', true],
  ] as const)('%s: the event log replays to the status, gap-free, counted', (_name, revert) => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), (steps) => {
        // Act
        const { session, events, changes } = run(steps, revert);

        // Assess
        expect(replayStatus(events)).toBe(session.status);
        expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
        expect(session.eventCount).toBe(events.length);
        expect(session.version).toBe(1 + changes);
        expect(events.every((e) => e.sessionId === session.id)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('terminal statuses are absorbing: no command moves them or writes an event', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 10 }), fc.array(stepArb, { minLength: 1, maxLength: 10 }), (prefix, suffix) => {
        // Prepare
        const { session: reached } = run(prefix, false);
        fc.pre(isTerminal(reached.status));

        // Act
        const outcomes = suffix.map(({ command, actor }, i) => transition(reached, command, { actor, now: instant(100 + i) }));

        // Assess
        for (const outcome of outcomes) {
          expect(outcome.outcome).not.toBe('changed');
          if (outcome.outcome === 'rejected') expect(outcome.allowedOperations).toEqual([]);
          if (outcome.outcome === 'unchanged') expect(outcome.session).toBe(reached);
        }
      }),
      { numRuns: 300 },
    );
  });
});
