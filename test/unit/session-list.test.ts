import fc from 'fast-check';
import { listingEntries, listingEntryCounter, planList, sortKeyOf } from '../../shared/adapters/dynamodb/listing';
import type { Caller } from '../../shared/domain/access';
import { expiryOf, holdChange } from '../../shared/domain/retention';
import { finalDurationMs, LIST_SORTS, matchesFilter, type SessionFilter, SORT_DIRECTIONS, scopeFilter } from '../../shared/domain/session-list';
import { TERMINAL_STATUSES } from '../../shared/domain/status';
import { CursorCodec } from '../../shared/services/list-cursor';
import { aSession } from '../support/builders';

const KEY = 'k'.repeat(32);
const coordinator: Caller = { id: 'c-1', roles: ['coordinator'] };
const junior: Caller = { id: 'junior-1', roles: ['junior'] };
const mentor: Caller = { id: 'mentor-1', roles: ['mentor'] };

describe('scopeFilter', () => {
  test('coordinators and the service list with the filter as given', () => {
    const filter: SessionFilter = { juniorId: 'junior-9', status: 'Active' };

    expect(scopeFilter(coordinator, filter)).toEqual(filter);
    expect(scopeFilter({ id: 'engine', roles: ['service'] }, filter)).toEqual(filter);
  });

  test('a junior always lists their own sessions; naming another junior matches nothing', () => {
    expect(scopeFilter(junior, { status: 'Completed' })).toEqual({ status: 'Completed', juniorId: 'junior-1' });
    expect(scopeFilter(junior, { juniorId: 'junior-1' })).toEqual({ juniorId: 'junior-1' });
    expect(scopeFilter(junior, { juniorId: 'junior-2' })).toBeNull();
  });

  test('a mentor always lists the sessions they mentor; naming another mentor matches nothing', () => {
    expect(scopeFilter(mentor, { juniorId: 'junior-3' })).toEqual({ juniorId: 'junior-3', mentorId: 'mentor-1' });
    expect(scopeFilter(mentor, { mentorId: 'mentor-2' })).toBeNull();
  });

  test('a caller who is both lists as junior when the filter names their junior id, else as mentor', () => {
    const both: Caller = { id: 'p-1', roles: ['mentor', 'junior'] };

    expect(scopeFilter(both, { juniorId: 'p-1' })).toEqual({ juniorId: 'p-1' });
    expect(scopeFilter(both, {})).toEqual({ mentorId: 'p-1' });
  });

  test('a caller with no role sees nothing', () => {
    expect(scopeFilter({ id: 'x', roles: [] }, {})).toBeNull();
  });
});

describe('matchesFilter and finalDurationMs', () => {
  const session = aSession({ createdAt: '2026-01-05T09:00:00.000Z', endedAt: '2026-01-05T10:30:00.000Z', status: 'Completed' });

  test('from is inclusive, to is exclusive', () => {
    expect(matchesFilter(session, { from: '2026-01-05T09:00:00.000Z' })).toBe(true);
    expect(matchesFilter(session, { to: '2026-01-05T09:00:00.000Z' })).toBe(false);
    expect(matchesFilter(session, { to: '2026-01-05T09:00:00.001Z' })).toBe(true);
  });

  test('every named field must match', () => {
    expect(matchesFilter(session, { juniorId: 'junior-1', mentorId: 'mentor-1', storyId: 'story-1', status: 'Completed' })).toBe(true);
    expect(matchesFilter(session, { mentorId: 'mentor-2' })).toBe(false);
    expect(matchesFilter(aSession({ mentorId: undefined }), { mentorId: 'mentor-1' })).toBe(false);
  });

  test('a duration is final only once the session ended', () => {
    expect(finalDurationMs(session)).toBe(90 * 60_000);
    expect(finalDurationMs(aSession())).toBeUndefined();
  });
});

describe('list cursors', () => {
  const codec = new CursorCodec(KEY);
  const listing = { caller: 'c-1', filter: { status: 'Active' }, order: { sortBy: 'createdAt', sortDirection: 'desc' }, pageSize: 20 };
  const payload = { after: { pk: 'LISTING#a', sk: 'ALL', listPk: 'ALL', listCreated: '2026-01-05T09:00:00.000Z#a' }, page: 2 };

  test('a cursor decodes for the listing it came from', () => {
    expect(codec.decode(listing, codec.encode(listing, payload))).toEqual(payload);
  });

  test('the same listing with its keys in another order is the same listing', () => {
    const reordered = { pageSize: 20, order: { sortDirection: 'desc', sortBy: 'createdAt' }, filter: { status: 'Active' }, caller: 'c-1' };

    expect(codec.decode(reordered, codec.encode(listing, payload))).toEqual(payload);
  });

  test.each([
    ['another caller', { ...listing, caller: 'c-2' }],
    ['another filter', { ...listing, filter: { status: 'Paused' } }],
    ['another order', { ...listing, order: { sortBy: 'createdAt', sortDirection: 'asc' } }],
    ['another page size', { ...listing, pageSize: 21 }],
  ])('a cursor from %s is refused', (_name, other) => {
    expect(codec.decode(other, codec.encode(listing, payload))).toBeNull();
  });

  test('a cursor signed with another key is refused', () => {
    expect(codec.decode(listing, new CursorCodec('z'.repeat(32)).encode(listing, payload))).toBeNull();
  });

  test('changing any character of a cursor makes it refused', () => {
    const cursor = codec.encode(listing, payload);
    fc.assert(
      fc.property(fc.nat({ max: cursor.length - 1 }), fc.constantFrom(...'ABCabc012-_.'), (index, replacement) => {
        fc.pre(cursor[index] !== replacement);
        // The signature covers the payload's text and is compared as text: even an edit that
        // decodes to the same bytes (base64url's spare trailing bits) is refused.
        expect(codec.decode(listing, cursor.slice(0, index) + replacement + cursor.slice(index + 1))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  test.each(['', 'x', 'a.b', 'a.b.c', '.', '%%%.%%%'])('garbage %p is refused', (garbage) => {
    expect(codec.decode(listing, garbage)).toBeNull();
  });

  test('a key shorter than 32 bytes is refused at construction', () => {
    expect(() => new CursorCodec('short')).toThrow(/32 bytes/);
  });
});

describe('retention', () => {
  test('an ended session expires retention days after it ended; a running or held one does not', () => {
    const ended = aSession({ status: 'Cancelled', endedAt: '2026-01-05T10:00:00.000Z' });

    expect(expiryOf(ended, 365)).toBe('2027-01-05T10:00:00.000Z');
    expect(expiryOf(ended, 1)).toBe('2026-01-06T10:00:00.000Z');
    expect(expiryOf(aSession({ status: 'Active' }), 365)).toBeUndefined();
    expect(expiryOf({ ...ended, legalHold: { setBy: 'c-1', setAt: '2026-01-05T11:00:00.000Z' } }, 365)).toBeUndefined();
  });

  test('a hold is set and cleared with an event each; repeating either changes nothing', () => {
    const ended = aSession({ status: 'Completed', endedAt: '2026-01-05T10:00:00.000Z', version: 4, eventCount: 6 });
    const actor = { id: 'c-1', role: 'coordinator' } as const;

    const set = holdChange(ended, { hold: true, reason: 'litigation' }, actor, '2026-02-01T00:00:00.000Z');
    if (set === 'unchanged') throw new Error('expected a change');
    const cleared = holdChange(set.session, { hold: false }, actor, '2026-03-01T00:00:00.000Z');
    if (cleared === 'unchanged') throw new Error('expected a change');

    expect(set.session.legalHold).toEqual({ setBy: 'c-1', setAt: '2026-02-01T00:00:00.000Z', reason: 'litigation' });
    expect(set.session).toMatchObject({ version: 5, eventCount: 7, status: 'Completed' });
    expect(set.events).toEqual([expect.objectContaining({ seq: 7, type: 'legal_hold_set', actor: 'c-1', actorRole: 'coordinator', reason: 'litigation' })]);
    expect(cleared.session.legalHold).toBeUndefined();
    expect(cleared.events.map((e) => [e.seq, e.type])).toEqual([[8, 'legal_hold_released']]);
    expect(holdChange(set.session, { hold: true }, actor, '2026-02-02T00:00:00.000Z')).toBe('unchanged');
    expect(holdChange(ended, { hold: false }, actor, '2026-02-02T00:00:00.000Z')).toBe('unchanged');
  });
});

describe('listing entries', () => {
  test('an ended session is listed in ALL, its status, its junior, story and mentor; one without a mentor not under a mentor', () => {
    const withMentor = listingEntries(aSession({ id: 'a', juniorId: 'j/1', status: 'Failed', endedAt: '2026-01-05T10:00:00.000Z' }), undefined);
    const without = listingEntries(aSession({ id: 'b', mentorId: undefined, status: 'Cancelled', endedAt: '2026-01-05T10:00:00.000Z' }), undefined);

    expect(withMentor.map((e) => e.item.listPk).sort()).toEqual(['ALL', 'ALL#Failed', 'J#j%2F1', 'M#mentor-1', 'S#story-1']);
    expect(without.map((e) => e.item.listPk).sort()).toEqual(['ALL', 'ALL#Cancelled', 'J#junior-1', 'S#story-1']);
  });

  test.each(['Queued', 'Active', 'Paused'] as const)('a %s session has no listing item (running sessions are read from their indexes)', (status) => {
    expect(listingEntries(aSession({ status }), undefined)).toEqual([]);
  });

  test('a running session sorts after every ended one by completion and duration; an ended one by its values', () => {
    const running = aSession({ id: 'a', createdAt: '2026-01-05T09:00:00.000Z' });
    const ended = listingEntries(aSession({ id: 'b', status: 'Completed', createdAt: '2026-01-05T09:00:00.000Z', endedAt: '2026-01-05T09:00:01.500Z' }), 123)[0]!.item;

    expect([sortKeyOf(running, 'completedAt'), sortKeyOf(running, 'duration')]).toEqual(['~#2026-01-05T09:00:00.000Z#a', '~#2026-01-05T09:00:00.000Z#a']);
    expect(ended).toMatchObject({
      listCreated: '2026-01-05T09:00:00.000Z#b',
      listCompleted: '2026-01-05T09:00:01.500Z#2026-01-05T09:00:00.000Z#b',
      listDuration: '000000000001500#2026-01-05T09:00:00.000Z#b',
      ttl: 123,
    });
    expect(String(ended.listCompleted) < sortKeyOf(running, 'completedAt')).toBe(true);
    expect(String(ended.listDuration) < sortKeyOf(running, 'duration')).toBe(true);
  });

  test('durations sort as numbers: the padded key orders like the milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 365 * 86_400_000 }), fc.nat({ max: 10 * 365 * 86_400_000 }), (a, b) => {
        const key = (ms: number) =>
          String(
            listingEntries(
              aSession({
                id: 'x',
                status: 'Completed',
                createdAt: '2026-01-01T00:00:00.000Z',
                endedAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + ms).toISOString(),
              }),
              undefined,
            )[0]!.item.listDuration,
          );
        expect(Math.sign(key(a).localeCompare(key(b)))).toBe(Math.sign(a - b));
      }),
    );
  });

  test('each entry names the counter it is counted in; the by-status ALL entry none', () => {
    for (const entry of listingEntries(aSession({ id: 'a', status: 'Completed', endedAt: '2026-01-05T10:00:00.000Z' }), undefined)) {
      expect(listingEntryCounter('a', String(entry.item.listPk))).toEqual(entry.counter);
    }
  });
});

describe('planList', () => {
  const filters = fc.record(
    {
      juniorId: fc.constant('j-1'),
      mentorId: fc.constant('m-1'),
      storyId: fc.constant('s-1'),
      status: fc.constantFrom(...TERMINAL_STATUSES),
      from: fc.constant('2026-01-01T00:00:00.000Z'),
      to: fc.constant('2026-02-01T00:00:00.000Z'),
    },
    { requiredKeys: [] },
  );

  test('the partition is the junior, else the mentor, else the story, else the status, else ALL', () => {
    const order = { sortBy: 'createdAt', sortDirection: 'desc' } as const;

    expect(planList({ juniorId: 'j-1', mentorId: 'm-1', status: 'Completed' }, order)?.partition).toBe('J#j-1');
    expect(planList({ mentorId: 'm-1', storyId: 's-1' }, order)?.partition).toBe('M#m-1');
    expect(planList({ storyId: 's-1', status: 'Failed' }, order)?.partition).toBe('S#s-1');
    expect(planList({ status: 'Cancelled' }, order)?.partition).toBe('ALL#Cancelled');
    expect(planList({}, order)?.partition).toBe('ALL');
  });

  test.each(['Queued', 'Active', 'Paused'] as const)('no ended session is %s: there is nothing to query', (status) => {
    expect(planList({ status }, { sortBy: 'createdAt', sortDirection: 'desc' })).toBeNull();
  });

  test('a position bounds the key on the side the order moves to, within the date range', () => {
    const from = '2026-01-01T00:00:00.000Z';
    const to = '2026-02-01T00:00:00.000Z';
    const at = '2026-01-10T00:00:00.000Z#x';

    const desc = planList({ from, to }, { sortBy: 'createdAt', sortDirection: 'desc' }, at)!;
    const asc = planList({ from, to }, { sortBy: 'createdAt', sortDirection: 'asc' }, at)!;
    const byDuration = planList({}, { sortBy: 'duration', sortDirection: 'asc' }, '000000000001000#x')!;

    expect([desc.keyCondition, desc.values[':lower'], desc.values[':upper']]).toEqual(['#pk = :pk AND #sort BETWEEN :lower AND :upper', from, at]);
    expect([asc.values[':lower'], asc.values[':upper']]).toEqual([at, to]);
    expect([byDuration.keyCondition, byDuration.values[':lower']]).toEqual(['#pk = :pk AND #sort >= :lower', '000000000001000#x']);
  });

  test('every filter field is either in the key or in the filter expression, and totals come from counters only for one partition', () => {
    fc.assert(
      fc.property(filters, fc.constantFrom(...LIST_SORTS), fc.constantFrom(...SORT_DIRECTIONS), (filter, sortBy, sortDirection) => {
        const plan = planList(filter, { sortBy, sortDirection })!;
        const expression = `${plan.keyCondition} ${plan.filter ?? ''}`;
        const ids = (['juniorId', 'mentorId', 'storyId'] as const).filter((field) => filter[field] !== undefined);
        for (const field of ids) {
          const inKey = plan.partition === `${{ juniorId: 'J', mentorId: 'M', storyId: 'S' }[field]}#${filter[field]}`;
          expect(inKey || (plan.filter ?? '').includes(`#${field} = :${field}`)).toBe(true);
        }
        if (filter.status !== undefined) expect(plan.partition === `ALL#${filter.status}` || (plan.filter ?? '').includes('#status = :status')).toBe(true);
        if (filter.from !== undefined) expect(expression).toMatch(sortBy === 'createdAt' ? /:lower/ : /:from/);
        if (filter.to !== undefined) expect(expression).toMatch(sortBy === 'createdAt' ? /:upper/ : /:to/);
        expect(plan.counters !== undefined).toBe(filter.from === undefined && filter.to === undefined && ids.length <= 1);
        expect(plan.forward).toBe(sortDirection === 'asc');
        // Every placeholder used is defined, and every one defined is used (DynamoDB refuses both).
        for (const name of Object.keys(plan.names)) expect(expression).toContain(name);
        for (const value of Object.keys(plan.values)) expect(expression).toContain(value);
      }),
    );
  });
});
