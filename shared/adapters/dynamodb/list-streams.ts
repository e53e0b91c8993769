import type { Session } from '../../domain/model';
import type { ListPlan } from './listing';
import type { DynamoTable, TableQuery } from './table';

/**
 * A filtered list Query reads at least this many items a request, twice as
 * many each further request up to the most (the entries are small projected
 * items: ~0.3 KB, so ~470 KB and ~60 RCU a request at most), and at most
 * MAX_LIST_READS requests a page: a filter that matches few of many live
 * sessions still fills a page within ~36,000 entries read.
 */
const FILTERED_PAGE_READ = 200;
const MOST_FILTERED_READ = 1_600;
export const MAX_LIST_READS = 25;

/** One session in a list stream: its sort key in the page's order, its id, and the session when it was read whole. */
export interface StreamEntry {
  readonly key: string;
  readonly id: string;
  readonly session?: Session;
  /** Read from partition LIVE: the session read back must still match the filter. */
  readonly live?: boolean;
}

/**
 * Sessions in list order from one source, after the page's position. `bound`
 * is set when the source was not read to its end: the last sort key it
 * evaluated (every match up to it is in `entries`, none past it).
 */
export interface ListStream {
  readonly entries: readonly StreamEntry[];
  readonly bound?: string;
}

/** The Query a list plan describes (index, key condition, filter and their placeholders). */
export function planQuery(plan: ListPlan): TableQuery {
  return {
    IndexName: plan.index,
    KeyConditionExpression: plan.keyCondition,
    ...(plan.filter !== undefined && { FilterExpression: plan.filter }),
    ExpressionAttributeNames: plan.names,
    ExpressionAttributeValues: plan.values,
  };
}

/**
 * Reads a plan's Query until it holds `wanted` entries past `after`, reaches
 * its end, or has made MAX_LIST_READS requests: with the page size as `Limit`
 * (more a request when a filter drops items, see FILTERED_PAGE_READ), so it
 * reads about what it serves.
 */
export async function readListStream(table: DynamoTable, plan: ListPlan, after: string | undefined, wanted: number, marks: { live?: boolean } = {}): Promise<ListStream> {
  const entries: StreamEntry[] = [];
  let start: Record<string, unknown> | undefined;
  for (let reads = 0; ; reads += 1) {
    if (reads >= MAX_LIST_READS) return { entries, bound: String(start![plan.sortAttribute]) };
    const page = await table.query({
      ...planQuery(plan),
      ScanIndexForward: plan.forward,
      // The position's own item may come back first (the bounds are inclusive): one more than wanted.
      Limit: plan.filter === undefined ? wanted - entries.length + 1 : Math.min(Math.max(wanted, FILTERED_PAGE_READ) * 2 ** reads, Math.max(wanted, MOST_FILTERED_READ)),
      ...(start !== undefined && { ExclusiveStartKey: start }),
    });
    for (const item of page.Items ?? []) {
      const key = String(item[plan.sortAttribute]);
      if (key !== after) entries.push({ key, id: String(item.sessionId), ...(marks.live === true && { live: true }) });
    }
    start = page.LastEvaluatedKey;
    if (start === undefined) return { entries };
    if (entries.length >= wanted) return { entries, bound: String(start[plan.sortAttribute]) };
  }
}

/**
 * Every match of a plan's Query, read to its end (the list's live stream when
 * its total is counted by a Query: the same items a `Select: 'COUNT'` would
 * read, so the count and the page come from one read). Entries at or before
 * `after` are counted but not kept.
 */
export async function readWholeStream(table: DynamoTable, plan: ListPlan, after: string | undefined): Promise<{ stream: ListStream; count: number }> {
  const items = await table.queryAll({ ...planQuery(plan), ScanIndexForward: plan.forward });
  const entries = items
    .map((item) => ({ key: String(item[plan.sortAttribute]), id: String(item.sessionId), live: true }))
    .filter((entry) => after === undefined || (plan.forward ? entry.key > after : entry.key < after));
  return { stream: { entries }, count: items.length };
}

/**
 * Merges ordered streams into one page of `limit` entries and the position
 * after it. Nothing past the earliest `bound` may be served (a stream stopped
 * there knows nothing beyond); the next position is then the last entry
 * served, or that bound when the page is short. A session in more than one
 * stream (it ended between the reads) is served once, from the first stream
 * that has it (pass the ended stream first: its entry is the newer).
 */
export function mergeStreams(streams: readonly ListStream[], limit: number, desc: boolean): { served: StreamEntry[]; next?: string } {
  /** Whether key a is served before key b. */
  const first = (a: string, b: string) => (desc ? a > b : a < b);
  let cut: string | undefined;
  for (const { bound } of streams) if (bound !== undefined && (cut === undefined || first(bound, cut))) cut = bound;
  const seen = new Set<string>();
  const merged: StreamEntry[] = [];
  for (const stream of streams) {
    for (const entry of stream.entries) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      if (cut === undefined || !first(cut, entry.key)) merged.push(entry);
    }
  }
  merged.sort((a, b) => (a.key === b.key ? 0 : first(a.key, b.key) ? -1 : 1));
  const served = merged.slice(0, limit);
  const more = merged.length > limit || cut !== undefined;
  if (!more) return { served };
  const next = served.length === limit ? served.at(-1)?.key : cut;
  return { served, ...(next !== undefined && { next }) };
}
