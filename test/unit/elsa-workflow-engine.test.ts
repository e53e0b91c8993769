import { type ElsaEngineOptions, ElsaWorkflowEngine } from '../../shared/adapters/elsa/elsa-workflow-engine';
import { WorkflowEngineError } from '../../shared/domain/errors';
import { type ElsaStub, type ElsaStubOptions, startElsaStub } from '../support/elsa-stub';

/** The Elsa 3 adapter against the contract stub (test/support/elsa-stub.ts) on 127.0.0.1. */

const KEY = '6c616d626461-0b9e6c1e-0000-4000-8000-000000000002';
const DEF = 'mentorship-session';

const open: ElsaStub[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const sleeps: number[] = [];
beforeEach(() => {
  sleeps.length = 0;
});

async function setup(stubOptions: Partial<ElsaStubOptions> = {}, engineOptions: Partial<ElsaEngineOptions> = {}) {
  const stub = await startElsaStub({ apiKey: KEY, definitions: [DEF], ...stubOptions });
  open.push(stub);
  const engine = new ElsaWorkflowEngine({
    baseUrl: stub.baseUrl,
    apiKey: KEY,
    definitionId: DEF,
    timeoutMs: 1_000,
    // Backoff delays are recorded, not slept; cancel confirmation checks wait a little for the stub.
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
    random: () => 0.5,
    ...engineOptions,
  });
  return { stub, engine };
}

async function failure(promise: Promise<unknown>): Promise<WorkflowEngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowEngineError);
  return error as WorkflowEngineError;
}

const input = { sessionId: 's-1', storyTitle: 'Fix, "login"\nnow', config: { checkInIntervalMinutes: 30 } };

describe('start', () => {
  test('dispatches the definition with the session id as correlation id and the input, with the exact ApiKey header', async () => {
    const { stub, engine } = await setup();
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    const instance = stub.instance(instanceId)!;
    expect(instance).toMatchObject({ definitionId: DEF, correlationId: 's-1', input, subStatus: 'Executing' });
    const [request] = stub.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/elsa/api/workflow-definitions/${DEF}/dispatch`, authorization: `ApiKey ${KEY}`, status: 200 });
    expect(JSON.parse(request!.body)).toEqual({ correlationId: 's-1', input, versionOptions: 'Published' });
  });

  test('a configurable prefix and base URL with a trailing slash', async () => {
    const { stub, engine } = await setup({ prefix: '/workflows-api' }, {});
    const custom = new ElsaWorkflowEngine({ baseUrl: `${stub.baseUrl}/`, prefix: 'workflows-api/', apiKey: KEY, definitionId: DEF });
    const { instanceId } = await custom.start({ correlationId: 's-2', input });
    expect(stub.instance(instanceId)).toBeDefined();
    expect(stub.requests[0]!.path).toBe(`/workflows-api/workflow-definitions/${DEF}/dispatch`);
    // The default prefix does not exist on this server: Elsa's empty 404.
    const error = await failure(engine.start({ correlationId: 's-3', input }));
    expect(error.details).toMatchObject({ engine: 'elsa', operation: 'start', failure: 'not_found', status: 404 });
  });

  test('a 500 then success: retried with backoff, and the lookup by correlation id finds nothing so it dispatches once more', async () => {
    const { stub, engine } = await setup();
    stub.failNext(1, 'status500');
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    expect(stub.instances()).toHaveLength(1);
    expect(stub.instance(instanceId)?.correlationId).toBe('s-1');
    expect(sleeps[0]).toBe(50); // full jitter: random 0.5 of the 100 ms base
    expect(stub.requests.map((r) => `${r.method} ${r.path.replace('/elsa/api', '')}`)).toEqual([
      `POST /workflow-definitions/${DEF}/dispatch`,
      'POST /workflow-instances',
      `POST /workflow-definitions/${DEF}/dispatch`,
    ]);
  });

  test('a retry after an ambiguous failure takes the instance Elsa already has for the session (no second instance)', async () => {
    const { stub, engine } = await setup();
    // The first dispatch reached Elsa but its answer was lost: simulated by an instance already there.
    const first = await engine.start({ correlationId: 's-1', input });
    stub.failNext(1, 'drop', /dispatch/);
    const again = await engine.start({ correlationId: 's-1', input });
    expect(again.instanceId).toBe(first.instanceId);
    expect(stub.instances()).toHaveLength(1);
  });

  test('dropped connections and 503s on every attempt: a typed failure after the configured attempts', async () => {
    const { stub, engine } = await setup({}, { retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 150 } });
    stub.failNext(10, 'drop');
    const dropped = await failure(engine.start({ correlationId: 's-1', input }));
    expect(dropped.details).toMatchObject({ failure: 'network', attempts: 3 });
    expect(dropped.message).toMatch(/could not be reached \(after 3 attempts\)/);
    // Capped exponential backoff with full jitter: 0.5 x min(150, 100), 0.5 x min(150, 200).
    expect(sleeps).toEqual([50, 75]);
    expect(stub.instances()).toHaveLength(0);
    const other = await setup({}, { retry: { attempts: 3 } });
    other.stub.failNext(10, 'status503');
    const unavailable = await failure(other.engine.status('anything'));
    expect(unavailable.details).toMatchObject({ failure: 'server_error', status: 503, attempts: 3 });
  });

  test('4xx is never retried: unknown definition, bad key, missing permission, refused input', async () => {
    const { stub } = await setup({ permissions: ['read:workflow-instances'] });
    const mk = (options: Partial<ElsaEngineOptions>) =>
      new ElsaWorkflowEngine({ baseUrl: stub.baseUrl, apiKey: KEY, definitionId: DEF, sleep: async () => undefined, ...options });

    const forbidden = await failure(mk({}).start({ correlationId: 's-1', input }));
    expect(forbidden.details).toMatchObject({ failure: 'forbidden', status: 403 });
    expect(forbidden.message).toMatch(/lacks the permission/);

    const unauthorized = await failure(mk({ apiKey: 'wrong' }).status('x'));
    expect(unauthorized.details).toMatchObject({ failure: 'unauthorized', status: 401 });
    expect(unauthorized.message).not.toContain('wrong');
    expect(stub.requests.filter((r) => r.status >= 400)).toHaveLength(2);
  });

  test('a 400 envelope: its messages are in the error; an answer without an id is a bad response', async () => {
    const { stub } = await setup();
    const engine = new ElsaWorkflowEngine({ baseUrl: stub.baseUrl, apiKey: KEY, definitionId: DEF });
    // Elsa refuses input that is not a dictionary.
    const refused = await failure(engine.start({ correlationId: 's-1', input: ['not', 'a', 'dictionary'] as unknown as Record<string, unknown> }));
    expect(refused.details).toMatchObject({ failure: 'rejected', status: 400 });
    expect(refused.message).toContain('Input must be a dictionary.');

    const noId = new ElsaWorkflowEngine({
      baseUrl: stub.baseUrl,
      apiKey: KEY,
      definitionId: DEF,
      fetch: async () => new Response('{}', { status: 200 }),
    });
    expect((await failure(noId.start({ correlationId: 's-1', input }))).details).toMatchObject({ failure: 'bad_response' });
  });

  test('a request that outlives the timeout is a timeout failure, retried', async () => {
    const { stub } = await setup();
    stub.latency(300);
    const engine = new ElsaWorkflowEngine({ baseUrl: stub.baseUrl, apiKey: KEY, definitionId: DEF, timeoutMs: 50, retry: { attempts: 2 }, sleep: async () => undefined });
    const error = await failure(engine.status('x'));
    expect(error.details).toMatchObject({ failure: 'timeout', attempts: 2 });
  });
});

describe('pause, resume and config: cooperative events for one instance', () => {
  test('suspend and resume trigger the configured events with the instance id; the stub workflow follows', async () => {
    const { stub, engine } = await setup({ pauseEvent: 'mentor.hold', resumeEvent: 'mentor.go' }, { events: { pause: 'mentor.hold', resume: 'mentor.go' } });
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    await engine.suspend(instanceId);
    expect(await engine.status(instanceId)).toBe('Suspended');
    await engine.resume(instanceId);
    expect(await engine.status(instanceId)).toBe('Running');
    await engine.updateConfig(instanceId, { checkInIntervalMinutes: 15 });
    const triggers = stub.requests.filter((r) => r.path.includes('/events/'));
    expect(triggers.map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      ['/elsa/api/events/mentor.hold/trigger', { workflowInstanceId: instanceId, input: {} }],
      ['/elsa/api/events/mentor.go/trigger', { workflowInstanceId: instanceId, input: {} }],
      ['/elsa/api/events/mentorship.config/trigger', { workflowInstanceId: instanceId, input: { config: { checkInIntervalMinutes: 15 } } }],
    ]);
  });

  test('a trigger that fails with 500 is retried; one that keeps failing is a typed error', async () => {
    const { stub, engine } = await setup();
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    stub.failNext(1, 'status500', /trigger/);
    await engine.suspend(instanceId);
    expect(stub.instance(instanceId)?.subStatus).toBe('Suspended');
    stub.failNext(5, 'drop', /trigger/);
    const error = await failure(engine.resume(instanceId));
    expect(error.details).toMatchObject({ operation: 'resume', failure: 'network' });
    expect(stub.instance(instanceId)?.subStatus).toBe('Suspended');
  });
});

describe('cancel: confirmed through the execution state', () => {
  test('cancel, then the execution state says Cancelled', async () => {
    const { stub, engine } = await setup({ cancelLagMs: 20 }, { cancelConfirm: { checks: 10, intervalMs: 10 } });
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    await engine.cancel(instanceId);
    expect(stub.instance(instanceId)?.subStatus).toBe('Cancelled');
    expect(await engine.status(instanceId)).toBe('Cancelled');
  });

  test('an instance Elsa does not have yet (dispatch lag): the cancel is sent again until it holds', async () => {
    const { stub, engine } = await setup({ dispatchLagMs: 40 }, { cancelConfirm: { checks: 20, intervalMs: 10 } });
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    await engine.cancel(instanceId);
    expect(stub.instance(instanceId)?.subStatus).toBe('Cancelled');
    expect(stub.requests.filter((r) => r.path.includes('/cancel/')).length).toBeGreaterThan(1);
  });

  test('Elsa answers 200 but never cancels (an unknown id): unconfirmed, a typed failure', async () => {
    const { engine } = await setup({}, { cancelConfirm: { checks: 3, intervalMs: 1 } });
    const error = await failure(engine.cancel('no-such-instance'));
    expect(error.details).toMatchObject({ operation: 'cancel', failure: 'unconfirmed', lastStatus: 'NotFound' });
  });

  test('an instance that has already finished or faulted counts as stopped', async () => {
    const { stub, engine } = await setup({}, { cancelConfirm: { checks: 2, intervalMs: 1 } });
    const a = await engine.start({ correlationId: 'a', input });
    const b = await engine.start({ correlationId: 'b', input });
    stub.finish(a.instanceId);
    stub.fault(b.instanceId, 'boom');
    await engine.cancel(a.instanceId);
    await engine.cancel(b.instanceId);
    expect(stub.instance(a.instanceId)?.subStatus).toBe('Finished');
    expect(stub.instance(b.instanceId)?.subStatus).toBe('Faulted');
  });
});

describe('status', () => {
  test.each([
    ['Pending', 'Running'],
    ['Executing', 'Running'],
    // Waiting on some other bookmark is not a pause: the session's pause is the wait on the resume event (below).
    ['Suspended', 'Running'],
    ['Finished', 'Finished'],
    ['Cancelled', 'Cancelled'],
    ['Faulted', 'Faulted'],
  ] as const)('sub-status %s -> %s', async (subStatus, expected) => {
    const { stub, engine } = await setup();
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    stub.setSubStatus(instanceId, subStatus);
    expect(await engine.status(instanceId)).toBe(expected);
  });

  test('an instance waiting on the resume event (paused) is Suspended; suspending it again sends nothing', async () => {
    const { stub, engine } = await setup();
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    await engine.suspend(instanceId);
    const triggers = () => stub.requests.filter((r) => r.path.endsWith('/trigger')).length;
    const sent = triggers();

    await engine.suspend(instanceId);

    expect(await engine.status(instanceId)).toBe('Suspended');
    expect(triggers()).toBe(sent);
  });

  test('an unknown instance is NotFound (Elsa answers an empty 404); an unknown sub-status is a bad response', async () => {
    const { stub, engine } = await setup();
    expect(await engine.status('nope')).toBe('NotFound');
    const odd = new ElsaWorkflowEngine({
      baseUrl: stub.baseUrl,
      apiKey: KEY,
      definitionId: DEF,
      fetch: async () => new Response(JSON.stringify({ status: 'Running', subStatus: 'Dreaming' }), { status: 200 }),
    });
    expect((await failure(odd.status('x'))).details).toMatchObject({ failure: 'bad_response' });
  });
});

describe('faultOf: the context of a faulted instance', () => {
  test('the incidents of the instance; nothing for an unknown one', async () => {
    const { stub, engine } = await setup();
    const { instanceId } = await engine.start({ correlationId: 's-1', input });
    stub.fault(instanceId, 'Reviewer service returned 500');
    expect(await engine.faultOf(instanceId)).toContain('Reviewer service returned 500');
    expect(await engine.faultOf('nope')).toBeUndefined();
  });
});
