import { ElsaWorkflowEngine } from '../../shared/adapters/elsa/elsa-workflow-engine';
import { composeApp } from '../../shared/compose';
import type { StartWorkflowInput, WorkflowEngine } from '../../shared/ports/workflow-engine';
import { coordinator } from '../support/builders';
import { type ElsaStub, startElsaStub } from '../support/elsa-stub';
import { details, disposeAfterEach, type EngineHarness, enginePass, startEngineHarness, startSession, tableViolations } from '../support/engine-harness';

/**
 * Issue 13: durable engine commands against the Elsa 3 contract stub (real
 * HTTP on 127.0.0.1) and DynamoDB Local. Ambiguous failures (a 5xx or a drop
 * after Elsa applied the change, an answer after the adapter's timeout) never
 * revert or fail a session: the command stays pending and the next pass of
 * the schedule converges; starts are adopted by correlation id, never
 * repeated; a start that never confirms fails its session after a bounded
 * number of tries and its orphan is stopped; a request that dies after its
 * commit leaves a command the boot pass finishes.
 */

const KEY = 'elsa-cmd-6a1f7c2e-0000-4000-8000-000000000013';
const DEFINITION = 'mentorship-session';
const quickSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 3)));

interface Harness extends EngineHarness<ElsaWorkflowEngine> {
  readonly stub: ElsaStub;
}
const track = disposeAfterEach<Harness>((h) => h.stub.close());

async function harness(options: { system?: number; maxStartAttempts?: number } = {}): Promise<Harness> {
  let stub!: ElsaStub;
  const base = await startEngineHarness({
    tablePrefix: 'cmd',
    limits: { junior: 5, mentor: 10, system: options.system ?? 20, mentors: ['mentor-1', 'mentor-2'] },
    queue: 20,
    settings: { workflow_engine: { max_start_attempts: options.maxStartAttempts ?? 6 } },
    directory: { juniors: ['junior-1', 'junior-2', 'junior-3'], mentors: ['mentor-1', 'mentor-2'], stories: ['story-1'] },
    engine: async (_table, clock) => {
      // A late answer comes after the adapter's timeout; a healthy one, even on a loaded machine, well inside it.
      stub = await startElsaStub({ apiKey: KEY, definitions: [DEFINITION], clock, lateMs: 1_200 });
      return new ElsaWorkflowEngine({
        baseUrl: stub.baseUrl,
        apiKey: KEY,
        definitionId: DEFINITION,
        timeoutMs: 1_000,
        // One attempt a call: an ambiguous failure reaches the service at once (the adapter's own retries are its tests' subject).
        retry: { attempts: 1 },
        cancelConfirm: { checks: 3, intervalMs: 2 },
        sleep: quickSleep,
      });
    },
  });
  return track({ ...base, stub });
}

const pausedInStub = (h: Harness, instanceId: string) => h.stub.instance(instanceId)?.subStatus === 'Suspended';
/** Late answers still on their way are let through before the next step reads the stub. */
const lateAnswersOver = () => new Promise((resolve) => setTimeout(resolve, 1_300));

describe('ambiguous engine failures leave the change standing, pending, and the next pass converges', () => {
  test('a pause Elsa applied but answered 500 to: Paused, no revert, no second trigger; the pass confirms', async () => {
    const h = await harness();
    const { sessionId: id } = await startSession(h, 'junior-1', 'mentor-1');
    const instanceId = (await details(h, id)).session.workflowInstanceId!;

    h.stub.failNext(1, 'appliedThen500', /\/trigger$/);
    const answer = await h.app.sessions.pauseSession(id, { reason: 'lunch' }, coordinator);

    expect(answer).toEqual({ success: true, sessionId: id, status: 'Paused', enginePending: true });
    const pending = await details(h, id);
    expect(pending.session.engineCommand).toMatchObject({ target: 'suspended', attempts: 1, lastError: expect.stringContaining('500') });
    expect(pending.events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused']);
    expect(pausedInStub(h, instanceId)).toBe(true);

    const pass = await enginePass(h);

    expect(pass.commands).toMatchObject({ confirmed: [id], retrying: [], failed: [] });
    const settled = await details(h, id);
    expect(settled.session).toMatchObject({ status: 'Paused' });
    expect(settled.session.engineCommand).toBeUndefined();
    // One pause reached the workflow: the re-drive saw it waiting on the resume event and sent nothing.
    expect(h.stub.instance(instanceId)?.events.map((e) => e.name)).toEqual(['mentorship.pause']);
    expect(await tableViolations(h)).toEqual([]);
  });

  test('a resume answered after the timeout: Active, pending; the pass confirms it', async () => {
    const h = await harness();
    const { sessionId: id } = await startSession(h, 'junior-1', 'mentor-1');
    const instanceId = (await details(h, id)).session.workflowInstanceId!;
    await h.app.sessions.pauseSession(id, { reason: 'lunch' }, coordinator);

    h.stub.failNext(1, 'appliedLate', /\/trigger$/);
    expect(await h.app.sessions.resumeSession(id, {}, coordinator)).toMatchObject({ status: 'Active', enginePending: true });
    await lateAnswersOver();
    expect(pausedInStub(h, instanceId)).toBe(false);
    expect((await details(h, id)).session.engineCommand).toMatchObject({ target: 'running', lastError: expect.stringContaining('did not answer') });

    expect((await enginePass(h)).commands).toMatchObject({ confirmed: [id] });
    expect((await details(h, id)).session).toMatchObject({ status: 'Active' });
    expect((await details(h, id)).session.engineCommand).toBeUndefined();
    expect(pausedInStub(h, instanceId)).toBe(false);
  });

  test('a dispatch Elsa applied but answered late: started and pending; the pass adopts that instance, no second dispatch', async () => {
    const h = await harness();
    h.stub.failNext(1, 'appliedLate', /\/dispatch$/);

    const started = await startSession(h, 'junior-1', 'mentor-1');
    await lateAnswersOver();

    expect(started).toMatchObject({ status: 'started', enginePending: true });
    expect(started.workflowInstanceId).toBeUndefined();
    const [dispatched, ...others] = h.stub.instances();
    expect(others).toEqual([]);
    expect(dispatched).toMatchObject({ correlationId: started.sessionId });
    expect((await details(h, started.sessionId)).session).toMatchObject({ status: 'Active', engineCommand: { target: 'running' } });

    expect((await enginePass(h)).commands).toMatchObject({ confirmed: [started.sessionId] });

    expect((await details(h, started.sessionId)).session).toMatchObject({ status: 'Active', workflowInstanceId: dispatched!.id });
    expect((await details(h, started.sessionId)).session.engineCommand).toBeUndefined();
    expect(h.stub.instances()).toHaveLength(1);
    expect(h.stub.requests.filter((r) => r.path.endsWith('/dispatch'))).toHaveLength(1);
  });
});

describe('a start left pending, then another change', () => {
  test('a pause of a session whose start is pending adopts the instance the start dispatched, never a second', async () => {
    const h = await harness();
    h.stub.failNext(1, 'appliedThen500', /\/dispatch$/);
    const started = await startSession(h, 'junior-1', 'mentor-1');
    expect(started).toMatchObject({ status: 'started', enginePending: true });

    expect(await h.app.sessions.pauseSession(started.sessionId, { reason: 'lunch' }, coordinator)).toMatchObject({ status: 'Paused' });

    const [only, ...others] = h.stub.instances();
    expect(others).toEqual([]);
    const session = (await details(h, started.sessionId)).session;
    expect(session.workflowInstanceId).toBe(only!.id);
    expect(pausedInStub(h, only!.id)).toBe(true);
    expect(h.stub.requests.filter((r) => r.path.endsWith('/dispatch'))).toHaveLength(1);
  });
});

describe('starts that never confirm', () => {
  test('after max_start_attempts tries the session fails (engine_start_failed), its slots free, the queue moves, and the orphan is stopped', async () => {
    const h = await harness({ system: 1, maxStartAttempts: 3 });
    // Every dispatch lands in Elsa but answers 500; every lookup by correlation id fails as well.
    h.stub.failNext(100, 'appliedThen500', /\/dispatch$/);
    h.stub.failNext(100, 'status500', /\/workflow-instances$/);
    const a = await startSession(h, 'junior-1', 'mentor-1');
    const b = await startSession(h, 'junior-2', 'mentor-1');
    expect([a.status, b.status]).toEqual(['started', 'queued']);

    await enginePass(h); // try 2: the lookup fails, so no blind dispatch
    const last = await enginePass(h); // try 3: given up

    expect(last.commands.failed).toEqual([a.sessionId]);
    const failed = await details(h, a.sessionId);
    expect(failed.session).toMatchObject({ status: 'Failed', engineCommand: { target: 'stopped' } });
    expect(failed.session.error).toContain('did not confirm the start after 3 tries');
    expect(failed.events.at(-1)).toMatchObject({ type: 'session_failed', reason: 'engine_start_failed', actor: 'system' });
    // The freed slot went to B (its own dispatch lands and answers 500 too, so it is pending in turn).
    expect((await details(h, b.sessionId)).session.status).toBe('Active');

    // Elsa's list endpoint works again: the next pass finds A's orphans by correlation id and stops them.
    await resetFaults(h);
    await enginePass(h);
    await enginePass(h);
    const aliveOfA = h.stub.instances().filter((i) => i.correlationId === a.sessionId && !['Cancelled', 'Finished', 'Faulted'].includes(i.subStatus));
    expect(aliveOfA.map((i) => i.id)).toEqual([]);
    expect((await details(h, a.sessionId)).session.engineCommand).toBeUndefined();
    expect(await tableViolations(h)).toEqual([]);
  });
});

describe('a request that dies after its commit', () => {
  test('the start committed with its command; the process died before the engine answered; the boot pass starts it once', async () => {
    const h = await harness();
    const real = h.engine;
    const hanging: WorkflowEngine = {
      name: 'hanging',
      reportsPause: true,
      start: (_input: StartWorkflowInput) => new Promise(() => undefined),
      findByCorrelation: (id) => real.findByCorrelation(id),
      suspend: (id) => real.suspend(id),
      resume: (id) => real.resume(id),
      cancel: (id) => real.cancel(id),
      updateConfig: (id, config) => real.updateConfig(id, config),
      status: (id) => real.status(id),
    };
    const dying = composeApp({ tableName: h.table.tableName, dynamo: h.table.dynamo, clock: h.clock, engine: hanging, settings: h.settings });

    // The request never returns (its process is gone): only what it committed is left.
    void dying.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-1', mentorId: 'mentor-1' }, coordinator);
    const [open] = await waitFor(
      () => h.app.ports.indexes.listOpen(),
      (list) => list.length === 1,
    );
    h.ids.push(open!.id);
    expect(open).toMatchObject({ status: 'Active', engineCommand: { target: 'running', attempts: 1 } });
    expect(open!.workflowInstanceId).toBeUndefined();

    // The next process boots: its pass drives every pending command, leases or not.
    const boot = await h.app.sessions.commands.redriveDue({ all: true });

    expect(boot).toMatchObject({ pending: 1, confirmed: [open!.id] });
    const started = (await details(h, open!.id)).session;
    expect(started.workflowInstanceId).toBeDefined();
    expect(started.engineCommand).toBeUndefined();
    expect(h.stub.instances().map((i) => i.correlationId)).toEqual([open!.id]);
  });
});

/** Clears the stub's scheduled faults by sending probes until one is routed. */
async function resetFaults(h: Harness): Promise<void> {
  for (let probe = 0; probe < 300; probe += 1) {
    const status = await fetch(`${h.stub.baseUrl}/elsa/api/workflow-instances`, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${KEY}`, 'Content-Type': 'application/json' },
      body: '{}',
    }).then((r) => r.status);
    if (status === 200) break;
  }
  for (let probe = 0; probe < 300; probe += 1) {
    const status = await fetch(`${h.stub.baseUrl}/elsa/api/workflow-definitions/none/dispatch`, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${KEY}`, 'Content-Type': 'application/json' },
      body: '{}',
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 404) break;
  }
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out waiting');
}
