import { type NewSessionEvent, replayStatus, type SessionEvent, sequenceEvents } from '../../shared/domain/session';
import { isOpen, isTerminal, type SessionStatus } from '../../shared/domain/status';
import { T0, T1 } from './support';

const event = (seq: number, fields: Partial<SessionEvent> = {}): SessionEvent => ({
  sessionId: 's-1',
  seq,
  type: 'state_transition',
  occurredAt: T0,
  recordedAt: T0,
  actor: 'system',
  actorRole: 'system',
  ...fields,
});

describe('sequenceEvents', () => {
  test('numbers new events after the existing ones and stamps session and time', () => {
    // Prepare
    const fresh: NewSessionEvent[] = [
      { type: 'info', occurredAt: T0, actor: 'engine', actorRole: 'service' },
      { type: 'warning', occurredAt: T0, actor: 'engine', actorRole: 'service' },
    ];

    // Act
    const events = sequenceEvents({ id: 's-9', eventCount: 4 }, fresh, T1);

    // Assess
    expect(events.map((e) => [e.sessionId, e.seq, e.type, e.recordedAt])).toEqual([
      ['s-9', 5, 'info', T1],
      ['s-9', 6, 'warning', T1],
    ]);
  });
});

describe('replayStatus', () => {
  test('an empty log has no status', () => {
    // Prepare / Act
    const status = replayStatus([]);

    // Assess
    expect(status).toBeUndefined();
  });

  test('follows status-changing events in seq order, ignoring the rest', () => {
    // Prepare
    const log = [
      event(3, { toStatus: 'Active', fromStatus: 'Paused' }),
      event(1, { toStatus: 'Active' }),
      event(4, { type: 'info' }),
      event(2, { toStatus: 'Paused', fromStatus: 'Active' }),
    ];

    // Act
    const status = replayStatus(log);

    // Assess
    expect(status).toBe('Active');
  });

  test('refuses a log whose moves do not chain', () => {
    // Prepare
    const log = [event(1, { toStatus: 'Active' }), event(2, { fromStatus: 'Paused', toStatus: 'Active' })];

    // Act
    const act = () => replayStatus(log);

    // Assess
    expect(act).toThrow('event 2 moves from Paused but the log was at Active');
  });
});

describe('isOpen / isTerminal', () => {
  test.each([
    ['Queued', false, false],
    ['Active', true, false],
    ['Paused', true, false],
    ['Completed', false, true],
    ['Failed', false, true],
    ['Cancelled', false, true],
  ] as const)('%s: open %s, terminal %s', (status: SessionStatus, open, terminal) => {
    // Prepare: the table row

    // Act
    const result = [isOpen(status), isTerminal(status)];

    // Assess
    expect(result).toEqual([open, terminal]);
  });
});
