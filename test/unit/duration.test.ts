import { elapsedMs, formatDuration } from '../../shared/domain/duration';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('formatDuration', () => {
  test.each([
    ['zero', 0, 'PT0S'],
    ['negative clamps to zero', -5 * SECOND, 'PT0S'],
    ['seconds only', 45 * SECOND, 'PT45S'],
    ['minutes only', 30 * MINUTE, 'PT30M'],
    ['hours and minutes', HOUR + 30 * MINUTE, 'PT1H30M'],
    ['hours and seconds, no zero minutes', 2 * HOUR + 5 * SECOND, 'PT2H5S'],
    ['all three', 3 * HOUR + 4 * MINUTE + 5 * SECOND, 'PT3H4M5S'],
    ['more than a day stays in hours', 26 * HOUR, 'PT26H'],
    ['below half a second rounds down', 499, 'PT0S'],
    ['half a second rounds up', 1500, 'PT2S'],
    ['just under a second rounds to one', 999, 'PT1S'],
    ['rounding carries into minutes', MINUTE - 400, 'PT1M'],
    ['rounding carries into hours', HOUR - 200, 'PT1H'],
  ])('%s: %d ms is %s', (_name, ms, expected) => {
    // Prepare: the table row

    // Act
    const formatted = formatDuration(ms);

    // Assess
    expect(formatted).toBe(expected);
  });
});

describe('elapsedMs', () => {
  test('measures between two ISO instants, negative when reversed', () => {
    // Prepare
    const from = '2026-01-05T09:00:00.000Z';
    const to = '2026-01-05T10:30:00.000Z';

    // Act
    const forward = elapsedMs(from, to);
    const backward = elapsedMs(to, from);

    // Assess
    expect(forward).toBe(HOUR + 30 * MINUTE);
    expect(backward).toBe(-(HOUR + 30 * MINUTE));
  });
});
