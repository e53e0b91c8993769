import '../support/polyfills';
import {
  DescribeExecutionCommand,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../functions/engine/checkpoint';
import { synthesizeMentorshipDefinition } from '../../infra/constructs/mentorship-state-machine';
import { DynamoTaskTokens } from '../../shared/adapters/dynamodb/dynamo-task-tokens';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { SfnTaskCompletion } from '../../shared/adapters/stepfunctions/sfn-task-completion';
import { StepFunctionsWorkflowEngine } from '../../shared/adapters/stepfunctions/step-functions-engine';
import { WorkflowEngineError } from '../../shared/domain/errors';
import { toErrorResponse } from '../../shared/http/errors';
import { CHECKPOINTS, CheckpointService } from '../../shared/services/checkpoint-service';
import { coordinator, engineCaller, mentorCaller } from '../support/builders';
import {
  details,
  disposeAfterEach,
  type EngineHarness,
  enginePass,
  rejection,
  startSession as start,
  startEngineHarness,
  tableViolations,
} from '../support/engine-harness';
import { type LocalExecution, LocalStepFunctions } from '../support/local-step-functions';

/**
 * Issue 6, acceptance for Step Functions: the service composed with the Step
 * Functions engine on DynamoDB Local, its SFNClient mocked so that every command
 * drives a real local run of the definition CDK synthesizes
 * (test/support/local-step-functions.ts). Each checkpoint task of a run invokes
 * the real checkpoint handler with the real DynamoTaskTokens on the test table.
 */

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:mentorship-checkpoint';
const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:mentorship';
const EXECUTION_PREFIX = 'arn:aws:states:eu-west-1:123456789012:execution:mentorship:';
const report = { summary: 'Merged after one review round.', overallScore: 82, metrics: { hints: 1 } };
const phasesAndCheckpoints = CHECKPOINTS.flatMap((phase) => [`Checkpoint ${phase}`, phase]);

// Synthesis is the slow part: once for the file.
const definition = synthesizeMentorshipDefinition(FUNCTION_ARN);
// Step Functions has no local stand-in: its client is mocked, and the bridge answers it.
const sfnMock = mockClient(SFNClient);
const sfnClient = new SFNClient({ region: 'eu-west-1' });

const JUNIORS = ['junior-1', 'junior-2', 'junior-3'];
const MENTORS = ['mentor-1', 'mentor-2'];

interface Harness extends EngineHarness<StepFunctionsWorkflowEngine> {
  readonly bridge: LocalStepFunctions;
  /** Sessions whose checkpoint function is deployed against a table that does not exist. */
  readonly misconfigured: Set<string>;
}

const track = disposeAfterEach<Harness>((h) => h.bridge.dispose());

/** A fresh table and app; `stepped` holds every checkpoint invocation until the test lets it go. */
async function harness(options: { junior?: number; system?: number; stepped?: boolean } = {}): Promise<Harness> {
  const base = await startEngineHarness({
    tablePrefix: 'sfn',
    limits: { junior: options.junior ?? 10, mentor: 20, system: options.system ?? 100, mentors: MENTORS },
    queue: 10,
    directory: { juniors: JUNIORS, mentors: MENTORS, stories: ['story-1'] },
    engine: (table) =>
      new StepFunctionsWorkflowEngine({
        client: sfnClient,
        stateMachineArn: MACHINE_ARN,
        tokens: new DynamoTaskTokens(table.dynamo.document, table.tableName),
      }),
  });
  const { table } = base;
  // The checkpoint Lambda as functions/engine/checkpoint.ts composes it (same table, same SFN client)...
  const checkpoint = makeHandler(
    new CheckpointService({ tokens: new DynamoTaskTokens(table.dynamo.document, table.tableName), tasks: new SfnTaskCompletion(sfnClient) }),
  );
  // ...and deployed with a wrong TABLE_NAME: every invocation fails on DynamoDB's answer.
  const broken = makeHandler(
    new CheckpointService({ tokens: new DynamoTaskTokens(table.dynamo.document, `${table.tableName}-missing`), tasks: new SfnTaskCompletion(sfnClient) }),
  );
  const misconfigured = new Set<string>();
  sfnMock.reset();
  const bridge = new LocalStepFunctions({
    sfn: sfnMock,
    stateMachineArn: MACHINE_ARN,
    definition,
    stepped: options.stepped ?? false,
    invoke: (payload, execution) => (misconfigured.has(execution.name) ? broken : checkpoint)(payload),
  });
  return track({ ...base, bridge, misconfigured });
}

function runOf(h: Harness, id: string): LocalExecution {
  const run = h.bridge.execution(id);
  if (run === undefined) throw new Error(`no execution named ${id}`);
  return run;
}

/** The task token item a checkpoint holds for a paused session, read straight from the table. */
async function tokenItem(h: Harness, id: string) {
  const key = { pk: keys.sessionPartition(id), sk: 'TASKTOKEN' };
  return (await h.table.dynamo.document.send(new GetCommand({ TableName: h.table.tableName, Key: key, ConsistentRead: true }))).Item;
}

/** The outputs of every SendTaskSuccess sent so far, in order. */
const sentOutputs = () => sfnMock.commandCalls(SendTaskSuccessCommand).map((call) => JSON.parse(call.args[0].input.output ?? 'null') as unknown);

const throttled = () => new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
/** A definite refusal: the role may not start executions (no retry changes it). */
const accessDenied = () => new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'not authorized' });

/** Lets the runs go as far as they can on their own: no timers, only queued work. */
async function drainEventLoop(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('Step Functions engine with local executions of the synthesized definition', () => {
  test('full lifecycle: checkpoints pass while Active, hold while Paused, go on after resume; the run ends and completion is reported; a cancel aborts the run', async () => {
    const h = await harness({ stepped: true });

    // Start: one execution, named by the session id; its ARN is the session's workflow instance.
    const started = await start(h, 'junior-1', 'mentor-1');
    const id = started.sessionId;
    const arn = `${EXECUTION_PREFIX}${id}`;
    expect(started).toMatchObject({ status: 'started', workflowInstanceId: arn });
    const { session } = await details(h, id);
    expect(session).toMatchObject({ status: 'Active', workflowInstanceId: arn });
    const run = runOf(h, id);
    expect(run).toMatchObject({ executionArn: arn, status: 'RUNNING' });
    expect(JSON.parse(run.input)).toMatchObject({ sessionId: id, storyId: 'story-1', juniorId: 'junior-1', mentorId: 'mentor-1', config: session.config });
    // A retried start with other input meets ExecutionAlreadyExists and finds the same execution: no second run.
    await expect(h.engine.start({ correlationId: id, input: { retried: true } })).resolves.toEqual({ instanceId: arn });
    expect(h.bridge.executions()).toHaveLength(1);

    // Active: each checkpoint sends its token straight back.
    expect(await h.bridge.step(id)).toMatchObject({ state: 'Checkpoint Assessment', answer: { outcome: 'continue' } });
    expect(await h.bridge.step(id)).toMatchObject({ state: 'Checkpoint Planning', answer: { outcome: 'continue' } });

    // Pause: the next checkpoint keeps its token on the session's partition, and the run waits there.
    h.clock.advanceMinutes(5);
    expect(await h.app.sessions.pauseSession(id, { reason: 'lunch' }, mentorCaller('mentor-1'))).toMatchObject({ status: 'Paused' });
    const held = await h.bridge.step(id);
    expect(held).toMatchObject({ state: 'Checkpoint Implementation', answer: { outcome: 'held' } });
    expect(await tokenItem(h, id)).toMatchObject({ entity: 'task-token', sessionId: id, checkpoint: 'Implementation', token: held.token });
    await drainEventLoop();
    expect(h.bridge.waitingTokens(id)).toEqual([held.token]);
    expect(run.invocations).toHaveLength(3);
    expect(sentOutputs()).toEqual([{ checkpoint: 'Assessment' }, { checkpoint: 'Planning' }]);
    // Waiting at a checkpoint is running, for Step Functions: reconciliation leaves it alone.
    expect(await h.engine.status(arn)).toBe('Running');
    expect(await h.app.reconciliation.reconcile()).toMatchObject({ checked: 1, failed: [], unresolved: [] });

    // Resume: the held token goes back and the run goes on.
    h.clock.advanceMinutes(5);
    expect(await h.app.sessions.resumeSession(id, {}, coordinator)).toMatchObject({ status: 'Active' });
    expect(await tokenItem(h, id)).toBeUndefined();
    expect(h.bridge.waitingTokens(id)).toEqual([]);
    expect(await h.bridge.step(id)).toMatchObject({ state: 'Checkpoint Quality', answer: { outcome: 'continue' } });

    // The run reaches its end; the engine reports completion.
    h.bridge.letRun(id);
    await run.ended;
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(phasesAndCheckpoints);
    expect(run.invocations.map((call) => call.payload.checkpoint)).toEqual([...CHECKPOINTS]);
    expect(sentOutputs()).toEqual([
      { checkpoint: 'Assessment' },
      { checkpoint: 'Planning' },
      { resumed: true },
      { checkpoint: 'Quality' },
      { checkpoint: 'Review' },
      { checkpoint: 'Completion' },
    ]);
    expect(await h.engine.status(arn)).toBe('Finished');
    // As Step Functions does, the bridge refuses a token whose task no longer waits, and one it never minted.
    await expect(sfnClient.send(new SendTaskSuccessCommand({ taskToken: held.token, output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(sfnClient.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    h.clock.advanceMinutes(10);
    expect(await h.app.sessions.completeSession(id, { report }, engineCaller)).toMatchObject({ status: 'Completed' });
    const completed = await details(h, id);
    expect(completed.session).toMatchObject({ status: 'Completed', currentState: 'COMPLETED', report });
    expect(completed.events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused', 'session_resumed', 'session_completed']);

    // A second session, cancelled mid-run: its execution is aborted.
    const other = await start(h, 'junior-2', 'mentor-2');
    const otherArn = `${EXECUTION_PREFIX}${other.sessionId}`;
    expect(await h.bridge.step(other.sessionId)).toMatchObject({ state: 'Checkpoint Assessment', answer: { outcome: 'continue' } });
    expect(await h.app.sessions.cancelSession(other.sessionId, { reason: 'story withdrawn' }, coordinator)).toMatchObject({ status: 'Cancelled' });
    const aborted = runOf(h, other.sessionId);
    await aborted.ended;
    expect(sfnMock.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([otherArn]);
    expect(await sfnClient.send(new DescribeExecutionCommand({ executionArn: otherArn }))).toMatchObject({ status: 'ABORTED', name: other.sessionId });
    expect(await h.engine.status(otherArn)).toBe('Cancelled');
    // The checkpoint waiting when the cancel came was never invoked.
    expect(aborted.entered).toEqual(['Checkpoint Assessment', 'Assessment', 'Checkpoint Planning']);
    expect(aborted.invocations.map((call) => call.answer)).toEqual([{ outcome: 'continue' }, undefined]);
    const cancelled = await details(h, other.sessionId);
    expect(cancelled.session.engineSync).toBeUndefined();
    expect(cancelled.events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_cancelled']);

    // Logs replay to the statuses; counters and indexes agree; nothing is left to reconcile.
    expect(await tableViolations(h)).toEqual([]);
    // A pass of the schedule only confirms the cancel's stop (checked for a fault on the way); the next finds nothing.
    expect(await enginePass(h)).toMatchObject({
      failed: [],
      cancelledInEngine: [],
      resolved: [],
      unresolved: [],
      unreachable: [],
      commanded: [],
      commands: { pending: 1, retrying: [], failed: [] },
    });
    expect(await enginePass(h)).toMatchObject({ checked: 0, commands: { pending: 0 } });
  });

  test('engine refusal during start: WorkflowEngineError (502), the session Failed (engine_start_failed), slots released; the session queued behind it starts when the queue drains', async () => {
    const h = await harness({ junior: 1, system: 1 });

    // A takes the only system slot; while its StartExecution is in flight, B queues behind it. Then Step Functions refuses A's start
    // (access denied: definite). A throttled start is ambiguous and stays pending instead (test/integration/engine-commands.test.ts).
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    h.bridge.interceptNext('StartExecution', async () => {
      arrived();
      await released;
      throw accessDenied();
    });
    const startingA = rejection(h.app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-1' }, coordinator));
    await arrival;
    const b = await start(h, 'junior-2');
    expect(b.status).toBe('queued');
    release();

    const error = await startingA;
    expect(error).toBeInstanceOf(WorkflowEngineError);
    expect(toErrorResponse(error, 'req-1').statusCode).toBe(502);
    const aId = String((error as WorkflowEngineError).details?.sessionId);
    h.ids.push(aId);
    const a = await details(h, aId);
    expect(a.session).toMatchObject({ status: 'Failed', currentState: 'FAILED' });
    expect(a.session.workflowInstanceId).toBeUndefined();
    expect(a.events.at(-1)).toMatchObject({ type: 'session_failed', reason: 'engine_start_failed', actor: 'system', fromStatus: 'Active', toStatus: 'Failed' });
    expect(h.bridge.executions()).toEqual([]);
    expect(await h.engine.status(`${EXECUTION_PREFIX}${aId}`)).toBe('NotFound');
    // Its slots are free again: the counters agree with the sessions (nothing running, B queued).
    expect(await tableViolations(h)).toEqual([]);
    expect(await h.app.sessions.getQueueStatus(coordinator)).toMatchObject({ activeSessionCount: 0, totalQueued: 1 });

    // The queue drains (the release's stream record, or the schedule, runs this): B starts, and its run goes to the end.
    expect(await h.app.sessions.drainQueue()).toEqual({ started: [b.sessionId], failed: [] });
    const bArn = `${EXECUTION_PREFIX}${b.sessionId}`;
    expect((await details(h, b.sessionId)).session).toMatchObject({ status: 'Active', workflowInstanceId: bArn });
    const bRun = runOf(h, b.sessionId);
    await bRun.ended;
    expect(bRun.status).toBe('SUCCEEDED');
    expect(await h.app.sessions.completeSession(b.sessionId, { report }, engineCaller)).toMatchObject({ status: 'Completed' });

    // A's junior may start again, with an execution of its own.
    const again = await start(h, 'junior-1');
    expect(again).toMatchObject({ status: 'started', workflowInstanceId: `${EXECUTION_PREFIX}${again.sessionId}` });
    expect(runOf(h, again.sessionId).status).toBe('RUNNING');
    expect(await tableViolations(h, true)).toEqual([]);
  });

  test('reconciliation: a run that failed for good fails its session with the run’s error and cause; a cancel whose StopExecution failed is stopped by the next pass', async () => {
    const h = await harness({ stepped: true });

    // F: its checkpoint function cannot reach its table, so every attempt fails and the run fails.
    const f = await start(h, 'junior-1');
    h.misconfigured.add(f.sessionId);
    h.bridge.letRun(f.sessionId);
    const fRun = runOf(h, f.sessionId);
    await fRun.ended;
    expect(fRun).toMatchObject({ status: 'FAILED', error: 'ResourceNotFoundException' });
    expect(fRun.cause).toEqual(expect.any(String));
    // The state's Retry for States.TaskFailed ran first: five attempts, each with a token of its own.
    expect(fRun.invocations.map((call) => call.state)).toEqual(Array.from({ length: 5 }, () => 'Checkpoint Assessment'));
    expect(new Set(fRun.invocations.map((call) => call.token)).size).toBe(5);
    expect((await details(h, f.sessionId)).session.status).toBe('Active');

    // C: running (held at its second checkpoint); its cancel's StopExecution is throttled.
    const c = await start(h, 'junior-2');
    const cArn = `${EXECUTION_PREFIX}${c.sessionId}`;
    expect(await h.bridge.step(c.sessionId)).toMatchObject({ state: 'Checkpoint Assessment', answer: { outcome: 'continue' } });
    h.bridge.interceptNext('StopExecution', () => Promise.reject(throttled()));
    expect(await h.app.sessions.cancelSession(c.sessionId, { reason: 'withdrawn' }, coordinator)).toMatchObject({ status: 'Cancelled' });
    // Throttled is ambiguous: the cancel stands and its stop command stays pending, the failure recorded (no sync mark, no revert).
    let cNow = await details(h, c.sessionId);
    expect(cNow.session.engineCommand).toMatchObject({ target: 'stopped', attempts: 1, lastError: expect.stringContaining('failed to cancel') });
    expect(cNow.session.engineSync).toBeUndefined();
    expect(cNow.events.at(-1)).toMatchObject({ type: 'session_cancelled' });
    const cRun = runOf(h, c.sessionId);
    expect(cRun.status).toBe('RUNNING');
    expect((await h.app.ports.indexes.listEngineCommands()).map((s) => s.id)).toEqual([c.sessionId]);

    // One pass of the schedule: F fails with the run's error and cause; C's pending stop is driven and confirmed.
    const pass = await enginePass(h);
    expect(pass).toMatchObject({ failed: [f.sessionId], unresolved: [], unreachable: [], commands: { confirmed: [c.sessionId], retrying: [], failed: [] } });
    const failed = await details(h, f.sessionId);
    expect(failed.session).toMatchObject({ status: 'Failed', currentState: 'FAILED' });
    expect(failed.session.error).toContain(`${fRun.error}: ${fRun.cause}`);
    expect(failed.events.at(-1)).toMatchObject({ type: 'session_failed', reason: 'engine_faulted', actor: 'system', fromStatus: 'Active', toStatus: 'Failed' });
    await cRun.ended;
    expect(cRun.status).toBe('ABORTED');
    expect(await h.engine.status(cArn)).toBe('Cancelled');
    cNow = await details(h, c.sessionId);
    expect(cNow.session.engineCommand).toBeUndefined();
    expect(cNow.events.at(-1)).toMatchObject({ type: 'session_cancelled' });
    expect(await tableViolations(h)).toEqual([]);
    // Nothing is left for the next pass.
    expect(await enginePass(h)).toMatchObject({ checked: 0, commands: { pending: 0 } });
  });
});
