import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import type { SessionClient } from '../../shared/client';
import { SessionStartResultSchema } from '../../shared/http/schemas';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { countItems, DIRECTORY, expectError, expectNoServerError, issuePaths, SESSIONS, sendJson, startSession } from './helpers';

/** Issue 14, part A: CSV formula injection (1), hostile keys in free-form data (2), nested idempotency fingerprints (3), other mentors' data (5). */

jest.setTimeout(60_000);

let app: LocalApp;
let coordinator: SessionClient;
let service: SessionClient;
let eventCounter = 0;

beforeAll(async () => {
  ({ app, coordinator, service } = await startApiFixture());
});
afterAll(() => app.close());

const at = (id: string) => `${SESSIONS}/${id}`;
const csvRecords = (text: string) => parse(text, { columns: true }) as Record<string, string>[];
const nextEventId = () => {
  eventCounter += 1;
  return `hardening-${eventCounter}`;
};

describe('1. CSV cells that a spreadsheet would run as formulas are prefixed with a quote', () => {
  const HOSTILE = {
    storyId: 'story-formula',
    juniorId: 'junior-formula',
    mentorId: 'mentor-formula',
    title: "+cmd|' /C calc'!A0",
    name: '=HYPERLINK("http://x","y")',
    skill: '@SUM(1)',
    pauseReason: '=1+1',
    cancelReason: '-2+3, "quoted", and\nmore',
  };
  let sessionId: string;

  beforeAll(async () => {
    await coordinator.putStory(HOSTILE.storyId, { title: HOSTILE.title, skillArea: HOSTILE.skill });
    await coordinator.putJunior(HOSTILE.juniorId, { name: HOSTILE.name, skills: [{ area: HOSTILE.skill, level: 2 }] });
    await coordinator.putMentor(HOSTILE.mentorId, { name: 'Mentor formula', skills: [{ area: HOSTILE.skill, level: 4 }] });
    sessionId = await startSession(coordinator, { storyId: HOSTILE.storyId, juniorId: HOSTILE.juniorId, mentorId: HOSTILE.mentorId });
    await coordinator.pauseSession(sessionId, { reason: HOSTILE.pauseReason });
    await coordinator.cancelSession(sessionId, { reason: HOSTILE.cancelReason });
  });

  const expectSessionRowNeutralised = (row: Record<string, string> | undefined) => {
    expect(row).toMatchObject({
      id: sessionId,
      storyTitle: `'${HOSTILE.title}`,
      juniorName: `'${HOSTILE.name}`,
      skillArea: `'${HOSTILE.skill}`,
      cancelReason: `'${HOSTILE.cancelReason}`,
      status: 'Cancelled',
    });
  };

  test('GET /sessions/export?format=csv', async () => {
    // Act
    const { text } = await coordinator.exportSessions({ storyId: HOSTILE.storyId, format: 'csv' });

    // Assess
    const rows = csvRecords(text);
    expect(rows).toHaveLength(1);
    expectSessionRowNeutralised(rows[0]);
  });

  test('an export job file in CSV', async () => {
    // Act
    const job = await coordinator.createExportJob({ storyId: HOSTILE.storyId, format: 'csv' });
    await app.deps.exports.runJob(job.id);

    // Assess
    const done = await coordinator.getExportJob(job.id);
    expect(done.status).toBe('succeeded');
    // location is the download route now (GET .../exports/{id}/download), not the file's URL.
    const rows = csvRecords((await coordinator.downloadExportJob(job.id)).text);
    expect(rows).toHaveLength(1);
    expectSessionRowNeutralised(rows[0]);
  });

  test('GET /sessions/{id}/events?format=csv', async () => {
    // Act
    const { text } = await coordinator.getSessionEventsCsv(sessionId);

    // Assess
    const reasons = csvRecords(text).map((row) => [row.type, row.reason]);
    expect(reasons).toEqual(expect.arrayContaining([['session_paused', `'${HOSTILE.pauseReason}`]]));
    expect(reasons).toEqual(expect.arrayContaining([['session_cancelled', `'${HOSTILE.cancelReason}`]]));
  });

  test('JSON keeps the raw text', async () => {
    // Act
    const { text } = await coordinator.exportSessions({ storyId: HOSTILE.storyId, format: 'json' });
    const session = await coordinator.getSession(sessionId);

    // Assess
    expect(JSON.parse(text)).toEqual([expect.objectContaining({ storyTitle: HOSTILE.title, juniorName: HOSTILE.name, cancelReason: HOSTILE.cancelReason })]);
    expect(session).toMatchObject({ pauseReason: HOSTILE.pauseReason, cancelReason: HOSTILE.cancelReason });
  });
});

describe('2. free-form maps: hostile keys are refused with a 400 naming them or stored faithfully, never a 500', () => {
  /** Keys JavaScript objects treat specially, and the empty key DynamoDB refuses in a map: refused (see docs/api.md). */
  const REFUSED = new Set(['__proto__', 'constructor', 'prototype', '']);
  const hostileKey = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', ' padded ', 'ключ', '鍵🔑', 'x'.repeat(1000)),
    fc.string({ maxLength: 12 }).filter((key) => key.isWellFormed()),
  );
  /** JSON text of an object with the given entries (own `__proto__` keys survive only as text). */
  const objectText = (entries: readonly (readonly [string, string])[]) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
  /** A free-form value as JSON text, and the key paths it holds. */
  type Value = { text: string; keys: string[][] };
  const { value: freeValue } = fc.letrec<{ value: Value; object: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .oneof(
          fc.integer({ min: -1000, max: 1000 }),
          fc.string({ maxLength: 8 }).filter((s) => s.isWellFormed()),
          fc.boolean(),
        )
        .map((leaf) => ({ text: JSON.stringify(leaf), keys: [] })),
      tie('object'),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => ({
        text: `[${items.map((item) => item.text).join(',')}]`,
        keys: items.flatMap((item, index) => item.keys.map((path) => [String(index), ...path])),
      })),
    ),
    object: fc.uniqueArray(fc.tuple(hostileKey, tie('value')), { maxLength: 3, selector: ([key]) => key }).map((entries) => ({
      text: objectText(entries.map(([key, value]) => [key, value.text] as const)),
      keys: entries.flatMap(([key, value]) => [[key], ...value.keys.map((path) => [key, ...path])]),
    })),
  })) as unknown as { value: fc.Arbitrary<Value> };
  const freeObject = fc.uniqueArray(fc.tuple(hostileKey, freeValue), { minLength: 1, maxLength: 3, selector: ([key]) => key }).map((entries) => ({
    text: objectText(entries.map(([key, value]) => [key, value.text] as const)),
    keys: entries.flatMap(([key, value]) => [[key], ...value.keys.map((path) => [key, ...path])]),
  }));

  const refusedPath = (keys: readonly string[][]) => keys.find((path) => REFUSED.has(path.at(-1)!));

  test.each([
    ['at the top', '{"constructor":1}', 'body.data.constructor'],
    ['nested', '{"a":{"b":{"constructor":{"x":1}}}}', 'body.data.a.b.constructor'],
    ['inside an array', '{"list":[1,{"constructor":1}]}', 'body.data.list.1.constructor'],
    ['__proto__', '{"__proto__":{"polluted":true}}', 'body.data.__proto__'],
    ['prototype', '{"a":[{"prototype":2}]}', 'body.data.a.0.prototype'],
  ])('workflow event data with a special key %s: 400 naming it, nothing written', async (_where, data, path) => {
    // Prepare
    const id = await startSession(coordinator, { juniorId: DIRECTORY.juniors[1], mentorId: DIRECTORY.mentors[1] });
    const eventsBefore = await countItems(app, 'event');
    const body = `{"type":"blocker_detected","eventId":"${nextEventId()}","occurredAt":"${new Date().toISOString()}","data":${data}}`;

    // Act
    const response = await sendJson(service, 'POST', `${at(id)}/workflow-events`, body);

    // Assess
    const error = expectError(response, 400, 'invalid_request');
    expect(issuePaths(error)).toEqual([path]);
    expect(await countItems(app, 'event')).toBe(eventsBefore);
    await coordinator.cancelSession(id, { reason: 'test done' });
  });

  test('report metrics with a constructor key: 400 naming it, the session still Active', async () => {
    // Prepare
    const id = await startSession(coordinator, { juniorId: DIRECTORY.juniors[1], mentorId: DIRECTORY.mentors[1] });
    const body = `{"report":{"summary":"done","overallScore":50,"metrics":{"hints":1,"constructor":5}}}`;

    // Act
    const response = await sendJson(service, 'POST', `${at(id)}/complete`, body);

    // Assess
    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['body.report.metrics.constructor']);
    expect(await coordinator.getSession(id)).toMatchObject({ status: 'Active' });
    await coordinator.cancelSession(id, { reason: 'test done' });
  });

  test('property: workflow event data with hostile keys at any depth is refused naming the key, or read back exactly', async () => {
    const id = await startSession(coordinator, { juniorId: 'junior-b', mentorId: 'mentor-b' });
    await fc.assert(
      fc.asyncProperty(freeObject, async (data) => {
        // Prepare
        const eventId = nextEventId();
        const body = `{"type":"blocker_detected","eventId":"${eventId}","occurredAt":"${new Date().toISOString()}","data":${data.text}}`;

        // Act
        const response = await sendJson(service, 'POST', `${at(id)}/workflow-events`, body);

        // Assess
        expectNoServerError(response);
        const refused = refusedPath(data.keys);
        if (refused !== undefined) {
          const error = expectError(response, 400, 'invalid_request');
          expect(error.message).toContain(refused.at(-1));
          return;
        }
        expect({ status: response.status, body: response.json }).toMatchObject({ status: 200 });
        const { events } = await coordinator.getSession(id);
        const stored = events.find((event) => event.externalId === eventId);
        expect(stored?.data).toEqual(JSON.parse(data.text));
      }),
      { numRuns: 40 },
    );
    await coordinator.cancelSession(id, { reason: 'test done' });
  });

  test('property: report metrics with hostile keys are refused naming the key, or read back exactly', async () => {
    const metrics = fc
      .uniqueArray(fc.tuple(hostileKey, fc.integer({ min: -100, max: 100 })), { maxLength: 3, selector: ([key]) => key })
      .map((entries) => ({ text: objectText(entries.map(([key, n]) => [key, String(n)] as const)), keys: entries.map(([key]) => [key]) }));
    await fc.assert(
      fc.asyncProperty(metrics, async (sent) => {
        // Prepare
        const id = await startSession(coordinator, { juniorId: 'junior-b', mentorId: 'mentor-b' });
        const body = `{"report":{"summary":"done","overallScore":50,"metrics":${sent.text}}}`;

        // Act
        const response = await sendJson(service, 'POST', `${at(id)}/complete`, body);

        // Assess
        expectNoServerError(response);
        const refused = refusedPath(sent.keys);
        if (refused !== undefined) {
          const named = sent.keys.filter(([key]) => REFUSED.has(key!)).map(([key]) => `body.report.metrics.${key}`);
          expect(issuePaths(expectError(response, 400, 'invalid_request')).sort()).toEqual(named.sort());
          await coordinator.cancelSession(id, { reason: 'test done' });
          return;
        }
        expect(response.status).toBe(200);
        expect((await coordinator.getSession(id)).report?.metrics).toEqual(JSON.parse(sent.text));
      }),
      { numRuns: 15 },
    );
  });
});

describe('3. Idempotency-Key: a change at any nesting level is another request', () => {
  const base = { storyId: DIRECTORY.story, juniorId: 'junior-a', mentorId: 'mentor-a' };
  test.each([
    ['top level', { ...base, config: { maxDurationHours: 5 } }, { ...base, mentorId: 'mentor-b', config: { maxDurationHours: 5 } }],
    ['config', { ...base, config: { maxDurationHours: 5 } }, { ...base, config: { maxDurationHours: 9 } }],
    ['config.notifications', { ...base, config: { notifications: { slackEnabled: true } } }, { ...base, config: { notifications: { slackEnabled: false } } }],
    [
      'config.notifications.additionalRecipients[]',
      { ...base, config: { notifications: { additionalRecipients: ['#a', '#b'] } } },
      { ...base, config: { notifications: { additionalRecipients: ['#b', '#a'] } } },
    ],
  ])('a retry that changes %s: 422 idempotency_key_reused', async (level, first, second) => {
    // Prepare
    const key = `nested-${level.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const original = await sendJson(coordinator, 'POST', SESSIONS, first, { 'idempotency-key': key });
    expect(original.status).toBe(201);
    const { sessionId } = SessionStartResultSchema().parse(original.json);

    // Act
    const retry = await sendJson(coordinator, 'POST', SESSIONS, second, { 'idempotency-key': key });

    // Assess
    expectError(retry, 422, 'idempotency_key_reused');
    await coordinator.cancelSession(sessionId, { reason: 'test done' });
  });
});

describe("5. juniors and mentors see only their own mentor, not the other candidates' data", () => {
  let sessionId: string;
  let chosen: string;
  let other: string;

  beforeAll(async () => {
    // Auto assignment: both seeded mentors are scored candidates.
    const response = await sendJson(coordinator, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: 'junior-a' });
    expect(response.status).toBe(201);
    const started = SessionStartResultSchema().parse(response.json);
    sessionId = started.sessionId;
    chosen = started.mentorId!;
    other = DIRECTORY.mentors.find((mentor) => mentor !== chosen)!;
    expect(started.assignment?.candidates.map((candidate) => candidate.mentorId).sort()).toEqual([...DIRECTORY.mentors].sort());
  });
  afterAll(() => coordinator.cancelSession(sessionId, { reason: 'test done' }));

  test.each([['junior'], ['mentor']] as const)('a %s reading the session, its events (JSON and CSV) and its mentor history', async (role) => {
    // Prepare
    const reader = await app.as(role === 'junior' ? 'junior-a' : chosen, role);

    // Act
    const details = await reader.getSession(sessionId);
    const events = await reader.getSessionEvents(sessionId);
    const csv = await reader.getSessionEventsCsv(sessionId);
    const history = await reader.getMentorHistory(sessionId);

    // Assess
    expect(details.assignment).toMatchObject({ mentorId: chosen, candidates: [] });
    for (const shown of [JSON.stringify(details), JSON.stringify(events), csv.text, JSON.stringify(history)]) {
      expect(shown).not.toContain(other);
      expect(shown).not.toContain('lastAssignedAt');
      expect(shown).not.toContain('capacityLeft');
    }
  });

  test('a coordinator and the service still see every candidate', async () => {
    // Act
    const [byCoordinator, byService] = await Promise.all([coordinator.getSession(sessionId), service.getSession(sessionId)]);
    const events = await coordinator.getSessionEvents(sessionId);

    // Assess
    for (const details of [byCoordinator, byService]) {
      expect(details.assignment?.candidates.map((candidate) => candidate.mentorId).sort()).toEqual([...DIRECTORY.mentors].sort());
    }
    const assigned = events.items.find((event) => event.type === 'mentor_assigned');
    expect(JSON.stringify(assigned?.data)).toContain(other);
  });
});
