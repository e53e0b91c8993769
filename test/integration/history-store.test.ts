import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { startStreamPoller } from '../../infra/local/stream-poller';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { type AppDeps, composeApp } from '../../shared/compose';
import { aJunior, aMentor, aStory, coordinator, engineCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { settingsWith } from '../support/settings';

const settings = settingsWith({ max_concurrent_sessions_per_junior: 100, max_concurrent_sessions_per_mentor: 1000, audit: { retention_days: 30 } });
const report = { summary: 'done', overallScore: 80, metrics: {} };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const DAY = 86_400_000;

let table: TestTable;
let clock: ManualClock;
let app: AppDeps;

beforeAll(async () => {
  table = await createTestTable('history');
  clock = new ManualClock();
  app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, settings, logger: silent });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1'));
  await directory.put('mentor', aMentor('mentor-1'));
  await directory.put('junior', aJunior('junior-1'));
});
afterAll(() => table.dynamo.client.destroy());

async function partitionTtls(id: string): Promise<Map<string, unknown>> {
  const { Items } = await table.dynamo.document.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(id) },
      ConsistentRead: true,
    }),
  );
  return new Map((Items ?? []).map((item) => [String(item.sk), item.ttl]));
}

async function listingTtls(id: string): Promise<unknown[]> {
  const { Items } = await table.dynamo.document.send(
    new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `LISTING#${id}` }, ConsistentRead: true }),
  );
  return (Items ?? []).map((item) => item.ttl);
}

async function completedSession(): Promise<string> {
  const { sessionId } = await app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-1', mentorId: 'mentor-1' }, coordinator);
  await app.sessions.recordWorkflowEvent(sessionId, { type: 'blocker_detected', eventId: `b-${sessionId}`, occurredAt: clock.now().toISOString() }, engineCaller);
  clock.advance(60_000);
  await app.sessions.completeSession(sessionId, { report }, engineCaller);
  return sessionId;
}

describe('retention on the table', () => {
  test('the terminal transaction stamps the session and listing items; the stream then stamps every event, and a hold clears them all', async () => {
    const poller = await startStreamPoller({
      client: table.dynamo.client,
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: table.tableName,
      onBatch: makeTableStream(app),
      logger: silent,
      intervalMs: 100,
    });
    try {
      const id = await completedSession();
      const expected = Math.floor((clock.now().getTime() + 30 * DAY) / 1000);
      const settled = async (want: unknown) => {
        for (let i = 0; i < 60; i += 1) {
          const ttls = [...(await partitionTtls(id)).values()];
          if (ttls.every((ttl) => ttl === want)) return ttls;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return [...(await partitionTtls(id)).values()];
      };

      expect(await listingTtls(id)).toEqual(Array(5).fill(expected));
      const stamped = await settled(expected);
      expect(stamped.length).toBeGreaterThanOrEqual(5);
      expect(new Set(stamped)).toEqual(new Set([expected]));

      await app.history.hold(id, { hold: true, reason: 'audit' }, coordinator);
      expect(new Set(await settled(undefined))).toEqual(new Set([undefined]));
      expect(await listingTtls(id)).toEqual(Array(5).fill(undefined));

      await app.history.hold(id, { hold: false }, coordinator);
      expect(new Set(await settled(expected))).toEqual(new Set([expected]));
    } finally {
      poller.stop();
    }
  });

  test('the completion stores the service report counted from the log', async () => {
    const id = await completedSession();

    const session = await app.sessions.getSession(id, coordinator);

    expect(session.serviceReport).toMatchObject({ blockersDetected: 1, pauseCount: 0, engineScore: 80, statusBreakdown: { activeMs: 60_000, queuedMs: 0 } });
  });

  test('events written in or after the terminal transaction are born with the expiry; earlier ones wait for the stream', async () => {
    const id = await completedSession();
    const expected = Math.floor((clock.now().getTime() + 30 * DAY) / 1000);

    const ttls = await partitionTtls(id);
    const events = (await app.sessions.getSessionEvents(id, coordinator)).map((event) => [event.type, ttls.get(`EVENT#${String(event.seq).padStart(8, '0')}`)]);

    expect(ttls.get('SESSION')).toBe(expected);
    expect(events).toEqual([
      ['session_started', undefined],
      ['mentor_assigned', undefined],
      ['blocker_detected', undefined],
      ['session_completed', expected],
    ]);
  });

  test('the retention report counts by expiry window', async () => {
    const before = await app.history.retentionReport(31, coordinator);
    await completedSession();
    const after = await app.history.retentionReport(31, coordinator);
    const tooSoon = await app.history.retentionReport(29, coordinator);

    expect(after.expiring).toBe(before.expiring + 1);
    expect(tooSoon.expiring).toBeLessThan(after.expiring);
  });
});

describe('stream tasks', () => {
  const remove = (item: Record<string, string>, principal: string | undefined, sequence: string) => ({
    eventName: 'REMOVE',
    ...(principal !== undefined && { userIdentity: { type: 'Service', principalId: principal } }),
    dynamodb: { SequenceNumber: sequence, OldImage: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])) },
  });

  test("a listing item DynamoDB's TTL removed is uncounted; one removed by anyone else is not", async () => {
    const counter = async () =>
      (await table.dynamo.document.send(new GetCommand({ TableName: table.tableName, Key: keys.listCount('J#junior-1'), ConsistentRead: true }))).Item?.Completed;
    const id = await completedSession();
    const before = Number(await counter());
    const listing = { entity: 'listing', sessionId: id, listPk: 'J#junior-1', status: 'Completed' };

    await makeTableStream(app)({ Records: [remove(listing, 'someone', '1'), remove(listing, undefined, '2')] } as unknown as DynamoDBStreamEvent);
    const untouched = Number(await counter());
    await makeTableStream(app)({ Records: [remove(listing, 'dynamodb.amazonaws.com', '3')] } as unknown as DynamoDBStreamEvent);

    expect(untouched).toBe(before);
    expect(Number(await counter())).toBe(before - 1);
  });

  test('a new export job record runs the job once', async () => {
    let runs = 0;
    const counting = { ...app, exports: { runJob: async () => ((runs += 1), undefined) } } as unknown as AppDeps;
    const insert = { eventName: 'INSERT', dynamodb: { SequenceNumber: '4', NewImage: { entity: { S: 'export-job' }, id: { S: 'job-1' } } } };
    const modify = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '5', NewImage: { entity: { S: 'export-job' }, id: { S: 'job-1' } } } };

    const result = await makeTableStream(counting)({ Records: [insert, modify] } as unknown as DynamoDBStreamEvent);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(runs).toBe(1);
  });

  /** The stream handler over a store whose applyExpiry always fails, counting drains. */
  function failingExpiry() {
    let drains = 0;
    const failing = {
      ...app,
      history: Object.assign(Object.create(app.history) as object, { expiryMoved: async () => Promise.reject(new Error('throttled')) }),
      sessions: { drainQueue: async () => ((drains += 1), { started: [], failed: [] }) },
    } as unknown as AppDeps;
    return { handler: (event: unknown) => makeTableStream(failing)(event as DynamoDBStreamEvent), drains: () => drains };
  }
  const session = (status: string, ttl?: string) => ({ entity: { S: 'session' }, id: { S: 's-1' }, status: { S: status }, ...(ttl && { ttl: { N: ttl } }) });

  test('a failing task reports its record; its own release is left for the retry', async () => {
    const { handler, drains } = failingExpiry();
    const result = await handler({
      Records: [
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '10', OldImage: session('Active'), NewImage: session('Paused') } },
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '11', OldImage: session('Paused'), NewImage: session('Cancelled', '999') } },
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '12', OldImage: session('Active'), NewImage: session('Completed', '999') } },
      ],
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
    expect(drains()).toBe(0);
  });

  test('a failing task after a release drains first, then reports the failing record', async () => {
    const { handler, drains } = failingExpiry();
    const result = await handler({
      Records: [
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '20', OldImage: session('Active'), NewImage: session('Cancelled') } },
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '21', OldImage: session('Cancelled'), NewImage: session('Cancelled', '999') } },
      ],
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '21' }] });
    expect(drains()).toBe(1);
  });
});
