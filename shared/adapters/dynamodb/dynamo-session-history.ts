import { isOverdue } from '../../domain/deadlines';
import type { Session } from '../../domain/model';
import { matchesFilter, type SessionFilter } from '../../domain/session-list';
import { isTerminal, TERMINAL_STATUSES } from '../../domain/status';
import type { ListSessionsPage, ListSessionsQuery, SessionHistory } from '../../ports/session-history';
import { keys } from './keys';
import { type ListPlan, planList, sortKeyOf } from './listing';
import { parseRecord, SessionRecord } from './records';
import { OPEN_PARTITION, QUEUE_PARTITION } from './session-items';
import { type DynamoTable, keyString, type TableQuery } from './table';

/** A filtered list Query reads at least this many items a request, and at most this many requests a page. */
const FILTERED_PAGE_READ = 200;
const MAX_LIST_READS = 25;

/** The history: ended sessions from the listing indexes (listing.ts), running ones merged in from the queue and open indexes. */
export class DynamoSessionHistory implements SessionHistory {
  constructor(private readonly table: DynamoTable) {}

  /**
   * One page of the list, and with `count` its total. Sessions still queued
   * or running (bounded by the queue size and the system limit) are read from
   * the queue and open indexes and merged, by sort key, with ended ones from
   * a Query of the history index; the position is the last sort key served.
   */
  async listSessions(query: ListSessionsQuery): Promise<ListSessionsPage> {
    const { filter, order } = query;
    const skip = query.skip ?? 0;
    const limit = skip + query.limit;
    const wanted = limit + 1;
    const after = typeof query.after?.key === 'string' ? query.after.key : undefined;
    const desc = order.sortDirection === 'desc';
    /** Whether key a is served before key b. */
    const first = (a: string, b: string) => (desc ? a > b : a < b);

    const plan = planList(filter, order, after);
    const liveWanted = filter.status === undefined || !isTerminal(filter.status);
    const [live, endedTotal] = await Promise.all([
      liveWanted ? this.liveSessions() : Promise.resolve([]),
      query.count === false || plan === null ? Promise.resolve(0) : this.countEnded(filter),
    ]);
    const matchingLive = live.filter((session) => matchesFilter(session, filter));
    const candidates = matchingLive
      .map((session) => ({ key: sortKeyOf(session, order.sortBy), session, id: session.id }))
      .filter((entry) => after === undefined || first(after, entry.key));

    const ended: { key: string; id: string; session?: Session }[] = [];
    let exhausted = plan === null;
    /** Set when the read bound stopped the Query: nothing past this key was read. */
    let reached: string | undefined;
    let start: Record<string, unknown> | undefined;
    for (let reads = 0; plan !== null && !exhausted && ended.length < wanted; reads += 1) {
      if (reads >= MAX_LIST_READS) {
        reached = String(start![plan.sortAttribute]);
        break;
      }
      const page = await this.table.query({
        ...planQuery(plan),
        ScanIndexForward: plan.forward,
        // With a filter on the items a page may hold few matches: read more of them a request.
        Limit: plan.filter === undefined ? wanted - ended.length + 1 : Math.max(wanted, FILTERED_PAGE_READ),
        ...(start !== undefined && { ExclusiveStartKey: start }),
      });
      for (const item of page.Items ?? []) {
        const key = String(item[plan.sortAttribute]);
        if (key !== after) ended.push({ key, id: String(item.sessionId) });
      }
      start = page.LastEvaluatedKey;
      exhausted = start === undefined;
    }

    // A session that ended between the two reads is in both: the ended entry is the newer.
    const endedIds = new Set(ended.map((entry) => entry.id));
    const merged = [...ended, ...candidates.filter((entry) => !endedIds.has(entry.id))]
      .filter((entry) => reached === undefined || !first(reached, entry.key))
      .sort((a, b) => (a.key === b.key ? 0 : first(a.key, b.key) ? -1 : 1));
    const served = merged.slice(0, limit);
    const more = merged.length > limit || (!exhausted && ended.length >= wanted) || reached !== undefined;
    const last = served.length === limit ? served.at(-1)?.key : reached;
    const next = more ? (last ?? reached) : undefined;
    const page = served.slice(skip);
    const sessions = await this.sessionsOf(page);
    const now = query.now;
    return {
      sessions,
      ...(next !== undefined && { after: { key: next } }),
      ...(query.count !== false && { totalCount: matchingLive.length + endedTotal }),
      ...(now !== undefined && { overdue: matchingLive.filter((session) => isOverdue(session, now)) }),
    };
  }

  /** Sessions still queued or running: the queue and open indexes (bounded by the queue size and the system limit). */
  private async liveSessions(): Promise<Session[]> {
    const [queued, open] = await Promise.all([
      this.table.queryAll({ IndexName: 'queue', KeyConditionExpression: 'queuePk = :queue', ExpressionAttributeValues: { ':queue': QUEUE_PARTITION } }),
      this.table.queryAll({ IndexName: 'open', KeyConditionExpression: 'openPk = :open', ExpressionAttributeValues: { ':open': OPEN_PARTITION } }),
    ]);
    return [...queued, ...open].map((item) => parseRecord(SessionRecord, item, 'session'));
  }

  /** The page's sessions in order: running ones as read, ended ones in one BatchGet; one whose item is gone (expired) is skipped. */
  private async sessionsOf(entries: readonly { id: string; session?: Session }[]): Promise<Session[]> {
    const found = await this.table.batchGet(entries.filter((entry) => entry.session === undefined).map((entry) => keys.session(entry.id)));
    return entries.flatMap((entry) => {
      if (entry.session !== undefined) return [entry.session];
      const item = found.get(keyString(keys.session(entry.id)));
      return item === undefined ? [] : [parseRecord(SessionRecord, item, 'session')];
    });
  }

  /** How many ended sessions match: from counters when the filter is one list partition, else counted by a Query. */
  private async countEnded(filter: SessionFilter): Promise<number> {
    const plan = planList(filter, { sortBy: 'createdAt', sortDirection: 'asc' });
    if (plan === null) return 0;
    if (plan.counters !== undefined) {
      const { keys: counterKeys, status } = plan.counters;
      const found = await this.table.batchGet(counterKeys);
      let total = 0;
      for (const key of counterKeys) {
        const item = found.get(keyString(key)) ?? {};
        for (const name of status === undefined ? TERMINAL_STATUSES : [status]) {
          const value = item[name];
          if (typeof value === 'number') total += value;
        }
      }
      return total;
    }
    return this.table.countAll(planQuery(plan));
  }
}

/** The Query a list plan describes (index, key condition, filter and their placeholders). */
function planQuery(plan: ListPlan): TableQuery {
  return {
    IndexName: plan.index,
    KeyConditionExpression: plan.keyCondition,
    ...(plan.filter !== undefined && { FilterExpression: plan.filter }),
    ExpressionAttributeNames: plan.names,
    ExpressionAttributeValues: plan.values,
  };
}
