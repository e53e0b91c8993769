import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { queueChange, type SlotScope, slotChange } from '../../domain/limits';
import type { Session, SessionEvent } from '../../domain/model';
import { expiryOf } from '../../domain/retention';
import { isOpen } from '../../domain/status';
import { type CommitConflict, CommitConflictError, type IdempotencyRecord, type SessionChange, type SessionRepository } from '../../ports/session-repository';
import type { DirectoryCache } from './directory-cache';
import { type Key, keys } from './keys';
import { EventRecord, IdempotencyRecordSchema, parseRecord, SessionRecord } from './records';
import { listingWrites, sessionItem, type TransactItem } from './session-items';
import { type DynamoTable, delay, epochSeconds } from './table';
import { TABLE_DEFINITION } from './table-definition';

/** What each transaction item is for, so a cancellation reason can be read back as a conflict. */
type ItemRole = { conflict: CommitConflict; scope?: SlotScope | 'queue' } | { conflict: undefined };

/** DynamoDB does not emulate, but AWS raises, TransactionConflict under contention; the SDK does not retry it. */
const TRANSACTION_CONFLICT_RETRIES = 3;

export interface DynamoSessionRepositoryOptions {
  /** Days a terminal session's items are kept before DynamoDB TTL removes them (a legal hold keeps them). */
  readonly retentionDays: number;
  /** Called after each change is written (not after a refused one): where metrics count status changes. */
  readonly onCommitted?: (change: SessionChange) => void;
  /** The directory a start may have decided on: forgotten when a transaction finds the chosen mentor changed. */
  readonly directoryCache?: DirectoryCache;
}

/** Sessions and their audit log in the table: a session's partition holds its item and its events. */
export class DynamoSessionRepository implements SessionRepository {
  constructor(
    private readonly table: DynamoTable,
    private readonly options: DynamoSessionRepositoryOptions,
  ) {}

  async getSession(id: string): Promise<Session | undefined> {
    return this.table.getSession(id);
  }

  async getSessionAndQueueLength(id: string): Promise<{ session: Session | undefined; queueLength: number }> {
    const found = await this.table.batchGet([keys.session(id), keys.counter('queue')]);
    const sessionKey = keys.session(id);
    const item = found.get(`${sessionKey.pk}|${sessionKey.sk}`);
    const queueKey = keys.counter('queue');
    const count = found.get(`${queueKey.pk}|${queueKey.sk}`)?.count;
    return {
      session: item === undefined ? undefined : parseRecord(SessionRecord, item, 'session'),
      queueLength: typeof count === 'number' ? count : 0,
    };
  }

  async getSessionWithEvents(id: string): Promise<{ session: Session; events: SessionEvent[] } | undefined> {
    let session: Session | undefined;
    const events: SessionEvent[] = [];
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(id) },
      ConsistentRead: true,
    });
    for (const item of items) {
      if (item.sk === 'SESSION') session = parseRecord(SessionRecord, item, 'session');
      else if (typeof item.sk === 'string' && item.sk.startsWith('EVENT#')) events.push(parseRecord(EventRecord, item, 'event'));
    }
    return session === undefined ? undefined : { session, events };
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.table.get(keys.idempotency(scope, key));
    return item === undefined ? undefined : parseRecord(IdempotencyRecordSchema, item, 'idempotency');
  }

  async commit(change: SessionChange): Promise<void> {
    const { items, roles } = this.transaction(change);
    const [only] = items;
    if (items.length === 1 && only?.Put !== undefined) return this.putAlone(only.Put, change);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.table.db.send(new TransactWriteCommand({ TransactItems: items }));
        this.options.onCommitted?.(change);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const role = roles[failed];
          if (role?.conflict === 'mentor_unavailable') this.options.directoryCache?.forgetMentors();
          if (role?.conflict !== undefined) throw new CommitConflictError(role.conflict, role.scope);
          throw error;
        }
        const contended = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (!contended || attempt >= TRANSACTION_CONFLICT_RETRIES) throw error;
        await delay(10 * 2 ** attempt + Math.random() * 10);
      }
    }
  }

  /**
   * A change that writes only the session item (no event, no counter, no
   * listing: an engine command claimed, tried or confirmed, an instance
   * recorded) is one conditional PutItem, not a transaction of one item: the
   * same condition, half the write capacity, a lighter request.
   */
  private async putAlone(put: NonNullable<TransactItem['Put']>, change: SessionChange): Promise<void> {
    try {
      await this.table.db.send(new PutCommand(put));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new CommitConflictError('session_changed');
      throw error;
    }
    this.options.onCommitted?.(change);
  }

  /**
   * One status change = one transaction: the session (conditioned on the status
   * and version it was read at), its new events, the slot counters the change
   * moves, and for a start the idempotency record.
   */
  private transaction(change: SessionChange): { items: TransactItem[]; roles: ItemRole[] } {
    const items: TransactItem[] = [];
    const roles: ItemRole[] = [];
    const add = (item: TransactItem, role: ItemRole) => {
      items.push(item);
      roles.push(role);
    };
    const { session, expected } = change;

    // The version condition is what makes concurrent writers safe: of two requests
    // that read version N, only the first commit finds N; the other is refused
    // whole (its events and counters with it) and re-reads.
    add(
      {
        Put: {
          TableName: this.table.tableName,
          Item: sessionItem(session, this.options.retentionDays),
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#status = :expectedStatus AND #version = :expectedVersion',
                ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
                ExpressionAttributeValues: { ':expectedStatus': expected.status, ':expectedVersion': expected.version },
              }),
        },
      },
      { conflict: 'session_changed' },
    );

    // Events written once the session may expire are born with its expiry (earlier ones get it from the stream).
    const expiresAt = expiryOf(session, this.options.retentionDays);
    const eventTtl = expiresAt === undefined ? {} : { [TABLE_DEFINITION.timeToLiveAttribute]: epochSeconds(expiresAt) };
    for (const event of change.events) {
      add(
        {
          Put: {
            TableName: this.table.tableName,
            Item: { ...keys.event(session.id, event.seq), entity: 'event', ...event, ...eventTtl },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { conflict: 'session_changed' },
      );
    }

    for (const write of listingWrites(this.table.tableName, expected, session, this.options.retentionDays)) add(write, { conflict: undefined });

    if (change.externalEventId !== undefined) {
      add(
        {
          Put: {
            TableName: this.table.tableName,
            Item: { ...keys.externalEvent(session.id, change.externalEventId), entity: 'external-event', sessionId: session.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { conflict: 'duplicate_event' },
      );
    }

    if (change.idempotency !== undefined) {
      const record = change.idempotency;
      add(
        {
          Put: {
            TableName: this.table.tableName,
            Item: {
              ...keys.idempotency(record.scope, record.key),
              entity: 'idempotency',
              ...record,
              [TABLE_DEFINITION.timeToLiveAttribute]: epochSeconds(record.expiresAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { conflict: 'idempotency_key_taken' },
      );
    }

    const limits = change.limits;
    const slots = slotChange(expected?.status, session.status);
    const moves: [SlotScope, Key, 'acquire' | 'release', number | undefined][] = [];
    if (slots !== 'none') {
      moves.push(['junior', keys.counter('junior', session.juniorId), slots, limits?.junior]);
      moves.push(['system', keys.counter('system'), slots, limits?.system]);
    }
    // The mentor slot follows the mentor an open session holds: a start takes it, an end
    // releases it, a reassignment releases the old mentor's and takes the new one's.
    const mentorBefore = expected !== undefined && isOpen(expected.status) ? expected.mentorId : undefined;
    const mentorAfter = isOpen(session.status) ? session.mentorId : undefined;
    if (mentorBefore !== mentorAfter) {
      if (mentorBefore !== undefined) moves.push(['mentor', keys.counter('mentor', mentorBefore), 'release', undefined]);
      if (mentorAfter !== undefined) {
        moves.push(['mentor', keys.counter('mentor', mentorAfter), 'acquire', limits?.mentor]);
        // A mentor marked unavailable, or whose own cap fell below the limit this change takes their slot under,
        // after the change's read (or the directory it reused, see directory-cache.ts) takes no new session.
        const cap = limits?.mentor;
        add(
          {
            ConditionCheck: {
              TableName: this.table.tableName,
              Key: keys.directory('mentor', mentorAfter),
              ConditionExpression:
                cap === undefined ? 'available = :yes' : 'available = :yes AND (attribute_not_exists(maxConcurrentSessions) OR maxConcurrentSessions >= :cap)',
              ExpressionAttributeValues: { ':yes': true, ...(cap !== undefined && { ':cap': cap }) },
            },
          },
          { conflict: 'mentor_unavailable' },
        );
      }
    }
    for (const [scope, key, move, max] of moves) {
      if (move === 'acquire' && max === undefined) throw new Error(`commit takes a ${scope} slot but no limit was given`);
      const stamp = move === 'acquire' && scope === 'mentor' ? session.updatedAt : undefined;
      add(counterUpdate(this.table.tableName, key, move, max, stamp), move === 'acquire' ? { conflict: 'limit_reached', scope } : { conflict: undefined });
    }
    if (change.rotation !== undefined) {
      const { next, expectedTurn } = change.rotation;
      add(
        {
          Put: {
            TableName: this.table.tableName,
            Item: { ...keys.rotation(next.skillArea), entity: 'rotation', ...next },
            ...(expectedTurn === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: '#turn = :turn', ExpressionAttributeNames: { '#turn': 'turn' }, ExpressionAttributeValues: { ':turn': expectedTurn } }),
          },
        },
        { conflict: 'rotation_moved' },
      );
    }
    const queue = queueChange(expected?.status, session.status);
    if (queue !== 'none') {
      if (queue === 'enter' && limits?.queue === undefined) throw new Error('commit enqueues but no queue limit was given');
      add(
        counterUpdate(this.table.tableName, keys.counter('queue'), queue === 'enter' ? 'acquire' : 'release', limits?.queue),
        queue === 'enter' ? { conflict: 'limit_reached', scope: 'queue' } : { conflict: undefined },
      );
    }
    if (session.status === 'Completed' && expected?.status !== 'Completed') {
      add(
        {
          Update: {
            TableName: this.table.tableName,
            Key: keys.stats('active-duration'),
            UpdateExpression: 'SET #entity = :entity ADD #count :one, sumMs :ms',
            ExpressionAttributeNames: { '#count': 'count', '#entity': 'entity' },
            ExpressionAttributeValues: { ':entity': 'stats', ':one': 1, ':ms': session.activeMs ?? 0 },
          },
        },
        { conflict: undefined },
      );
    }
    return { items, roles };
  }
}

/**
 * Slot counters move only inside the status change's transaction. Taking a
 * slot requires `count < max` at commit time: of two transactions racing for
 * the last slot, DynamoDB serialises them and the second finds the counter at
 * max and is refused whole (session, events and all). A release requires a
 * held slot, so a counter never goes below zero.
 */
function counterUpdate(tableName: string, key: Key, change: 'acquire' | 'release', max?: number, assignedAt?: string): TransactItem {
  const acquire = change === 'acquire';
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET #entity = :entity${assignedAt === undefined ? '' : ', lastAssignedAt = :at'} ADD #count :delta`,
      ConditionExpression: acquire ? 'attribute_not_exists(#count) OR #count < :max' : '#count >= :one',
      ExpressionAttributeNames: { '#count': 'count', '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':entity': 'counter',
        ':delta': acquire ? 1 : -1,
        ...(acquire ? { ':max': max ?? 0 } : { ':one': 1 }),
        ...(assignedAt === undefined ? {} : { ':at': assignedAt }),
      },
    },
  };
}
