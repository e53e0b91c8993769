import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { nextDueAt } from '../../domain/check-ins';
import type { Session } from '../../domain/model';
import { expiryOf } from '../../domain/retention';
import { isOpen, isTerminal } from '../../domain/status';
import type { MentorUsage, UsageSnapshot } from '../../ports/usage-reader';
import { type Key, keys } from './keys';
import { LIVE_PARTITION, listingEntries, sortKeyOf } from './listing';
import { epochSeconds, keyString } from './table';
import { TABLE_DEFINITION } from './table-definition';

/**
 * How a session is laid out in the table: its item (with the sparse-index
 * keys of its status and its TTL), its listing entries and counters, and the
 * counter items usage is read from. The repository, the indexes and the
 * history all read and write sessions through these.
 */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const QUEUE_PARTITION = 'QUEUE';
export const DUE_PARTITION = 'DUE';
export const OPEN_PARTITION = 'OPEN';
/** Ended sessions whose engine instance has not followed yet (a sync mark or a pending command) share the open index under their own partition. */
export const SYNC_PARTITION = 'SYNC';
/** Running sessions waiting for a new mentor share the queue index under their own partition. */
export const REASSIGN_PARTITION = 'REASSIGN';
/** Terminal sessions that will expire share the due index under their own partition, by expiry. */
export const EXPIRY_PARTITION = 'EXPIRY';

function queueSortKey(session: Session): string {
  return `${session.enqueuedAt ?? session.createdAt}#${session.id}`;
}

/** A session as stored: its keys, the session, the sparse-index keys of its status and, once it may expire, its TTL. */
export function sessionItem(session: Session, retentionDays: number): Record<string, unknown> {
  const expiresAt = expiryOf(session, retentionDays);
  return {
    ...keys.session(session.id),
    entity: 'session',
    ...session,
    ...indexAttributes(session),
    ...(expiresAt !== undefined && {
      expiresAt,
      [TABLE_DEFINITION.timeToLiveAttribute]: epochSeconds(expiresAt),
      duePk: EXPIRY_PARTITION,
      dueSk: `${expiresAt}#${session.id}`,
    }),
  };
}

/**
 * For seeding (the bench, tests): the items that commits creating these
 * sessions would leave, the session and listing items and the list counters
 * (not the events or slot counters). Write them with BatchWrite.
 */
export function seedItems(sessions: readonly Session[], retentionDays: number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const counters = new Map<string, Record<string, unknown>>();
  for (const session of sessions) {
    items.push(sessionItem(session, retentionDays));
    const expiresAt = expiryOf(session, retentionDays);
    for (const entry of listingEntries(session, expiresAt === undefined ? undefined : epochSeconds(expiresAt))) {
      items.push(entry.item);
      if (entry.counter === undefined) continue;
      const counter = counters.get(keyString(entry.counter)) ?? { ...entry.counter, entity: 'list-counter' };
      counter[session.status] = (Number(counter[session.status]) || 0) + 1;
      counters.set(keyString(entry.counter), counter);
    }
  }
  return [...items, ...counters.values()];
}

/**
 * The listing items a change moves, in its transaction: entries the session
 * left are deleted, new or changed ones written, and each list counter moves
 * by status (a session leaving `Active` for `Paused` is -1 Active, +1 Paused).
 */
export function listingWrites(tableName: string, before: Session | undefined, after: Session, retentionDays: number): TransactItem[] {
  const ttlOf = (session: Session) => {
    const expiresAt = expiryOf(session, retentionDays);
    return expiresAt === undefined ? undefined : epochSeconds(expiresAt);
  };
  const old = new Map((before === undefined ? [] : listingEntries(before, ttlOf(before))).map((entry) => [keyString(entry.key), entry]));
  const next = listingEntries(after, ttlOf(after));
  const writes: TransactItem[] = [];
  const counts = new Map<string, { key: Key; deltas: Map<string, number> }>();
  const count = (key: Key | undefined, status: string, delta: number) => {
    if (key === undefined) return;
    const entry = counts.get(keyString(key)) ?? { key, deltas: new Map<string, number>() };
    entry.deltas.set(status, (entry.deltas.get(status) ?? 0) + delta);
    counts.set(keyString(key), entry);
  };
  for (const entry of next) {
    const previous = old.get(keyString(entry.key));
    old.delete(keyString(entry.key));
    if (previous !== undefined && JSON.stringify(previous.item) === JSON.stringify(entry.item)) continue;
    writes.push({ Put: { TableName: tableName, Item: entry.item } });
    if (previous !== undefined) count(previous.counter, String(previous.item.status), -1);
    count(entry.counter, String(entry.item.status), 1);
  }
  for (const entry of old.values()) {
    writes.push({ Delete: { TableName: tableName, Key: entry.key } });
    count(entry.counter, String(entry.item.status), -1);
  }
  for (const { key, deltas } of counts.values()) {
    const moved = [...deltas].filter(([, delta]) => delta !== 0);
    if (moved.length === 0) continue;
    const names: Record<string, string> = { '#entity': 'entity' };
    const values: Record<string, unknown> = { ':entity': 'list-counter' };
    moved.forEach(([status, delta], index) => {
      names[`#s${index}`] = status;
      values[`:d${index}`] = delta;
    });
    writes.push({
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET #entity = :entity ADD ${moved.map((_, index) => `#s${index} :d${index}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  return writes;
}

/**
 * The sparse-index keys a session carries in its current status: it is in the
 * queue index only while Queued, in the due index only while it has a
 * deadline, in the open index only while it holds slots, and in the list
 * indexes (partition LIVE, listing.ts) until it ends, when its listing items
 * take over. Every write of a session puts its whole item, so these appear
 * and disappear with the status that implies them.
 */
function indexAttributes(session: Session): Record<string, string> {
  const due = nextDueAt(session);
  const open = isOpen(session.status);
  const awaiting = open && session.awaitingMentorSince !== undefined;
  return {
    ...liveListAttributes(session),
    ...(session.status === 'Queued' && { queuePk: QUEUE_PARTITION, queueSk: queueSortKey(session) }),
    ...(awaiting && { queuePk: REASSIGN_PARTITION, queueSk: `${session.awaitingMentorSince}#${session.id}` }),
    ...(due && { duePk: DUE_PARTITION, dueSk: `${due}#${session.id}` }),
    ...(open && { openPk: OPEN_PARTITION, openSk: session.id }),
    ...(!open && (session.engineSync !== undefined || session.engineCommand !== undefined) && { openPk: SYNC_PARTITION, openSk: session.id }),
  };
}

/**
 * A queued or running session's own keys in the list indexes: partition LIVE,
 * its sort key for each order, and `sessionId` (the other projected
 * attributes, LISTING_ATTRIBUTES, are the session's own fields). None once it
 * has ended.
 */
export function liveListAttributes(session: Session): Record<string, string> {
  if (isTerminal(session.status)) return {};
  return {
    listPk: LIVE_PARTITION,
    listCreated: sortKeyOf(session, 'createdAt'),
    listCompleted: sortKeyOf(session, 'completedAt'),
    listDuration: sortKeyOf(session, 'duration'),
    sessionId: session.id,
  };
}

export function usageKeys(juniorIds: readonly string[]): Key[] {
  return [keys.counter('system'), keys.counter('queue'), ...juniorIds.map((id) => keys.counter('junior', id))];
}

export function usageFrom(found: Map<string, Record<string, unknown>>, juniorIds: readonly string[]): UsageSnapshot {
  const count = (key: Key) => {
    const value = found.get(`${key.pk}|${key.sk}`)?.count;
    return typeof value === 'number' ? value : 0;
  };
  return {
    system: count(keys.counter('system')),
    queue: count(keys.counter('queue')),
    juniors: new Map(juniorIds.map((id) => [id, count(keys.counter('junior', id))])),
  };
}

export function mentorUsageFrom(item: Record<string, unknown> | undefined): Omit<MentorUsage, 'mentor'> {
  const load = typeof item?.count === 'number' ? item.count : 0;
  return { load, ...(typeof item?.lastAssignedAt === 'string' && { lastAssignedAt: item.lastAssignedAt }) };
}
