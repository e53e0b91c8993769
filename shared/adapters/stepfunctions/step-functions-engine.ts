import type { DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { WorkflowEngineError } from '../../domain/errors';
import type { HeldToken, TaskTokens } from '../../ports/task-tokens';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../../ports/workflow-engine';

export interface StepFunctionsWorkflowEngineOptions {
  /** Defaults to a client for the environment's region, made on first use. */
  readonly client?: SFNClient;
  /** The mentorship state machine (infra/constructs/mentorship-state-machine.ts). */
  readonly stateMachineArn: string;
  readonly tokens: TaskTokens;
}

const STATUSES: Readonly<Record<string, WorkflowInstanceStatus>> = {
  RUNNING: 'Running',
  // A failed execution being redriven runs again.
  PENDING_REDRIVE: 'Running',
  SUCCEEDED: 'Finished',
  FAILED: 'Faulted',
  TIMED_OUT: 'Faulted',
  ABORTED: 'Cancelled',
};

/**
 * The workflow engine on AWS Step Functions: one execution of the mentorship
 * state machine per session, named by the session id, so the instance id is
 * the execution ARN and its last `:` segment is the session id.
 *
 * Step Functions cannot pause an execution. Pausing is the session's status,
 * which the service commits before it calls the engine: the execution runs on
 * to its next checkpoint, whose Lambda sees the session Paused and keeps the
 * task token (TaskTokens). Resume sends that token back.
 */
export class StepFunctionsWorkflowEngine implements WorkflowEngine {
  readonly name = 'stepfunctions';
  /** A paused session's execution runs on to its next checkpoint and waits there: 'Running' either way. */
  readonly reportsPause = false;
  private client: SFNClient | undefined;
  private readonly stateMachineArn: string;
  private readonly tokens: TaskTokens;
  /** `arn:<partition>:states:<region>:<account>:execution:<machine>:`: the session id follows. */
  private readonly executionPrefix: string;

  constructor(options: StepFunctionsWorkflowEngineOptions) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
    this.tokens = options.tokens;
    this.executionPrefix = executionPrefixOf(options.stateMachineArn);
  }

  async start({ correlationId, input }: StartWorkflowInput): Promise<{ instanceId: string }> {
    const { sdk, client } = await this.sfn();
    try {
      const { executionArn } = await client.send(
        new sdk.StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: correlationId, input: JSON.stringify(input) }),
      );
      if (executionArn === undefined) throw new Error('StartExecution answered no executionArn.');
      return { instanceId: executionArn };
    } catch (error) {
      if (!(error instanceof sdk.ExecutionAlreadyExists)) throw engineError('start', error);
    }
    // A retried start: names are unique per state machine, so the session's execution is already there.
    const instanceId = `${this.executionPrefix}${correlationId}`;
    const existing = await this.describe('start', instanceId);
    if (existing === undefined || existing.name !== correlationId || !this.isOurMachine(existing)) {
      throw new WorkflowEngineError(`Step Functions refused to start execution ${correlationId} and holds no such execution of this state machine.`, {
        details: { operation: 'start', instanceId, failure: 'rejected' },
      });
    }
    return { instanceId };
  }

  /** The execution is named by the session id: DescribeExecution of that name on this machine. */
  async findByCorrelation(correlationId: string): Promise<string | undefined> {
    const instanceId = `${this.executionPrefix}${correlationId}`;
    const found = await this.describe('start', instanceId);
    return found !== undefined && found.name === correlationId && this.isOurMachine(found) ? instanceId : undefined;
  }

  /**
   * No API call: Step Functions has no pause. The session is already Paused when
   * this is called, so the execution stops at its next checkpoint, which holds
   * its token until resume.
   */
  async suspend(instanceId: string): Promise<void> {
    this.sessionIdOf('suspend', instanceId);
  }

  /**
   * Sends back the token a checkpoint held while the session was paused. None
   * held: the execution has not reached a checkpoint since the pause, and that
   * checkpoint will find the session Active and go on by itself.
   */
  async resume(instanceId: string): Promise<void> {
    const sessionId = this.sessionIdOf('resume', instanceId);
    let held: HeldToken | undefined;
    try {
      held = await this.tokens.take(sessionId);
    } catch (error) {
      throw engineError('resume', error, instanceId);
    }
    if (held === undefined) return;
    const { sdk, client } = await this.sfn();
    try {
      await client.send(new sdk.SendTaskSuccessCommand({ taskToken: held.token, output: JSON.stringify({ resumed: true }) }));
    } catch (error) {
      if (error instanceof sdk.TaskTimedOut || error instanceof sdk.TaskDoesNotExist || error instanceof sdk.InvalidToken) {
        throw new WorkflowEngineError(
          `Execution ${sessionId} no longer waits at its checkpoint (the checkpoint timed out or the execution ended): it cannot be resumed.`,
          { cause: error, details: { operation: 'resume', instanceId, failure: 'rejected' } },
        );
      }
      // Any other failure may be transient (the resume command stays pending) or a refusal (the session reverts to Paused):
      // either way the token is put back for the next try.
      await this.tokens.restore(sessionId, held).catch(() => undefined);
      throw engineError('resume', error, instanceId);
    }
  }

  /** Stops the execution. One that already ended is fine; one that never existed is an error. */
  async cancel(instanceId: string): Promise<void> {
    this.sessionIdOf('cancel', instanceId);
    const { sdk, client } = await this.sfn();
    try {
      await client.send(new sdk.StopExecutionCommand({ executionArn: instanceId, cause: 'The mentorship session was cancelled.' }));
      return;
    } catch (error) {
      const found = await this.describe('cancel', instanceId);
      if (found === undefined) {
        throw new WorkflowEngineError(`Step Functions has no execution ${instanceId} to cancel.`, {
          cause: error,
          details: { operation: 'cancel', instanceId, failure: 'not_found' },
        });
      }
      if (found.status === 'RUNNING' || found.status === 'PENDING_REDRIVE') throw engineError('cancel', error, instanceId);
    }
  }

  /**
   * No API call: the execution reads no config (check-ins, escalation and
   * notifications are the service's, from the session item).
   */
  async updateConfig(instanceId: string, _config: Readonly<Record<string, unknown>>): Promise<void> {
    this.sessionIdOf('updateConfig', instanceId);
  }

  /** A paused session's execution is 'Running' (waiting at a checkpoint is running, for Step Functions). */
  async status(instanceId: string): Promise<WorkflowInstanceStatus> {
    this.sessionIdOf('status', instanceId);
    const found = await this.describe('status', instanceId);
    if (found === undefined) return 'NotFound';
    const status = STATUSES[found.status ?? ''];
    if (status === undefined) {
      throw new WorkflowEngineError(`Step Functions answered an unknown status '${String(found.status)}' for execution ${instanceId}.`, {
        details: { operation: 'status', instanceId },
      });
    }
    return status;
  }

  /** A failed execution's error and cause, for the session's failure context. */
  async faultOf(instanceId: string): Promise<string | undefined> {
    this.sessionIdOf('faultOf', instanceId);
    const found = await this.describe('faultOf', instanceId);
    const parts = [found?.error, found?.cause].filter((part): part is string => typeof part === 'string' && part !== '');
    return parts.length === 0 ? undefined : parts.join(': ').slice(0, 500);
  }

  /** DescribeExecution; undefined when the execution does not exist. */
  private async describe(operation: string, instanceId: string): Promise<DescribeExecutionCommandOutput | undefined> {
    const { sdk, client } = await this.sfn();
    try {
      return await client.send(new sdk.DescribeExecutionCommand({ executionArn: instanceId }));
    } catch (error) {
      if (error instanceof sdk.ExecutionDoesNotExist) return undefined;
      throw engineError(operation, error, instanceId);
    }
  }

  /**
   * The SDK module and the client, loaded on first use: a function whose
   * requests never reach the engine never loads the Step Functions client.
   */
  private async sfn(): Promise<{ sdk: typeof import('@aws-sdk/client-sfn'); client: SFNClient }> {
    const sdk = await import('@aws-sdk/client-sfn');
    this.client ??= new sdk.SFNClient({});
    return { sdk, client: this.client };
  }

  private isOurMachine(execution: DescribeExecutionCommandOutput): boolean {
    return [execution.stateMachineArn, execution.stateMachineVersionArn, execution.stateMachineAliasArn].includes(this.stateMachineArn);
  }

  /** The session id of one of this machine's executions; anything else (another engine's id) is refused. */
  private sessionIdOf(operation: string, instanceId: string): string {
    const sessionId = instanceId.slice(this.executionPrefix.length);
    if (!instanceId.startsWith(this.executionPrefix) || sessionId === '' || sessionId.includes(':')) {
      throw new WorkflowEngineError(`'${instanceId}' is not an execution of the mentorship state machine.`, {
        details: { operation, instanceId, failure: 'rejected' },
      });
    }
    return sessionId;
  }
}

/** `arn:aws:states:r:a:stateMachine:X` (or a version/alias of X) -> `arn:aws:states:r:a:execution:X:`. */
function executionPrefixOf(stateMachineArn: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts.length > 8 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'stateMachine' || !parts[6]) {
    throw new Error(`STATE_MACHINE_ARN '${stateMachineArn}' is not a Step Functions state machine ARN.`);
  }
  return `${parts.slice(0, 5).join(':')}:execution:${parts[6]}:`;
}

/**
 * An SDK failure: a refusal when AWS answered a client error that no retry
 * will change (validation, access denied, a missing machine); ambiguous
 * otherwise (throttling, 5xx, network, timeouts: the call may have landed).
 */
function engineError(operation: string, cause: unknown, instanceId?: string): WorkflowEngineError {
  const sdkError = cause as { $fault?: string; $retryable?: unknown; name?: string } | undefined;
  const refused = sdkError?.$fault === 'client' && sdkError.$retryable === undefined && !/Throttl|TooManyRequests/i.test(sdkError.name ?? '');
  return new WorkflowEngineError(`The Step Functions workflow engine failed to ${operation}.`, {
    cause,
    details: { operation, ...(instanceId !== undefined && { instanceId }), failure: refused ? 'rejected' : 'unavailable' },
  });
}
