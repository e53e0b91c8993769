import './polyfills';
import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandInput,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidOutput,
  InvalidToken,
  SendTaskSuccessCommand,
  type SendTaskSuccessCommandInput,
  type SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type StopExecutionCommandInput,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** DescribeExecution's statuses that a local run can reach. */
export type LocalExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One attempt of a Task state: the function invoked with the task's Payload (its token included). */
export interface TaskInvocation {
  readonly state: string;
  readonly functionName: unknown;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The task token minted for this attempt. */
  readonly token: string;
  /** What the function answered, once it has (the task itself ends on SendTaskSuccess). */
  answer?: unknown;
  /** What the function threw: the attempt failed. */
  error?: unknown;
}

/** One execution of the machine, as DescribeExecution shows it, plus what tests look at. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly name: string;
  /** The input string StartExecution got. */
  readonly input: string;
  readonly startDate: Date;
  readonly status: LocalExecutionStatus;
  readonly stopDate?: Date;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  /** State names in the order the run entered them. */
  readonly entered: readonly string[];
  readonly invocations: readonly TaskInvocation[];
  /** Resolves (never rejects) once the run has ended and its event log has been read. */
  readonly ended: Promise<void>;
}

export type BridgedCommand = 'StartExecution' | 'DescribeExecution' | 'StopExecution' | 'SendTaskSuccess';

export interface LocalStepFunctionsOptions {
  /** The mocked SFNClient (aws-sdk-client-mock): its four commands are answered by the bridge. */
  readonly sfn: AwsClientStub<SFNClient>;
  readonly stateMachineArn: string;
  /** The ASL, as CDK synthesizes it (synthesizeMentorshipDefinition). */
  readonly definition: Record<string, unknown>;
  /**
   * The function behind every Task state, given the task's Payload. A throw fails the attempt as a
   * function error does (Error: the error's name; Cause: its message), so the state's Retry applies.
   */
  readonly invoke: (payload: Readonly<Record<string, unknown>>, execution: LocalExecution) => Promise<unknown>;
  /** Hold every task invocation until `step` lets it go, so a test can act between phases. */
  readonly stepped?: boolean;
}

interface Gate {
  readonly invocation: TaskInvocation;
  readonly go: () => void;
  readonly answered: Promise<void>;
}

interface Run extends LocalExecution {
  status: LocalExecutionStatus;
  ended: Promise<void>;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly entered: string[];
  readonly invocations: TaskInvocation[];
  stepped: boolean;
  readonly gates: Gate[];
  /** Wakes `step` callers when a gate opens up or the run ends. */
  readonly listeners: (() => void)[];
  abort: () => void;
}

const aws = { $metadata: {} };

/** Validating a definition is the slow part of building a runner: once per definition object. */
const machines = new WeakMap<object, StateMachine>();

function machineOf(definition: Record<string, unknown>): StateMachine {
  let machine = machines.get(definition);
  if (machine === undefined) {
    machine = new StateMachine(definition as unknown as StateMachineDefinition);
    machines.set(definition, machine);
  }
  return machine;
}

/**
 * Step Functions' side of a mocked SFNClient, played by real local runs of the
 * definition in aws-local-stepfunctions (which has no API and no task tokens):
 * - StartExecution starts a run named by `name`. As on AWS, names are unique per
 *   machine: the same name and input while the run is open answers the same
 *   execution, any other reuse ExecutionAlreadyExists.
 * - DescribeExecution reports the run (status, error and cause when it failed);
 *   StopExecution aborts it, and its tokens stop being valid.
 * - A Task state mints a token per attempt and invokes `invoke`; the task ends
 *   when SendTaskSuccess names its token. An unknown token is InvalidToken; one
 *   whose task no longer waits (answered, failed, or its run ended) TaskDoesNotExist.
 */
export class LocalStepFunctions {
  private readonly machine: StateMachine;
  private readonly taskStates: string[];
  private readonly runs = new Map<string, Run>();
  private readonly waiting = new Map<string, { run: Run; settle: (output: unknown) => void }>();
  private readonly minted = new Set<string>();
  private readonly faults = new Map<BridgedCommand, ((input: unknown) => Promise<unknown>)[]>();
  private readonly executionPrefix: string;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.machine = machineOf(options.definition);
    const states = (options.definition as { States?: Record<string, { Type?: string }> }).States ?? {};
    this.taskStates = Object.entries(states)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name);
    this.executionPrefix = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
    const { sfn } = options;
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => this.answer('StartExecution', input, () => this.start(input)));
    sfn.on(DescribeExecutionCommand).callsFake((input: DescribeExecutionCommandInput) => this.answer('DescribeExecution', input, () => this.describe(input)));
    sfn.on(StopExecutionCommand).callsFake((input: StopExecutionCommandInput) => this.answer('StopExecution', input, () => this.stop(input)));
    sfn.on(SendTaskSuccessCommand).callsFake((input: SendTaskSuccessCommandInput) => this.answer('SendTaskSuccess', input, () => this.sendTaskSuccess(input)));
  }

  execution(name: string): LocalExecution | undefined {
    return this.runs.get(name);
  }

  executions(): LocalExecution[] {
    return [...this.runs.values()];
  }

  /** The tokens of this execution's tasks that wait for SendTaskSuccess. */
  waitingTokens(name: string): string[] {
    return [...this.waiting].filter(([, task]) => task.run.name === name).map(([token]) => token);
  }

  /** Fault injection: the next call of `command` gets `fault`'s answer (or rejection) and the bridge does nothing. */
  interceptNext(command: BridgedCommand, fault: (input: unknown) => Promise<unknown>): void {
    this.faults.set(command, [...(this.faults.get(command) ?? []), fault]);
  }

  /**
   * A stepped run: waits for its next task invocation, lets it go, and resolves once the
   * function has answered (or thrown). Rejects when the run ends with no invocation waiting.
   */
  async step(name: string): Promise<TaskInvocation> {
    const run = this.run(name);
    while (run.gates.length === 0) {
      if (run.status !== 'RUNNING') throw new Error(`Execution ${name} is ${run.status}: no task invocation to let go.`);
      await new Promise<void>((resolve) => run.listeners.push(resolve));
    }
    const gate = run.gates.shift()!;
    gate.go();
    await gate.answered;
    return gate.invocation;
  }

  /** A stepped run goes on by itself from here. */
  letRun(name: string): void {
    const run = this.run(name);
    run.stepped = false;
    for (const gate of run.gates.splice(0)) gate.go();
  }

  /** Aborts every open run: a waiting task keeps the runner's task timer (TimeoutSeconds) alive. */
  dispose(): void {
    for (const run of this.runs.values()) if (run.status === 'RUNNING') this.abort(run);
  }

  private run(name: string): Run {
    const run = this.runs.get(name);
    if (run === undefined) throw new Error(`No execution named ${name}.`);
    return run;
  }

  private async answer(command: BridgedCommand, input: unknown, act: () => unknown): Promise<unknown> {
    const fault = this.faults.get(command)?.shift();
    return fault === undefined ? act() : fault(input);
  }

  private start(input: StartExecutionCommandInput) {
    if (input.stateMachineArn !== this.options.stateMachineArn) {
      throw new StateMachineDoesNotExist({ ...aws, message: `State Machine Does Not Exist: '${String(input.stateMachineArn)}'` });
    }
    const name = input.name ?? randomUUID();
    const json = input.input ?? '{}';
    const existing = this.runs.get(name);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === json) return { executionArn: existing.executionArn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ ...aws, message: `Execution Already Exists: '${existing.executionArn}'` });
    }
    const run = this.launch(name, json);
    return { executionArn: run.executionArn, startDate: run.startDate };
  }

  private launch(name: string, input: string): Run {
    const executionArn = `${this.executionPrefix}${name}`;
    const run: Run = {
      executionArn,
      name,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      entered: [],
      invocations: [],
      stepped: this.options.stepped ?? false,
      gates: [],
      listeners: [],
      abort: () => undefined,
      ended: Promise.resolve(),
    };
    const minted = this.minted;
    let count = 0;
    const execution = this.machine.run(JSON.parse(input) as never, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(this.taskStates.map((state) => [state, (parameters: unknown) => this.task(run, state, parameters)])),
        retryIntervalOverrides: Object.fromEntries(this.taskStates.map((state) => [state, 0])),
      },
      context: {
        Execution: { Id: executionArn, Name: name },
        // A token per task attempt: the runner's context is static, so a getter mints them.
        Task: {
          get Token() {
            count += 1;
            const token = `${executionArn}#task-${count}`;
            minted.add(token);
            return token;
          },
        },
      },
    });
    run.abort = execution.abort;
    const logRead = (async () => {
      for await (const event of execution.eventLogs) if (event.type === 'StateEntered') run.entered.push(event.state.name);
    })();
    const settled = execution.result.then(
      (output) => {
        run.status = 'SUCCEEDED';
        run.output = JSON.stringify(output);
        run.stopDate = new Date();
      },
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return;
        run.status = error instanceof ExecutionTimeoutError ? 'TIMED_OUT' : 'FAILED';
        run.stopDate = new Date();
        // ExecutionError wraps what the failing state threw: its name is the Error, its message the Cause.
        const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        run.error = failure instanceof Error ? failure.name : 'States.Runtime';
        run.cause = failure instanceof Error ? failure.message : String(failure);
      },
    );
    run.ended = Promise.all([settled, logRead]).then(() => this.release(run));
    this.runs.set(name, run);
    return run;
  }

  /** One attempt of a Task state: invoke the function, then wait for SendTaskSuccess with this attempt's token. */
  private async task(run: Run, state: string, parameters: unknown): Promise<never> {
    // The state's Parameters, resolved by the runner: { FunctionName, Payload } for a Lambda task.
    const functionName = isRecord(parameters) ? parameters.FunctionName : undefined;
    const payload = isRecord(parameters) && isRecord(parameters.Payload) ? parameters.Payload : {};
    const token = String(payload.token);
    const invocation: TaskInvocation = { state, functionName, payload, token };
    run.invocations.push(invocation);
    let answered: () => void = () => undefined;
    if (run.stepped) {
      await new Promise<void>((go) => {
        run.gates.push({ invocation, go, answered: new Promise<void>((resolve) => (answered = resolve)) });
        this.wake(run);
      });
    }
    // Stopped while held at the gate: the function is never invoked, and the aborted run ignores the answer.
    if (run.status !== 'RUNNING') {
      answered();
      return null as never;
    }
    const output = new Promise<unknown>((settle) => this.waiting.set(token, { run, settle }));
    try {
      invocation.answer = await this.options.invoke(payload, run);
    } catch (error) {
      this.waiting.delete(token);
      invocation.error = error;
      throw error;
    } finally {
      answered();
    }
    return (await output) as never;
  }

  private describe(input: DescribeExecutionCommandInput): Partial<DescribeExecutionCommandOutput> {
    const run = this.byArn(input.executionArn);
    return {
      executionArn: run.executionArn,
      stateMachineArn: this.options.stateMachineArn,
      name: run.name,
      status: run.status,
      startDate: run.startDate,
      input: run.input,
      ...(run.stopDate !== undefined && { stopDate: run.stopDate }),
      ...(run.output !== undefined && { output: run.output }),
      ...(run.error !== undefined && { error: run.error }),
      ...(run.cause !== undefined && { cause: run.cause }),
    };
  }

  /** Stopping an execution that has already ended changes nothing. */
  private stop(input: StopExecutionCommandInput) {
    const run = this.byArn(input.executionArn);
    if (run.status === 'RUNNING') {
      this.abort(run);
      if (input.error !== undefined) run.error = input.error;
      if (input.cause !== undefined) run.cause = input.cause;
    }
    return { stopDate: run.stopDate };
  }

  private sendTaskSuccess(input: SendTaskSuccessCommandInput) {
    const token = input.taskToken ?? '';
    const task = this.waiting.get(token);
    if (task === undefined) {
      if (this.minted.has(token)) throw new TaskDoesNotExist({ ...aws, message: 'Task Does Not Exist' });
      throw new InvalidToken({ ...aws, message: 'Invalid Token' });
    }
    let output: unknown;
    try {
      output = JSON.parse(input.output ?? '');
    } catch {
      throw new InvalidOutput({ ...aws, message: 'Invalid Output' });
    }
    this.waiting.delete(token);
    task.settle(output);
    return {};
  }

  private byArn(executionArn: string | undefined): Run {
    const name = executionArn?.startsWith(this.executionPrefix) ? executionArn.slice(this.executionPrefix.length) : undefined;
    const run = name === undefined ? undefined : this.runs.get(name);
    if (run === undefined) throw new ExecutionDoesNotExist({ ...aws, message: `Execution Does Not Exist: '${String(executionArn)}'` });
    return run;
  }

  private abort(run: Run): void {
    run.status = 'ABORTED';
    run.stopDate = new Date();
    run.abort();
    this.release(run);
  }

  /** An ended run's waiting tasks and held invocations are let go, so no timer or `step` hangs on them. */
  private release(run: Run): void {
    for (const [token, task] of this.waiting) {
      if (task.run !== run) continue;
      this.waiting.delete(token);
      task.settle(null);
    }
    for (const gate of run.gates.splice(0)) gate.go();
    this.wake(run);
  }

  private wake(run: Run): void {
    for (const listener of run.listeners.splice(0)) listener();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
