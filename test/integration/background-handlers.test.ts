import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { makeHandler as makeDrainQueue } from '../../functions/scheduled/drain-queue';
import { localScheduledEvent } from '../../functions/scheduled/schedule-event';
import { makeHandler as makeSweepDue } from '../../functions/scheduled/sweep-due';
import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { startStreamPoller } from '../../infra/local/stream-poller';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { type AppDeps, composeApp } from '../../shared/compose';
import { SessionService } from '../../shared/services/session-service';
import { aJunior, aMentor, aStory, coordinator, engineCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { settingsWith } from '../support/settings';
import { acceptingEngine, hideQueueFromReleases } from '../support/store-views';

const settings = settingsWith({ max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_per_mentor: 1000 });
const report = { summary: 'done', overallScore: 80, metrics: {} };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let table: TestTable;
let clock: ManualClock;
let app: AppDeps;
let juniorCount = 0;

beforeAll(async () => {
  table = await createTestTable('handlers');
  clock = new ManualClock();
  app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, settings, logger: silent });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1'));
  await directory.put('mentor', aMentor('mentor-1'));
});
afterAll(() => table.dynamo.client.destroy());

/** A junior with one Active session and one Queued behind it. */
async function activeAndQueued() {
  const juniorId = `junior-${(juniorCount += 1)}`;
  await new DynamoDirectoryStore(table.dynamo.document, table.tableName).put('junior', aJunior(juniorId));
  const active = await app.sessions.startSession({ storyId: 'story-1', juniorId }, coordinator);
  const queued = await app.sessions.startSession({ storyId: 'story-1', juniorId }, coordinator);
  expect(queued.status).toBe('queued');
  return { active: active.sessionId, queued: queued.sessionId };
}

/** The same service over a view of the store that hides the queue, so a release does not drain in-request. */
function withoutInRequestDrain(): SessionService {
  return new SessionService({
    ...app.ports,
    sessions: hideQueueFromReleases(app.ports.sessions),
    engine: acceptingEngine,
    clock,
    ids: { sessionId: () => 'unused' },
    settings,
  });
}

const statusOf = async (id: string) => (await app.sessions.getSession(id, coordinator)).status;

describe('scheduled handlers', () => {
  test('refuse anything that is not a scheduled event', async () => {
    await expect(makeDrainQueue(app)({ hello: 'world' })).rejects.toThrow('Not a scheduled event');
    await expect(makeSweepDue(app)({ source: 'aws.events', 'detail-type': 'Object Created' })).rejects.toThrow('Not a scheduled event');
  });

  test('drain-queue starts a session whose slot was freed without a drain', async () => {
    const { active, queued } = await activeAndQueued();
    await withoutInRequestDrain().completeSession(active, { report }, engineCaller);
    expect(await statusOf(queued)).toBe('Queued');

    const result = await makeDrainQueue(app)(localScheduledEvent());

    expect(result.started).toContain(queued);
    expect(await statusOf(queued)).toBe('Active');
  });

  test('sweep-due applies passed deadlines', async () => {
    const { active } = await activeAndQueued();
    clock.advanceMinutes(8 * 60);
    const result = await makeSweepDue(app)(localScheduledEvent());
    expect(result.timedOut).toContain(active);
  });
});

describe('table stream handler', () => {
  const record = (oldStatus: string, newStatus: string, sequence: string) => ({
    eventID: sequence,
    eventName: 'MODIFY',
    dynamodb: {
      SequenceNumber: sequence,
      OldImage: { entity: { S: 'session' }, status: { S: oldStatus } },
      NewImage: { entity: { S: 'session' }, status: { S: newStatus } },
    },
  });

  test('a release in the stream drains the queue', async () => {
    const { active, queued } = await activeAndQueued();
    await withoutInRequestDrain().cancelSession(active, { reason: 'x' }, coordinator);

    const result = await makeTableStream(app)({ Records: [record('Active', 'Cancelled', '1')] } as DynamoDBStreamEvent);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await statusOf(queued)).toBe('Active');
  });

  test('changes that release nothing do not drain; malformed records are skipped', async () => {
    let drains = 0;
    const counting = { ...app, sessions: { drainQueue: async () => ((drains += 1), { started: [], failed: [] }) } } as unknown as AppDeps;
    const result = await makeTableStream(counting)({
      Records: [record('Active', 'Paused', '1'), record('Queued', 'Active', '2'), { eventName: 'BOGUS' }],
    } as unknown as DynamoDBStreamEvent);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(drains).toBe(0);
  });

  test('a failed drain reports the first releasing record so Lambda retries from it', async () => {
    const failing = { ...app, logger: silent, sessions: { drainQueue: async () => Promise.reject(new Error('throttled')) } } as unknown as AppDeps;
    const result = await makeTableStream(failing)({
      Records: [record('Active', 'Paused', '7'), record('Paused', 'Cancelled', '8'), record('Active', 'Completed', '9')],
    } as DynamoDBStreamEvent);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '8' }] });
  });

  test("locally, DynamoDB Local's stream feeds the same handler: a release starts the queued session", async () => {
    const poller = await startStreamPoller({
      client: table.dynamo.client,
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: table.tableName,
      onBatch: makeTableStream(app),
      logger: silent,
      intervalMs: 100,
    });
    try {
      const { active, queued } = await activeAndQueued();
      await withoutInRequestDrain().completeSession(active, { report }, engineCaller);
      let status = await statusOf(queued);
      for (let i = 0; i < 50 && status === 'Queued'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        status = await statusOf(queued);
      }
      expect(status).toBe('Active');
    } finally {
      poller.stop();
    }
  });

  test('locally, a record the handler reports failed is retried from there, then skipped after the retries', async () => {
    const seen: string[] = [];
    let failuresLeft = 2;
    const poller = await startStreamPoller({
      client: table.dynamo.client,
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: table.tableName,
      logger: silent,
      intervalMs: 50,
      maxRetries: 2,
      // Every record of the `flaky` item fails twice then passes; every record of `poison` always fails.
      onBatch: async (event) => {
        for (const record of event.Records) {
          const pk = record.dynamodb?.NewImage?.pk?.S ?? '';
          if (!pk.startsWith('POLLER#')) continue;
          seen.push(pk);
          const sequence = record.dynamodb!.SequenceNumber!;
          if (pk === 'POLLER#poison' || (pk === 'POLLER#flaky' && failuresLeft-- > 0)) return { batchItemFailures: [{ itemIdentifier: sequence }] };
        }
        return { batchItemFailures: [] };
      },
    });
    try {
      const put = (pk: string) => table.dynamo.document.send(new PutCommand({ TableName: table.tableName, Item: { pk, sk: 'X', entity: 'poller-test' } }));
      await put('POLLER#flaky');
      await put('POLLER#poison');
      await put('POLLER#after');
      for (let i = 0; i < 100 && !seen.includes('POLLER#after'); i += 1) await new Promise((r) => setTimeout(r, 50));
      // flaky: 2 failures + 1 success; poison: 1 + 2 retries, then skipped; after: delivered once.
      expect(seen.filter((pk) => pk === 'POLLER#flaky')).toHaveLength(3);
      expect(seen.filter((pk) => pk === 'POLLER#poison')).toHaveLength(3);
      expect(seen.filter((pk) => pk === 'POLLER#after')).toHaveLength(1);
    } finally {
      poller.stop();
    }
  });

  test('locally, a restarted poller resumes after the last record it handled (the position kept in a file), not at the tip', async () => {
    const positionFile = join(mkdtempSync(join(tmpdir(), 'poller-')), 'stream-position.json');
    const seen: string[] = [];
    const start = () =>
      startStreamPoller({
        client: table.dynamo.client,
        endpoint: process.env.DYNAMODB_ENDPOINT!,
        tableName: table.tableName,
        logger: silent,
        intervalMs: 50,
        positionFile,
        onBatch: async (event) => {
          for (const record of event.Records) {
            const pk = record.dynamodb?.NewImage?.pk?.S ?? '';
            if (pk.startsWith('RESUME#')) seen.push(pk);
          }
          return { batchItemFailures: [] };
        },
      });
    const put = (pk: string) => table.dynamo.document.send(new PutCommand({ TableName: table.tableName, Item: { pk, sk: 'X', entity: 'poller-test' } }));
    const handled = async (pk: string) => {
      for (let i = 0; i < 100 && !seen.includes(pk); i += 1) await new Promise((r) => setTimeout(r, 50));
      return seen.includes(pk);
    };

    // A first poller (first start: from the tip) handles one record, then stops (the process dies).
    const first = await start();
    await put('RESUME#before');
    expect(await handled('RESUME#before')).toBe(true);
    first.stop();
    // Written while no poller runs: the stream keeps it, the tip moves past it.
    await put('RESUME#while-down');

    const second = await start();
    try {
      expect(await handled('RESUME#while-down')).toBe(true);
      expect(JSON.parse(readFileSync(positionFile, 'utf8'))).toEqual(expect.any(Object));
      // Nothing handled twice.
      expect(seen.filter((pk) => pk === 'RESUME#before')).toHaveLength(1);
    } finally {
      second.stop();
    }
  });
});
