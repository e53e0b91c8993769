import { type ListStream, mergeStreams } from '../../shared/adapters/dynamodb/list-streams';
import { LIVE_PARTITION, planList, sortKeyOf } from '../../shared/adapters/dynamodb/listing';
import { sessionItem } from '../../shared/adapters/dynamodb/session-items';
import { LISTING_ATTRIBUTES } from '../../shared/adapters/dynamodb/table-definition';
import { SESSION_STATUSES } from '../../shared/domain/status';
import { aSession } from '../support/builders';

describe('a session item in the list indexes', () => {
  test.each(['Queued', 'Active', 'Paused'] as const)('%s: partition LIVE, its three sort keys and every projected attribute', (status) => {
    const session = aSession({ status, ...(status === 'Queued' && { enqueuedAt: '2026-01-05T09:00:00.000Z' }) });

    const item = sessionItem(session, 30);

    expect(item).toMatchObject({
      listPk: LIVE_PARTITION,
      listCreated: sortKeyOf(session, 'createdAt'),
      listCompleted: `~#${session.createdAt}#${session.id}`,
      listDuration: `~#${session.createdAt}#${session.id}`,
      sessionId: session.id,
    });
    // The list indexes project only these: the filters and the read back need them on the item, under these names.
    for (const name of LISTING_ATTRIBUTES) expect(item[name]).toBeDefined();
    expect([item.juniorId, item.mentorId, item.storyId, item.status, item.createdAt]).toEqual([
      session.juniorId,
      session.mentorId,
      session.storyId,
      status,
      session.createdAt,
    ]);
  });

  test.each(['Completed', 'Failed', 'Cancelled'] as const)('%s: none of them (its listing items take over)', (status) => {
    const item = sessionItem(aSession({ status, endedAt: '2026-01-05T10:00:00.000Z' }), 30);

    for (const name of ['listPk', 'listCreated', 'listCompleted', 'listDuration', 'sessionId']) expect(item).not.toHaveProperty(name);
  });
});

describe('planList for live sessions', () => {
  const order = { sortBy: 'createdAt', sortDirection: 'asc' } as const;

  test('partition LIVE, every id and the status on the item, no counters', () => {
    const plan = planList({ juniorId: 'j-1', mentorId: 'm-1', storyId: 's-1', status: 'Paused' }, order, undefined, 'live')!;

    expect(plan.partition).toBe(LIVE_PARTITION);
    expect(plan.filter).toBe('#juniorId = :juniorId AND #mentorId = :mentorId AND #storyId = :storyId AND #status = :status');
    expect(plan.counters).toBeUndefined();
    expect(planList({}, order, undefined, 'live')).toMatchObject({ partition: LIVE_PARTITION, keyCondition: '#pk = :pk' });
    expect(planList({}, order, undefined, 'live')?.filter).toBeUndefined();
  });

  test('a terminal status means no live plan, a live status no ended plan', () => {
    for (const status of SESSION_STATUSES) {
      const terminal = status === 'Completed' || status === 'Failed' || status === 'Cancelled';
      expect(planList({ status }, order, undefined, 'live') === null).toBe(terminal);
      expect(planList({ status }, order, undefined, 'ended') === null).toBe(!terminal);
    }
  });
});

describe('mergeStreams', () => {
  const entries = (...keys: string[]) => keys.map((key) => ({ key, id: key.split('#').at(-1)! }));

  test('two streams read to their end: in order, the page and the position after it', () => {
    const ended: ListStream = { entries: entries('1#a', '4#d', '6#f') };
    const live: ListStream = { entries: entries('2#b', '3#c', '5#e') };

    expect(mergeStreams([ended, live], 4, false)).toEqual({ served: entries('1#a', '2#b', '3#c', '4#d'), next: '4#d' });
    expect(mergeStreams([ended, live], 6, false)).toEqual({ served: entries('1#a', '2#b', '3#c', '4#d', '5#e', '6#f') });
    expect(mergeStreams([ended, live], 2, true)).toEqual({ served: entries('6#f', '5#e'), next: '5#e' });
  });

  test('nothing past a stream stopped by its read bound is served: a short page continues from that bound', () => {
    // The live stream read up to 3#x (its last evaluated key) and stopped: 4#d may come after sessions it has not read.
    const ended: ListStream = { entries: entries('1#a', '4#d') };
    const live: ListStream = { entries: entries('2#b'), bound: '3#x' };

    expect(mergeStreams([ended, live], 5, false)).toEqual({ served: entries('1#a', '2#b'), next: '3#x' });
    expect(mergeStreams([ended, live], 1, false)).toEqual({ served: entries('1#a'), next: '1#a' });
    expect(mergeStreams([{ entries: entries('9#z', '6#f'), bound: '5#x' }, { entries: entries('7#g', '4#d') }], 5, true)).toEqual({
      served: entries('9#z', '7#g', '6#f'),
      next: '5#x',
    });
  });

  test('a session in both streams (it ended between the reads) is served once, where the first stream has it', () => {
    const ended: ListStream = { entries: [{ key: '5#b', id: 'b' }] };
    const live: ListStream = { entries: [{ key: '~#b', id: 'b', live: true }, ...entries('3#c')] };

    expect(mergeStreams([ended, live], 5, false)).toEqual({
      served: [
        { key: '3#c', id: 'c' },
        { key: '5#b', id: 'b' },
      ],
    });
  });
});
