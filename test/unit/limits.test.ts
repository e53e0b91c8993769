import { slotChange } from '../../shared/domain/limits';
import type { SessionStatus } from '../../shared/domain/status';

type Change = 'acquire' | 'release' | 'none';
type From = SessionStatus | 'new';

/*
 * From ARCHITECTURE "Limits and the queue": slots are held by open sessions
 * (Active, Paused); entering an open status takes them, leaving it releases
 * them. `new` is a session being written for the first time (from undefined).
 * Columns:          Queued   Active     Paused     Completed  Failed     Cancelled
 */
const TO: readonly SessionStatus[] = ['Queued', 'Active', 'Paused', 'Completed', 'Failed', 'Cancelled'];
const EXPECTED: Record<From, readonly Change[]> = {
  new: /*       */ ['none', 'acquire', 'acquire', 'none', 'none', 'none'],
  Queued: /*    */ ['none', 'acquire', 'acquire', 'none', 'none', 'none'],
  Active: /*    */ ['release', 'none', 'none', 'release', 'release', 'release'],
  Paused: /*    */ ['release', 'none', 'none', 'release', 'release', 'release'],
  Completed: /* */ ['none', 'acquire', 'acquire', 'none', 'none', 'none'],
  Failed: /*    */ ['none', 'acquire', 'acquire', 'none', 'none', 'none'],
  Cancelled: /* */ ['none', 'acquire', 'acquire', 'none', 'none', 'none'],
};

const PAIRS = (Object.keys(EXPECTED) as From[]).flatMap((from) => TO.map((to, column) => [from, to, EXPECTED[from][column] as Change] as const));

describe('slotChange', () => {
  test('the table covers every (from, to) pair, including a new session', () => {
    // Prepare / Act
    const count = PAIRS.length;

    // Assess
    expect(count).toBe(7 * 6);
  });

  test.each(PAIRS)('%s -> %s: %s', (from, to, expected) => {
    // Prepare
    const previous = from === 'new' ? undefined : from;

    // Act
    const change = slotChange(previous, to);

    // Assess
    expect(change).toBe(expected);
  });
});
