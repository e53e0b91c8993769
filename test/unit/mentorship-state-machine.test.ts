import '../support/polyfills';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../functions/engine/checkpoint';
import { MentorshipStateMachine, synthesizeMentorshipDefinition } from '../../infra/constructs/mentorship-state-machine';
import { SfnTaskCompletion } from '../../shared/adapters/stepfunctions/sfn-task-completion';
import { StepFunctionsWorkflowEngine } from '../../shared/adapters/stepfunctions/step-functions-engine';
import { WorkflowEngineError } from '../../shared/domain/errors';
import type { HeldToken, TaskTokens } from '../../shared/ports/task-tokens';
import { CHECKPOINTS, CheckpointService } from '../../shared/services/checkpoint-service';
import { type LocalExecution, LocalStepFunctions } from '../support/local-step-functions';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:mentorship-checkpoint';
const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:mentorship';
const SESSION = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const EXECUTION_ARN = `arn:aws:states:eu-west-1:123456789012:execution:mentorship:${SESSION}`;

interface TaskStateJson {
  readonly Type: string;
  readonly Resource?: string;
  readonly TimeoutSeconds?: number;
  readonly HeartbeatSeconds?: number;
  readonly Retry?: readonly { ErrorEquals: readonly string[] }[];
  readonly Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
}

// The ASL CDK synthesizes (built once for the file: synthesis is the slow part).
const definition = synthesizeMentorshipDefinition(FUNCTION_ARN) as { StartAt: string; States: Record<string, TaskStateJson> };
const checkpointStates = Object.entries(definition.States)
  .filter(([, state]) => state.Type === 'Task')
  .map(([name]) => name);

/**
 * Session statuses and held tokens in memory. JavaScript runs holdIfPaused's
 * check and write without interleaving, as the DynamoDB transaction does.
 */
class SessionTokens implements TaskTokens {
  readonly status = new Map<string, 'Active' | 'Paused'>();
  readonly held = new Map<string, { token: string; checkpoint: string }>();
  /** Runs as a checkpoint arrives, before its check: a test pauses the session here. */
  beforeCheck: (checkpoint: string) => void = () => undefined;
  private holds: ((checkpoint: string) => void)[] = [];

  async holdIfPaused(sessionId: string, token: string, checkpoint: string): Promise<'held' | 'continue'> {
    this.beforeCheck(checkpoint);
    if (this.status.get(sessionId) !== 'Paused') return 'continue';
    this.held.set(sessionId, { token, checkpoint });
    for (const notify of this.holds.splice(0)) notify(checkpoint);
    return 'held';
  }

  async take(sessionId: string): Promise<HeldToken | undefined> {
    const held = this.held.get(sessionId);
    this.held.delete(sessionId);
    return held;
  }

  async restore(sessionId: string, held: HeldToken): Promise<void> {
    this.held.set(sessionId, held);
  }

  /** The checkpoint at which the next hold happens. */
  nextHold(): Promise<string> {
    return new Promise((resolve) => this.holds.push(resolve));
  }
}

/** Step Functions' side of the task tokens, played by local runs of the definition (test/support/local-step-functions.ts). */
const sfn = mockClient(SFNClient);
const client = new SFNClient({ region: 'eu-west-1' });
let bridge: LocalStepFunctions;
let tokens: SessionTokens;
let engine: StepFunctionsWorkflowEngine;
/** Checkpoints whose next invocation fails as the Lambda service does, once. */
let failOnce: Set<string>;

beforeEach(() => {
  sfn.reset();
  tokens = new SessionTokens();
  engine = new StepFunctionsWorkflowEngine({ client, stateMachineArn: MACHINE_ARN, tokens });
  failOnce = new Set();
  // Every checkpoint state runs the real handler; the task ends when its token comes back.
  const handler = makeHandler(new CheckpointService({ tokens, tasks: new SfnTaskCompletion(client) }));
  bridge = new LocalStepFunctions({
    sfn,
    stateMachineArn: MACHINE_ARN,
    definition,
    invoke: async (payload) => {
      if (failOnce.delete(String(payload.checkpoint))) throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.ServiceException' });
      return handler(payload);
    },
  });
});

// A task still waiting keeps the runner's task timer (TimeoutSeconds) alive: end it.
afterEach(() => bridge.dispose());

/** The session's execution, started through the engine (StartExecution named by the session id). */
async function startExecution(input: Record<string, string>): Promise<LocalExecution> {
  await expect(engine.start({ correlationId: SESSION, input })).resolves.toEqual({ instanceId: EXECUTION_ARN });
  const execution = bridge.execution(SESSION);
  if (execution === undefined) throw new Error('StartExecution started no run');
  return execution;
}

/** The run's end and its output, once it has ended. */
async function outcomeOf(execution: LocalExecution): Promise<{ status: string; output: unknown }> {
  await execution.ended;
  return { status: execution.status, output: execution.output === undefined ? undefined : JSON.parse(execution.output) };
}

/** Lets the runner go as far as it can on its own: no timers, only queued work. */
async function drainEventLoop(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

const sentOutputs = () => sfn.commandCalls(SendTaskSuccessCommand).map((call) => JSON.parse(call.args[0].input.output ?? 'null'));
const phasesAndCheckpoints = CHECKPOINTS.flatMap((phase) => [`Checkpoint ${phase}`, phase]);

describe('the synthesized definition', () => {
  test('a waitForTaskToken checkpoint before each phase, in the vocabulary’s order', () => {
    expect(definition.StartAt).toBe('Checkpoint Assessment');
    expect(checkpointStates).toEqual(CHECKPOINTS.map((phase) => `Checkpoint ${phase}`));
    for (const phase of CHECKPOINTS) expect(definition.States[phase]?.Type).toBe('Pass');
  });

  test('each checkpoint invokes the checkpoint function with the session id, its name and the task token', () => {
    for (const [index, state] of checkpointStates.entries()) {
      const task = definition.States[state]!;
      expect(task.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(task.Parameters).toEqual({
        FunctionName: FUNCTION_ARN,
        Payload: { 'sessionId.$': '$$.Execution.Name', checkpoint: CHECKPOINTS[index], 'token.$': '$$.Task.Token' },
      });
      // A token held over a pause gets no heartbeats; the wait is capped at the longest session.
      expect(task.HeartbeatSeconds).toBeUndefined();
      expect(task.TimeoutSeconds).toBe(168 * 3600);
      expect(task.Retry?.flatMap((retrier) => retrier.ErrorEquals)).toEqual(
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException']),
      );
    }
  });

  test('a standard machine that may invoke the checkpoint function, which may answer its tokens; no dependency cycle', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Grants');
    const code = Code.fromInline('exports.handler = async () => ({})');
    const checkpointFunction = new LambdaFunction(stack, 'Checkpoint', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code });
    const api = new LambdaFunction(stack, 'Api', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code });
    new MentorshipStateMachine(stack, 'Mentorship', { checkpointFunction }).grantEngine(api);

    // Template.fromStack refuses a template with a dependency cycle.
    const template = Template.fromStack(stack);
    const functionId = stack.getLogicalId(checkpointFunction.node.defaultChild as CfnElement);
    const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const statementsOf = (rolePrefix: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(rolePrefix)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .map((statement) => ({ actions: [statement.Action].flat(), resource: statement.Resource }));

    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    expect(statementsOf('MentorshipStateMachineRole')).toContainEqual({
      actions: ['lambda:InvokeFunction'],
      resource: expect.arrayContaining([{ 'Fn::GetAtt': [functionId, 'Arn'] }]),
    });
    expect(statementsOf('CheckpointServiceRole')).toEqual([{ actions: ['states:SendTaskSuccess'], resource: { Ref: machineId } }]);
    expect(statementsOf('ApiServiceRole')).toEqual(
      expect.arrayContaining([
        { actions: ['states:StartExecution'], resource: { Ref: machineId } },
        { actions: ['states:SendTaskSuccess'], resource: { Ref: machineId } },
        expect.objectContaining({ actions: ['states:DescribeExecution', 'states:StopExecution'] }),
      ]),
    );
  });
});

describe('an execution in aws-local-stepfunctions', () => {
  test('an Active session passes the checkpoints one by one and the execution succeeds with its input', async () => {
    tokens.status.set(SESSION, 'Active');
    const input = { sessionId: SESSION, storyId: 'story-101' };

    const run = await startExecution(input);

    await expect(outcomeOf(run)).resolves.toEqual({ status: 'SUCCEEDED', output: input });
    const invocations = run.invocations;
    expect(invocations.map((call) => call.payload.checkpoint)).toEqual([...CHECKPOINTS]);
    expect(invocations.every((call) => call.payload.sessionId === SESSION && call.functionName === FUNCTION_ARN)).toBe(true);
    expect(new Set(invocations.map((call) => call.payload.token)).size).toBe(CHECKPOINTS.length);
    expect(sentOutputs()).toEqual(CHECKPOINTS.map((checkpoint) => ({ checkpoint })));
    expect(run.entered).toEqual(phasesAndCheckpoints);
    expect(tokens.held.size).toBe(0);
  });

  test('a session paused during a phase holds the token at the next checkpoint, and the execution waits until resume sends it back', async () => {
    tokens.status.set(SESSION, 'Active');
    // The pause commits while Implementation runs: the Quality checkpoint is the first to see it.
    tokens.beforeCheck = (checkpoint) => {
      if (checkpoint === 'Quality') tokens.status.set(SESSION, 'Paused');
    };
    const held = tokens.nextHold();

    const run = await startExecution({ sessionId: SESSION });
    await expect(held).resolves.toBe('Quality');
    await engine.suspend(EXECUTION_ARN);
    await drainEventLoop();

    expect(run.status).toBe('RUNNING');
    expect(run.entered).toEqual(phasesAndCheckpoints.slice(0, phasesAndCheckpoints.indexOf('Quality')));
    expect(tokens.held.get(SESSION)?.checkpoint).toBe('Quality');
    expect(sentOutputs()).toEqual([{ checkpoint: 'Assessment' }, { checkpoint: 'Planning' }, { checkpoint: 'Implementation' }]);

    // Resume: the service commits Active, then the engine sends the held token back.
    tokens.status.set(SESSION, 'Active');
    await engine.resume(EXECUTION_ARN);

    await expect(outcomeOf(run)).resolves.toEqual({ status: 'SUCCEEDED', output: { sessionId: SESSION } });
    expect(run.entered).toEqual(phasesAndCheckpoints);
    expect(sentOutputs()).toEqual([
      { checkpoint: 'Assessment' },
      { checkpoint: 'Planning' },
      { checkpoint: 'Implementation' },
      { resumed: true },
      { checkpoint: 'Review' },
      { checkpoint: 'Completion' },
    ]);
    expect(tokens.held.size).toBe(0);
  });

  test('cancel stops an execution held at a checkpoint; its token no longer resumes anything', async () => {
    tokens.status.set(SESSION, 'Paused');
    const held = tokens.nextHold();
    const run = await startExecution({ sessionId: SESSION });
    await expect(held).resolves.toBe('Assessment');
    await drainEventLoop();
    expect(run.status).toBe('RUNNING');

    await engine.cancel(EXECUTION_ARN);

    await expect(outcomeOf(run)).resolves.toEqual({ status: 'ABORTED', output: undefined });
    expect(run.entered).toEqual(['Checkpoint Assessment']);
    tokens.status.set(SESSION, 'Active');
    const error = await engine.resume(EXECUTION_ARN).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(WorkflowEngineError);
    expect((error as WorkflowEngineError).message).toMatch(/no longer waits at its checkpoint/);
  });

  test('a Lambda service error at a checkpoint is retried with a new token, and the execution goes on', async () => {
    tokens.status.set(SESSION, 'Active');

    failOnce.add('Planning');
    const run = await startExecution({ sessionId: SESSION });

    await expect(outcomeOf(run)).resolves.toEqual({ status: 'SUCCEEDED', output: { sessionId: SESSION } });
    const planning = run.invocations.filter((call) => call.payload.checkpoint === 'Planning');
    expect(planning).toHaveLength(2);
    expect(planning[0]!.payload.token).not.toBe(planning[1]!.payload.token);
    expect(sentOutputs()).toEqual(CHECKPOINTS.map((checkpoint) => ({ checkpoint })));
  });
});

describe('the checkpoint handler', () => {
  test('a paused session keeps the token and nothing is sent; an active one gets it back at once', async () => {
    const handler = makeHandler(new CheckpointService({ tokens, tasks: new SfnTaskCompletion(client) }));
    sfn.on(SendTaskSuccessCommand).resolves({});
    tokens.status.set(SESSION, 'Paused');
    tokens.status.set('other-session', 'Active');

    await expect(handler({ sessionId: SESSION, checkpoint: 'Review', token: 'token-a' })).resolves.toEqual({ outcome: 'held' });
    await expect(handler({ sessionId: 'other-session', checkpoint: 'Review', token: 'token-b' })).resolves.toEqual({ outcome: 'continue' });

    expect(tokens.held.get(SESSION)).toEqual({ token: 'token-a', checkpoint: 'Review' });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-b', output: JSON.stringify({ checkpoint: 'Review' }) },
    ]);
  });

  test.each([
    ['no token', { sessionId: SESSION, checkpoint: 'Review' }, /token/],
    ['an unknown checkpoint', { sessionId: SESSION, checkpoint: 'Lunch', token: 'secret-token' }, /checkpoint/],
    ['an extra field', { sessionId: SESSION, checkpoint: 'Review', token: 'secret-token', extra: 1 }, /extra/],
    ['not an object', 'secret-token', /\(event\)/],
  ])('refuses a payload with %s, naming the field and never the token', async (_case, event, field) => {
    const handler = makeHandler(new CheckpointService({ tokens, tasks: new SfnTaskCompletion(client) }));

    const error = await handler(event).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );

    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^Not a checkpoint event: /);
    expect(error!.message).toMatch(field);
    expect(error!.message).not.toContain('secret-token');
    expect(tokens.held.size).toBe(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});
