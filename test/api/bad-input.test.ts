import type { SessionClient } from '../../shared/client';
import { MAX_BODY_BYTES } from '../../shared/http/route';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, countItems, DIRECTORY, eventsOf, expectError, expectEventsReplay, issuePaths, issues, type RawResponse, REPORT, SESSIONS, startSession } from './helpers';

jest.setTimeout(30_000);

/**
 * Requests the API must refuse before anything is written: every case names a
 * route, a body, the answer and (for 400) the field paths, and then checks the
 * session, the session count and the directory are as they were.
 */

let app: LocalApp;
let coordinator: SessionClient;
let engine: SessionClient;
let id: string;

const at = () => `${SESSIONS}/${id}`;
const occurredAt = '2026-01-05T09:00:00Z';

beforeAll(async () => {
  ({ app, coordinator, service: engine } = await startApiFixture());
  id = await startSession(coordinator);
});
afterAll(() => app.close());

type Target = 'start' | 'pause' | 'resume' | 'cancel' | 'complete' | 'fail' | 'workflow' | 'junior' | 'mentor' | 'story';

/** Where each target sends, and as whom (the role that may use it, so only the input is wrong). */
function send(target: Target, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const as = target === 'workflow' || target === 'complete' || target === 'fail' ? engine : coordinator;
  const route: Record<Target, [string, string]> = {
    start: ['POST', SESSIONS],
    pause: ['POST', `${at()}/pause`],
    resume: ['POST', `${at()}/resume`],
    cancel: ['POST', `${at()}/cancel`],
    complete: ['POST', `${at()}/complete`],
    fail: ['POST', `${at()}/fail`],
    workflow: ['POST', `${at()}/workflow-events`],
    junior: ['PUT', `${API}/juniors/bad-input-entry`],
    mentor: ['PUT', `${API}/mentors/bad-input-entry`],
    story: ['PUT', `${API}/stories/bad-input-entry`],
  };
  const [method, path] = route[target];
  return as.raw(method, path, { body, headers: { 'content-type': 'application/json', ...headers } });
}

interface Snapshot {
  readonly events: unknown[];
  readonly sessions: number;
  readonly directory: number;
}

async function snapshot(): Promise<Snapshot> {
  const [events, sessions, juniors, mentors, stories] = await Promise.all([
    eventsOf(coordinator, id),
    countItems(app, 'session'),
    countItems(app, 'junior'),
    countItems(app, 'mentor'),
    countItems(app, 'story'),
  ]);
  return { events, sessions, directory: juniors + mentors + stories };
}

/** Nothing was written: the session's log, the number of sessions and of directory entries are unchanged. */
async function expectNothingWritten(before: Snapshot): Promise<void> {
  expect(await snapshot()).toEqual(before);
  expect((await expectEventsReplay(coordinator, id)).status).toBe('Active');
}

const json = JSON.stringify;

describe('malformed JSON: 400 malformed_json', () => {
  test.each<[Target, string]>([
    ['pause', '{"reason":'],
    ['cancel', '{"reason":"a",}'],
    ['start', "{storyId: 'story-1', juniorId: 'junior-a'}"],
    ['workflow', 'type=info'],
    ['complete', '{"report":{"summary":"s","overallScore":1}}}'],
    ['junior', '\uFEFF{"name":"BOM"}'],
    ['story', "{'title':'single quotes','skillArea':'ops'}"],
    ['fail', 'NaN'],
  ])('%s with %j', async (target, body) => {
    const before = await snapshot();

    const response = await send(target, body);

    expectError(response, 400, 'malformed_json');
    await expectNothingWritten(before);
  });
});

describe('400 invalid_request naming the field', () => {
  test.each<[string, Target, unknown, string[]]>([
    // Not an object at all
    ['an array', 'pause', [], ['body']],
    ['null', 'cancel', null, ['body']],
    ['a string', 'start', 'story-1', ['body']],
    ['a number', 'workflow', 42, ['body']],
    // Wrong types
    ['reason: number', 'pause', { reason: 5 }, ['body.reason']],
    ['notes: array', 'pause', { notes: ['a'] }, ['body.notes']],
    ['reason: boolean', 'cancel', { reason: true }, ['body.reason']],
    ['overallScore: string', 'complete', { report: { summary: 's', overallScore: 'high' } }, ['body.report.overallScore']],
    ['overallScore over 100', 'complete', { report: { summary: 's', overallScore: 101 } }, ['body.report.overallScore']],
    ['a metric that is not a number', 'complete', { report: { ...REPORT, metrics: { hints: 'two' } } }, ['body.report.metrics.hints']],
    ['error: number', 'fail', { error: 42 }, ['body.error']],
    ['storyId: number', 'start', { storyId: 1, juniorId: 'junior-a' }, ['body.storyId']],
    ['juniorId with a space', 'start', { storyId: DIRECTORY.story, juniorId: 'junior a' }, ['body.juniorId']],
    ['occurredAt not an instant', 'workflow', { type: 'state_changed', toState: 'PLAN_DECOMPOSITION', eventId: 'e', occurredAt: 'yesterday' }, ['body.occurredAt']],
    ['occurredAt without an offset', 'workflow', { type: 'info', eventId: 'e', occurredAt: '2026-01-05T09:00:00' }, ['body.occurredAt']],
    ['an unknown event type', 'workflow', { type: 'exploded', eventId: 'e', occurredAt }, ['body.type']],
    ['maxConcurrentSessions: string', 'mentor', { name: 'm', maxConcurrentSessions: '3' }, ['body.maxConcurrentSessions']],
    ['maxConcurrentSessions: fraction', 'mentor', { name: 'm', maxConcurrentSessions: 1.5 }, ['body.maxConcurrentSessions']],
    ['available: string', 'mentor', { name: 'm', available: 'yes' }, ['body.available']],
    ['a skill level of 6', 'junior', { name: 'j', skills: [{ area: 'ts', level: 6 }] }, ['body.skills.0.level']],
    [
      'a repeated skill area',
      'junior',
      {
        name: 'j',
        skills: [
          { area: 'ts', level: 1 },
          { area: 'ts', level: 2 },
        ],
      },
      ['body.skills'],
    ],
    ['a reason of blanks', 'cancel', { reason: '   ' }, ['body.reason']],
    ['a reason over 500 characters', 'pause', { reason: 'r'.repeat(501) }, ['body.reason']],
    // Missing required fields
    ['cancel without a reason', 'cancel', {}, ['body.reason']],
    ['complete without a report', 'complete', {}, ['body.report']],
    ['a report without a summary', 'complete', { report: { overallScore: 1 } }, ['body.report.summary']],
    ['fail without an error', 'fail', {}, ['body.error']],
    ['start without ids', 'start', {}, ['body.storyId', 'body.juniorId']],
    ['a story without a skill area', 'story', { title: 'x' }, ['body.skillArea']],
    ['a junior without a name', 'junior', {}, ['body.name']],
    ['a state change without a state', 'workflow', { type: 'state_changed', eventId: 'e', occurredAt }, ['body.toState']],
    ['a report without an eventId', 'workflow', { type: 'info', occurredAt }, ['body.eventId']],
  ])('%s (%s)', async (_label, target, body, paths) => {
    const before = await snapshot();

    const response = await send(target, json(body));

    expect(issuePaths(expectError(response, 400, 'invalid_request')).sort()).toEqual([...paths].sort());
    await expectNothingWritten(before);
  });

  test('cancel with no body at all names body.reason', async () => {
    const before = await snapshot();

    const response = await coordinator.raw('POST', `${at()}/cancel`);

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['body.reason']);
    await expectNothingWritten(before);
  });
});

describe('unknown fields: 400 naming them', () => {
  test.each<[Target, unknown, string, string[]]>([
    ['pause', { reason: 'x', force: true }, 'body', ['force']],
    ['resume', { reason: 'resume takes none' }, 'body', ['reason']],
    ['cancel', { reason: 'x', refund: true, priority: 1 }, 'body', ['refund', 'priority']],
    ['start', { storyId: DIRECTORY.story, juniorId: 'junior-a', status: 'Completed' }, 'body', ['status']],
    ['complete', { report: { ...REPORT, grade: 'A' } }, 'body.report', ['grade']],
    ['fail', { error: 'x', status: 'Active' }, 'body', ['status']],
    ['workflow', { type: 'state_changed', toState: 'REVIEW_PLAN', eventId: 'e', occurredAt, message: 'only progress events carry one' }, 'body', ['message']],
    ['junior', { name: 'j', email: 'j@example.com' }, 'body', ['email']],
    ['junior', { name: 'j', skills: [{ area: 'ts', level: 1, years: 3 }] }, 'body.skills.0', ['years']],
    ['mentor', { name: 'm', id: 'another-id' }, 'body', ['id']],
    ['story', { title: 't', skillArea: 'ops', featured: true }, 'body', ['featured']],
  ])('%s with %j', async (target, body, path, fields) => {
    const before = await snapshot();

    const response = await send(target, json(body));

    const found = issues(expectError(response, 400, 'invalid_request'));
    expect(found.map((issue) => issue.path)).toEqual([path]);
    for (const field of fields) expect(found[0]?.message).toContain(field);
    await expectNothingWritten(before);
  });
});

describe('body size: 413 over 64 KB', () => {
  /** A valid JSON body padded with whitespace to exactly `bytes` bytes. */
  const padded = (value: unknown, bytes: number) => {
    const text = json(value);
    return text + ' '.repeat(bytes - Buffer.byteLength(text));
  };

  test.each<[Target, unknown]>([
    ['start', { storyId: DIRECTORY.story, juniorId: 'junior-a' }],
    ['pause', { reason: 'x' }],
    ['resume', {}],
    ['cancel', { reason: 'x' }],
    ['complete', { report: REPORT }],
    ['fail', { error: 'x' }],
    ['workflow', { type: 'info', eventId: 'big', occurredAt }],
    ['junior', { name: 'j' }],
    ['mentor', { name: 'm' }],
    ['story', { title: 't', skillArea: 'ops' }],
  ])('%s: one byte over the limit', async (target, body) => {
    const before = await snapshot();

    const response = await send(target, padded(body, MAX_BODY_BYTES + 1));

    expect(expectError(response, 413, 'payload_too_large').details).toEqual({ limitBytes: MAX_BODY_BYTES });
    await expectNothingWritten(before);
  });

  test('a field value that makes the body too large', async () => {
    const before = await snapshot();

    const response = await send('fail', json({ error: 'é'.repeat(40_000) }));

    expectError(response, 413, 'payload_too_large');
    await expectNothingWritten(before);
  });

  test('a body of several megabytes is cut off by the server', async () => {
    const before = await snapshot();

    const response = await send('pause', json({ reason: 'x'.repeat(3 * 1024 * 1024) }));

    expectError(response, 413, 'payload_too_large');
    await expectNothingWritten(before);
  });

  test('a body of exactly 64 KB is accepted', async () => {
    const other = await startSession(coordinator);

    const response = await coordinator.raw('POST', `${SESSIONS}/${other}/pause`, {
      body: padded({ reason: 'at the limit' }, MAX_BODY_BYTES),
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(200);
    expect(await expectEventsReplay(coordinator, other)).toMatchObject({ status: 'Paused', pauseReason: 'at the limit' });
  });
});

describe('content type', () => {
  test.each([
    ['text/plain', '{"reason":"x"}'],
    ['text/plain; charset=utf-8', '{"reason":"x"}'],
    ['application/x-www-form-urlencoded', 'reason=x'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--x--'],
    ['application/xml', '<pause reason="x"/>'],
  ])('%s is 415 and writes nothing', async (contentType, body) => {
    const before = await snapshot();

    const response = await send('pause', body, { 'content-type': contentType });

    expectError(response, 415, 'unsupported_media_type');
    await expectNothingWritten(before);
  });

  test.each(['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json'])('%s is read as JSON', async (contentType) => {
    const other = await startSession(coordinator);

    const response = await coordinator.raw('POST', `${SESSIONS}/${other}/pause`, { body: '{"reason":"typed"}', headers: { 'content-type': contentType } });

    expect(response.status).toBe(200);
    expect((await expectEventsReplay(coordinator, other)).status).toBe('Paused');
  });

  test('an empty body reads as {} whatever its type', async () => {
    const before = await snapshot();

    const response = await coordinator.raw('POST', `${at()}/resume`, { body: '', headers: { 'content-type': 'text/plain' } });

    expect(response.json).toEqual({ success: true, sessionId: id, status: 'Active' });
    await expectNothingWritten(before);
  });
});

describe('Idempotency-Key header', () => {
  const start = { storyId: DIRECTORY.story, juniorId: 'junior-a' };

  test.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['an inner space', 'two words'],
    ['a non-ASCII character', 'cl\u00e9'],
    ['a tab', 'a\tb'],
  ])('%s: 400 naming the header, and no session', async (_label, key) => {
    const before = await snapshot();

    const response = await send('start', json(start), { 'idempotency-key': key });

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['headers.Idempotency-Key']);
    await expectNothingWritten(before);
  });

  test('255 visible ASCII characters are a valid key', async () => {
    const key = Array.from({ length: 255 }, (_, i) => String.fromCharCode(0x21 + (i % 94))).join('');
    const before = await countItems(app, 'session');

    const response = await send('start', json(start), { 'idempotency-key': key });

    expect(response.status).toBe(201);
    expect(await countItems(app, 'session')).toBe(before + 1);
  });
});

describe('query strings', () => {
  test.each([
    ['limit=0', ['query.limit']],
    ['limit=101', ['query.limit']],
    ['limit=ten', ['query.limit']],
    ['limit=1.5', ['query.limit']],
    ['limit=1&limit=2', ['query.limit']],
    ['sort=name', ['query']],
    [`cursor=${'c'.repeat(2049)}`, ['query.cursor']],
    ['cursor=not-a-cursor', ['cursor']],
  ])('GET /juniors?%s names %j', async (query, paths) => {
    const response = await coordinator.raw('GET', `${API}/juniors?${query}`);

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(paths);
  });
});

test('every refusal above left the session Active with only its start events', async () => {
  const details = await expectEventsReplay(coordinator, id);

  expect(details.status).toBe('Active');
  expect(details.events.map((event) => event.type)).toEqual(['session_started', 'mentor_assigned']);
});
