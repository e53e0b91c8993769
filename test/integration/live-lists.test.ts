import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoStorePorts, seedItems } from '../../shared/adapters/dynamodb/dynamo-store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { sortKeyOf } from '../../shared/adapters/dynamodb/listing';
import type { Session } from '../../shared/domain/session';
import { LIST_SORTS, type ListOrder, matchesFilter, type SessionFilter, SORT_DIRECTIONS } from '../../shared/domain/session-list';
import type { SessionStatus } from '../../shared/domain/status';
import type { SessionHistory } from '../../shared/ports/session-history';
import { aSession } from '../support/builders';
import { createTestTable, type TestTable } from '../support/dynamo';

/**
 * A list page reads about what it serves however many sessions are queued or
 * running (docs/capacity.md, design 1 "Lists"): 300 live sessions beside 60
 * ended ones, paged to the end in every order, compared with every session
 * sorted by hand.
 */

const LIVE = 300;
const ENDED = 60;
const PAGE = 20;
const BASE = Date.parse('2026-03-01T08:00:00.000Z');
const NOW = '2026-03-02T08:00:00.000Z';
const LIVE_STATUSES: SessionStatus[] = ['Active', 'Queued', 'Paused'];

const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function liveSession(i: number): Session {
  const status = LIVE_STATUSES[i % 3]!;
  // Pairs share a creation time: ties are ordered by id.
  const createdAt = at(Math.floor(i / 2) * 7);
  // Three sessions are past their maximum duration at NOW (the list names them as overdue).
  const overdue = i < 9 && status === 'Active';
  return aSession({
    id: idOf(i),
    juniorId: `j-${i}`,
    mentorId: `m-${i % 5}`,
    status,
    createdAt,
    updatedAt: createdAt,
    ...(status === 'Queued' && { enqueuedAt: createdAt }),
    ...(status === 'Paused' && { pausedAt: createdAt }),
    ...(overdue && { timeouts: { maxDurationMs: 60_000, pauseTimeoutMs: 60_000, queueTimeoutMs: 60_000 }, activeSince: createdAt }),
  });
}

function endedSession(k: number): Session {
  const createdAt = at(k * 31 + 3);
  return aSession({
    id: idOf(1_000 + k),
    juniorId: `j-e${k}`,
    mentorId: `m-${k % 5}`,
    status: k % 4 === 0 ? 'Cancelled' : 'Completed',
    createdAt,
    updatedAt: createdAt,
    endedAt: new Date(Date.parse(createdAt) + ((k * 7919) % 5_000) * 1000).toISOString(),
  });
}

/** Query items DynamoDB evaluated, and keys BatchGet asked for, since the last reset: what a page read. */
class ItemMeter {
  scanned = 0;
  batchKeys = 0;
  indexes = new Set<string>();

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string; RequestItems?: Record<string, { Keys?: unknown[] }> };
        const result = await next(args);
        if (context.commandName === 'QueryCommand') {
          this.scanned += (result.output as { ScannedCount?: number }).ScannedCount ?? 0;
          this.indexes.add(input.IndexName ?? 'table');
        }
        if (context.commandName === 'BatchGetItemCommand') for (const wanted of Object.values(input.RequestItems ?? {})) this.batchKeys += wanted.Keys?.length ?? 0;
        return result;
      },
      { step: 'initialize', name: 'itemMeter' },
    );
    return this;
  }

  reset(): void {
    this.scanned = 0;
    this.batchKeys = 0;
    this.indexes.clear();
  }
}

let table: TestTable;
let history: SessionHistory;
let meter: ItemMeter;
const sessions: Session[] = [];

beforeAll(async () => {
  table = await createTestTable('livelist');
  meter = new ItemMeter().attach(table.dynamo.client);
  history = dynamoStorePorts(table.dynamo.document, table.tableName, { retentionDays: 365 }).history;
  for (let i = 0; i < LIVE; i += 1) sessions.push(liveSession(i));
  for (let k = 0; k < ENDED; k += 1) sessions.push(endedSession(k));
  const open = sessions.filter((s) => s.status === 'Active' || s.status === 'Paused').length;
  const queued = sessions.filter((s) => s.status === 'Queued').length;
  const items = [
    ...seedItems(sessions, 365),
    { ...keys.counter('system'), entity: 'counter', count: open },
    { ...keys.counter('queue'), entity: 'counter', count: queued },
  ];
  for (let offset = 0; offset < items.length; offset += 25) {
    let pending = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await table.dynamo.document.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: pending } }));
      pending = (UnprocessedItems?.[table.tableName] ?? []) as typeof pending;
    }
  }
});
afterAll(() => table.dynamo.client.destroy());

function oracle(filter: SessionFilter, order: ListOrder): string[] {
  const desc = order.sortDirection === 'desc';
  return sessions
    .filter((session) => matchesFilter(session, filter))
    .map((session) => ({ key: sortKeyOf(session, order.sortBy), id: session.id }))
    .sort((a, b) => (a.key === b.key ? 0 : a.key < b.key !== desc ? -1 : 1))
    .map((entry) => entry.id);
}

interface PageCost {
  readonly requests: number;
  readonly scanned: number;
  readonly batchKeys: number;
  readonly indexes: string[];
}

async function pageThrough(filter: SessionFilter, order: ListOrder, count: boolean): Promise<{ ids: string[]; totals: number[]; costs: PageCost[]; overdue: string[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  const costs: PageCost[] = [];
  let overdue: string[] = [];
  let after: Readonly<Record<string, unknown>> | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    table.requests.reset();
    meter.reset();
    const page = await history.listSessions({ filter, order, limit: PAGE, count, now: NOW, ...(after !== undefined && { after }) });
    costs.push({ requests: table.requests.total(), scanned: meter.scanned, batchKeys: meter.batchKeys, indexes: [...meter.indexes].sort() });
    ids.push(...page.sessions.map((session) => session.id));
    if (page.totalCount !== undefined) totals.push(page.totalCount);
    if (pages === 0) overdue = (page.overdue ?? []).map((session) => session.id).sort();
    after = page.after;
    if (after === undefined) break;
  }
  return { ids, totals, costs, overdue };
}

const ORDERS: ListOrder[] = LIST_SORTS.flatMap((sortBy) => SORT_DIRECTIONS.map((sortDirection) => ({ sortBy, sortDirection })));
const overdueIds = (filter: SessionFilter) =>
  sessions
    .filter((s) => s.timeouts !== undefined && matchesFilter(s, filter))
    .map((s) => s.id)
    .sort();

describe.each(ORDERS)('a list over $sortBy $sortDirection, 300 live sessions', (order) => {
  test('unfiltered: every session once, in order, counted, each page a few requests of about a page of items', async () => {
    const { ids, totals, costs, overdue } = await pageThrough({}, order, true);

    expect(ids).toEqual(oracle({}, order));
    expect(new Set(totals)).toEqual(new Set([LIVE + ENDED]));
    expect(overdue).toEqual(overdueIds({}));
    expect(overdue).toHaveLength(3);
    // Never the queue or open index: live sessions come from partition LIVE of the list index.
    for (const cost of costs) {
      expect(cost.indexes.filter((index) => index === 'queue' || index === 'open')).toEqual([]);
      // The ended and live Queries (a page and one each), the due index (nothing due but three), the counters, the page's BatchGet.
      expect(cost.requests).toBeLessThanOrEqual(5);
      expect(cost.scanned).toBeLessThanOrEqual(2 * (PAGE + 2) + 3);
      expect(cost.batchKeys).toBeLessThanOrEqual(PAGE + 8 + 2);
    }
  });

  test.each<SessionStatus>(['Active', 'Queued', 'Completed'])('status %s: exact and counted; uncounted (as exports page) it reads about a page', async (status) => {
    const filter: SessionFilter = { status };
    const counted = await pageThrough(filter, order, true);
    const uncounted = await pageThrough(filter, order, false);

    const expected = oracle(filter, order);
    expect(counted.ids).toEqual(expected);
    expect(uncounted.ids).toEqual(expected);
    expect(new Set(counted.totals)).toEqual(new Set([expected.length]));
    expect(counted.overdue).toEqual(overdueIds(filter));
    for (const cost of [...counted.costs, ...uncounted.costs]) {
      expect(cost.indexes.filter((index) => index === 'queue' || index === 'open')).toEqual([]);
      expect(cost.requests).toBeLessThanOrEqual(5);
      // Sessions read whole: the page's, never the live ones beyond it.
      expect(cost.batchKeys).toBeLessThanOrEqual(PAGE + 8);
    }
    // Uncounted, the live Query reads a page a request (its filter drops the other statuses: at most 200 a request).
    for (const cost of uncounted.costs) expect(cost.scanned).toBeLessThanOrEqual(LIVE);
    for (const cost of uncounted.costs.slice(0, -1)) expect(cost.requests).toBeLessThanOrEqual(4);
  });

  test('one mentor and a date range: exact', async () => {
    const filter: SessionFilter = { mentorId: 'm-2', from: at(100), to: at(900) };
    const { ids, totals } = await pageThrough(filter, order, true);

    expect(ids).toEqual(oracle(filter, order));
    expect(new Set(totals)).toEqual(new Set([oracle(filter, order).length]));
  });
});
