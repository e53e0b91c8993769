import { z } from 'zod';
import { ROUTES, type RouteName } from '../../functions/http/routes';
import { DynamoExportJobStore } from '../../shared/adapters/dynamodb/dynamo-export-job-store';
import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, DIRECTORY, eventsOf, expectError, expectEventsReplay, issuePaths, type RawResponse, REPORT, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

let app: LocalApp;
let coordinator: SessionClient;
let engine: SessionClient;

beforeAll(async () => {
  // A directory of its own (named people, a second mentor at level 3), not the fixture's.
  ({ app, coordinator, service: engine } = await startApiFixture({ seed: false }));
  await coordinator.putStory(DIRECTORY.story, { title: 'Add a health check', skillArea: 'typescript' });
  await coordinator.putJunior(DIRECTORY.juniors[0], { name: 'Ada', skills: [{ area: 'typescript', level: 2 }] });
  await coordinator.putMentor(DIRECTORY.mentors[0], { name: 'Grace', skills: [{ area: 'typescript', level: 5 }] });
  await coordinator.putMentor(DIRECTORY.mentors[1], { name: 'Edsger', skills: [{ area: 'typescript', level: 3 }] });
});
afterAll(() => app.close());

/** Routes seen answering their success status with a body their response schema accepts. */
const succeeded = new Set<RouteName>();

/** Asserts a route's success status and response schema (from the route table itself); returns the parsed body. */
function expectSuccess<N extends RouteName>(name: N, response: RawResponse) {
  const route = ROUTES[name];
  expect({ status: response.status, body: response.json }).toMatchObject({ status: route.successStatus });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = route.response().safeParse(response.json);
  expect(parsed.error?.issues ?? []).toEqual([]);
  succeeded.add(name);
  return z.record(z.string(), z.unknown()).parse(response.json);
}

/** As expectSuccess, for a route answering a JSON array. */
function expectSuccessRows<N extends RouteName>(name: N, response: RawResponse) {
  expect({ status: response.status, body: response.json }).toMatchObject({ status: ROUTES[name].successStatus });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = ROUTES[name].response().safeParse(response.json);
  expect(parsed.error?.issues ?? []).toEqual([]);
  succeeded.add(name);
  return z.array(z.record(z.string(), z.unknown())).parse(response.json);
}

const OpenApiDocument = z.object({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.object({ operationId: z.string(), security: z.array(z.unknown()).optional() }))),
});
const Page = z.object({ items: z.array(z.object({ id: z.string() })), nextCursor: z.string().optional() });

const at = (id: string) => `${SESSIONS}/${id}`;
const now = () => new Date().toISOString();

describe('unauthenticated routes', () => {
  test('GET /health answers ok without a token', async () => {
    const response = await app.anonymous().raw('GET', '/health');

    expect(expectSuccess('health', response)).toEqual({ status: 'ok' });
  });

  test('GET /api/mentorship/openapi.json is OpenAPI 3.1 and lists every route of the table', async () => {
    const response = await app.anonymous().raw('GET', `${API}/openapi.json`);

    const document = OpenApiDocument.parse(expectSuccess('openApi', response));
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    const routes = Object.values(ROUTES).map((route) => `${route.method} ${route.path} ${route.operationId}`);
    expect(listed.sort()).toEqual(routes.sort());
    for (const route of Object.values(ROUTES).filter((r) => !r.auth)) {
      expect(document.paths[route.path]?.[route.method.toLowerCase()]?.security).toEqual([]);
    }
  });
});

describe('directory', () => {
  test.each([
    ['juniors', 'putJunior', 'getJunior', { name: 'Linus', skills: [{ area: 'aws', level: 3 }] }, { name: 'Linus', skills: [{ area: 'aws', level: 3 }] }],
    // No maxConcurrentSessions: the mentor falls under the settings' per-mentor limit (ROOMY_SETTINGS: 1000).
    [
      'mentors',
      'putMentor',
      'getMentor',
      { name: 'Barbara' },
      { name: 'Barbara', skills: [], available: true, load: { openSessions: 0, capacity: 1000, capacityLeft: 1000 } },
    ],
    ['stories', 'putStory', 'getStory', { title: 'Write a runbook', skillArea: 'ops' }, { title: 'Write a runbook', skillArea: 'ops' }],
  ] as const)('PUT then GET /%s/{id} returns the entry with its defaults', async (plural, put, get, input, expected) => {
    const id = `entry.${plural}_1`;

    const written = expectSuccess(put, await sendJson(coordinator, 'PUT', `${API}/${plural}/${id}`, input));
    const read = expectSuccess(get, await coordinator.raw('GET', `${API}/${plural}/${id}`));

    expect(written).toEqual({ ...expected, id });
    expect(read).toEqual({ ...expected, id });
  });

  test('PUT replaces an entry', async () => {
    await coordinator.putStory('replaced', { title: 'First', skillArea: 'ops' });

    await coordinator.putStory('replaced', { title: 'Second', skillArea: 'aws' });

    expect(await coordinator.getStory('replaced')).toEqual({ id: 'replaced', title: 'Second', skillArea: 'aws' });
  });

  test.each([
    ['juniors', 'listJuniors', (id: string) => coordinator.putJunior(id, { name: id })],
    ['mentors', 'listMentors', (id: string) => coordinator.putMentor(id, { name: id })],
    ['stories', 'listStories', (id: string) => coordinator.putStory(id, { title: id, skillArea: 'ops' })],
  ] as const)('GET /%s pages with a cursor through every entry exactly once', async (plural, list, put) => {
    const ids = Array.from({ length: 5 }, (_, i) => `paged-${plural}-${i}`);
    for (const id of ids) await put(id);
    const all = Page.parse(expectSuccess(list, await coordinator.raw('GET', `${API}/${plural}?limit=100`)));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: '2', ...(cursor === undefined ? {} : { cursor }) });
      const page = Page.parse(expectSuccess(list, await coordinator.raw('GET', `${API}/${plural}?${query}`)));
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);

    expect(all.nextCursor).toBeUndefined();
    expect(seen).toEqual(all.items.map((item) => item.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  test('a cursor of one list is refused by another, naming the cursor', async () => {
    for (const id of ['c-1', 'c-2']) await coordinator.putJunior(id, { name: id });
    const { nextCursor } = await coordinator.listJuniors({ limit: 1 });
    expect(nextCursor).toEqual(expect.any(String));

    const response = await coordinator.raw('GET', `${API}/stories?cursor=${encodeURIComponent(nextCursor!)}`);

    const error = expectError(response, 400, 'invalid_request');
    expect(issuePaths(error)).toEqual(['cursor']);
  });
});

describe('session lifecycle', () => {
  test('POST /sessions answers 201 with a SessionStartResult, and the session starts Active with its mentor', async () => {
    const response = await sendJson(coordinator, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: DIRECTORY.juniors[0], mentorId: DIRECTORY.mentors[0] });

    const result = expectSuccess('startSession', response);
    const assignment = { mode: 'manual', mentorId: DIRECTORY.mentors[0], skillArea: 'typescript', candidates: [], candidateCount: 0 };
    expect(result).toEqual({
      success: true,
      sessionId: expect.any(String),
      workflowInstanceId: expect.any(String),
      status: 'started',
      mentorId: DIRECTORY.mentors[0],
      assignment,
    });
    const details = await expectEventsReplay(coordinator, String(result.sessionId));
    expect(details).toMatchObject({
      id: result.sessionId,
      storyId: DIRECTORY.story,
      storyTitle: 'Add a health check',
      juniorId: DIRECTORY.juniors[0],
      juniorName: 'Ada',
      mentorId: DIRECTORY.mentors[0],
      status: 'Active',
      currentState: 'INIT_STORY_PROCESSING',
      workflowInstanceId: result.workflowInstanceId,
    });
    expect(details.assignment).toEqual(assignment);
    expect(details.events).toEqual([
      expect.objectContaining({ seq: 1, type: 'session_started', toStatus: 'Active', actor: 'coord-1', actorRole: 'coordinator' }),
      expect.objectContaining({ seq: 2, type: 'mentor_assigned', reason: 'manual', data: assignment }),
    ]);
  });

  test('a start that names no mentor gets one by the strategy, and says why', async () => {
    const response = await sendJson(coordinator, 'POST', SESSIONS, { storyId: DIRECTORY.story, juniorId: DIRECTORY.juniors[0] });

    const result = expectSuccess('startSession', response);
    const details = await expectEventsReplay(coordinator, String(result.sessionId));
    expect(DIRECTORY.mentors).toContain(details.mentorId);
    expect(details.assignment).toMatchObject({ mode: 'auto', strategy: 'workload_balanced', mentorId: details.mentorId, candidateCount: 2 });
    expect(details.assignment?.candidates.map((c) => c.rank)).toEqual([1, 2]);
  });

  test('GET /sessions/{id} and /events show the same audit log', async () => {
    const id = await startSession(coordinator);

    const details = expectSuccess('getSession', await coordinator.raw('GET', at(id)));
    const events = expectSuccess('listSessionEvents', await coordinator.raw('GET', `${at(id)}/events`));

    expect(events).toEqual({ sessionId: id, items: details.events });
    // Version 2: the start's transaction, then the write that records its workflow instance.
    expect(details).toMatchObject({ id, status: 'Active', version: 2, duration: expect.stringMatching(/^P/) });
  });

  test('pause -> resume returns to the step the pause interrupted', async () => {
    const id = await startSession(coordinator);
    await engine.recordWorkflowEvent(id, { type: 'state_changed', toState: 'PLAN_DECOMPOSITION', eventId: 'pr-1', occurredAt: now() });

    const paused = expectSuccess('pauseSession', await sendJson(coordinator, 'POST', `${at(id)}/pause`, { reason: 'junior on leave', notes: 'back Monday' }));
    const whilePaused = await expectEventsReplay(coordinator, id);
    const resumed = expectSuccess('resumeSession', await sendJson(coordinator, 'POST', `${at(id)}/resume`, {}));
    const after = await expectEventsReplay(coordinator, id);

    expect(paused).toEqual({ success: true, sessionId: id, status: 'Paused' });
    expect(whilePaused).toMatchObject({ status: 'Paused', currentState: 'PAUSED', pausedFromState: 'PLAN_DECOMPOSITION', pauseReason: 'junior on leave' });
    expect(whilePaused.events.at(-1)).toMatchObject({
      type: 'session_paused',
      fromStatus: 'Active',
      toStatus: 'Paused',
      reason: 'junior on leave',
      notes: 'back Monday',
    });
    expect(resumed).toEqual({ success: true, sessionId: id, status: 'Active' });
    expect(after).toMatchObject({ status: 'Active', currentState: 'PLAN_DECOMPOSITION' });
    expect(after.pauseReason).toBeUndefined();
    expect(after.events.at(-1)).toMatchObject({ type: 'session_resumed', fromStatus: 'Paused', toStatus: 'Active' });
  });

  test('complete (by the engine) records the report', async () => {
    const id = await startSession(coordinator);

    const result = expectSuccess('completeSession', await sendJson(engine, 'POST', `${at(id)}/complete`, { report: REPORT }));

    expect(result).toEqual({ success: true, sessionId: id, status: 'Completed' });
    const details = await expectEventsReplay(coordinator, id);
    expect(details).toMatchObject({ status: 'Completed', currentState: 'COMPLETED', report: REPORT, overallScore: 87, completedAt: expect.any(String) });
    expect(details.events.at(-1)).toMatchObject({ type: 'session_completed', actor: 'engine', actorRole: 'service' });
  });

  test('fail (by the engine) records the error', async () => {
    const id = await startSession(coordinator);

    const result = expectSuccess('failSession', await sendJson(engine, 'POST', `${at(id)}/fail`, { error: 'build broke', notes: 'step 4' }));

    expect(result).toEqual({ success: true, sessionId: id, status: 'Failed' });
    const details = await expectEventsReplay(coordinator, id);
    expect(details).toMatchObject({ status: 'Failed', currentState: 'FAILED', error: 'build broke' });
    expect(details.events.at(-1)).toMatchObject({ type: 'session_failed', fromStatus: 'Active', toStatus: 'Failed' });
  });

  test('cancel (by a coordinator) records the reason', async () => {
    const id = await startSession(coordinator);

    const result = expectSuccess('cancelSession', await sendJson(coordinator, 'POST', `${at(id)}/cancel`, { reason: 'story withdrawn' }));

    expect(result).toEqual({ success: true, sessionId: id, status: 'Cancelled' });
    const details = await expectEventsReplay(coordinator, id);
    expect(details).toMatchObject({ status: 'Cancelled', currentState: 'CANCELLED', cancelReason: 'story withdrawn' });
  });

  test('a Paused session can be cancelled', async () => {
    const id = await startSession(coordinator);
    await coordinator.pauseSession(id);

    const result = await coordinator.cancelSession(id, { reason: 'abandoned' });

    expect(result.status).toBe('Cancelled');
    expect((await expectEventsReplay(coordinator, id)).events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused', 'session_cancelled']);
  });
});

describe('POST /sessions/{id}/workflow-events', () => {
  let id: string;
  const t0 = Date.now();
  const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();

  beforeAll(async () => {
    id = await startSession(coordinator);
  });

  test('state_changed moves currentState and records a state_transition', async () => {
    const response = await sendJson(engine, 'POST', `${at(id)}/workflow-events`, {
      type: 'state_changed',
      toState: 'PLAN_DECOMPOSITION',
      eventId: 'wf-1',
      occurredAt: iso(60_000),
      data: { planSteps: 4 },
    });

    expect(expectSuccess('recordWorkflowEvent', response)).toEqual({
      sessionId: id,
      recorded: true,
      duplicate: false,
      stateApplied: true,
      currentState: 'PLAN_DECOMPOSITION',
    });
    const details = await expectEventsReplay(coordinator, id);
    expect(details).toMatchObject({ status: 'Active', currentState: 'PLAN_DECOMPOSITION' });
    expect(details.events.at(-1)).toMatchObject({
      type: 'state_transition',
      fromState: 'INIT_STORY_PROCESSING',
      toState: 'PLAN_DECOMPOSITION',
      externalId: 'wf-1',
      actorRole: 'service',
      data: { planSteps: 4 },
    });
  });

  test('a repeated eventId answers duplicate:true and adds no event', async () => {
    const before = await eventsOf(coordinator, id);

    const result = await engine.recordWorkflowEvent(id, { type: 'state_changed', toState: 'START_IMPLEMENTATION', eventId: 'wf-1', occurredAt: iso(120_000) });

    expect(result).toEqual({ sessionId: id, recorded: false, duplicate: true, stateApplied: false, currentState: 'PLAN_DECOMPOSITION' });
    expect(await eventsOf(coordinator, id)).toEqual(before);
    expect((await expectEventsReplay(coordinator, id)).currentState).toBe('PLAN_DECOMPOSITION');
  });

  test('a late state change (older than the current step) is recorded but does not move the state', async () => {
    const before = await eventsOf(coordinator, id);

    const result = await engine.recordWorkflowEvent(id, { type: 'state_changed', toState: 'VALIDATE_STORY', eventId: 'wf-late', occurredAt: iso(30_000) });

    expect(result).toEqual({ sessionId: id, recorded: true, duplicate: false, stateApplied: false, currentState: 'PLAN_DECOMPOSITION' });
    const details = await expectEventsReplay(coordinator, id);
    expect(details.currentState).toBe('PLAN_DECOMPOSITION');
    expect(details.events).toHaveLength(before.length + 1);
    expect(details.events.at(-1)).toMatchObject({ type: 'state_transition', externalId: 'wf-late', data: { reportedState: 'VALIDATE_STORY', late: true } });
    expect(details.events.at(-1)?.toState).toBeUndefined();
  });

  test('a progress event of the vocabulary is kept verbatim', async () => {
    const result = await engine.recordWorkflowEvent(id, { type: 'hint_provided', eventId: 'wf-hint', occurredAt: iso(90_000), message: 'look at the handler' });

    expect(result).toMatchObject({ recorded: true, duplicate: false, stateApplied: false });
    expect((await expectEventsReplay(coordinator, id)).events.at(-1)).toMatchObject({
      type: 'hint_provided',
      occurredAt: iso(90_000),
      data: { message: 'look at the handler' },
    });
  });

  test.each([
    ['a state outside the vocabulary', 'NOT_A_STATE'],
    ['a state only the lifecycle routes set', 'PAUSED'],
  ])('%s is refused with 400 naming body.toState, and nothing is written', async (_label, toState) => {
    const before = await eventsOf(coordinator, id);

    const response = await sendJson(engine, 'POST', `${at(id)}/workflow-events`, { type: 'state_changed', toState, eventId: `wf-${toState}`, occurredAt: iso(200_000) });

    expect(issuePaths(expectError(response, 400, 'invalid_request'))).toEqual(['body.toState']);
    expect(await eventsOf(coordinator, id)).toEqual(before);
  });

  test('a report for an ended session is refused with 409 naming its status', async () => {
    const ended = await startSession(coordinator);
    await engine.completeSession(ended, { report: REPORT });
    const before = await eventsOf(coordinator, ended);

    const response = await sendJson(engine, 'POST', `${at(ended)}/workflow-events`, { type: 'info', eventId: 'after-end', occurredAt: now() });

    expect(expectError(response, 409, 'session_not_running').details).toEqual({ currentStatus: 'Completed' });
    expect(await eventsOf(coordinator, ended)).toEqual(before);
  });

  test('a state change while paused moves the step resume returns to', async () => {
    const paused = await startSession(coordinator);
    await coordinator.pauseSession(paused);

    const result = await engine.recordWorkflowEvent(paused, {
      type: 'state_changed',
      toState: 'REVIEW_PLAN',
      eventId: 'wp-1',
      occurredAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await coordinator.resumeSession(paused);

    expect(result).toMatchObject({ recorded: true, stateApplied: true });
    expect(await expectEventsReplay(coordinator, paused)).toMatchObject({ status: 'Active', currentState: 'REVIEW_PLAN' });
  });
});

describe('queue routes', () => {
  test('GET /queue answers the spec QueueStatus with per-limit usage', async () => {
    const body = expectSuccess('getQueueStatus', await coordinator.raw('GET', `${API}/queue`));
    expect(body).toMatchObject({ totalQueued: 0, maxConcurrentSessions: app.deps.settings.limits.system, estimatedWaitMinutes: 0 });
  });

  test('GET /sessions/{id}/queue-position of a running session: no position, nothing blocks it', async () => {
    const id = await startSession(coordinator);
    const body = expectSuccess('getQueuePosition', await coordinator.raw('GET', `${at(id)}/queue-position`));
    expect(body).toEqual({ sessionId: id, status: 'Active', position: null, blockedBy: [], estimatedWaitMinutes: null });
  });
});

describe('configuration and assignment', () => {
  test('GET /config-templates lists the settings templates', async () => {
    const body = expectSuccess('listConfigTemplates', await coordinator.raw('GET', `${API}/config-templates`));

    expect((body.items as { id: string }[]).map((t) => t.id)).toEqual(['quick-fix', 'standard', 'complex-feature']);
  });

  test('GET then PUT /sessions/{id}/config: the change comes back with its diff', async () => {
    const id = await startSession(coordinator);

    const before = expectSuccess('getSessionConfig', await coordinator.raw('GET', `${SESSIONS}/${id}/config`));
    const after = expectSuccess('updateSessionConfig', await sendJson(coordinator, 'PUT', `${SESSIONS}/${id}/config`, { escalationPolicy: 'relaxed' }));

    expect(before).toMatchObject({ sessionId: id, status: 'Active', config: { escalationPolicy: 'progressive' } });
    expect(after).toMatchObject({ config: { escalationPolicy: 'relaxed' }, changes: [{ field: 'escalationPolicy', from: 'progressive', to: 'relaxed' }] });
  });

  test('PUT /sessions/{id}/mentor moves the session; GET mentor-history lists both choices', async () => {
    const id = await startSession(coordinator, { mentorId: DIRECTORY.mentors[0] });

    const moved = expectSuccess('reassignMentor', await sendJson(coordinator, 'PUT', `${SESSIONS}/${id}/mentor`, { mentorId: DIRECTORY.mentors[1], reason: 'skills' }));
    const history = expectSuccess('getMentorHistory', await coordinator.raw('GET', `${SESSIONS}/${id}/mentor-history`));

    expect(moved).toEqual({ sessionId: id, status: 'Active', mentorId: DIRECTORY.mentors[1], previousMentorId: DIRECTORY.mentors[0], changed: true });
    expect((history.items as { type: string; mentorId: string }[]).map((e) => [e.type, e.mentorId])).toEqual([
      ['mentor_assigned', DIRECTORY.mentors[0]],
      ['mentor_reassigned', DIRECTORY.mentors[1]],
    ]);
  });

  test("GET /mentors/{id}/workload shows the mentor's open sessions and capacity", async () => {
    const id = await startSession(coordinator, { mentorId: DIRECTORY.mentors[1] });

    const workload = expectSuccess('getMentorWorkload', await coordinator.raw('GET', `${API}/mentors/${DIRECTORY.mentors[1]}/workload`));

    expect(workload).toMatchObject({ mentorId: DIRECTORY.mentors[1], available: true, capacity: 1000 });
    expect((workload.sessions as { id: string }[]).map((s) => s.id)).toContain(id);
    expect(workload.openSessions).toBe((workload.sessions as unknown[]).length);
  });
});

describe('history, export and retention', () => {
  test('GET /sessions lists a page with its total; the cursor opens the next page', async () => {
    const ids = [await startSession(coordinator), await startSession(coordinator)];

    const first = expectSuccess('listSessions', await coordinator.raw('GET', `${SESSIONS}?juniorId=${DIRECTORY.juniors[0]}&pageSize=1&sortDirection=asc`));
    const second = expectSuccess(
      'listSessions',
      await coordinator.raw('GET', `${SESSIONS}?juniorId=${DIRECTORY.juniors[0]}&pageSize=1&sortDirection=asc&cursor=${encodeURIComponent(String(first.nextCursor))}`),
    );

    expect(first).toMatchObject({ page: 1, pageSize: 1 });
    expect(first.totalCount).toBeGreaterThanOrEqual(2);
    expect(second).toMatchObject({ page: 2, totalCount: first.totalCount });
    const seen = [...(first.items as { id: string }[]), ...(second.items as { id: string }[])].map((item) => item.id);
    expect(new Set(seen).size).toBe(2);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
  });

  test('GET /sessions/export answers JSON rows; POST /sessions/exports starts a job; GET shows it done', async () => {
    const id = await startSession(coordinator);

    const rows = expectSuccessRows('exportSessions', await coordinator.raw('GET', `${SESSIONS}/export?format=json&juniorId=${DIRECTORY.juniors[0]}`));
    const job = expectSuccess('createExportJob', await sendJson(coordinator, 'POST', `${SESSIONS}/exports`, { format: 'csv', juniorId: DIRECTORY.juniors[0] }));
    await app.deps.exports.runJob(String(job.id));
    const done = expectSuccess('getExportJob', await coordinator.raw('GET', `${SESSIONS}/exports/${String(job.id)}`));

    expect(rows.map((row) => row.id)).toContain(id);
    expect(job).toMatchObject({ status: 'pending', format: 'csv' });
    expect(done).toMatchObject({ id: job.id, status: 'succeeded', location: `${SESSIONS}/exports/${String(job.id)}/download` });
    expect(done.rows).toBe(rows.length);
  });

  test('GET /sessions/exports/{id}/download answers the file; POST /sessions/exports/{id}/retry runs a failed job again', async () => {
    const job = expectSuccess('createExportJob', await sendJson(coordinator, 'POST', `${SESSIONS}/exports`, { format: 'json', juniorId: DIRECTORY.juniors[0] }));
    await app.deps.exports.runJob(String(job.id));
    const failing = expectSuccess('createExportJob', await sendJson(coordinator, 'POST', `${SESSIONS}/exports`, { format: 'json' }));
    // A failure as the runner records it (the export tests make the sink fail for real).
    await new DynamoExportJobStore(app.table.dynamo.document, app.table.tableName).finish(String(failing.id), { status: 'failed', error: 'x' }, new Date().toISOString());

    const rows = expectSuccessRows('downloadExportJob', await coordinator.raw('GET', `${SESSIONS}/exports/${String(job.id)}/download`));
    const retry = expectSuccess('retryExportJob', await coordinator.raw('POST', `${SESSIONS}/exports/${String(failing.id)}/retry`));

    expect(rows.length).toBeGreaterThan(0);
    expect(retry).toMatchObject({ status: 'pending', retryOf: failing.id });
  });

  test('GET /sessions/{id}/timeline and GET /sessions/compare', async () => {
    const a = await startSession(coordinator);
    const b = await startSession(coordinator);

    const timeline = expectSuccess('getSessionTimeline', await coordinator.raw('GET', `${at(a)}/timeline`));
    const comparison = expectSuccess('compareSessions', await coordinator.raw('GET', `${SESSIONS}/compare?ids=${a},${b}`));

    expect(timeline).toMatchObject({ sessionId: a, startTime: expect.any(String), statusBreakdown: { pauseCount: 0 } });
    expect((timeline.entries as { eventType: string }[]).map((entry) => entry.eventType)).toEqual(['session_started', 'mentor_assigned']);
    expect(comparison).toMatchObject({ a: { sessionId: a }, b: { sessionId: b }, configDifferences: [] });
  });

  test('PUT /sessions/{id}/hold keeps an ended session; GET /retention counts what expires', async () => {
    const id = await startSession(coordinator);
    await sendJson(coordinator, 'POST', `${at(id)}/cancel`, { reason: 'not needed' });

    const held = expectSuccess('setSessionHold', await sendJson(coordinator, 'PUT', `${at(id)}/hold`, { hold: true, reason: 'audit request' }));
    const report = expectSuccess('getRetentionReport', await coordinator.raw('GET', `${API}/retention?days=400`));

    expect(held).toEqual({ sessionId: id, status: 'Cancelled', legalHold: { setBy: 'coord-1', setAt: expect.any(String), reason: 'audit request' } });
    expect(report).toMatchObject({ retentionDays: 365, expiring: expect.any(Number), pastExpiry: 0 });
  });
});

describe('the engine side', () => {
  test('GET /sessions/{id} shows it to coordinators; POST /sessions/{id}/engine/redrive re-drives it (coordinators only)', async () => {
    const id = await startSession(coordinator);
    const mentor = await app.as(DIRECTORY.mentors[0], 'mentor');

    const shown = expectSuccess('getSession', await coordinator.raw('GET', at(id)));
    const hidden = expectSuccess('getSession', await mentor.raw('GET', at(id)));
    await sendJson(coordinator, 'POST', `${at(id)}/cancel`, { reason: 'not needed' });
    const redriven = expectSuccess('redriveSessionEngine', await sendJson(coordinator, 'POST', `${at(id)}/engine/redrive`, {}));
    const refused = await sendJson(mentor, 'POST', `${at(id)}/engine/redrive`, {});
    const missing = await sendJson(coordinator, 'POST', `${SESSIONS}/01900000-0000-7000-8000-000000000000/engine/redrive`, {});

    expect(shown.engine).toEqual({ workflowInstanceId: expect.any(String), desired: 'running', confirmed: true });
    expect(hidden.engine).toBeUndefined();
    expect(redriven).toEqual({ workflowInstanceId: shown.workflowInstanceId, desired: 'stopped', confirmed: true });
    expectError(refused, 403, 'forbidden');
    expectError(missing, 404, 'not_found');
  });
});

describe('webhook routes', () => {
  test('POST, GET, PATCH /webhooks, GET /webhooks/{id}/deliveries, DELETE /webhooks/{id}', async () => {
    // A public address literal: the strict policy needs no DNS for it, and nothing is delivered here.
    const created = expectSuccess(
      'createWebhook',
      await sendJson(coordinator, 'POST', `${API}/webhooks`, { url: 'https://93.184.216.34/hooks', eventTypes: ['session_paused'] }),
    );
    const id = String((created.webhook as { id: string }).id);
    const listed = expectSuccess('listWebhooks', await coordinator.raw('GET', `${API}/webhooks`));
    const paused = expectSuccess('updateWebhook', await sendJson(coordinator, 'PATCH', `${API}/webhooks/${id}`, { paused: true }));
    const deliveries = expectSuccess('listWebhookDeliveries', await coordinator.raw('GET', `${API}/webhooks/${id}/deliveries?status=dead&limit=5`));
    const deleted = expectSuccess('deleteWebhook', await coordinator.raw('DELETE', `${API}/webhooks/${id}`));

    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(listed.items).toEqual([expect.objectContaining({ id, url: 'https://93.184.216.34/hooks', eventTypes: ['session_paused'], paused: false })]);
    expect(JSON.stringify(listed)).not.toContain(String(created.secret));
    expect(paused).toMatchObject({ id, paused: true });
    expect(deliveries).toEqual({ webhookId: id, items: [] });
    expect(deleted).toEqual({ id, deleted: true });
  });
});

test('every route of the table was seen succeeding', () => {
  expect([...succeeded].sort()).toEqual(Object.keys(ROUTES).sort());
});
