import type { Session } from '../../domain/session';
import { finalDurationMs, type ListOrder, type ListSort, type SessionFilter } from '../../domain/session-list';
import { isTerminal } from '../../domain/status';
import { type Key, keys, part } from './keys';
import type { IndexName } from './table-definition';

/**
 * The history indexes. A session that has ended (Completed, Failed,
 * Cancelled) has one small listing item per list partition it belongs to:
 *
 *   ALL            every ended session
 *   ALL#<status>   every ended session in that status
 *   J#<junior>     the junior's ended sessions
 *   M#<mentor>     the mentor's ended sessions
 *   S#<story>      the story's ended sessions
 *
 * Each item carries one sort key per order (three GSIs share the partition
 * attribute `listPk`), so any filter set is one Query: the most selective
 * partition in the key condition, the rest as a filter on the item's few
 * attributes. The items are written once, in the transaction that ends the
 * session (rewritten only when a legal hold moves its expiry), so starts,
 * pauses, resumes and reassignments write none.
 *
 * A session still queued or running is in the same indexes through its own
 * item, partition LIVE (session-items.ts `liveListAttributes`): no item is
 * added to any transaction, and the indexes project only LISTING_ATTRIBUTES,
 * so a Query of LIVE reads small entries however large the sessions are. A
 * list Queries the ended partition and LIVE with the page size as `Limit`
 * and merges them by sort key (list-streams.ts), so it reads about what it
 * serves. A status change rewrites the session's three entries (the status is
 * projected); their sort keys never move while it runs.
 *
 * Sort keys, all ending in `#<createdAt>#<id>` so ties have one order:
 *   created:   `<createdAt>#<id>`
 *   completed: `<endedAt>#<createdAt>#<id>`, or `~#...` while the session runs
 *   duration:  `<ms, 15 digits>#<createdAt>#<id>`, or `~#...` while it runs
 * `~` sorts after every digit: a session without an end or a final duration
 * counts as greater than any (last ascending, first descending).
 */
export const LIST_INDEXES: Record<ListSort, { readonly index: IndexName; readonly attribute: string }> = {
  createdAt: { index: 'list-created', attribute: 'listCreated' },
  completedAt: { index: 'list-completed', attribute: 'listCompleted' },
  duration: { index: 'list-duration', attribute: 'listDuration' },
};

export { LISTING_ATTRIBUTES } from './table-definition';

/** The ALL partition's counter is spread over shards, so unrelated sessions' writes do not contend on one item. */
export const ALL_COUNTER_SHARDS = 8;

const ALL = 'ALL';
/** The list partition of queued and running sessions (their own items). */
export const LIVE_PARTITION = 'LIVE';

/** Which sessions a list Query reads: ended ones (their listing items) or live ones (partition LIVE). */
export type ListStreamKind = 'ended' | 'live';

export interface ListingEntry {
  readonly key: Key;
  readonly item: Record<string, unknown>;
  /** The counter this entry is counted in, if any (the ALL#<status> entries are counted in ALL's by-status attributes). */
  readonly counter?: Key;
}

function shardOf(id: string): number {
  let hash = 0;
  for (let index = 0; index < id.length; index += 1) hash = (hash * 31 + id.charCodeAt(index)) >>> 0;
  return hash % ALL_COUNTER_SHARDS;
}

const pad = (ms: number) => String(Math.min(ms, 999_999_999_999_999)).padStart(15, '0');

/** A session's sort key for an order: the string its listing item carries (and a running session would). */
export function sortKeyOf(session: Session, sortBy: ListSort): string {
  const tail = `${session.createdAt}#${session.id}`;
  switch (sortBy) {
    case 'createdAt':
      return tail;
    case 'completedAt':
      return session.endedAt === undefined ? `~#${tail}` : `${session.endedAt}#${tail}`;
    case 'duration': {
      const duration = finalDurationMs(session);
      return duration === undefined ? `~#${tail}` : `${pad(duration)}#${tail}`;
    }
  }
}

/** The listing items of an ended session (none while it runs); `ttl` is set while its data is due to expire. */
export function listingEntries(session: Session, ttl: number | undefined): ListingEntry[] {
  if (!isTerminal(session.status)) return [];
  const sortKeys = {
    listCreated: sortKeyOf(session, 'createdAt'),
    listCompleted: sortKeyOf(session, 'completedAt'),
    listDuration: sortKeyOf(session, 'duration'),
  };
  const partitions: [string, Key | undefined][] = [
    [ALL, keys.listCount(`${ALL}#${shardOf(session.id)}`)],
    [`${ALL}#${session.status}`, undefined],
    [`J#${part(session.juniorId)}`, keys.listCount(`J#${part(session.juniorId)}`)],
    [`S#${part(session.storyId)}`, keys.listCount(`S#${part(session.storyId)}`)],
  ];
  if (session.mentorId !== undefined) partitions.push([`M#${part(session.mentorId)}`, keys.listCount(`M#${part(session.mentorId)}`)]);
  return partitions.map(([partition, counter]) => ({
    key: keys.listing(session.id, partition),
    item: {
      ...keys.listing(session.id, partition),
      entity: 'listing',
      listPk: partition,
      ...sortKeys,
      sessionId: session.id,
      juniorId: session.juniorId,
      ...(session.mentorId !== undefined && { mentorId: session.mentorId }),
      storyId: session.storyId,
      status: session.status,
      createdAt: session.createdAt,
      ...(ttl !== undefined && { ttl }),
    },
    ...(counter !== undefined && { counter }),
  }));
}

/** The counter a listing item is counted in, from its partition (undefined for ALL#<status>). */
export function listingEntryCounter(sessionId: string, partition: string): Key | undefined {
  if (partition === ALL) return keys.listCount(`${ALL}#${shardOf(sessionId)}`);
  if (partition.startsWith(`${ALL}#`)) return undefined;
  return keys.listCount(partition);
}

/** How the Query of ended or live sessions runs: the index, the key condition, a filter for the rest, and where its total can be read. */
export interface ListPlan {
  readonly index: IndexName;
  readonly sortAttribute: string;
  readonly partition: string;
  readonly keyCondition: string;
  readonly filter?: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  readonly forward: boolean;
  /**
   * The counters whose sum is the total (`status`: the by-status attribute to
   * read, else every status). Absent when the filter reaches past one partition
   * (a date range, a second id): the total is then counted by a Query.
   */
  readonly counters?: { readonly keys: readonly Key[]; readonly status?: string };
}

/**
 * Plans the Query of ended (or live) sessions matching the filter, in order,
 * after a position (a sort key; the item at exactly that key is the caller's
 * to drop). Null when the filter names a status no such session has. Ended:
 * the partition is the junior, else the mentor, else the story, else the
 * status, else ALL. Live: partition LIVE, every id and the status on the
 * item, no counters. A date range is a key condition when sorting by
 * creation time, else a filter.
 */
export function planList(filter: SessionFilter, order: ListOrder, after?: string, kind: ListStreamKind = 'ended'): ListPlan | null {
  if (filter.status !== undefined && isTerminal(filter.status) !== (kind === 'ended')) return null;
  const { index, attribute } = LIST_INDEXES[order.sortBy];
  const names: Record<string, string> = { '#pk': 'listPk' };
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const onItem = (field: 'juniorId' | 'mentorId' | 'storyId' | 'status', value: string) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    conditions.push(`#${field} = :${field}`);
  };

  let partition: string;
  let counterKeys: Key[];
  if (kind === 'live') partition = LIVE_PARTITION;
  else if (filter.juniorId !== undefined) partition = `J#${part(filter.juniorId)}`;
  else if (filter.mentorId !== undefined) partition = `M#${part(filter.mentorId)}`;
  else if (filter.storyId !== undefined) partition = `S#${part(filter.storyId)}`;
  else partition = filter.status === undefined ? ALL : `${ALL}#${filter.status}`;
  if (partition.startsWith(ALL)) counterKeys = Array.from({ length: ALL_COUNTER_SHARDS }, (_, shard) => keys.listCount(`${ALL}#${shard}`));
  else counterKeys = [keys.listCount(partition)];

  let secondIds = false;
  for (const [field, prefix] of [
    ['juniorId', 'J'],
    ['mentorId', 'M'],
    ['storyId', 'S'],
  ] as const) {
    const id = filter[field];
    if (id === undefined || partition === `${prefix}#${part(id)}`) continue;
    onItem(field, id);
    secondIds = true;
  }
  if (filter.status !== undefined && !partition.startsWith(`${ALL}#`)) onItem('status', filter.status);

  // Bounds on the sort key, both inclusive: the date range (sorting by creation time: `<createdAt>#<id>`
  // >= from exactly when createdAt >= from, and <= to exactly when createdAt < to, as no key equals `to`)
  // and the position (inclusive here; the item at it is dropped by the caller).
  const desc = order.sortDirection === 'desc';
  let lower = order.sortBy === 'createdAt' ? filter.from : undefined;
  let upper = order.sortBy === 'createdAt' ? filter.to : undefined;
  if (after !== undefined) {
    if (desc) upper = upper === undefined || after < upper ? after : upper;
    else lower = lower === undefined || after > lower ? after : lower;
  }
  values[':pk'] = partition;
  let keyCondition = '#pk = :pk';
  if (lower !== undefined || upper !== undefined) names['#sort'] = attribute;
  if (lower !== undefined && upper !== undefined) {
    keyCondition += ' AND #sort BETWEEN :lower AND :upper';
    Object.assign(values, { ':lower': lower, ':upper': upper });
  } else if (lower !== undefined) {
    keyCondition += ' AND #sort >= :lower';
    values[':lower'] = lower;
  } else if (upper !== undefined) {
    keyCondition += ' AND #sort <= :upper';
    values[':upper'] = upper;
  }
  if (order.sortBy !== 'createdAt' && (filter.from !== undefined || filter.to !== undefined)) {
    names['#createdAt'] = 'createdAt';
    if (filter.from !== undefined) {
      conditions.push('#createdAt >= :from');
      values[':from'] = filter.from;
    }
    if (filter.to !== undefined) {
      conditions.push('#createdAt < :to');
      values[':to'] = filter.to;
    }
  }
  const ranged = filter.from !== undefined || filter.to !== undefined;
  return {
    index,
    sortAttribute: attribute,
    partition,
    keyCondition,
    ...(conditions.length > 0 && { filter: conditions.join(' AND ') }),
    names,
    values,
    forward: !desc,
    ...(kind === 'ended' && !ranged && !secondIds && { counters: { keys: counterKeys, ...(filter.status !== undefined && { status: filter.status }) } }),
  };
}
