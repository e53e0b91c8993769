import { isOverdue } from '../../domain/deadlines';
import type { Session } from '../../domain/model';
import { matchesFilter, type SessionFilter } from '../../domain/session-list';
import { TERMINAL_STATUSES } from '../../domain/status';
import type { ListSessionsPage, ListSessionsQuery, SessionHistory } from '../../ports/session-history';
import { DynamoSessionIndexes } from './dynamo-session-indexes';
import { type Key, keys } from './keys';
import { type ListStream, mergeStreams, planQuery, readListStream, readWholeStream, type StreamEntry } from './list-streams';
import { type ListPlan, planList, sortKeyOf } from './listing';
import { liveListingReady } from './live-listing';
import { parseRecord, SessionRecord } from './records';
import { OPEN_PARTITION, QUEUE_PARTITION } from './session-items';
import { type DynamoTable, keyString } from './table';

/** Due sessions a list page reads to name the overdue matches (the sweeper applies the rest within the minute). */
const DUE_PAGE = 50;

const EMPTY: ListStream = { entries: [] };

/** A counter item and the attributes of it that add to a total. */
interface CounterRead {
  readonly key: Key;
  readonly names: readonly string[];
}

/** The live side of a page: its stream, the overdue matches, and their total when it was counted with the read. */
interface LiveRead {
  readonly stream: ListStream;
  readonly overdue: Session[];
  readonly total: number;
}

/**
 * The history: ended sessions from their listing items, queued and running
 * ones from their own items in partition LIVE of the same indexes (listing.ts),
 * two ordered streams merged by sort key (list-streams.ts). A page reads about
 * what it serves, however many sessions are live.
 */
export class DynamoSessionHistory implements SessionHistory {
  private readonly indexes: DynamoSessionIndexes;

  constructor(private readonly table: DynamoTable) {
    this.indexes = new DynamoSessionIndexes(table);
  }

  /**
   * One page of the list, and with `count` its total. Each stream is read
   * with the page size as `Limit` (the top `limit` of the union lies within
   * the top `limit + 1` of each); the position is the last sort key served.
   * Until the table's live sessions all carry their list keys (live-listing.ts),
   * they are read whole from the queue and open indexes instead.
   */
  async listSessions(query: ListSessionsQuery): Promise<ListSessionsPage> {
    const { filter, order } = query;
    const skip = query.skip ?? 0;
    const limit = skip + query.limit;
    const after = typeof query.after?.key === 'string' ? query.after.key : undefined;
    const desc = order.sortDirection === 'desc';
    const counting = query.count !== false;

    const endedPlan = planList(filter, order, after, 'ended');
    const livePlan = planList(filter, order, after, 'live');
    const ended = endedPlan === null ? Promise.resolve(EMPTY) : readListStream(this.table, endedPlan, after, limit + 1);
    const ready = livePlan !== null && (await liveListingReady(this.table));
    // Totals: counter items are read in one BatchGet (the ended partition's shards, and with no filter the live
    // sessions' slot and queue counters); a filter spanning partitions is counted by a Query.
    const counters: CounterRead[] = [];
    const counts: Promise<number>[] = [];
    if (counting && endedPlan !== null) {
      const plan = planList(filter, { sortBy: 'createdAt', sortDirection: 'asc' }, undefined, 'ended')!;
      const { counters: endedCounters } = plan;
      if (endedCounters === undefined) counts.push(this.table.countAll(planQuery(plan)));
      else counters.push(...endedCounters.keys.map((key) => ({ key, names: endedCounters.status === undefined ? TERMINAL_STATUSES : [endedCounters.status] })));
    }
    const byCounters = ready && counting ? liveCounters(filter) : undefined;
    if (byCounters !== undefined) counters.push(...byCounters);
    if (counters.length > 0) counts.push(this.sumCounters(counters));
    // Live matches of a filter are counted by a COUNT Query of LIVE, or, when the ended side is read too (its
    // Query and its count), by reading the filtered LIVE partition whole: the same entries, one request fewer.
    const liveQueryCount = ready && counting && byCounters === undefined;
    if (liveQueryCount && endedPlan === null) counts.push(this.table.countAll(planQuery(planList(filter, order, undefined, 'live')!)));

    let live: Promise<LiveRead> = Promise.resolve({ stream: EMPTY, overdue: [], total: 0 });
    if (livePlan !== null) live = ready ? this.live(query, livePlan, after, limit + 1, liveQueryCount && endedPlan !== null) : this.allLive(query, after, counting);
    const [endedStream, liveRead, totals] = await Promise.all([ended, live, Promise.all(counts)]);

    const { served, next } = mergeStreams([endedStream, liveRead.stream], limit, desc);
    const sessions = await this.sessionsOf(served.slice(skip), filter);
    return {
      sessions,
      ...(next !== undefined && { after: { key: next } }),
      ...(counting && { totalCount: totals.reduce((a, b) => a + b, 0) + liveRead.total }),
      ...(query.now !== undefined && { overdue: liveRead.overdue }),
    };
  }

  /**
   * Live sessions from partition LIVE: the page's stream and the overdue
   * matches (due index, up to now). With `countWhole` the filtered partition
   * is read whole instead (the entries a `Select: 'COUNT'` would read, so the
   * same capacity), and serves both the total and the page.
   */
  private async live(query: ListSessionsQuery, plan: ListPlan, after: string | undefined, wanted: number, countWhole: boolean): Promise<LiveRead> {
    const { filter, order } = query;
    const wholePlan = countWhole ? planList(filter, order, undefined, 'live') : null;
    const [read, overdue] = await Promise.all([
      wholePlan !== null
        ? readWholeStream(this.table, wholePlan, after)
        : readListStream(this.table, plan, after, wanted, { live: true }).then((stream) => ({ stream, count: 0 })),
      query.now === undefined ? Promise.resolve([]) : this.overdue(filter, query.now),
    ]);
    return { stream: read.stream, overdue, total: read.count };
  }

  /** The matches past a deadline: the due index up to now, a bounded page (history-service reads again after settling them). */
  private async overdue(filter: SessionFilter, now: string): Promise<Session[]> {
    const due = await this.indexes.listDue(now, DUE_PAGE);
    return due.filter((session) => matchesFilter(session, filter) && isOverdue(session, now));
  }

  /** Before the back-fill is done: every live session, read whole from the queue and open indexes, as one exhausted stream. */
  private async allLive(query: ListSessionsQuery, after: string | undefined, counting: boolean): Promise<LiveRead> {
    const { filter, order } = query;
    const desc = order.sortDirection === 'desc';
    const [queued, open] = await Promise.all([
      this.table.queryAll({ IndexName: 'queue', KeyConditionExpression: 'queuePk = :queue', ExpressionAttributeValues: { ':queue': QUEUE_PARTITION } }),
      this.table.queryAll({ IndexName: 'open', KeyConditionExpression: 'openPk = :open', ExpressionAttributeValues: { ':open': OPEN_PARTITION } }),
    ]);
    const matching = [...queued, ...open].map((item) => parseRecord(SessionRecord, item, 'session')).filter((session) => matchesFilter(session, filter));
    const entries = matching
      .map((session) => ({ key: sortKeyOf(session, order.sortBy), id: session.id, session }))
      .filter((entry) => after === undefined || (desc ? entry.key < after : entry.key > after));
    const now = query.now;
    return { stream: { entries }, overdue: now === undefined ? [] : matching.filter((session) => isOverdue(session, now)), total: counting ? matching.length : 0 };
  }

  /**
   * The page's sessions in order: those read whole as they are, the rest in
   * one BatchGet. One whose item is gone (expired) is skipped, and so is a
   * live one that no longer matches the filter (its status moved).
   */
  private async sessionsOf(entries: readonly StreamEntry[], filter: SessionFilter): Promise<Session[]> {
    const found = await this.table.batchGet(entries.filter((entry) => entry.session === undefined).map((entry) => keys.session(entry.id)));
    return entries.flatMap((entry) => {
      if (entry.session !== undefined) return [entry.session];
      const item = found.get(keyString(keys.session(entry.id)));
      if (item === undefined) return [];
      const session = parseRecord(SessionRecord, item, 'session');
      return entry.live === true && !matchesFilter(session, filter) ? [] : [session];
    });
  }

  /** Adds up numeric attributes of counter items (one BatchGet). */
  private async sumCounters(counters: readonly CounterRead[]): Promise<number> {
    const found = await this.table.batchGet(counters.map(({ key }) => key));
    let total = 0;
    for (const { key, names } of counters) {
      const item = found.get(keyString(key)) ?? {};
      for (const name of names) {
        const value = item[name];
        if (typeof value === 'number') total += value;
      }
    }
    return total;
  }
}

/**
 * The counters that hold the number of live matches, when some do: with no
 * filter, the system slots (one per Active or Paused session, taken and given
 * back in the transaction that moves the status) plus the queue's length (one
 * per Queued session); for Queued alone, the queue's. Else undefined.
 */
function liveCounters(filter: SessionFilter): CounterRead[] | undefined {
  const others = filter.juniorId ?? filter.mentorId ?? filter.storyId ?? filter.from ?? filter.to;
  if (others !== undefined) return undefined;
  if (filter.status === undefined) return [keys.counter('system'), keys.counter('queue')].map((key) => ({ key, names: ['count'] }));
  if (filter.status === 'Queued') return [{ key: keys.counter('queue'), names: ['count'] }];
  return undefined;
}
