import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnStateMachine,
  Chain,
  DefinitionBody,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  Pass,
  type State,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CHECKPOINTS } from '../../shared/services/checkpoint-service';

export interface MentorshipStateMachineProps {
  /**
   * Handles each checkpoint (functions/engine/checkpoint.ts): holds the token of a paused session, or sends it back at once.
   * It is granted states:SendTaskSuccess on the machine; an imported function without a role must be granted by its owner.
   */
  readonly checkpointFunction: IFunction;
}

/**
 * How long a checkpoint may wait. It waits for at most one pause (a session
 * that is not paused gets its token back at once), and the service ends a pause
 * at `pause_timeout_hours`; the cap is generous, the longest session a config
 * allows (168 h), so only an execution whose token was lost fails on it instead
 * of waiting a year. No heartbeat: nobody beats for a token held over a pause.
 */
export const CHECKPOINT_TIMEOUT = Duration.hours(168);

/**
 * The checkpoint skeleton of a mentorship session's workflow. The phases
 * (the vocabulary's groups) are Pass states: their work happens in the parent
 * platform. Before each phase the execution passes a checkpoint task
 * (waitForTaskToken), which is where a paused session stops: the checkpoint
 * Lambda keeps the token while the session is Paused and resume sends it back.
 * The execution name is the session id.
 */
export class MentorshipStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: MentorshipStateMachineProps) {
    super(scope, id);
    const steps = CHECKPOINTS.flatMap((phase): State[] => [
      LambdaInvoke.jsonPath(this, `Checkpoint ${phase}`, {
        lambdaFunction: props.checkpointFunction,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({
          sessionId: JsonPath.stringAt('$$.Execution.Name'),
          checkpoint: phase,
          token: JsonPath.taskToken,
        }),
        taskTimeout: Timeout.duration(CHECKPOINT_TIMEOUT),
        // Lambda's own failures (ServiceException, SdkClientException...) are retried by default.
        retryOnServiceExceptions: true,
        // The checkpoint's answer is not data: the phases keep seeing the execution's input.
        resultPath: JsonPath.DISCARD,
      }).addRetry({
        // Throttling, and the handler's own failures (DynamoDB unreachable...): it is
        // idempotent (a retry's token replaces the one it held), so a retry is safe.
        errors: ['Lambda.TooManyRequestsException', 'States.TaskFailed'],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
      }),
      new Pass(this, phase, { comment: `The ${phase} phase: its work happens in the parent platform.` }),
    ]);
    const [first, ...rest] = steps;
    const chain = rest.reduce((chained, step) => chained.next(step), Chain.start(first!));

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // Standard: waitForTaskToken, executions up to a year, names unique per machine (idempotent starts).
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(chain),
      tracingEnabled: true,
      // Every state transition is logged, without execution data: inputs and outputs hold task tokens.
      logs: {
        destination: new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      comment: 'Mentorship session checkpoints: a paused session holds its execution at the next checkpoint.',
    });
    // The checkpoint Lambda answers its task itself when the session is not paused. A policy of
    // its own, not the function's default one: the function waits for that one, and the machine
    // for the function (its ARN is in the definition), so granting there would be a cycle.
    const role = props.checkpointFunction.role;
    if (role !== undefined) {
      new Policy(this, 'CheckpointTaskResponse', {
        roles: [role],
        statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [this.stateMachine.stateMachineArn] })],
      });
    }
  }

  /** What a function driving sessions through StepFunctionsWorkflowEngine needs: start, describe, stop, resume. */
  grantEngine(grantee: IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
    this.stateMachine.grantExecution(grantee, 'states:DescribeExecution', 'states:StopExecution');
    this.stateMachine.grant(grantee, 'states:SendTaskSuccess');
  }
}

/** Fills the intrinsics CDK leaves in a DefinitionString (`Fn::Join` of strings and `Ref`s). */
function resolveDefinitionString(value: unknown, refs: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const join = (value as { 'Fn::Join'?: unknown })['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part: unknown) => resolveDefinitionString(part, refs)).join(join[0]);
    }
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && refs[ref] !== undefined) return refs[ref];
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition.`);
}

/**
 * The ASL definition exactly as CDK synthesizes it, for tests and local runs:
 * a throwaway stack with the checkpoint function imported from `checkpointFunctionArn`,
 * its template's DefinitionString with the partition filled in.
 */
export function synthesizeMentorshipDefinition(checkpointFunctionArn: string, partition = 'aws'): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'MentorshipDefinition');
  const checkpointFunction = LambdaFunction.fromFunctionArn(stack, 'Checkpoint', checkpointFunctionArn);
  const machine = new MentorshipStateMachine(stack, 'Mentorship', { checkpointFunction });
  const logicalId = stack.getLogicalId(machine.stateMachine.node.defaultChild as CfnStateMachine);
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Properties: { DefinitionString: unknown } }> };
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`The synthesized template has no resource ${logicalId}.`);
  return JSON.parse(resolveDefinitionString(resource.Properties.DefinitionString, { 'AWS::Partition': partition })) as Record<string, unknown>;
}
