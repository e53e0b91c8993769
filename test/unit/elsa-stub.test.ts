import { ManualClock } from '../support/clock';
import { type ElsaStub, type ElsaStubOptions, type SubStatus, startElsaStub } from '../support/elsa-stub';

/** The Elsa 3 stub, checked over plain fetch on 127.0.0.1 against the contract's quirks (elsa-3-http-contract.md). */

const KEY = '6c616d626461-0b9e6c1e-0000-4000-8000-000000000001';
const AUTH = { authorization: `ApiKey ${KEY}` };
const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' };
const DEF = 'mentorship-session';
const ELSA_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+00:00$/;

let stub: ElsaStub;
const open: ElsaStub[] = [];
async function start(overrides: Partial<ElsaStubOptions> = {}): Promise<ElsaStub> {
  const s = await startElsaStub({ apiKey: KEY, definitions: [DEF], ...overrides });
  open.push(s);
  return s;
}
beforeEach(async () => {
  stub = await start();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const url = (path: string, s = stub, prefix = '/elsa/api') => `${s.baseUrl}${prefix}${path}`;
const get = (path: string, headers: Record<string, string> = AUTH, s = stub) => fetch(url(path, s), { headers });
const post = (path: string, body?: unknown, headers: Record<string, string> = JSON_HEADERS, s = stub) =>
  fetch(url(path, s), { method: 'POST', headers, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });

async function dispatch(body: unknown = {}, s = stub): Promise<string> {
  const res = await post(`/workflow-definitions/${DEF}/dispatch`, body, JSON_HEADERS, s);
  expect(res.status).toBe(200);
  const json = (await res.json()) as { workflowInstanceId: string };
  return json.workflowInstanceId;
}
async function executionState(id: string, s = stub): Promise<{ code: number; body: string }> {
  const res = await get(`/workflow-instances/${id}/execution-state`, AUTH, s);
  return { code: res.status, body: await res.text() };
}
/** Cancel is applied on a timer: poll (a real timer, not a clock) until the predicate holds or time runs out. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('authentication and permissions', () => {
  test.each([
    ['no header', {}, 'Bearer'],
    ['lower-case apikey (not routed to the key handler)', { authorization: `apikey ${KEY}` }, 'Bearer'],
    ['Bearer with the key', { authorization: `Bearer ${KEY}` }, 'Bearer'],
    ['ApiKey with a wrong key', { authorization: 'ApiKey not-the-key' }, 'ApiKey'],
    ['ApiKey with no key', { authorization: 'ApiKey' }, 'ApiKey'],
  ])('%s -> 401, empty body, challenge', async (_, headers, scheme) => {
    // Act
    const res = await get('/workflow-instances/abc/execution-state', headers);

    // Assess
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
    expect(res.headers.get('www-authenticate')).toMatch(new RegExp(`^${scheme}`));
    expect(stub.requests.map((r) => r.status)).toEqual([401]);
  });

  test('ApiKey <key> is accepted and recorded as sent', async () => {
    // Act
    const res = await get('/workflow-instances/abc/execution-state');

    // Assess: authenticated, so the unknown instance is a 404
    expect(res.status).toBe(404);
    expect(stub.requests).toEqual([{ method: 'GET', path: '/elsa/api/workflow-instances/abc/execution-state', authorization: `ApiKey ${KEY}`, body: '', status: 404 }]);
  });

  test('a key without the endpoint permission gets 403 with an empty body; * is not needed when the permission is held', async () => {
    // Prepare
    const reader = await start({ permissions: ['read:workflow-instances'] });

    // Act
    const denied = await post(`/workflow-definitions/${DEF}/dispatch`, {}, JSON_HEADERS, reader);
    const allowed = await get('/workflow-instances/abc/execution-state', AUTH, reader);
    const cancel = await post('/cancel/workflow-instances/abc', undefined, AUTH, reader);

    // Assess
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe('');
    expect(allowed.status).toBe(404);
    expect(cancel.status).toBe(403);
    expect(reader.instances()).toEqual([]);
  });

  test('unknown routes are 404 before authentication, empty', async () => {
    // Act
    const unknown = await get('/nothing-here', {});
    const wrongMethod = await fetch(url('/workflow-instances/abc'), { method: 'DELETE', headers: AUTH });
    const outsidePrefix = await fetch(`${stub.baseUrl}/workflow-instances/abc/execution-state`, { headers: AUTH });

    // Assess
    expect([unknown.status, wrongMethod.status, outsidePrefix.status]).toEqual([404, 404, 404]);
    expect(await unknown.text()).toBe('');
  });

  test('a custom prefix replaces /elsa/api', async () => {
    // Prepare
    const custom = await start({ prefix: '/engine/api' });

    // Act
    const underCustom = await fetch(url('/workflow-instances/abc/execution-state', custom, '/engine/api'), { headers: AUTH });
    const underDefault = await fetch(url('/workflow-instances/abc/execution-state', custom), { headers: {} });

    // Assess: 404 from the route (authenticated) vs 404 with no route at all (no 401)
    expect(underCustom.status).toBe(404);
    expect(underDefault.status).toBe(404);
    expect(custom.requests.map((r) => r.path)).toEqual(['/engine/api/workflow-instances/abc/execution-state', '/elsa/api/workflow-instances/abc/execution-state']);
  });
});

describe('dispatch', () => {
  test('200 with a fresh id; the instance is Executing with its correlationId and input', async () => {
    // Act
    const id = await dispatch({ correlationId: 'session-1', input: { sessionId: 'session-1', Nested: { a: 1 } } });

    // Assess
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(stub.instance(id)).toMatchObject({
      id,
      definitionId: DEF,
      correlationId: 'session-1',
      input: { sessionId: 'session-1', Nested: { a: 1 } },
      subStatus: 'Executing',
      events: [],
    });
    const state = await executionState(id);
    expect(state.code).toBe(200);
    const body = JSON.parse(state.body) as Record<string, string>;
    expect(body).toEqual({ status: 'Running', subStatus: 'Executing', updatedAt: expect.stringMatching(ELSA_TIME) });
  });

  test('the body is read case-insensitively; input keys are kept as sent', async () => {
    // Act
    const id = await dispatch({ CorrelationId: 'session-2', INPUT: { MixedCase: true } });

    // Assess
    expect(stub.instance(id)).toMatchObject({ correlationId: 'session-2', input: { MixedCase: true } });
  });

  test('invalid JSON -> 400 FastEndpoints envelope "Invalid request body."', async () => {
    // Act
    const res = await post(`/workflow-definitions/${DEF}/dispatch`, '{"correlationId":');

    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: 400, message: 'One or more errors occurred!', errors: { generalErrors: ['Invalid request body.'] } });
    expect(stub.instances()).toEqual([]);
  });

  test.each([
    ['an array', [1]],
    ['a string', 'text'],
    ['a number', 3],
  ])('input that is %s -> 400 "Input must be a dictionary."', async (_, input) => {
    // Act
    const res = await post(`/workflow-definitions/${DEF}/dispatch`, { input });

    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: 400, message: 'One or more errors occurred!', errors: { generalErrors: ['Input must be a dictionary.'] } });
    expect(stub.instances()).toEqual([]);
  });

  test('an unknown definition -> 404 with an empty body', async () => {
    // Act
    const res = await post('/workflow-definitions/not-published/dispatch', { input: {} });

    // Assess
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect(stub.instances()).toEqual([]);
  });

  test('the same correlationId twice makes two instances (Elsa does not de-duplicate)', async () => {
    // Act
    const first = await dispatch({ correlationId: 'same' });
    const second = await dispatch({ correlationId: 'same' });

    // Assess
    expect(first).not.toBe(second);
    expect(stub.instances().filter((i) => i.correlationId === 'same')).toHaveLength(2);
  });

  test('dispatchLagMs: reads 404 until the lag has passed on the injected clock', async () => {
    // Prepare
    const clock = new ManualClock();
    const lagging = await start({ dispatchLagMs: 1000, clock });
    const id = await dispatch({ correlationId: 'lag' }, lagging);

    // Act
    const early = await executionState(id, lagging);
    const earlyGet = await get(`/workflow-instances/${id}`, AUTH, lagging);
    const earlyList = await post('/workflow-instances', { correlationId: 'lag' }, JSON_HEADERS, lagging);
    clock.advance(999);
    const stillEarly = await executionState(id, lagging);
    clock.advance(1);
    const visible = await executionState(id, lagging);

    // Assess
    expect([early.code, early.body]).toEqual([404, '']);
    expect(earlyGet.status).toBe(404);
    expect(await earlyList.json()).toEqual({ items: [], totalCount: 0 });
    expect(stillEarly.code).toBe(404);
    expect(visible.code).toBe(200);
  });
});

describe('reading instances', () => {
  test.each<[SubStatus, string]>([
    ['Pending', 'Running'],
    ['Executing', 'Running'],
    ['Suspended', 'Running'],
    ['Finished', 'Finished'],
    ['Cancelled', 'Finished'],
    ['Faulted', 'Finished'],
  ])('sub-status %s reads as status %s', async (subStatus, status) => {
    // Prepare
    const id = await dispatch();
    stub.setSubStatus(id, subStatus);

    // Act
    const state = await executionState(id);

    // Assess
    expect(JSON.parse(state.body)).toMatchObject({ status, subStatus });
  });

  test('GET instance: the model with null fields omitted while running', async () => {
    // Prepare
    const id = await dispatch({ input: { a: 1 } });

    // Act
    const res = await get(`/workflow-instances/${id}`);

    // Assess
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id,
      definitionId: DEF,
      version: 1,
      status: 'Running',
      subStatus: 'Executing',
      isExecuting: true,
      incidentCount: 0,
      isSystem: false,
      createdAt: expect.stringMatching(ELSA_TIME),
      updatedAt: expect.stringMatching(ELSA_TIME),
      workflowState: { id, status: 'Running', subStatus: 'Executing', incidents: [], bookmarks: [], input: { a: 1 }, output: {} },
    });
    expect(typeof body.definitionVersionId).toBe('string');
    expect(body).not.toHaveProperty('correlationId');
    expect(body).not.toHaveProperty('finishedAt');
  });

  test('a faulted instance: Finished/Faulted, one incident, finishedAt set', async () => {
    // Prepare
    const id = await dispatch({ correlationId: 'c' });
    stub.fault(id, 'Mentor service timed out');

    // Act
    const body = (await (await get(`/workflow-instances/${id}`)).json()) as Record<string, unknown>;

    // Assess
    expect(body).toMatchObject({
      status: 'Finished',
      subStatus: 'Faulted',
      isExecuting: false,
      incidentCount: 1,
      correlationId: 'c',
      finishedAt: expect.stringMatching(ELSA_TIME),
      workflowState: { incidents: [{ message: 'Mentor service timed out', activityId: expect.any(String), timestamp: expect.stringMatching(ELSA_TIME) }] },
    });
  });

  test('an unknown instance -> 404 with an empty body', async () => {
    // Act
    const res = await get('/workflow-instances/0123456789abcdef');

    // Assess
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  test('list: correlationId filter, newest first, zero-based pages, totalCount of all matches', async () => {
    // Prepare: dispatched one after another so createdAt orders them
    const clock = new ManualClock();
    const s = await start({ clock });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await dispatch({ correlationId: 'paged' }, s));
      clock.advance(1000);
    }
    await dispatch({ correlationId: 'other' }, s);
    const list = async (filter: unknown) =>
      (await post('/workflow-instances', filter, JSON_HEADERS, s)).json() as Promise<{ items: { id: string }[]; totalCount: number }>;

    // Act
    const all = await list({ correlationId: 'paged' });
    const page0 = await list({ correlationId: 'paged', page: 0, pageSize: 2 });
    const page2 = await list({ CorrelationId: 'paged', Page: 2, PageSize: 2 });
    const everything = await list({});

    // Assess
    expect(all.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(all.totalCount).toBe(5);
    expect(page0).toMatchObject({ totalCount: 5, items: [{ id: ids[4] }, { id: ids[3] }] });
    expect(page2.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(everything.totalCount).toBe(6);
    expect(all.items[0]).toEqual({
      id: ids[4],
      definitionId: DEF,
      definitionVersionId: expect.any(String),
      version: 1,
      status: 'Running',
      subStatus: 'Executing',
      correlationId: 'paged',
      incidentCount: 0,
      createdAt: expect.stringMatching(ELSA_TIME),
      updatedAt: expect.stringMatching(ELSA_TIME),
    });
  });
});

describe('event triggers (the cooperative pause point)', () => {
  const trigger = (name: string, body: unknown) => post(`/events/${name}/trigger`, body);

  test('pause suspends an Executing instance; resume brings it back to Executing; both are recorded', async () => {
    // Prepare
    const id = await dispatch();

    // Act
    const paused = await trigger('mentorship.pause', { workflowInstanceId: id, input: { reason: 'lunch' } });
    const whilePaused = stub.instance(id);
    const bookmarks = ((await (await get(`/workflow-instances/${id}`)).json()) as { workflowState: { bookmarks: unknown[] } }).workflowState.bookmarks;
    const resumed = await trigger('mentorship.resume', { workflowInstanceId: id });

    // Assess
    expect([paused.status, await paused.text(), resumed.status, await resumed.text()]).toEqual([200, '', 200, '']);
    expect(whilePaused?.subStatus).toBe('Suspended');
    expect(bookmarks).toEqual([expect.objectContaining({ name: 'Elsa.Event', payload: { eventName: 'mentorship.resume' } })]);
    expect(stub.instance(id)).toMatchObject({
      subStatus: 'Executing',
      events: [{ name: 'mentorship.pause', input: { reason: 'lunch' } }, { name: 'mentorship.resume' }],
    });
  });

  test('pause also catches an instance Suspended on another wait; resume of a non-paused Suspended instance does nothing', async () => {
    // Prepare
    const waiting = await dispatch();
    const other = await dispatch();
    stub.setSubStatus(waiting, 'Suspended');
    stub.setSubStatus(other, 'Suspended');

    // Act
    await trigger('mentorship.resume', { workflowInstanceId: other });
    await trigger('mentorship.pause', { workflowInstanceId: waiting });
    await trigger('mentorship.resume', { workflowInstanceId: waiting });

    // Assess
    expect(stub.instance(other)?.subStatus).toBe('Suspended');
    expect(stub.instance(waiting)?.subStatus).toBe('Executing');
  });

  test('custom event names from the options', async () => {
    // Prepare
    const s = await start({ pauseEvent: 'hold', resumeEvent: 'go' });
    const id = await dispatch({}, s);

    // Act
    await post('/events/mentorship.pause/trigger', { workflowInstanceId: id }, JSON_HEADERS, s);
    const afterDefaultName = s.instance(id)?.subStatus;
    await post('/events/hold/trigger', { workflowInstanceId: id }, JSON_HEADERS, s);

    // Assess
    expect(afterDefaultName).toBe('Executing');
    expect(s.instance(id)?.subStatus).toBe('Suspended');
  });

  test('finished or unknown instances, and triggers with no instance id: 200, nothing changes', async () => {
    // Prepare
    const finished = await dispatch();
    const running = await dispatch();
    stub.finish(finished);

    // Act
    const codes = [
      (await trigger('mentorship.pause', { workflowInstanceId: finished })).status,
      (await trigger('mentorship.pause', { workflowInstanceId: 'ffffffffffffffff' })).status,
      (await trigger('mentorship.pause', { input: { everyone: true } })).status,
    ];

    // Assess
    expect(codes).toEqual([200, 200, 200]);
    expect(stub.instance(finished)).toMatchObject({ subStatus: 'Finished', events: [] });
    expect(stub.instance(running)).toMatchObject({ subStatus: 'Executing', events: [] });
    expect(stub.requests.at(-1)?.body).toBe('{"input":{"everyone":true}}');
  });
});

describe('cancel', () => {
  test('200 with an empty body even for an unknown id', async () => {
    // Act
    const res = await post('/cancel/workflow-instances/ffffffffffffffff', undefined, AUTH);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  test('a running instance ends Cancelled (status Finished, finishedAt set)', async () => {
    // Prepare
    const id = await dispatch();

    // Act
    const res = await post(`/cancel/workflow-instances/${id}`, undefined, AUTH);
    const state = await eventually(
      () => executionState(id),
      (s) => s.body.includes('Cancelled'),
    );

    // Assess
    expect(res.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject({ status: 'Finished', subStatus: 'Cancelled' });
    expect(stub.instance(id)?.finishedAt).toMatch(ELSA_TIME);
  });

  test('cancelLagMs: still running right after the 200, cancelled later', async () => {
    // Prepare
    const s = await start({ cancelLagMs: 200 });
    const id = await dispatch({}, s);

    // Act
    await post(`/cancel/workflow-instances/${id}`, undefined, AUTH, s);
    const right = await executionState(id, s);
    const later = await eventually(
      () => executionState(id, s),
      (v) => v.body.includes('Cancelled'),
    );

    // Assess
    expect(JSON.parse(right.body)).toMatchObject({ subStatus: 'Executing' });
    expect(JSON.parse(later.body)).toMatchObject({ status: 'Finished', subStatus: 'Cancelled' });
  });

  test('an instance already Finished (or Faulted) is not cancelled', async () => {
    // Prepare: a cancel-lag so the check happens when the cancel is applied
    const s = await start({ cancelLagMs: 20 });
    const done = await dispatch({}, s);
    const faulted = await dispatch({}, s);
    s.finish(done);
    s.fault(faulted, 'boom');
    const marker = await dispatch({}, s);

    // Act: the marker's cancel is sent last, so once it has applied the others have too
    for (const id of [done, faulted, marker]) await post(`/cancel/workflow-instances/${id}`, undefined, AUTH, s);
    await eventually(
      async () => s.instance(marker)?.subStatus,
      (v) => v === 'Cancelled',
    );

    // Assess
    expect(s.instance(done)?.subStatus).toBe('Finished');
    expect(s.instance(faulted)?.subStatus).toBe('Faulted');
    expect(s.instance(marker)?.subStatus).toBe('Cancelled');
  });
});

describe('faults and latency', () => {
  const probe = () => get('/workflow-instances/abc/execution-state');

  test('failNext 500 then 503: small text bodies, before auth, then normal answers; all recorded', async () => {
    // Prepare
    stub.failNext(1, 'status500');
    stub.failNext(1, 'status503');

    // Act
    const first = await get('/workflow-instances/abc/execution-state', {});
    const second = await probe();
    const third = await probe();

    // Assess
    expect([first.status, second.status, third.status]).toEqual([500, 503, 404]);
    expect((await first.text()).length).toBeGreaterThan(0);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(stub.requests.map((r) => r.status)).toEqual([500, 503, 404]);
  });

  test('drop: fetch rejects and nothing is done; the next request works', async () => {
    // Prepare
    stub.failNext(1, 'drop');

    // Act
    const dropped = post(`/workflow-definitions/${DEF}/dispatch`, {});
    await expect(dropped).rejects.toThrow();
    const next = await probe();

    // Assess
    expect(next.status).toBe(404);
    expect(stub.instances()).toEqual([]);
    expect(stub.requests.map((r) => r.status)).toEqual([0, 404]);
  });

  test('failNext with a path match only hits matching requests', async () => {
    // Prepare
    stub.failNext(2, 'status503', /\/dispatch$/);

    // Act
    const read = await probe();
    const d1 = await post(`/workflow-definitions/${DEF}/dispatch`, {});
    const d2 = await post(`/workflow-definitions/${DEF}/dispatch`, {});
    const d3 = await post(`/workflow-definitions/${DEF}/dispatch`, {});

    // Assess
    expect([read.status, d1.status, d2.status, d3.status]).toEqual([404, 503, 503, 200]);
  });

  test('failRandomly follows the caller random source', async () => {
    // Prepare: each failing request draws again to pick its fault. 0.2 fails (pick 0.9), 0.7 passes, 0.4 fails (pick 0.1), 1 passes
    const draws = [0.2, 0.9, 0.7, 0.4, 0.1];
    stub.failRandomly(0.5, () => draws.shift() ?? 1, ['status503']);

    // Act
    const codes = [(await probe()).status, (await probe()).status, (await probe()).status, (await probe()).status];

    // Assess
    expect(codes).toEqual([503, 404, 503, 404]);
  });

  test('failRandomly picks among the given faults with the same source', async () => {
    // Prepare: p = 1 fails every request; picks 0.1 -> index 0, 0.6 -> index 1
    const draws = [0, 0.1, 0, 0.6];
    stub.failRandomly(1, () => draws.shift() ?? 0, ['status500', 'status503']);

    // Act
    const codes = [(await probe()).status, (await probe()).status];

    // Assess
    expect(codes).toEqual([500, 503]);
  });

  test('latency delays answers; faults are answered before it', async () => {
    // Prepare
    stub.latency(300);

    // Act
    let t = performance.now();
    const slow = await probe();
    const slowMs = performance.now() - t;
    stub.failNext(1, 'status500');
    t = performance.now();
    const fast = await probe();
    const fastMs = performance.now() - t;

    // Assess
    expect(slow.status).toBe(404);
    expect(slowMs).toBeGreaterThanOrEqual(290);
    expect(fast.status).toBe(500);
    expect(fastMs).toBeLessThan(290);
  });
});

test('close() stops the server', async () => {
  // Prepare
  const s = await start();
  const { baseUrl } = s;

  // Act
  await s.close();

  // Assess
  await expect(fetch(`${baseUrl}/elsa/api/workflow-instances/abc`, { headers: AUTH })).rejects.toThrow();
});
