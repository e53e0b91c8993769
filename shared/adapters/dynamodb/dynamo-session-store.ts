import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { slotChange } from '../../domain/limits';
import type { Session, SessionEvent } from '../../domain/session';
import {
  CommitConflictError,
  type CommitConflict,
  type IdempotencyRecord,
  type SessionChange,
  type SessionStore,
  type StartContext,
  type StartContextQuery,
} from '../../ports/session-store';
import { keys, type Key } from './keys';
import { TABLE_DEFINITION } from './table-definition';
import {
  EventRecord,
  IdempotencyRecordSchema,
  JuniorRecord,
  MentorRecord,
  parseRecord,
  SessionRecord,
  StoryRecord,
} from './records';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** What each transaction item is for, so a cancellation reason can be read back as a conflict. */
type ItemRole = { conflict: CommitConflict } | { conflict: undefined };

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** DynamoDB does not emulate, but AWS raises, TransactionConflict under contention; the SDK does not retry it. */
const TRANSACTION_CONFLICT_RETRIES = 3;

export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getSession(id: string): Promise<Session | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.session(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseRecord(SessionRecord, Item, 'session');
  }

  async getSessionWithEvents(id: string): Promise<{ session: Session; events: SessionEvent[] } | undefined> {
    let session: Session | undefined;
    const events: SessionEvent[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.sessionPartition(id) },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk === 'SESSION') session = parseRecord(SessionRecord, item, 'session');
        else if (typeof item.sk === 'string' && item.sk.startsWith('EVENT#')) events.push(parseRecord(EventRecord, item, 'event'));
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return session === undefined ? undefined : { session, events };
  }

  async loadStartContext(query: StartContextQuery): Promise<StartContext> {
    const wanted: Key[] = [keys.directory('story', query.storyId), keys.directory('junior', query.juniorId)];
    if (query.mentorId !== undefined) wanted.push(keys.directory('mentor', query.mentorId));
    if (query.idempotency !== undefined) wanted.push(keys.idempotency(query.idempotency.scope, query.idempotency.key));

    const found = new Map<string, Record<string, unknown>>();
    let pending: Record<string, unknown>[] = wanted.map((key) => ({ ...key }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await delay(20 * 2 ** attempt);
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[this.tableName] ?? []) found.set(`${String(item.pk)}|${String(item.sk)}`, item);
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (attempt > 8 && pending.length > 0) throw new Error('BatchGet left keys unprocessed after retries');
    }
    const pick = (key: Key) => found.get(`${key.pk}|${key.sk}`);

    const story = pick(keys.directory('story', query.storyId));
    const junior = pick(keys.directory('junior', query.juniorId));
    const mentor = query.mentorId === undefined ? undefined : pick(keys.directory('mentor', query.mentorId));
    const idempotency =
      query.idempotency === undefined ? undefined : pick(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    return {
      ...(story && { story: parseRecord(StoryRecord, story, 'story') }),
      ...(junior && { junior: parseRecord(JuniorRecord, junior, 'junior') }),
      ...(mentor && { mentor: parseRecord(MentorRecord, mentor, 'mentor') }),
      ...(idempotency && { idempotency: parseRecord(IdempotencyRecordSchema, idempotency, 'idempotency') }),
    };
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseRecord(IdempotencyRecordSchema, Item, 'idempotency');
  }

  async commit(change: SessionChange): Promise<void> {
    const { items, roles } = this.transaction(change);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const conflict = roles[failed]?.conflict;
          if (conflict !== undefined) throw new CommitConflictError(conflict);
          throw error;
        }
        const contended = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (!contended || attempt >= TRANSACTION_CONFLICT_RETRIES) throw error;
        await delay(10 * 2 ** attempt + Math.random() * 10);
      }
    }
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
          TableName: this.tableName,
          Item: { ...keys.session(session.id), entity: 'session', ...session },
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

    for (const event of change.events) {
      add(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.event(session.id, event.seq), entity: 'event', ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { conflict: 'session_changed' },
      );
    }

    if (change.externalEventId !== undefined) {
      add(
        {
          Put: {
            TableName: this.tableName,
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
            TableName: this.tableName,
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

    const slots = slotChange(expected?.status, session.status);
    if (slots !== 'none') {
      const scopes = [
        keys.counter('junior', session.juniorId),
        ...(session.mentorId === undefined ? [] : [keys.counter('mentor', session.mentorId)]),
        keys.counter('system'),
      ];
      for (const key of scopes) add(counterUpdate(this.tableName, key, slots), { conflict: undefined });
    }
    return { items, roles };
  }
}

/**
 * Slot counters move only inside the status change's transaction. A release
 * requires a held slot, so a counter can never go below zero; limits on
 * acquisition (count < max) are the next layer on this seam.
 */
function counterUpdate(tableName: string, key: Key, change: 'acquire' | 'release'): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #entity = :entity ADD #count :delta',
      ...(change === 'release' ? { ConditionExpression: '#count >= :one' } : {}),
      ExpressionAttributeNames: { '#count': 'count', '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':entity': 'counter',
        ':delta': change === 'acquire' ? 1 : -1,
        ...(change === 'release' ? { ':one': 1 } : {}),
      },
    },
  };
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
