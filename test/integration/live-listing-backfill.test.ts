import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { makeHandler as makeReconcileEngine } from '../../functions/scheduled/reconcile-engine';
import { localScheduledEvent } from '../../functions/scheduled/schedule-event';
import { createDynamoClients, type DynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { dynamoStorePorts, seedItems } from '../../shared/adapters/dynamodb/dynamo-store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { sortKeyOf } from '../../shared/adapters/dynamodb/listing';
import { LiveListingBackfill, liveListingKnown } from '../../shared/adapters/dynamodb/live-listing';
import { parseRecord, SessionRecord } from '../../shared/adapters/dynamodb/records';
import { RequestCounter } from '../../shared/adapters/dynamodb/request-counter';
import { DynamoTable } from '../../shared/adapters/dynamodb/table';
import { createTableInput } from '../../shared/adapters/dynamodb/table-definition';
import { composeApp } from '../../shared/compose';
import type { Session } from '../../shared/domain/session';
import { isTerminal, type SessionStatus } from '../../shared/domain/status';
import type { StorePorts } from '../../shared/ports/store';
import type { MigrationReport } from '../../shared/ports/store-migration';
import { aSession } from '../support/builders';
import { acceptingEngine } from '../support/store-views';

/**
 * A table an older version wrote (docs/capacity.md, design 1 "Lists"): its
 * queued and running sessions carry no list keys and there is no marker. Lists
 * read them the old way until the back-fill's full pass finds none left.
 */

const LIST_ATTRIBUTES = ['listPk', 'listCreated', 'listCompleted', 'listDuration', 'sessionId'];
const STATUSES: SessionStatus[] = ['Active', 'Queued', 'Paused', 'Completed'];
const BASE = Date.parse('2026-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

let tableName: string;
let otherTable: string;
let dynamo: DynamoClients;
let table: DynamoTable;
let ports: StorePorts;
const indexes: string[] = [];
const sessions = new Map<string, Session>();

function anOldSession(i: number): Session {
  const status = STATUSES[i % STATUSES.length]!;
  const createdAt = at(i * 13);
  return aSession({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    juniorId: `j-${i}`,
    mentorId: `m-${i % 3}`,
    status,
    createdAt,
    updatedAt: createdAt,
    ...(status === 'Queued' && { enqueuedAt: createdAt }),
    ...(status === 'Paused' && { pausedAt: createdAt }),
    // One running session waits for a new mentor: in the queue index (partition REASSIGN) as well as the open one.
    ...(i === 8 && { awaitingMentorSince: createdAt }),
    ...(status === 'Completed' && { endedAt: at(i * 13 + 500) }),
  });
}

function recordQueries(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') indexes.push((args.input as { IndexName?: string }).IndexName ?? 'table');
      return next(args);
    },
    { step: 'initialize', name: 'indexRecorder' },
  );
}

beforeAll(async () => {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set');
  tableName = `oldlist-${randomUUID().slice(0, 8)}`;
  otherTable = `oldlist-${randomUUID().slice(0, 8)}`;
  dynamo = createDynamoClients(localDynamoConfig(endpoint));
  // As the CDK stack creates them: no marker (ensureTable would write one).
  for (const name of [tableName, otherTable]) {
    await dynamo.client.send(new CreateTableCommand(createTableInput(name)));
    await waitUntilTableExists({ client: dynamo.client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
  }
  recordQueries(dynamo.client);
  table = new DynamoTable(dynamo.document, tableName);
  ports = dynamoStorePorts(dynamo.document, tableName, { retentionDays: 365 });

  for (let i = 0; i < 40; i += 1) sessions.set(anOldSession(i).id, anOldSession(i));
  const all = [...sessions.values()];
  const open = all.filter((s) => s.status === 'Active' || s.status === 'Paused');
  const items = seedItems(all, 365).map((item) => {
    if (item.entity !== 'session' || isTerminal(item.status as SessionStatus)) return item;
    // Written before live sessions were listed through their own items.
    const old = { ...item };
    for (const name of LIST_ATTRIBUTES) delete old[name];
    return old;
  });
  items.push({ ...keys.counter('system'), entity: 'counter', count: open.length });
  items.push({ ...keys.counter('queue'), entity: 'counter', count: all.filter((s) => s.status === 'Queued').length });
  for (const session of open) items.push({ ...keys.counter('junior', session.juniorId), entity: 'counter', count: 1 });
  for (const mentor of ['m-0', 'm-1', 'm-2'])
    items.push({ ...keys.counter('mentor', mentor), entity: 'counter', count: open.filter((s) => s.mentorId === mentor).length });
  for (let offset = 0; offset < items.length; offset += 25) {
    const batch = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
    await dynamo.document.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
  }
});
afterAll(async () => {
  for (const name of [tableName, otherTable]) await dynamo.client.send(new DeleteTableCommand({ TableName: name }));
  dynamo.client.destroy();
});

/** Every page of the list, newest first, and the indexes the pages Queried. */
async function listAll(): Promise<{ ids: string[]; totals: number[]; indexes: Set<string> }> {
  indexes.length = 0;
  const ids: string[] = [];
  const totals: number[] = [];
  let after: Readonly<Record<string, unknown>> | undefined;
  do {
    const page = await ports.history.listSessions({
      filter: {},
      order: { sortBy: 'completedAt', sortDirection: 'desc' },
      limit: 7,
      ...(after !== undefined && { after }),
    });
    ids.push(...page.sessions.map((session) => session.id));
    totals.push(page.totalCount ?? -1);
    after = page.after;
  } while (after !== undefined);
  return { ids, totals, indexes: new Set(indexes) };
}

const expected = () =>
  [...sessions.values()]
    .map((session) => ({ key: sortKeyOf(session, 'completedAt'), id: session.id }))
    .sort((a, b) => (a.key < b.key ? 1 : -1))
    .map((entry) => entry.id);

const stored = async (id: string) => (await table.get(keys.session(id)))!;

describe('a table written before live sessions were listed through their own items', () => {
  test('lists still show every live session, read the old way (queue and open indexes) while there is no marker', async () => {
    const { ids, totals, indexes: used } = await listAll();

    expect(ids).toEqual(expected());
    expect(new Set(totals)).toEqual(new Set([sessions.size]));
    expect(used.has('open') && used.has('queue')).toBe(true);
    expect(await table.get(keys.liveListingMarker())).toBeUndefined();
    expect(liveListingKnown(tableName)).toBe(false);
  });

  test('a session written between the back-fill read and its rewrite is not clobbered (paused: keeps its new item; ended: gets no live keys)', async () => {
    const backfill = new LiveListingBackfill(table);
    const [paused, cancelled] = [...sessions.values()].filter((s) => s.status === 'Active');
    const staleItems = [await stored(paused!.id), await stored(cancelled!.id)];
    const pausedNow: Session = { ...paused!, status: 'Paused', pausedAt: at(9_000), updatedAt: at(9_000), version: paused!.version + 1 };
    const cancelledNow: Session = { ...cancelled!, status: 'Cancelled', endedAt: at(9_001), updatedAt: at(9_001), version: cancelled!.version + 1 };
    await ports.sessions.commit({ expected: paused!, session: pausedNow, events: [] });
    await ports.sessions.commit({ expected: cancelled!, session: cancelledNow, events: [] });
    sessions.set(pausedNow.id, pausedNow);
    sessions.set(cancelledNow.id, cancelledNow);

    const rewritten = await Promise.all(staleItems.map((item) => backfill.rewrite(item)));

    expect(rewritten).toEqual([false, false]);
    const [pausedItem, cancelledItem] = [await stored(paused!.id), await stored(cancelled!.id)];
    expect(parseRecord(SessionRecord, pausedItem, 'session')).toEqual(pausedNow);
    expect(pausedItem).toMatchObject({ listPk: 'LIVE', sessionId: paused!.id });
    expect(parseRecord(SessionRecord, cancelledItem, 'session')).toEqual(cancelledNow);
    for (const name of LIST_ATTRIBUTES) expect(cancelledItem).not.toHaveProperty(name);
  });

  test('the back-fill rewrites the rest; five passes in a row that find none write the marker: lists then Query partition LIVE', async () => {
    const lacking = [...sessions.values()].filter((s) => !isTerminal(s.status)).length - 1;
    const migrate = () => ports.migration.migrate();

    const first = await migrate();
    const stillOld = await listAll();
    const expectedThen = expected();
    const cleanTwice = [await migrate(), await migrate()];
    // A process of the older version, still running during the deploy, writes one more queued session without the keys.
    const late = anOldSession(41);
    const [lateItem] = seedItems([late], 365);
    for (const name of LIST_ATTRIBUTES) delete lateItem![name];
    await dynamo.document.send(new PutCommand({ TableName: tableName, Item: lateItem }));
    await dynamo.document.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.counter('queue'),
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    sessions.set(late.id, late);
    const afterLate = await migrate();
    const clean: MigrationReport[] = [];
    for (let pass = 0; pass < 4; pass += 1) clean.push(await migrate());
    const markerBeforeLast = await table.get(keys.liveListingMarker());
    const last = await migrate();
    const requests = new RequestCounter().attach(dynamo.client);
    const again = await migrate();
    const againRequests = requests.byOperation();
    const asNew = await listAll();

    expect(first).toEqual({ rewritten: lacking, done: false });
    expect(stillOld.indexes.has('open')).toBe(true);
    expect(cleanTwice).toEqual([
      { rewritten: 0, done: false },
      { rewritten: 0, done: false },
    ]);
    expect(afterLate).toEqual({ rewritten: 1, done: false });
    expect(clean.every((report) => report.rewritten === 0 && !report.done)).toBe(true);
    expect(markerBeforeLast).toBeUndefined();
    expect(last).toEqual({ rewritten: 0, done: true });
    expect(again).toEqual({ rewritten: 0, done: true });
    expect(await table.get(keys.liveListingMarker())).toBeDefined();
    expect(liveListingKnown(tableName)).toBe(true);
    expect(asNew.ids).toEqual(expected());
    expect(stillOld.ids).toEqual(expectedThen);
    expect(new Set(asNew.totals)).toEqual(new Set([sessions.size]));
    expect([...asNew.indexes].filter((index) => index === 'open' || index === 'queue')).toEqual([]);
    expect(asNew.indexes.has('list-completed')).toBe(true);
    for (const session of sessions.values()) {
      if (!isTerminal(session.status)) expect(await stored(session.id)).toMatchObject({ listPk: 'LIVE', version: session.version });
    }
    // Once the marker is seen, a pass costs nothing.
    expect(againRequests).toEqual({});
  });
});

describe('the minute schedule (reconcile-engine)', () => {
  test('runs the back-fill: a live session lacking its list keys gets them; five clean runs later the marker is written', async () => {
    const session = aSession({ id: '00000000-0000-4000-8000-00000000f00d', status: 'Active' });
    const [item] = seedItems([session], 365);
    const old = { ...item };
    for (const name of LIST_ATTRIBUTES) delete old[name];
    await dynamo.document.send(new PutCommand({ TableName: otherTable, Item: old }));
    const deps = composeApp({ tableName: otherTable, dynamo, engine: acceptingEngine, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
    const reconcile = makeReconcileEngine(deps);
    const other = new DynamoTable(dynamo.document, otherTable);

    await reconcile(localScheduledEvent());
    const afterFirst = await other.get(keys.session(session.id));
    for (let run = 0; run < 4; run += 1) await reconcile(localScheduledEvent());
    const afterFive = await other.get(keys.liveListingMarker());
    await reconcile(localScheduledEvent());

    expect(afterFirst).toMatchObject({ listPk: 'LIVE', sessionId: session.id });
    expect(afterFive).toBeUndefined();
    expect(await other.get(keys.liveListingMarker())).toBeDefined();
  });
});
