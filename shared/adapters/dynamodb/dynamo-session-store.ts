import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { rotationKey, skillLevel } from '../../domain/assignment';
import { nextDueAt } from '../../domain/check-ins';
import { isOverdue } from '../../domain/deadlines';
import { queueChange, slotChange, type SlotScope } from '../../domain/limits';
import type { Session, SessionEvent } from '../../domain/session';
import { isOpen } from '../../domain/status';
import {
  CommitConflictError,
  type CommitConflict,
  type DurationStats,
  type IdempotencyRecord,
  type ListSessionsPage,
  type ListSessionsQuery,
  type MentorPool,
  type MentorUsage,
  type SessionChange,
  type SessionStore,
  type StartContext,
  type StartContextQuery,
  type UsageSnapshot,
} from '../../ports/session-store';
import { keys, type Key } from './keys';
import { listingEntries, listingEntryCounter, planList, sortKeyOf, type ListPlan } from './listing';
import { matchesFilter, type SessionFilter } from '../../domain/session-list';
import { isTerminal, TERMINAL_STATUSES } from '../../domain/status';
import { expiryOf } from '../../domain/retention';
import { TABLE_DEFINITION } from './table-definition';
import type { Mentor } from '../../domain/directory';
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
type ItemRole = { conflict: CommitConflict; scope?: SlotScope | 'queue' } | { conflict: undefined };

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** DynamoDB does not emulate, but AWS raises, TransactionConflict under contention; the SDK does not retry it. */
const TRANSACTION_CONFLICT_RETRIES = 3;

export interface DynamoSessionStoreOptions {
  /** Days a terminal session's items are kept before DynamoDB TTL removes them (a legal hold keeps them). */
  readonly retentionDays: number;
  /** Called after each change is written (not after a refused one): where metrics count status changes. */
  readonly onCommitted?: (change: SessionChange) => void;
}

export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: DynamoSessionStoreOptions,
  ) {}

  async getSession(id: string): Promise<Session | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.session(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseRecord(SessionRecord, Item, 'session');
  }

  async getSessionAndQueueLength(id: string): Promise<{ session: Session | undefined; queueLength: number }> {
    const found = await this.batchGet([keys.session(id), keys.counter('queue')]);
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
    const items = await this.queryAll({
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

  async loadStartContext(query: StartContextQuery): Promise<StartContext> {
    const wanted: Key[] = [keys.directory('story', query.storyId), keys.directory('junior', query.juniorId)];
    if (query.mentorId !== undefined) wanted.push(keys.directory('mentor', query.mentorId));
    if (query.idempotency !== undefined) wanted.push(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const counters = usageKeys([query.juniorId]);

    // The mentor directory is read alongside (it does not depend on the story); the pool's
    // counters follow once the story names the skill area.
    const [found, allMentors] = await Promise.all([
      this.batchGet([...wanted, ...counters]),
      query.withMentorPool ? this.allMentors() : Promise.resolve(undefined),
    ]);
    const pick = (key: Key) => found.get(`${key.pk}|${key.sk}`);

    const story = pick(keys.directory('story', query.storyId));
    const junior = pick(keys.directory('junior', query.juniorId));
    const mentor = query.mentorId === undefined ? undefined : pick(keys.directory('mentor', query.mentorId));
    const idempotency =
      query.idempotency === undefined ? undefined : pick(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const storyRecord = story && parseRecord(StoryRecord, story, 'story');
    const mentorPool =
      allMentors !== undefined && storyRecord !== undefined
        ? await this.poolOf(allMentors, { skillArea: storyRecord.skillArea, ...(query.mentorId !== undefined && { mentorIds: [query.mentorId] }) })
        : undefined;
    return {
      ...(storyRecord && { story: storyRecord }),
      ...(mentorPool && { mentorPool }),
      ...(junior && { junior: parseRecord(JuniorRecord, junior, 'junior') }),
      ...(mentor && { mentor: parseRecord(MentorRecord, mentor, 'mentor') }),
      ...(idempotency && { idempotency: parseRecord(IdempotencyRecordSchema, idempotency, 'idempotency') }),
      usage: usageFrom(found, [query.juniorId]),
    };
  }

  async readUsage(query: { juniorIds: readonly string[] }): Promise<UsageSnapshot> {
    const juniorIds = [...new Set(query.juniorIds)];
    return usageFrom(await this.batchGet(usageKeys(juniorIds)), juniorIds);
  }

  async listQueued(options: { limit: number; cursor?: string }): Promise<{ sessions: Session[]; cursor?: string }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'queue',
        KeyConditionExpression: 'queuePk = :queue',
        ExpressionAttributeValues: { ':queue': QUEUE_PARTITION },
        Limit: options.limit,
        ...(options.cursor === undefined ? {} : { ExclusiveStartKey: JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) }),
      }),
    );
    const sessions = (page.Items ?? []).map((item) => parseRecord(SessionRecord, item, 'session'));
    const cursor = page.LastEvaluatedKey === undefined ? undefined : Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url');
    return { sessions, ...(cursor === undefined ? {} : { cursor }) };
  }

  async listDue(now: string, limit: number): Promise<Session[]> {
    // Sort keys are `<deadline ISO>#<id>`: everything up to `now` sorts before `now#~`.
    return this.sessionsInIndex('due', 'duePk = :pk AND dueSk <= :now', { ':pk': DUE_PARTITION, ':now': `${now}#~` }, limit);
  }

  async listOpen(): Promise<Session[]> {
    const items = await this.queryAll({
      IndexName: 'open',
      KeyConditionExpression: 'openPk = :open',
      ExpressionAttributeValues: { ':open': OPEN_PARTITION },
    });
    return items.map((item) => parseRecord(SessionRecord, item, 'session'));
  }

  async listEngineSyncPending(limit: number): Promise<Session[]> {
    return this.sessionsInIndex('open', 'openPk = :pk', { ':pk': SYNC_PARTITION }, limit);
  }

  async readReconcileCursor(): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reconcileCursor(), ConsistentRead: true }));
    return typeof Item?.after === 'string' ? Item.after : undefined;
  }

  async saveReconcileCursor(after: string | undefined): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.reconcileCursor(), entity: 'reconcile-cursor', ...(after !== undefined && { after }) } }),
    );
  }

  async listAwaitingMentor(limit: number): Promise<Session[]> {
    return this.sessionsInIndex('queue', 'queuePk = :pk', { ':pk': REASSIGN_PARTITION }, limit);
  }

  /** The first `limit` sessions of one partition of a sparse session index (one Query). */
  private async sessionsInIndex(index: string, condition: string, values: Record<string, string>, limit: number): Promise<Session[]> {
    const page = await this.db.send(
      new QueryCommand({ TableName: this.tableName, IndexName: index, KeyConditionExpression: condition, ExpressionAttributeValues: values, Limit: limit }),
    );
    return (page.Items ?? []).map((item) => parseRecord(SessionRecord, item, 'session'));
  }


  /**
   * Reads the mentor directory's partition (a Query, a page at a time), keeps
   * the mentors who cover the area or are named, then reads their slot
   * counters and the area's pointer in one BatchGet.
   */
  async loadMentorPool(query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool> {
    return this.poolOf(await this.allMentors(), query);
  }

  /** Every mentor in the directory: one Query of its partition, a page at a time. */
  private async allMentors(): Promise<Mentor[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.directoryPartition('mentor') },
      ConsistentRead: true,
    });
    return items.map((item) => parseRecord(MentorRecord, item, 'mentor'));
  }

  /** Every item a Query matches, following its pages. */
  private async queryAll(query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...query, TableName: this.tableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }

  /** How many items a Query matches (Select COUNT), following its pages. */
  private async countAll(query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Select'>): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...query, TableName: this.tableName, Select: 'COUNT', ExclusiveStartKey }));
      total += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return total;
  }

  /** Keeps the mentors who cover the area or are named, and reads their counters and the area's pointer in one BatchGet. */
  private async poolOf(all: readonly Mentor[], query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool> {
    const named = new Set(query.mentorIds ?? []);
    const mentors = all.filter((mentor) => named.has(mentor.id) || skillLevel(mentor, query.skillArea) > 0);
    const rotationKeyOf = keys.rotation(rotationKey(query.skillArea));
    const found = await this.batchGet([rotationKeyOf, ...mentors.map((m) => keys.counter('mentor', m.id))]);
    const pointer = found.get(keyString(rotationKeyOf));
    return {
      mentors: mentors.map((mentor) => ({ mentor, ...mentorUsageFrom(found.get(keyString(keys.counter('mentor', mentor.id)))) })),
      rotation: {
        skillArea: rotationKey(query.skillArea),
        turn: typeof pointer?.turn === 'number' ? pointer.turn : 0,
        ...(typeof pointer?.lastMentorId === 'string' && { lastMentorId: pointer.lastMentorId }),
      },
    };
  }

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
      const page = await this.db.send(
        new QueryCommand({
          ...planQuery(plan),
          TableName: this.tableName,
          ScanIndexForward: plan.forward,
          // With a filter on the items a page may hold few matches: read more of them a request.
          Limit: plan.filter === undefined ? wanted - ended.length + 1 : Math.max(wanted, FILTERED_PAGE_READ),
          ...(start !== undefined && { ExclusiveStartKey: start }),
        }),
      );
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
      this.queryAll({ IndexName: 'queue', KeyConditionExpression: 'queuePk = :queue', ExpressionAttributeValues: { ':queue': QUEUE_PARTITION } }),
      this.queryAll({ IndexName: 'open', KeyConditionExpression: 'openPk = :open', ExpressionAttributeValues: { ':open': OPEN_PARTITION } }),
    ]);
    return [...queued, ...open].map((item) => parseRecord(SessionRecord, item, 'session'));
  }

  /** The page's sessions in order: running ones as read, ended ones in one BatchGet; one whose item is gone (expired) is skipped. */
  private async sessionsOf(entries: readonly { id: string; session?: Session }[]): Promise<Session[]> {
    const found = await this.batchGet(entries.filter((entry) => entry.session === undefined).map((entry) => keys.session(entry.id)));
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
      const found = await this.batchGet(counterKeys);
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
    return this.countAll(planQuery(plan));
  }

  async countExpiring(from: string, to: string): Promise<number> {
    return this.countAll({
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :expiry AND dueSk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':expiry': EXPIRY_PARTITION, ':from': from, ':to': to },
    });
  }

  /**
   * Gives every item of a session's partition the session item's TTL (or
   * removes it, under a legal hold). Run from the table's stream when the
   * session's expiry changes; idempotent. Returns the number of items changed.
   */
  async applyExpiry(sessionId: string): Promise<number> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
      ProjectionExpression: 'pk, sk, #ttl',
      ExpressionAttributeNames: { '#ttl': TABLE_DEFINITION.timeToLiveAttribute },
      ConsistentRead: true,
    });
    const session = items.find((item) => item.sk === 'SESSION');
    if (session === undefined) return 0;
    const ttl = session[TABLE_DEFINITION.timeToLiveAttribute];
    const stale = items.filter((item) => item.sk !== 'SESSION' && item[TABLE_DEFINITION.timeToLiveAttribute] !== ttl);
    for (let offset = 0; offset < stale.length; offset += EXPIRY_WRITE_CONCURRENCY) {
      await Promise.all(
        stale.slice(offset, offset + EXPIRY_WRITE_CONCURRENCY).map((item) =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: item.pk, sk: item.sk },
              // Only items that still exist: a TTL deletion racing this must not be undone.
              ConditionExpression: 'attribute_exists(pk)',
              UpdateExpression: typeof ttl === 'number' ? 'SET #ttl = :ttl' : 'REMOVE #ttl',
              ExpressionAttributeNames: { '#ttl': TABLE_DEFINITION.timeToLiveAttribute },
              ...(typeof ttl === 'number' && { ExpressionAttributeValues: { ':ttl': ttl } }),
            }),
          ).catch((error: unknown) => {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }),
        ),
      );
    }
    return stale.length;
  }

  /** A listing item DynamoDB's TTL removed: its partition's counter no longer counts it. */
  async forgetExpiredListing(item: { readonly sessionId: string; readonly partition: string; readonly status: string }): Promise<void> {
    const entry = listingEntryCounter(item.sessionId, item.partition);
    if (entry === undefined) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: entry,
        UpdateExpression: 'ADD #status :minus',
        ConditionExpression: '#status >= :one',
        ExpressionAttributeNames: { '#status': item.status },
        ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  async readMentorUsage(mentorIds: readonly string[]): Promise<ReadonlyMap<string, { load: number; lastAssignedAt?: string }>> {
    const found = await this.batchGet(mentorIds.map((id) => keys.counter('mentor', id)));
    return new Map(mentorIds.map((id) => [id, mentorUsageFrom(found.get(keyString(keys.counter('mentor', id))))]));
  }

  async getDurationStats(): Promise<DurationStats | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.stats('active-duration') }));
    const count = Number(Item?.count ?? 0);
    const sumMs = Number(Item?.sumMs ?? 0);
    return count > 0 && Number.isFinite(sumMs) ? { count, meanActiveMs: sumMs / count } : undefined;
  }

  /** Consistent BatchGet, retrying unprocessed keys; 100 keys a request. */
  private async batchGet(wanted: readonly Key[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const unique = [...new Map(wanted.map((key) => [`${key.pk}|${key.sk}`, key])).values()];
    for (let offset = 0; offset < unique.length; offset += 100) {
      let pending: Record<string, unknown>[] = unique.slice(offset, offset + 100).map((key) => ({ ...key }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 0) await delay(20 * 2 ** Math.min(attempt, 5));
        if (attempt > 8) throw new Error('BatchGet left keys unprocessed after retries');
        const { Responses, UnprocessedKeys } = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.tableName] ?? []) found.set(`${String(item.pk)}|${String(item.sk)}`, item);
        pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
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
        this.options.onCommitted?.(change);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const role = roles[failed];
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
            TableName: this.tableName,
            Item: { ...keys.event(session.id, event.seq), entity: 'event', ...event, ...eventTtl },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { conflict: 'session_changed' },
      );
    }

    for (const write of listingWrites(this.tableName, expected, session, this.options.retentionDays)) add(write, { conflict: undefined });

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
        // A mentor marked unavailable after this change's read takes no new session.
        add(
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: keys.directory('mentor', mentorAfter),
              ConditionExpression: 'available = :yes',
              ExpressionAttributeValues: { ':yes': true },
            },
          },
          { conflict: 'mentor_unavailable' },
        );
      }
    }
    for (const [scope, key, move, max] of moves) {
      if (move === 'acquire' && max === undefined) throw new Error(`commit takes a ${scope} slot but no limit was given`);
      const stamp = move === 'acquire' && scope === 'mentor' ? session.updatedAt : undefined;
      add(counterUpdate(this.tableName, key, move, max, stamp), move === 'acquire' ? { conflict: 'limit_reached', scope } : { conflict: undefined });
    }
    if (change.rotation !== undefined) {
      const { next, expectedTurn } = change.rotation;
      add(
        {
          Put: {
            TableName: this.tableName,
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
        counterUpdate(this.tableName, keys.counter('queue'), queue === 'enter' ? 'acquire' : 'release', limits?.queue),
        queue === 'enter' ? { conflict: 'limit_reached', scope: 'queue' } : { conflict: undefined },
      );
    }
    if (session.status === 'Completed' && expected?.status !== 'Completed') {
      add(
        {
          Update: {
            TableName: this.tableName,
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

/** The Query a list plan describes (index, key condition, filter and their placeholders). */
function planQuery(plan: ListPlan): Omit<QueryCommandInput, 'TableName'> {
  return {
    IndexName: plan.index,
    KeyConditionExpression: plan.keyCondition,
    ...(plan.filter !== undefined && { FilterExpression: plan.filter }),
    ExpressionAttributeNames: plan.names,
    ExpressionAttributeValues: plan.values,
  };
}

const keyString = (key: Key) => `${key.pk}|${key.sk}`;

function mentorUsageFrom(item: Record<string, unknown> | undefined): Omit<MentorUsage, 'mentor'> {
  const load = typeof item?.count === 'number' ? item.count : 0;
  return { load, ...(typeof item?.lastAssignedAt === 'string' && { lastAssignedAt: item.lastAssignedAt }) };
}

const QUEUE_PARTITION = 'QUEUE';
const DUE_PARTITION = 'DUE';
const OPEN_PARTITION = 'OPEN';
/** Ended sessions whose engine instance has not followed yet share the open index under their own partition. */
const SYNC_PARTITION = 'SYNC';
/** Running sessions waiting for a new mentor share the queue index under their own partition. */
const REASSIGN_PARTITION = 'REASSIGN';
/** A filtered list Query reads at least this many items a request, and at most this many requests a page. */
const FILTERED_PAGE_READ = 200;
const MAX_LIST_READS = 25;
/** Parallel item updates when a session's expiry changes. */
const EXPIRY_WRITE_CONCURRENCY = 16;
/** Terminal sessions that will expire share the due index under their own partition, by expiry. */
const EXPIRY_PARTITION = 'EXPIRY';

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
function listingWrites(tableName: string, before: Session | undefined, after: Session, retentionDays: number): TransactItem[] {
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
 * deadline, in the open index only while it holds slots.
 */
function indexAttributes(session: Session): Record<string, string> {
  const due = nextDueAt(session);
  const open = isOpen(session.status);
  const awaiting = open && session.awaitingMentorSince !== undefined;
  return {
    ...(session.status === 'Queued' && { queuePk: QUEUE_PARTITION, queueSk: queueSortKey(session) }),
    ...(awaiting && { queuePk: REASSIGN_PARTITION, queueSk: `${session.awaitingMentorSince}#${session.id}` }),
    ...(due && { duePk: DUE_PARTITION, dueSk: `${due}#${session.id}` }),
    ...(open && { openPk: OPEN_PARTITION, openSk: session.id }),
    ...(!open && session.engineSync !== undefined && { openPk: SYNC_PARTITION, openSk: session.id }),
  };
}

function usageKeys(juniorIds: readonly string[]): Key[] {
  return [keys.counter('system'), keys.counter('queue'), ...juniorIds.map((id) => keys.counter('junior', id))];
}

function usageFrom(found: Map<string, Record<string, unknown>>, juniorIds: readonly string[]): UsageSnapshot {
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

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
