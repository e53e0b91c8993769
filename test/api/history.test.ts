import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { seedItems } from '../../shared/adapters/dynamodb/dynamo-store';
import type { SessionClient, SessionExportRowDto, SessionListQueryInput } from '../../shared/client';
import type { MentorshipState } from '../../shared/domain/mentorship-state';
import { startApiFixture } from '../support/api-fixture';
import { aSession } from '../support/builders';
import { ManualClock } from '../support/clock';
import { type LocalApp, startLocalApp } from '../support/local-app';
import { settingsWith } from '../support/settings';
import { API, DIRECTORY, eventsOf, expectError, REPORT, SESSIONS, seedDirectory, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

/**
 * Session history over HTTP: the timeline, comparing two sessions, exports
 * (synchronous and as jobs) in JSON, NDJSON and CSV, the audit log as CSV,
 * legal holds and the retention report. Time moves by a ManualClock.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const SESSION_COLUMNS = [
  'id',
  'storyId',
  'storyTitle',
  'juniorId',
  'juniorName',
  'mentorId',
  'skillArea',
  'status',
  'currentState',
  'createdAt',
  'startedAt',
  'completedAt',
  'duration',
  'overallScore',
  'configTemplateId',
  'cancelReason',
  'error',
  'legalHold',
] as const;

const EVENT_COLUMNS = [
  'seq',
  'type',
  'occurredAt',
  'recordedAt',
  'actor',
  'actorRole',
  'fromStatus',
  'toStatus',
  'fromState',
  'toState',
  'reason',
  'notes',
  'externalId',
  'data',
] as const;

/** Text that CSV must quote, or that a naive writer mangles: commas, quotes, CR, LF, CRLF, tabs, formulas, unicode. */
const AWKWARD = {
  title: 'Fix the "login, signup" flow\r\nand the café ☕ — 日本語, עברית 🚀',
  name: 'Zoë "Z" O\'Brien,\nJr.',
  cancelReason: 'Scope changed, "again";\rwaiting on the client\n=SUM(A1:A2)',
  error: 'Engine crashed:\n  at line 1, col 2 "boom"\u2028next',
  notes: 'Notes, with "quotes",\r\nCRLF, a lone\rCR, a lone\nLF, and émoji 👩‍💻',
};

const at = (id: string) => `${SESSIONS}/${id}`;
const iso = (ms: number) => new Date(ms).toISOString();
const epochSeconds = (instant: string) => Math.floor(Date.parse(instant) / 1000);

/**
 * CSV text as records keyed by the header row. Read twice: as csv-parse detects
 * the record delimiter (CRLF here), and as readers that end a record at any CR,
 * LF or CRLF do; both must agree, so a CR or LF inside a field must be quoted (RFC 4180).
 */
function parseCsv(text: string): Record<string, string>[] {
  const detected = parse(text, { columns: true, skip_empty_lines: false, relax_column_count: false }) as Record<string, string>[];
  const anyNewline = parse(text, { columns: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true }) as Record<string, string>[];
  expect(anyNewline).toEqual(detected);
  return detected;
}

/** The CSV header row, as parsed. */
function csvHeader(text: string): string[] {
  const [header] = parse(text, { to_line: 1 }) as string[][];
  return header ?? [];
}

/** A JSON value as its CSV cell: absent is empty, numbers and booleans as text. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

/** The JSON export rows as their CSV records must read back. */
function rowsAsCsvRecords(rows: readonly Record<string, unknown>[]): Record<string, string>[] {
  return rows.map((row) => Object.fromEntries(SESSION_COLUMNS.map((column) => [column, cell(row[column])])));
}

/** The raw items of a session's partition and its listing items, straight from the table. */
async function rawItems(target: LocalApp, sessionId: string) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await target.table.dynamo.document.send(
      new ScanCommand({
        TableName: target.table.tableName,
        FilterExpression: 'sessionId = :id OR (pk = :pk AND sk = :sk)',
        ExpressionAttributeValues: { ':id': sessionId, ':pk': `SESSION#${sessionId}`, ':sk': 'SESSION' },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  const session = items.filter((item) => item.entity === 'session');
  const listings = items.filter((item) => item.entity === 'listing');
  const events = items.filter((item) => item.entity === 'event');
  expect({ sessions: session.length, someListings: listings.length > 0 }).toEqual({ sessions: 1, someListings: true });
  return { session: session[0]!, listings, events };
}

// ---------------------------------------------------------------------------------------------
// The main app: the default settings (retention 365 days, JSON exports) and a ManualClock.

let app: LocalApp;
let clock: ManualClock;
let coordinator: SessionClient;
let service: SessionClient;
let eventCounter = 0;

const nowIso = () => clock.now().toISOString();

beforeAll(async () => {
  clock = new ManualClock('2026-01-05T09:00:00.000Z');
  ({ app, coordinator, service } = await startApiFixture({ clock }));
});
afterAll(() => app.close());

/** The engine reports a MentorshipState change, now. */
async function engineMoves(id: string, toState: MentorshipState, by: SessionClient = service): Promise<void> {
  eventCounter += 1;
  const result = await by.recordWorkflowEvent(id, { type: 'state_changed', toState, eventId: `e-${eventCounter}`, occurredAt: nowIso() });
  expect(result).toMatchObject({ recorded: true, duplicate: false, stateApplied: true });
}

describe('GET /sessions/{id}/timeline', () => {
  test('start, +30 min engine step, +1 h pause, +2 h resume, +15 min complete: exact durations per status, state and entry', async () => {
    // Prepare
    const t0 = clock.now().getTime();
    const id = await startSession(coordinator);
    clock.advanceMinutes(30);
    await engineMoves(id, 'PLAN_DECOMPOSITION');
    clock.advanceMinutes(60);
    await coordinator.pauseSession(id, { reason: 'lunch' });
    clock.advanceMinutes(120);
    await coordinator.resumeSession(id);
    clock.advanceMinutes(15);
    await service.completeSession(id, { report: REPORT });
    const end = iso(t0 + 225 * MINUTE);
    clock.advanceMinutes(45); // reading later changes nothing: the timeline ends when the session did

    // Act
    const timeline = await coordinator.getSessionTimeline(id);

    // Assess
    expect(timeline).toMatchObject({
      sessionId: id,
      startTime: iso(t0),
      startedAt: iso(t0),
      endTime: end,
      asOf: end,
      totalDuration: 'PT3H45M',
      timePerState: { INIT_STORY_PROCESSING: 'PT30M', PLAN_DECOMPOSITION: 'PT1H15M', PAUSED: 'PT2H' },
      statusBreakdown: { queued: 'PT0S', active: 'PT1H45M', paused: 'PT2H', pauseCount: 1, longestPause: 'PT2H' },
    });
    expect(Object.keys(timeline.timePerState).sort()).toEqual(['INIT_STORY_PROCESSING', 'PAUSED', 'PLAN_DECOMPOSITION']);

    const events = await eventsOf(coordinator, id);
    expect(timeline.entries.map((entry) => [entry.seq, entry.eventType])).toEqual(events.map((event) => [event.seq, event.type]));
    for (const entry of timeline.entries) expect(entry.description).toEqual(expect.stringMatching(/\S/));
    const only = (type: string) => {
      const found = timeline.entries.filter((entry) => entry.eventType === type);
      expect({ type, count: found.length }).toEqual({ type, count: 1 });
      return found[0]!;
    };
    expect(only('session_started')).toMatchObject({
      timestamp: iso(t0),
      toStatus: 'Active',
      toState: 'INIT_STORY_PROCESSING',
      actor: 'coord-1',
      actorRole: 'coordinator',
      durationInState: 'PT30M',
    });
    expect(only('state_transition')).toMatchObject({
      timestamp: iso(t0 + 30 * MINUTE),
      fromState: 'INIT_STORY_PROCESSING',
      toState: 'PLAN_DECOMPOSITION',
      actor: 'engine',
      actorRole: 'service',
      durationInState: 'PT1H',
    });
    expect(only('session_paused')).toMatchObject({
      timestamp: iso(t0 + 90 * MINUTE),
      fromStatus: 'Active',
      toStatus: 'Paused',
      toState: 'PAUSED',
      actor: 'coord-1',
      actorRole: 'coordinator',
      durationInState: 'PT2H',
    });
    expect(only('session_resumed')).toMatchObject({
      timestamp: iso(t0 + 210 * MINUTE),
      fromStatus: 'Paused',
      toStatus: 'Active',
      toState: 'PLAN_DECOMPOSITION',
      durationInState: 'PT15M',
    });
    expect(only('session_completed')).toMatchObject({
      timestamp: end,
      fromStatus: 'Active',
      toStatus: 'Completed',
      actor: 'engine',
      actorRole: 'service',
      durationInState: 'PT0S',
    });
    // Events at the start's instant that change neither status nor state last until the first change.
    for (const entry of timeline.entries.filter((e) => e.timestamp === iso(t0))) expect(entry.durationInState).toBe('PT30M');
  });

  test('a session still running: the timeline runs to now, without endTime', async () => {
    // Prepare
    const t0 = clock.now().getTime();
    const id = await startSession(coordinator);
    clock.advanceMinutes(10);
    await coordinator.pauseSession(id, { reason: 'meeting' });
    clock.advanceMinutes(5);

    // Act
    const timeline = await coordinator.getSessionTimeline(id);

    // Assess
    expect(timeline.endTime).toBeUndefined();
    expect(timeline).toMatchObject({
      startTime: iso(t0),
      asOf: iso(t0 + 15 * MINUTE),
      totalDuration: 'PT15M',
      timePerState: { INIT_STORY_PROCESSING: 'PT10M', PAUSED: 'PT5M' },
      statusBreakdown: { queued: 'PT0S', active: 'PT10M', paused: 'PT5M', pauseCount: 1, longestPause: 'PT5M' },
    });
    await coordinator.cancelSession(id, { reason: 'done with this test' });
  });

  test('an engine step reported while paused: paused time under PAUSED, resume returns to the reported step', async () => {
    // Prepare
    const t0 = clock.now().getTime();
    const id = await startSession(coordinator);
    clock.advanceMinutes(10);
    await engineMoves(id, 'VALIDATE_STORY');
    clock.advanceMinutes(10);
    await coordinator.pauseSession(id, {});
    clock.advanceMinutes(5);
    await engineMoves(id, 'PLAN_DECOMPOSITION');
    clock.advanceMinutes(5);
    await coordinator.resumeSession(id);
    clock.advanceMinutes(20);
    await coordinator.cancelSession(id, { reason: 'done with this test' });

    // Act
    const timeline = await coordinator.getSessionTimeline(id);

    // Assess
    expect(timeline).toMatchObject({
      endTime: iso(t0 + 50 * MINUTE),
      totalDuration: 'PT50M',
      timePerState: { INIT_STORY_PROCESSING: 'PT10M', VALIDATE_STORY: 'PT10M', PAUSED: 'PT10M', PLAN_DECOMPOSITION: 'PT20M' },
      statusBreakdown: { queued: 'PT0S', active: 'PT40M', paused: 'PT10M', pauseCount: 1, longestPause: 'PT10M' },
    });
    expect(Object.keys(timeline.timePerState).sort()).toEqual(['INIT_STORY_PROCESSING', 'PAUSED', 'PLAN_DECOMPOSITION', 'VALIDATE_STORY']);
    const durations = timeline.entries.filter((entry) => entry.eventType !== 'mentor_assigned').map((entry) => [entry.eventType, entry.durationInState]);
    expect(durations).toEqual([
      ['session_started', 'PT10M'],
      ['state_transition', 'PT10M'],
      ['session_paused', 'PT10M'],
      ['state_transition', 'PT5M'],
      ['session_resumed', 'PT20M'],
      ['session_cancelled', 'PT0S'],
    ]);
  });

  test('visibility: its junior and mentor read it; another junior and another mentor get 404; unknown id 404', async () => {
    // Prepare
    const id = await startSession(coordinator);
    const readers = {
      ownJunior: await app.as(DIRECTORY.juniors[0], 'junior'),
      ownMentor: await app.as(DIRECTORY.mentors[0], 'mentor'),
      otherJunior: await app.as(DIRECTORY.juniors[1], 'junior'),
      otherMentor: await app.as(DIRECTORY.mentors[1], 'mentor'),
    };

    // Act
    const responses = {
      ownJunior: await readers.ownJunior.raw('GET', `${at(id)}/timeline`),
      ownMentor: await readers.ownMentor.raw('GET', `${at(id)}/timeline`),
      otherJunior: await readers.otherJunior.raw('GET', `${at(id)}/timeline`),
      otherMentor: await readers.otherMentor.raw('GET', `${at(id)}/timeline`),
    };
    const unknown = await coordinator.raw('GET', `${at(randomUUID())}/timeline`);

    // Assess
    const statuses = Object.fromEntries(Object.entries(responses).map(([name, response]) => [name, response.status]));
    expect(statuses).toEqual({ ownJunior: 200, ownMentor: 200, otherJunior: 404, otherMentor: 404 });
    expectError(responses.otherJunior, 404, 'not_found');
    expectError(responses.otherMentor, 404, 'not_found');
    expect(responses.ownJunior.json).toEqual(await coordinator.getSessionTimeline(id));
    expectError(unknown, 404, 'not_found');
    await coordinator.cancelSession(id, { reason: 'done with this test' });
  });
});

describe('GET /sessions/compare', () => {
  test('two sessions with different configs and outcomes: columns, config differences, signed differences', async () => {
    // Prepare: A (quick-fix template) runs 20 min in INIT, 40 min in PLAN_DECOMPOSITION, completes with 87.
    const a = await sendJson(coordinator, 'POST', SESSIONS, {
      storyId: DIRECTORY.story,
      juniorId: DIRECTORY.juniors[0],
      mentorId: DIRECTORY.mentors[0],
      configTemplateId: 'quick-fix',
    });
    expect(a.status).toBe(201);
    const aId = (a.json as { sessionId: string }).sessionId;
    clock.advanceMinutes(20);
    await engineMoves(aId, 'PLAN_DECOMPOSITION');
    clock.advanceMinutes(40);
    await service.completeSession(aId, { report: { ...REPORT, overallScore: 87 } });
    // B (explicit config) runs 10 min, is paused 30 min, then cancelled.
    const b = await sendJson(coordinator, 'POST', SESSIONS, {
      storyId: DIRECTORY.story,
      juniorId: DIRECTORY.juniors[1],
      mentorId: DIRECTORY.mentors[1],
      config: { maxDurationHours: 6, qualityTierOverride: 3, notifications: { slackEnabled: false, emailEnabled: true } },
    });
    expect(b.status).toBe(201);
    const bId = (b.json as { sessionId: string }).sessionId;
    clock.advanceMinutes(10);
    await coordinator.pauseSession(bId, { reason: 'waiting' });
    clock.advanceMinutes(30);
    await coordinator.cancelSession(bId, { reason: 'Scope changed, "again"' });
    clock.advanceMinutes(5);
    const [aEvents, bEvents] = [await eventsOf(coordinator, aId), await eventsOf(coordinator, bId)];
    const countsOf = (events: readonly { type: string }[]) => {
      const counts: Record<string, number> = {};
      for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
      return counts;
    };

    // Act
    const comparison = await coordinator.compareSessions(aId, bId);

    // Assess
    expect(comparison.a).toEqual({
      sessionId: aId,
      storyId: DIRECTORY.story,
      juniorId: DIRECTORY.juniors[0],
      mentorId: DIRECTORY.mentors[0],
      outcome: { status: 'Completed' },
      overallScore: 87,
      durations: { total: 'PT1H', active: 'PT1H', queued: 'PT0S', paused: 'PT0S' },
      timePerState: { INIT_STORY_PROCESSING: 'PT20M', PLAN_DECOMPOSITION: 'PT40M' },
      statusBreakdown: { queued: 'PT0S', active: 'PT1H', paused: 'PT0S', pauseCount: 0, longestPause: 'PT0S' },
      eventCounts: countsOf(aEvents),
    });
    expect(comparison.b).toEqual({
      sessionId: bId,
      storyId: DIRECTORY.story,
      juniorId: DIRECTORY.juniors[1],
      mentorId: DIRECTORY.mentors[1],
      outcome: { status: 'Cancelled', cancelReason: 'Scope changed, "again"' },
      durations: { total: 'PT40M', active: 'PT10M', queued: 'PT0S', paused: 'PT30M' },
      timePerState: { INIT_STORY_PROCESSING: 'PT10M', PAUSED: 'PT30M' },
      statusBreakdown: { queued: 'PT0S', active: 'PT10M', paused: 'PT30M', pauseCount: 1, longestPause: 'PT30M' },
      eventCounts: countsOf(bEvents),
    });
    expect(comparison.a.eventCounts).toMatchObject({ session_started: 1, state_transition: 1, session_completed: 1 });
    expect(comparison.b.eventCounts).toMatchObject({ session_started: 1, session_paused: 1, session_cancelled: 1 });
    const byField = [...comparison.configDifferences].sort((x, y) => x.field.localeCompare(y.field));
    expect(byField.filter((difference) => difference.field !== 'qualityTierOverride')).toEqual([
      { field: 'checkInIntervalMinutes', a: 15, b: 30 },
      { field: 'escalationPolicy', a: 'immediate', b: 'progressive' },
      { field: 'maxDurationHours', a: 2, b: 6 },
      { field: 'notifications.emailEnabled', a: false, b: true },
      { field: 'notifications.slackEnabled', a: true, b: false },
    ]);
    // Unset on A: JSON cannot carry undefined, so null or absent.
    const tier = byField.filter((difference) => difference.field === 'qualityTierOverride');
    expect(tier.map(({ a: unset, ...rest }) => ({ ...rest, unset: unset ?? null }))).toEqual([{ field: 'qualityTierOverride', b: 3, unset: null }]);
    expect(comparison.durationDifferencesMs).toEqual({ total: -20 * MINUTE, active: -50 * MINUTE, queued: 0, paused: 30 * MINUTE });
    expect(comparison.stateDifferencesMs).toEqual({ INIT_STORY_PROCESSING: -10 * MINUTE, PLAN_DECOMPOSITION: -40 * MINUTE, PAUSED: 30 * MINUTE });

    // Swapped: every difference changes sign.
    const swapped = await coordinator.compareSessions(bId, aId);
    expect(swapped.durationDifferencesMs).toEqual({ total: 20 * MINUTE, active: 50 * MINUTE, queued: 0, paused: -30 * MINUTE });
    expect(swapped.stateDifferencesMs).toEqual({ INIT_STORY_PROCESSING: 10 * MINUTE, PLAN_DECOMPOSITION: 40 * MINUTE, PAUSED: -30 * MINUTE });
  });

  test('two sessions with the same config: no config differences', async () => {
    // Prepare
    const first = await startSession(coordinator);
    const second = await startSession(coordinator);

    // Act
    const comparison = await coordinator.compareSessions(first, second);

    // Assess
    expect(comparison.configDifferences).toEqual([]);
    await coordinator.cancelSession(first, { reason: 'done with this test' });
    await coordinator.cancelSession(second, { reason: 'done with this test' });
  });

  test('400 for one id, the same id twice, a non-uuid, three ids, or no ids', async () => {
    // Prepare
    const id = randomUUID();
    const queries = [`ids=${id}`, `ids=${id},${id}`, `ids=${id},not-a-uuid`, `ids=${id},${randomUUID()},${randomUUID()}`, '', `ids=${id},`];

    // Act
    const answers = await Promise.all(queries.map((query) => coordinator.raw('GET', `${SESSIONS}/compare${query ? `?${query}` : ''}`)));

    // Assess
    for (const answer of answers) expectError(answer, 400, 'invalid_request');
  });

  test('404 when the caller cannot see one of them, or one does not exist', async () => {
    // Prepare
    const mine = await startSession(coordinator, { juniorId: DIRECTORY.juniors[1] });
    const theirs = await startSession(coordinator, { juniorId: DIRECTORY.juniors[0] });
    const junior = await app.as(DIRECTORY.juniors[1], 'junior');

    // Act
    const hidden = await junior.raw('GET', `${SESSIONS}/compare?ids=${mine},${theirs}`);
    const missing = await coordinator.raw('GET', `${SESSIONS}/compare?ids=${mine},${randomUUID()}`);
    const ownOnly = await junior.raw('GET', `${SESSIONS}/compare?ids=${mine},${mine}`);

    // Assess
    expectError(hidden, 404, 'not_found');
    expectError(missing, 404, 'not_found');
    expectError(ownOnly, 400, 'invalid_request');
    await coordinator.cancelSession(mine, { reason: 'done with this test' });
    await coordinator.cancelSession(theirs, { reason: 'done with this test' });
  });
});

// ---------------------------------------------------------------------------------------------
// Exports. A directory of awkward names, and sessions in every terminal status.

interface ExportFixture {
  stories: string[];
  juniors: string[];
  /** Session ids in creation order. */
  ids: string[];
  /** createdAt of each session, by id. */
  createdAt: Map<string, string>;
}

let fixture: ExportFixture;

/** Builds the export fixture once (two stories, two juniors with awkward names; 6 sessions, one minute apart). */
async function exportFixture(): Promise<ExportFixture> {
  if (fixture !== undefined) return fixture;
  const stories = ['story-x1', 'story-x2'];
  const juniors = ['junior-x1', 'junior-x2'];
  await coordinator.putStory(stories[0]!, { title: AWKWARD.title, skillArea: 'typescript' });
  await coordinator.putStory(stories[1]!, { title: 'Only newlines\nno commas or quotes\r\nhere', skillArea: 'typescript' });
  await coordinator.putJunior(juniors[0]!, { name: AWKWARD.name, skills: [{ area: 'typescript', level: 2 }] });
  await coordinator.putJunior(juniors[1]!, { name: 'Ünïcødé Ñame\r名前', skills: [{ area: 'typescript', level: 3 }] });
  const plan: { story: number; junior: number; mentor: number; end: 'complete' | 'cancel' | 'fail' | 'pause' | 'run' }[] = [
    { story: 0, junior: 0, mentor: 0, end: 'complete' },
    { story: 0, junior: 1, mentor: 1, end: 'cancel' },
    { story: 1, junior: 0, mentor: 1, end: 'fail' },
    { story: 0, junior: 0, mentor: 0, end: 'pause' },
    { story: 1, junior: 1, mentor: 0, end: 'run' },
    { story: 0, junior: 1, mentor: 0, end: 'complete' },
  ];
  const ids: string[] = [];
  const createdAt = new Map<string, string>();
  for (const [index, step] of plan.entries()) {
    clock.advanceMinutes(1);
    const id = await startSession(coordinator, { storyId: stories[step.story], juniorId: juniors[step.junior], mentorId: DIRECTORY.mentors[step.mentor] });
    ids.push(id);
    createdAt.set(id, nowIso());
    clock.advanceMinutes(index + 1);
    if (step.end === 'complete') await service.completeSession(id, { report: { ...REPORT, overallScore: 50 + index } });
    if (step.end === 'cancel') await coordinator.cancelSession(id, { reason: AWKWARD.cancelReason, notes: AWKWARD.notes });
    if (step.end === 'fail') await service.failSession(id, { error: AWKWARD.error });
    if (step.end === 'pause') await coordinator.pauseSession(id, { reason: 'a, "b"', notes: 'just\nnewlines' });
  }
  // One of them under a legal hold, so the flag shows both ways.
  await coordinator.setSessionHold(ids[0]!, { hold: true, reason: 'litigation, "case 7"' });
  fixture = { stories, juniors, ids, createdAt };
  return fixture;
}

describe('GET /sessions/export', () => {
  test('CSV parses back to exactly the JSON export, awkward text included; NDJSON is the same rows', async () => {
    // Prepare
    const { ids } = await exportFixture();

    // Act
    const json = await coordinator.exportSessions({ format: 'json' });
    const ndjson = await coordinator.exportSessions({ format: 'ndjson' });
    const csv = await coordinator.exportSessions({ format: 'csv' });

    // Assess
    expect(json.contentType).toMatch(/^application\/json/);
    expect(ndjson.contentType).toMatch(/^application\/x-ndjson/);
    expect(csv.contentType).toMatch(/^text\/csv/);
    const rows = JSON.parse(json.text) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    for (const id of ids) expect(rows.map((row) => row.id)).toContain(id);
    // Every field of a row has a CSV column: nothing is lost on the way.
    for (const row of rows) expect(Object.keys(row).filter((key) => !(SESSION_COLUMNS as readonly string[]).includes(key))).toEqual([]);

    const lines = ndjson.text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual(rows);

    expect(csvHeader(csv.text)).toEqual([...SESSION_COLUMNS]);
    expect(parseCsv(csv.text)).toEqual(rowsAsCsvRecords(rows));

    // The awkward values really are in the data compared.
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0])).toMatchObject({ storyTitle: AWKWARD.title, juniorName: AWKWARD.name, status: 'Completed', overallScore: 50, legalHold: true });
    expect(byId.get(ids[1])).toMatchObject({ storyTitle: AWKWARD.title, status: 'Cancelled', cancelReason: AWKWARD.cancelReason, legalHold: false });
    expect(byId.get(ids[2])).toMatchObject({ juniorName: AWKWARD.name, status: 'Failed', error: AWKWARD.error });
  });

  test('no format: the settings default (json)', async () => {
    // Prepare
    await exportFixture();

    // Act
    const unnamed = await coordinator.exportSessions({});
    const named = await coordinator.exportSessions({ format: 'json' });

    // Assess
    expect(unnamed.contentType).toMatch(/^application\/json/);
    expect(unnamed.text).toBe(named.text);
  });

  test('a row: the session as the details show it', async () => {
    // Prepare
    const { ids } = await exportFixture();
    const id = ids[0]!;
    const details = await coordinator.getSession(id);

    // Act
    const rows = await coordinator.exportSessionsJson({ storyId: details.storyId, juniorId: details.juniorId, status: 'Completed' });

    // Assess
    const row = rows.find((candidate) => candidate.id === id);
    expect(row).toEqual({
      id,
      storyId: details.storyId,
      storyTitle: details.storyTitle,
      juniorId: details.juniorId,
      juniorName: details.juniorName,
      mentorId: details.mentorId,
      skillArea: details.skillArea,
      status: 'Completed',
      currentState: details.currentState,
      createdAt: details.createdAt,
      startedAt: details.startedAt,
      completedAt: details.completedAt,
      duration: details.duration,
      overallScore: 50,
      legalHold: true,
    } satisfies SessionExportRowDto);
  });

  /** The fixture's sessions from the first to just after the last (later tests add sessions after it). */
  const window = (f: ExportFixture) => ({ from: f.createdAt.get(f.ids[0]!)!, to: iso(Date.parse(f.createdAt.get(f.ids[5]!)!) + MINUTE) });
  /** name, query, the fixture sessions expected (by index), and whether their order is the one given (else only the set). */
  const FILTERS: [string, (f: ExportFixture) => SessionListQueryInput, number[], 'ordered' | 'set'][] = [
    ['storyId', (f) => ({ storyId: f.stories[0] }), [5, 3, 1, 0], 'ordered'],
    ['juniorId', (f) => ({ juniorId: f.juniors[0] }), [3, 2, 0], 'ordered'],
    ['mentorId', (f) => ({ mentorId: DIRECTORY.mentors[1], ...window(f) }), [2, 1], 'ordered'],
    ['status', (f) => ({ status: 'Cancelled', ...window(f) }), [1], 'ordered'],
    ['storyId + status', (f) => ({ storyId: f.stories[0], status: 'Completed' }), [5, 0], 'ordered'],
    ['juniorId + mentorId', (f) => ({ juniorId: f.juniors[1], mentorId: DIRECTORY.mentors[0] }), [5, 4], 'ordered'],
    ['from/to [from, to)', (f) => ({ from: f.createdAt.get(f.ids[1]!), to: f.createdAt.get(f.ids[4]!) }), [3, 2, 1], 'ordered'],
    ['from/to ascending', (f) => ({ ...window(f), from: f.createdAt.get(f.ids[3]!), sortDirection: 'asc' }), [3, 4, 5], 'ordered'],
    ['storyId by duration asc', (f) => ({ storyId: f.stories[0], sortBy: 'duration', sortDirection: 'asc' }), [0, 1, 3, 5], 'set'],
    ['juniorId by completedAt desc', (f) => ({ juniorId: f.juniors[1], sortBy: 'completedAt', sortDirection: 'desc' }), [1, 4, 5], 'set'],
    [
      'from/to by completedAt asc',
      (f) => ({ from: f.createdAt.get(f.ids[0]!), to: f.createdAt.get(f.ids[3]!), sortBy: 'completedAt', sortDirection: 'asc' }),
      [0, 1, 2],
      'ordered',
    ],
    ['status by duration desc in a range', (f) => ({ ...window(f), status: 'Completed', sortBy: 'duration', sortDirection: 'desc' }), [5, 0], 'ordered'],
    ['nothing matches', () => ({ juniorId: 'junior-nobody' }), [], 'ordered'],
  ];

  test.each(FILTERS)('filter %s: the same sessions, in the same order, as the list', async (_name, query, expected, order) => {
    // Prepare
    const f = await exportFixture();
    const q = query(f);

    // Act
    const exported = await coordinator.exportSessionsJson(q);
    const csv = await coordinator.exportSessions({ ...q, format: 'csv' });
    const listed = await coordinator.listSessions({ ...q, pageSize: 100 });

    // Assess
    const ids = exported.map((row) => row.id);
    expect(ids).toEqual(listed.items.map((item) => item.id));
    expect(listed.nextCursor).toBeUndefined();
    const want = expected.map((index) => f.ids[index]!);
    expect(order === 'ordered' ? ids : [...ids].sort()).toEqual(order === 'ordered' ? want : [...want].sort());
    expect(parseCsv(csv.text)).toEqual(rowsAsCsvRecords(exported));
    if (exported.length === 0) expect(csv.text).toBe(`${SESSION_COLUMNS.join(',')}\r\n`);
  });

  test('sorted by duration or completion: finished sessions in the order of their duration or end', async () => {
    // Prepare
    const f = await exportFixture();

    // Act
    const byDuration = await coordinator.exportSessionsJson({ storyId: f.stories[0], sortBy: 'duration', sortDirection: 'asc' });
    const byCompletion = await coordinator.exportSessionsJson({ juniorId: f.juniors[1], sortBy: 'completedAt', sortDirection: 'desc' });

    // Assess: durations 1, 2 and 6 min; ends at +2 min (ids[1]) and +6 min (ids[5]).
    expect(byDuration.map((row) => row.id).filter((id) => id !== f.ids[3])).toEqual([0, 1, 5].map((index) => f.ids[index]));
    expect(byCompletion.map((row) => row.id).filter((id) => id !== f.ids[4])).toEqual([5, 1].map((index) => f.ids[index]));
  });

  test('a junior or a mentor exports only their own sessions', async () => {
    // Prepare
    const f = await exportFixture();
    const junior = await app.as(f.juniors[0]!, 'junior');
    const mentor = await app.as(DIRECTORY.mentors[1], 'mentor');

    // Act
    const juniorRows = await junior.exportSessionsJson({});
    const juniorOther = await junior.exportSessionsJson({ juniorId: f.juniors[1] });
    const mentorRows = await mentor.exportSessionsJson({ storyId: f.stories[1] });

    // Assess
    expect(juniorRows.map((row) => row.id)).toEqual([3, 2, 0].map((index) => f.ids[index]));
    expect(juniorOther).toEqual([]);
    expect(mentorRows.map((row) => row.id)).toEqual([f.ids[2]]);
  });

  test('400 for an unknown format or filter', async () => {
    // Act
    const badFormat = await coordinator.raw('GET', `${SESSIONS}/export?format=xml`);
    const unknownFilter = await coordinator.raw('GET', `${SESSIONS}/export?colour=red`);
    const badStatus = await coordinator.raw('GET', `${SESSIONS}/export?status=Sleeping`);

    // Assess
    expectError(badFormat, 400, 'invalid_request');
    expectError(unknownFilter, 400, 'invalid_request');
    expectError(badStatus, 400, 'invalid_request');
  });
});

describe('GET /sessions/{id}/events?format=csv', () => {
  test('parses back to the JSON events, notes and data with commas, quotes and newlines included', async () => {
    // Prepare
    const id = await startSession(coordinator);
    clock.advanceMinutes(3);
    await coordinator.pauseSession(id, { reason: 'reason, "quoted"', notes: AWKWARD.notes });
    await coordinator.resumeSession(id, { notes: `back,\n"again"\r\n${AWKWARD.title}` });
    await coordinator.pauseSession(id, { reason: 'lone\rCR', notes: 'lone\nLF only' });
    await coordinator.resumeSession(id, { notes: 'CRLF\r\nonly' });
    eventCounter += 1;
    await service.recordWorkflowEvent(id, {
      type: 'progress_update',
      eventId: `e-${eventCounter}, "odd"\nid`,
      occurredAt: nowIso(),
      message: AWKWARD.error,
      data: { text: 'x, "y"\r\nz', nested: { emoji: '🚀', list: [1, 'a,b'] }, n: 1.5 },
    });
    await engineMoves(id, 'VALIDATE_STORY');
    await coordinator.cancelSession(id, { reason: AWKWARD.cancelReason, notes: AWKWARD.notes });
    const events = await eventsOf(coordinator, id);

    // Act
    const csv = await coordinator.getSessionEventsCsv(id);

    // Assess
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csvHeader(csv.text)).toEqual([...EVENT_COLUMNS]);
    const records = parseCsv(csv.text);
    const expected = events.map((event) =>
      Object.fromEntries(EVENT_COLUMNS.map((column) => [column, column === 'data' ? '' : cell((event as Record<string, unknown>)[column])])),
    );
    expect(records.map(({ data: _data, ...rest }) => ({ ...rest, data: '' }))).toEqual(expected);
    expect(records.map((record) => (record.data === '' ? undefined : (JSON.parse(record.data!) as unknown)))).toEqual(events.map((event) => event.data));
    expect(events.some((event) => event.notes === AWKWARD.notes)).toBe(true);
    expect(events.some((event) => event.data?.['text'] === 'x, "y"\r\nz')).toBe(true);
  });

  test('another junior gets 404; an unknown format 400', async () => {
    // Prepare
    const id = await startSession(coordinator);
    const other = await app.as(DIRECTORY.juniors[1], 'junior');

    // Act
    const hidden = await other.raw('GET', `${at(id)}/events?format=csv`);
    const bad = await coordinator.raw('GET', `${at(id)}/events?format=xml`);

    // Assess
    expectError(hidden, 404, 'not_found');
    expectError(bad, 400, 'invalid_request');
    await coordinator.cancelSession(id, { reason: 'done with this test' });
  });
});

describe('export jobs: POST /sessions/exports, GET /sessions/exports/{id}', () => {
  test.each(['csv', 'ndjson', 'json'] as const)('a %s job writes the file the synchronous export answers', async (format) => {
    // Prepare
    const f = await exportFixture();
    const filters = { storyId: f.stories[0], sortBy: 'createdAt', sortDirection: 'asc' };
    const before = nowIso();

    // Act
    const created = await sendJson(coordinator, 'POST', `${SESSIONS}/exports`, { ...filters, format });
    const pending = await coordinator.getExportJob((created.json as { id: string }).id);
    await app.deps.exports.runJob(pending.id);
    const done = await coordinator.getExportJob(pending.id);

    // Assess
    expect({ status: created.status, body: created.json }).toEqual({
      status: 202,
      body: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending', format, requestedBy: 'coord-1', createdAt: before, updatedAt: before },
    });
    expect(pending).toEqual(created.json);
    expect(done).toMatchObject({ id: pending.id, status: 'succeeded', format, createdAt: before, location: `${SESSIONS}/exports/${pending.id}/download` });
    const file = (await coordinator.downloadExportJob(done.id)).text;
    const sync = await coordinator.exportSessions({ ...filters, format });
    expect(file).toBe(sync.text);
    expect(done.rows).toBe(4);
    expect(done.bytes).toBe(Buffer.byteLength(file, 'utf8'));
  });

  test('without a format the job uses the settings default (json); the engine may start one too', async () => {
    // Prepare
    const f = await exportFixture();

    // Act
    const job = await service.createExportJob({ juniorId: f.juniors[1] });
    await app.deps.exports.runJob(job.id);
    const done = await service.getExportJob(job.id);

    // Assess
    expect(job).toMatchObject({ status: 'pending', format: 'json' });
    expect(done).toMatchObject({ status: 'succeeded', format: 'json', rows: 3 });
    const file = (await service.downloadExportJob(done.id)).text;
    expect(file).toBe((await coordinator.exportSessions({ juniorId: f.juniors[1], format: 'json' })).text);
  });

  test('running a job twice does not run it again', async () => {
    // Prepare
    await coordinator.putStory('story-job-once', { title: 'Once', skillArea: 'typescript' });
    const first = await startSession(coordinator, { storyId: 'story-job-once' });
    const job = await coordinator.createExportJob({ storyId: 'story-job-once', format: 'ndjson' });
    await app.deps.exports.runJob(job.id);
    const done = await coordinator.getExportJob(job.id);
    const file = (await coordinator.downloadExportJob(done.id)).text;
    const second = await startSession(coordinator, { storyId: 'story-job-once' });
    clock.advanceMinutes(1);

    // Act
    await app.deps.exports.runJob(job.id);

    // Assess
    expect(await coordinator.getExportJob(job.id)).toEqual(done);
    expect((await coordinator.downloadExportJob(done.id)).text).toBe(file);
    expect(done.rows).toBe(1);
    await coordinator.cancelSession(first, { reason: 'done with this test' });
    await coordinator.cancelSession(second, { reason: 'done with this test' });
  });

  test('two runners at once: one file, the job succeeds once', async () => {
    // Prepare
    const f = await exportFixture();
    const job = await coordinator.createExportJob({ juniorId: f.juniors[0], format: 'csv' });

    // Act
    await Promise.all([app.deps.exports.runJob(job.id), app.deps.exports.runJob(job.id)]);

    // Assess
    const done = await coordinator.getExportJob(job.id);
    expect(done).toMatchObject({ status: 'succeeded', rows: 3 });
    const file = (await coordinator.downloadExportJob(done.id)).text;
    expect(file).toBe((await coordinator.exportSessions({ juniorId: f.juniors[0], format: 'csv' })).text);
  });

  test('a junior or a mentor may not start one (403); an unknown job is 404', async () => {
    // Prepare
    const junior = await app.as(DIRECTORY.juniors[0], 'junior');
    const mentor = await app.as(DIRECTORY.mentors[0], 'mentor');

    // Act
    const byJunior = await sendJson(junior, 'POST', `${SESSIONS}/exports`, { format: 'csv' });
    const byMentor = await sendJson(mentor, 'POST', `${SESSIONS}/exports`, {});
    const unknown = await coordinator.raw('GET', `${SESSIONS}/exports/${randomUUID()}`);

    // Assess
    expectError(byJunior, 403, 'forbidden');
    expectError(byMentor, 403, 'forbidden');
    expectError(unknown, 404, 'not_found');
  });
});

describe('PUT /sessions/{id}/hold and expiry', () => {
  test('a completed session expires retention_days after it ended; a hold removes that, its release restores it; TTLs follow', async () => {
    // Prepare
    const id = await startSession(coordinator);
    clock.advanceMinutes(7);
    await service.completeSession(id, { report: REPORT });
    const completedAt = nowIso();
    const expiresAt = iso(Date.parse(completedAt) + 365 * DAY);
    const ttl = epochSeconds(expiresAt);
    clock.advanceMinutes(3);

    // Assess: expiry before any hold, on the details and on every item.
    const details = await coordinator.getSession(id);
    expect(details).toMatchObject({ completedAt, expiresAt });
    expect(details.legalHold).toBeUndefined();
    let raw = await rawItems(app, id);
    expect(raw.session.ttl).toBe(ttl);
    expect(raw.listings.map((item) => item.ttl)).toEqual(raw.listings.map(() => ttl));
    await app.deps.ports.retention.applyExpiry(id);
    raw = await rawItems(app, id);
    expect(raw.events.length).toBe(details.events.length);
    expect(raw.events.map((item) => item.ttl)).toEqual(raw.events.map(() => ttl));

    // Act: set the hold.
    const held = await coordinator.setSessionHold(id, { hold: true, reason: 'Litigation, "ACME v. Us"' });

    // Assess
    const heldAt = nowIso();
    expect(held).toEqual({ sessionId: id, status: 'Completed', legalHold: { setBy: 'coord-1', setAt: heldAt, reason: 'Litigation, "ACME v. Us"' } });
    const heldDetails = await coordinator.getSession(id);
    expect(heldDetails.expiresAt).toBeUndefined();
    expect(heldDetails.legalHold).toEqual({ setBy: 'coord-1', setAt: heldAt, reason: 'Litigation, "ACME v. Us"' });
    expect(heldDetails.events.at(-1)).toMatchObject({ type: 'legal_hold_set', actor: 'coord-1', actorRole: 'coordinator', reason: 'Litigation, "ACME v. Us"' });
    raw = await rawItems(app, id);
    expect([raw.session, ...raw.listings].filter((item) => item.ttl !== undefined)).toEqual([]);
    await app.deps.ports.retention.applyExpiry(id);
    raw = await rawItems(app, id);
    expect(raw.events.length).toBe(heldDetails.events.length);
    expect(raw.events.filter((item) => item.ttl !== undefined)).toEqual([]);

    // Act: the same hold again is a no-op.
    clock.advanceMinutes(1);
    const again = await coordinator.setSessionHold(id, { hold: true, reason: 'another reason' });

    // Assess
    expect(again).toEqual(held);
    expect((await coordinator.getSession(id)).events.length).toBe(heldDetails.events.length);

    // Act: release it.
    clock.advanceMinutes(1);
    const released = await coordinator.setSessionHold(id, { hold: false });

    // Assess
    expect(released).toEqual({ sessionId: id, status: 'Completed', expiresAt });
    const releasedDetails = await coordinator.getSession(id);
    expect(releasedDetails).toMatchObject({ expiresAt });
    expect(releasedDetails.legalHold).toBeUndefined();
    expect(releasedDetails.events.length).toBe(heldDetails.events.length + 1);
    expect(releasedDetails.events.at(-1)).toMatchObject({ type: 'legal_hold_released', actor: 'coord-1', actorRole: 'coordinator' });
    raw = await rawItems(app, id);
    expect([raw.session, ...raw.listings].map((item) => item.ttl)).toEqual([raw.session, ...raw.listings].map(() => ttl));
    await app.deps.ports.retention.applyExpiry(id);
    raw = await rawItems(app, id);
    expect(raw.events.length).toBe(releasedDetails.events.length);
    expect(raw.events.map((item) => item.ttl)).toEqual(raw.events.map(() => ttl));

    // A release repeated is a no-op too.
    expect(await coordinator.setSessionHold(id, { hold: false })).toEqual(released);
    expect((await coordinator.getSession(id)).events.length).toBe(releasedDetails.events.length);
  });

  test('concurrent identical holds: one hold, one event', async () => {
    // Prepare
    const id = await startSession(coordinator);
    await service.completeSession(id, { report: REPORT });
    const before = (await eventsOf(coordinator, id)).length;

    // Act
    const answers = await Promise.all([1, 2, 3, 4].map(() => sendJson(coordinator, 'PUT', `${at(id)}/hold`, { hold: true, reason: 'r' })));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const events = await eventsOf(coordinator, id);
    expect(events.length).toBe(before + 1);
    expect(events.filter((event) => event.type === 'legal_hold_set').length).toBe(1);
    const holds = new Set(answers.map((answer) => JSON.stringify(answer.json)));
    expect(holds.size).toBe(1);
  });

  test('a running session has no expiry and no TTL; one held while running gets none when it ends', async () => {
    // Prepare
    const id = await startSession(coordinator);

    // Act
    const held = await coordinator.setSessionHold(id, { hold: true });
    clock.advanceMinutes(2);
    await service.completeSession(id, { report: REPORT });

    // Assess
    expect(held).toMatchObject({ sessionId: id, status: 'Active', legalHold: { setBy: 'coord-1', setAt: expect.any(String) } });
    expect(held.expiresAt).toBeUndefined();
    const details = await coordinator.getSession(id);
    expect(details.status).toBe('Completed');
    expect(details.expiresAt).toBeUndefined();
    expect(details.legalHold).toEqual({ setBy: 'coord-1', setAt: held.legalHold!.setAt });
    await app.deps.ports.retention.applyExpiry(id);
    const raw = await rawItems(app, id);
    expect([raw.session, ...raw.listings, ...raw.events].filter((item) => item.ttl !== undefined)).toEqual([]);
  });

  test('only coordinators: its mentor, its junior and the engine get 403; another junior and another mentor 404', async () => {
    // Prepare
    const id = await startSession(coordinator);
    await service.completeSession(id, { report: REPORT });
    const callers = {
      ownMentor: await app.as(DIRECTORY.mentors[0], 'mentor'),
      ownJunior: await app.as(DIRECTORY.juniors[0], 'junior'),
      engine: service,
      otherJunior: await app.as(DIRECTORY.juniors[1], 'junior'),
      otherMentor: await app.as(DIRECTORY.mentors[1], 'mentor'),
    };

    // Act
    const answers: Record<string, number> = {};
    for (const [name, client] of Object.entries(callers)) answers[name] = (await sendJson(client, 'PUT', `${at(id)}/hold`, { hold: true })).status;

    // Assess
    expect(answers).toEqual({ ownMentor: 403, ownJunior: 403, engine: 403, otherJunior: 404, otherMentor: 404 });
    const details = await coordinator.getSession(id);
    expect(details.legalHold).toBeUndefined();
    expect(details.events.map((event) => event.type)).not.toContain('legal_hold_set');
  });

  test('400 for a body without hold; 404 for an unknown session', async () => {
    // Act
    const noHold = await sendJson(coordinator, 'PUT', `${at(randomUUID())}/hold`, { reason: 'x' });
    const unknown = await sendJson(coordinator, 'PUT', `${at(randomUUID())}/hold`, { hold: true });

    // Assess
    expectError(noHold, 400, 'invalid_request');
    expectError(unknown, 404, 'not_found');
  });

  test('GET /retention: coordinators only', async () => {
    // Prepare
    const others = [await app.as(DIRECTORY.mentors[0], 'mentor'), await app.as(DIRECTORY.juniors[0], 'junior'), service];

    // Act
    const answers = await Promise.all(others.map((client) => client.raw('GET', `${API}/retention?days=30`)));
    const mine = await coordinator.getRetentionReport(30);

    // Assess
    for (const answer of answers) expectError(answer, 403, 'forbidden');
    expect(mine).toMatchObject({ retentionDays: 365, from: nowIso(), to: iso(clock.now().getTime() + 30 * DAY) });
  });
});

// ---------------------------------------------------------------------------------------------
// A second app: retention_days 30 and CSV exports by default, its own clock and table.

describe('retention window (retention_days 30) and the default export format (csv)', () => {
  let app2: LocalApp;
  let clock2: ManualClock;
  let coordinator2: SessionClient;
  let service2: SessionClient;
  const T0 = Date.parse('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    clock2 = new ManualClock(iso(T0));
    ({
      app: app2,
      coordinator: coordinator2,
      service: service2,
    } = await startApiFixture({
      clock: clock2,
      settings: settingsWith({
        max_concurrent_sessions_per_junior: 1000,
        max_concurrent_sessions_per_mentor: 1000,
        max_concurrent_sessions_system: 100_000,
        max_queue_size: 1000,
        audit: { retention_days: 30, export_format: 'csv' },
      }),
      coordinatorId: 'coord-2',
    }));
  });
  afterAll(() => app2.close());

  const completeNow = async () => {
    const id = await startSession(coordinator2);
    await service2.completeSession(id, { report: REPORT });
    return id;
  };

  test('sessions ended at different times fall in and out of the N-day window as the clock moves', async () => {
    // Prepare: S1 ends at T0, S2 at T0+10d, S3 at T0+20d and is held.
    const s1 = await completeNow();
    clock2.advance(10 * DAY);
    const s2 = await completeNow();
    clock2.advance(10 * DAY);
    const s3 = await completeNow();
    await coordinator2.setSessionHold(s3, { hold: true, reason: 'audit' });
    const report = (days: number) => coordinator2.getRetentionReport(days);

    // Assess: now T0+20d; S1 expires T0+30d (in 10 d), S2 T0+40d (in 20 d), S3 held.
    expect((await coordinator2.getSession(s1)).expiresAt).toBe(iso(T0 + 30 * DAY));
    expect((await coordinator2.getSession(s2)).expiresAt).toBe(iso(T0 + 40 * DAY));
    expect(await report(9)).toEqual({ retentionDays: 30, from: iso(T0 + 20 * DAY), to: iso(T0 + 29 * DAY), expiring: 0, pastExpiry: 0 });
    expect(await report(11)).toMatchObject({ expiring: 1, pastExpiry: 0 });
    expect(await report(21)).toMatchObject({ expiring: 2, pastExpiry: 0 });
    expect(await report(60)).toMatchObject({ expiring: 2, pastExpiry: 0 });

    // Act: the hold is released (S3 expires T0+50d).
    await coordinator2.setSessionHold(s3, { hold: false });

    // Assess
    expect(await report(29)).toMatchObject({ expiring: 2, pastExpiry: 0 });
    expect(await report(31)).toMatchObject({ expiring: 3, pastExpiry: 0 });

    // Act: time passes to T0+35d.
    clock2.advance(15 * DAY);

    // Assess: S1 is past expiry; S2 in 5 d, S3 in 15 d.
    expect(await report(4)).toEqual({ retentionDays: 30, from: iso(T0 + 35 * DAY), to: iso(T0 + 39 * DAY), expiring: 0, pastExpiry: 1 });
    expect(await report(6)).toMatchObject({ expiring: 1, pastExpiry: 1 });
    expect(await report(16)).toMatchObject({ expiring: 2, pastExpiry: 1 });

    // Act: S2 goes on hold while it waits.
    await coordinator2.setSessionHold(s2, { hold: true });

    // Assess
    expect(await report(16)).toMatchObject({ expiring: 1, pastExpiry: 1 });
  });

  test('400 for days out of range or not a number', async () => {
    // Act
    const answers = await Promise.all(['0', '-1', 'ten', '1.5'].map((days) => coordinator2.raw('GET', `${API}/retention?days=${days}`)));

    // Assess
    for (const answer of answers) expectError(answer, 400, 'invalid_request');
  });

  test('no format: the settings default (csv)', async () => {
    // Act
    const unnamed = await coordinator2.exportSessions({});
    const csv = await coordinator2.exportSessions({ format: 'csv' });
    const job = await coordinator2.createExportJob({});

    // Assess
    expect(unnamed.contentType).toMatch(/^text\/csv/);
    expect(unnamed.text).toBe(csv.text);
    expect(csvHeader(unnamed.text)).toEqual([...SESSION_COLUMNS]);
    expect(job.format).toBe('csv');
  });
});

// ---------------------------------------------------------------------------------------------
// A third app where a junior may run one session at a time, so a second one queues; it also
// holds the bulk export (more sessions than one store page of 100).

/** More than one store page (100) of an export. */
const BULK_COUNT = 130;

describe('a third app: a queued session, and an export of more than one page', () => {
  let app3: LocalApp;
  let clock3: ManualClock;

  beforeAll(async () => {
    clock3 = new ManualClock('2026-02-02T08:00:00.000Z');
    app3 = await startLocalApp({
      clock: clock3,
      settings: settingsWith({
        max_concurrent_sessions_per_junior: 1,
        max_concurrent_sessions_per_mentor: 1000,
        max_concurrent_sessions_system: 100_000,
        max_queue_size: 1000,
      }),
    });
  });
  afterAll(() => app3.close());

  test('queued time counts in the total and under queued, under no MentorshipState', async () => {
    // Prepare
    const coord = await app3.as('coord-3', 'coordinator');
    const engine = await app3.as('engine', 'service');
    await seedDirectory(coord);
    const first = await startSession(coord);
    const t0 = clock3.now().getTime();
    const queued = await sendJson(coord, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: DIRECTORY.juniors[0], mentorId: DIRECTORY.mentors[0] });
    expect({ status: queued.status, body: queued.json }).toMatchObject({ status: 201, body: { status: 'queued' } });
    const id = (queued.json as { sessionId: string }).sessionId;
    clock3.advanceMinutes(20);
    const waiting = await coord.getSessionTimeline(id);
    expect(waiting.startedAt).toBeUndefined();
    expect(waiting.endTime).toBeUndefined();
    expect(waiting).toMatchObject({
      startTime: iso(t0),
      asOf: iso(t0 + 20 * MINUTE),
      totalDuration: 'PT20M',
      timePerState: {},
      statusBreakdown: { queued: 'PT20M', active: 'PT0S', paused: 'PT0S', pauseCount: 0, longestPause: 'PT0S' },
    });
    expect(Object.keys(waiting.timePerState)).toEqual([]);
    await engine.completeSession(first, { report: REPORT });
    expect((await coord.getSession(id)).status).toBe('Active');
    clock3.advanceMinutes(30);
    await engine.completeSession(id, { report: REPORT });

    // Act
    const timeline = await coord.getSessionTimeline(id);

    // Assess
    expect(timeline).toMatchObject({
      startTime: iso(t0),
      startedAt: iso(t0 + 20 * MINUTE),
      endTime: iso(t0 + 50 * MINUTE),
      asOf: iso(t0 + 50 * MINUTE),
      totalDuration: 'PT50M',
      timePerState: { INIT_STORY_PROCESSING: 'PT30M' },
      statusBreakdown: { queued: 'PT20M', active: 'PT30M', paused: 'PT0S', pauseCount: 0, longestPause: 'PT0S' },
    });
    expect(Object.keys(timeline.timePerState)).toEqual(['INIT_STORY_PROCESSING']);
    expect(timeline.entries[0]).toMatchObject({ eventType: 'session_queued', toStatus: 'Queued', durationInState: 'PT20M' });
  });

  test('an export larger than one store page: every session once, in order; CSV equals JSON; a status filter; the job writes the same', async () => {
    // Prepare: seeded straight into the table (starting this many over HTTP takes too long), list counters left alone.
    const coord = await app3.as('coord-3', 'coordinator');
    const base = Date.parse('2026-02-01T00:00:00.000Z');
    const sessions = Array.from({ length: BULK_COUNT }, (_, index) => {
      const createdAt = iso(base + index * 1000);
      const endedAt = iso(base + index * 1000 + (index + 1) * MINUTE);
      const common = {
        id: randomUUID(),
        storyId: 'story-bulk',
        storyTitle: AWKWARD.title,
        juniorId: `junior-bulk-${index % 4}`,
        juniorName: AWKWARD.name,
        mentorId: 'mentor-bulk',
      };
      return index % 3 === 0
        ? aSession({
            ...common,
            createdAt,
            startedAt: createdAt,
            updatedAt: endedAt,
            endedAt,
            status: 'Cancelled',
            currentState: 'CANCELLED',
            cancelReason: `${AWKWARD.cancelReason} #${index}`,
          })
        : aSession({
            ...common,
            createdAt,
            startedAt: createdAt,
            updatedAt: endedAt,
            endedAt,
            status: 'Completed',
            currentState: 'COMPLETED',
            report: { ...REPORT, overallScore: index % 101 },
          });
    });
    const items = seedItems(sessions, 365).filter((item) => item.entity !== 'list-counter');
    for (let offset = 0; offset < items.length; offset += 25) {
      let pending = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const { UnprocessedItems } = await app3.table.dynamo.document.send(new BatchWriteCommand({ RequestItems: { [app3.table.tableName]: pending } }));
        pending = (UnprocessedItems?.[app3.table.tableName] ?? []) as typeof pending;
      }
    }

    // Act
    const rows = await coord.exportSessionsJson({ storyId: 'story-bulk' });
    const csv = await coord.exportSessions({ storyId: 'story-bulk', format: 'csv' });
    const cancelled = await coord.exportSessionsJson({ mentorId: 'mentor-bulk', status: 'Cancelled', sortDirection: 'asc' });
    const byDuration = await coord.exportSessionsJson({ storyId: 'story-bulk', sortBy: 'duration', sortDirection: 'desc' });
    const job = await coord.createExportJob({ storyId: 'story-bulk', format: 'ndjson' });
    await app3.deps.exports.runJob(job.id);
    const done = await coord.getExportJob(job.id);

    // Assess
    const newestFirst = [...sessions].reverse().map((session) => session.id);
    expect(rows.map((row) => row.id)).toEqual(newestFirst);
    expect(parseCsv(csv.text)).toEqual(rowsAsCsvRecords(rows));
    expect(cancelled.map((row) => row.id)).toEqual(sessions.filter((_, index) => index % 3 === 0).map((session) => session.id));
    expect(byDuration.map((row) => row.id)).toEqual(newestFirst);
    expect(done).toMatchObject({ status: 'succeeded', rows: BULK_COUNT });
    expect((await coord.downloadExportJob(done.id)).text).toBe((await coord.exportSessions({ storyId: 'story-bulk', format: 'ndjson' })).text);
  });
});
