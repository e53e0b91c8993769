import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsWorkflowEngine } from '../../shared/adapters/stepfunctions/step-functions-engine';
import { WorkflowEngineError } from '../../shared/domain/errors';
import type { HeldToken, TaskTokens } from '../../shared/ports/task-tokens';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:mentorship';
const SESSION = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const EXECUTION = `arn:aws:states:eu-west-1:123456789012:execution:mentorship:${SESSION}`;
const meta = { $metadata: {} };
/** Throttling has no class of its own in the SFN client: a plain service exception, as the SDK raises it. */
const throttled = () => new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta });

/** Tokens in a map; `failTake` makes the next take fail as a store outage would. */
class MapTaskTokens implements TaskTokens {
  readonly held = new Map<string, string>();
  readonly taken: string[] = [];
  failTake: Error | undefined;

  async holdIfPaused(sessionId: string, token: string): Promise<'held' | 'continue'> {
    this.held.set(sessionId, token);
    return 'held';
  }

  async take(sessionId: string): Promise<HeldToken | undefined> {
    this.taken.push(sessionId);
    if (this.failTake !== undefined) throw this.failTake;
    const token = this.held.get(sessionId);
    this.held.delete(sessionId);
    return token === undefined ? undefined : { token, checkpoint: 'quality' };
  }

  async restore(sessionId: string, held: HeldToken): Promise<void> {
    this.held.set(sessionId, held.token);
  }
}

const sfn = mockClient(SFNClient);
let tokens: MapTaskTokens;
let engine: StepFunctionsWorkflowEngine;

beforeEach(() => {
  sfn.reset();
  tokens = new MapTaskTokens();
  engine = new StepFunctionsWorkflowEngine({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: MACHINE, tokens });
});

/** The engine error a call rejects with, asserted outside any catch. */
async function engineErrorOf(call: Promise<unknown>): Promise<WorkflowEngineError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WorkflowEngineError);
  return error as WorkflowEngineError;
}

const described = (status: ExecutionStatus, overrides: Record<string, unknown> = {}) => ({
  executionArn: EXECUTION,
  stateMachineArn: MACHINE,
  name: SESSION,
  status,
  startDate: new Date('2026-01-05T09:00:00Z'),
  ...overrides,
});

describe('start', () => {
  test('starts one execution named by the session id, with the input as JSON; the instance id is its ARN', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });

    const result = await engine.start({ correlationId: SESSION, input: { sessionId: SESSION, storyId: 'story-1' } });

    expect(result).toEqual({ instanceId: EXECUTION });
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, name: SESSION, input: JSON.stringify({ sessionId: SESSION, storyId: 'story-1' }) },
    ]);
  });

  test('a retried start answers the existing execution after checking it is this session’s, and starts nothing new', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', ...meta }));
    sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));

    const result = await engine.start({ correlationId: SESSION, input: {} });

    expect(result).toEqual({ instanceId: EXECUTION });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
  });

  test('a retried start against a version ARN finds the execution under the machine name', async () => {
    const version = `${MACHINE}:3`;
    const versioned = new StepFunctionsWorkflowEngine({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: version, tokens });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { stateMachineVersionArn: version }));

    await expect(versioned.start({ correlationId: SESSION, input: {} })).resolves.toEqual({ instanceId: EXECUTION });
  });

  test.each([
    ['does not exist', new ExecutionDoesNotExist({ message: 'gone', ...meta }), undefined],
    ['belongs to another state machine', undefined, described('RUNNING', { stateMachineArn: `${MACHINE}-other` })],
  ])('ExecutionAlreadyExists, but the execution %s: WorkflowEngineError', async (_case, describeError, describeAnswer) => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    if (describeError !== undefined) sfn.on(DescribeExecutionCommand).rejects(describeError);
    else sfn.on(DescribeExecutionCommand).resolves(describeAnswer!);

    const error = await engineErrorOf(engine.start({ correlationId: SESSION, input: {} }));

    expect(error.message).toContain(SESSION);
    expect(error.details).toEqual({ operation: 'start', instanceId: EXECUTION, failure: 'rejected' });
  });

  test('any other failure is a WorkflowEngineError naming the operation, with the cause kept', async () => {
    const cause = throttled();
    sfn.on(StartExecutionCommand).rejects(cause);

    const error = await engineErrorOf(engine.start({ correlationId: SESSION, input: {} }));

    expect(error.message).toMatch(/failed to start/);
    expect(error.code).toBe('engine_unavailable');
    expect(error.details).toEqual({ operation: 'start', failure: 'unavailable' });
    expect(error.cause).toBe(cause);
  });
});

describe('suspend and updateConfig', () => {
  test('make no API call (the next checkpoint holds the token; the execution reads no config)', async () => {
    await engine.suspend(EXECUTION);
    await engine.updateConfig(EXECUTION, { checkInIntervalMinutes: 10 });

    expect(sfn.calls()).toHaveLength(0);
    expect(tokens.taken).toEqual([]);
  });
});

describe('resume', () => {
  test('sends the held token back with {resumed: true}, taking it from the store', async () => {
    tokens.held.set(SESSION, 'token-quality');
    sfn.on(SendTaskSuccessCommand).resolves({});

    await engine.resume(EXECUTION);

    expect(tokens.taken).toEqual([SESSION]);
    expect(tokens.held.has(SESSION)).toBe(false);
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-quality', output: JSON.stringify({ resumed: true }) },
    ]);
  });

  test('no token held: the execution has not reached a checkpoint since the pause, so no call', async () => {
    await engine.resume(EXECUTION);

    expect(tokens.taken).toEqual([SESSION]);
    expect(sfn.calls()).toHaveLength(0);
  });

  test.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', ...meta })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task Does Not Exist', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'Invalid Token', ...meta })],
  ])('%s: the checkpoint no longer waits, a WorkflowEngineError that says so', async (_name, cause) => {
    tokens.held.set(SESSION, 'token-stale');
    sfn.on(SendTaskSuccessCommand).rejects(cause);

    const error = await engineErrorOf(engine.resume(EXECUTION));

    expect(error.message).toMatch(/no longer waits at its checkpoint/);
    expect(error.message).not.toContain('token-stale');
    expect(error.details).toEqual({ operation: 'resume', instanceId: EXECUTION, failure: 'rejected' });
    expect(error.cause).toBe(cause);
    // A token the engine no longer knows is not kept.
    expect(tokens.held.has(SESSION)).toBe(false);
  });

  test('other send failures and store failures are WorkflowEngineErrors too', async () => {
    tokens.held.set(SESSION, 'token-1');
    sfn.on(SendTaskSuccessCommand).rejects(throttled());
    const sendError = await engineErrorOf(engine.resume(EXECUTION));
    expect(sendError.message).toMatch(/failed to resume/);
    // The session goes back to Paused: the token is kept for the next resume, which sends it.
    expect(tokens.held.get(SESSION)).toBe('token-1');
    sfn.on(SendTaskSuccessCommand).resolves({});
    await engine.resume(EXECUTION);
    expect(sfn.commandCalls(SendTaskSuccessCommand).at(-1)?.args[0].input.taskToken).toBe('token-1');
    expect(tokens.held.has(SESSION)).toBe(false);

    const outage = new Error('DynamoDB unreachable');
    tokens.failTake = outage;
    const takeError = await engineErrorOf(engine.resume(EXECUTION));
    expect(takeError.cause).toBe(outage);
    expect(takeError.details).toEqual({ operation: 'resume', instanceId: EXECUTION, failure: 'unavailable' });
  });
});

describe('cancel', () => {
  test('stops the execution', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    await engine.cancel(EXECUTION);

    expect(sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: EXECUTION, cause: 'The mentorship session was cancelled.' },
    ]);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  test.each(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const)('an execution that already ended (%s) is fine', async (status) => {
    sfn.on(StopExecutionCommand).rejects(new ValidationError());
    sfn.on(DescribeExecutionCommand).resolves(described(status));

    await expect(engine.cancel(EXECUTION)).resolves.toBeUndefined();
  });

  test('an execution that does not exist is a WorkflowEngineError', async () => {
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));

    const error = await engineErrorOf(engine.cancel(EXECUTION));

    expect(error.message).toMatch(/no execution .* to cancel/);
    expect(error.details).toEqual({ operation: 'cancel', instanceId: EXECUTION, failure: 'not_found' });
  });

  test('a failed stop of a running execution, or a failed check, is a WorkflowEngineError', async () => {
    const cause = throttled();
    sfn.on(StopExecutionCommand).rejects(cause);
    sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));
    const stopError = await engineErrorOf(engine.cancel(EXECUTION));
    expect(stopError.cause).toBe(cause);
    expect(stopError.details).toEqual({ operation: 'cancel', instanceId: EXECUTION, failure: 'unavailable' });

    sfn.on(DescribeExecutionCommand).rejects(throttled());
    const describeError = await engineErrorOf(engine.cancel(EXECUTION));
    expect(describeError.message).toMatch(/failed to cancel/);
  });
});

describe('status', () => {
  test.each([
    ['RUNNING', 'Running'],
    ['PENDING_REDRIVE', 'Running'],
    ['SUCCEEDED', 'Finished'],
    ['FAILED', 'Faulted'],
    ['TIMED_OUT', 'Faulted'],
    ['ABORTED', 'Cancelled'],
  ] as const)('%s is %s', async (status, expected) => {
    sfn.on(DescribeExecutionCommand).resolves(described(status));

    await expect(engine.status(EXECUTION)).resolves.toBe(expected);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
  });

  test('an unknown execution is NotFound', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));

    await expect(engine.status(EXECUTION)).resolves.toBe('NotFound');
  });

  test('an unknown status or a failed call is a WorkflowEngineError', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('PAUSED' as ExecutionStatus));
    expect((await engineErrorOf(engine.status(EXECUTION))).message).toMatch(/unknown status 'PAUSED'/);

    sfn.on(DescribeExecutionCommand).rejects(throttled());
    const error = await engineErrorOf(engine.status(EXECUTION));
    expect(error.details).toEqual({ operation: 'status', instanceId: EXECUTION, failure: 'unavailable' });
  });
});

describe('instance ids', () => {
  test.each(['embedded-0190a1b2', 'arn:aws:states:eu-west-1:123456789012:execution:other-machine:abc', 'arn:aws:states:eu-west-1:123456789012:execution:mentorship:'])(
    'refuses %s, which is not an execution of this machine, without calling AWS',
    async (instanceId) => {
      for (const call of [
        () => engine.suspend(instanceId),
        () => engine.resume(instanceId),
        () => engine.cancel(instanceId),
        () => engine.updateConfig(instanceId, {}),
        () => engine.status(instanceId),
      ]) {
        const error = await engineErrorOf(call());
        expect(error.message).toMatch(/is not an execution of the mentorship state machine/);
      }
      expect(sfn.calls()).toHaveLength(0);
      expect(tokens.taken).toEqual([]);
    },
  );

  test('the state machine ARN is checked when the engine is built', () => {
    expect(() => new StepFunctionsWorkflowEngine({ client: new SFNClient({}), stateMachineArn: 'mentorship', tokens })).toThrow(/not a Step Functions state machine ARN/);
  });
});

/** What StopExecution might answer for an execution that already ended. */
class ValidationError extends Error {
  override readonly name = 'ValidationException';
}

describe('faultOf', () => {
  test("a failed execution's error and cause; nothing for one without, or one that does not exist", async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'States.TaskFailed', cause: 'checkpoint Lambda crashed' }));
    await expect(engine.faultOf(EXECUTION)).resolves.toBe('States.TaskFailed: checkpoint Lambda crashed');
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED'));
    await expect(engine.faultOf(EXECUTION)).resolves.toBeUndefined();
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));
    await expect(engine.faultOf(EXECUTION)).resolves.toBeUndefined();
  });
});
