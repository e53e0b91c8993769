import type { EngineInstanceStatus } from '../domain/reconciliation';

/** The engine's view of one workflow instance. */
export type WorkflowInstanceStatus = EngineInstanceStatus;

export interface StartWorkflowInput {
  /** The session id: a retried start with the same id must not create a second instance. */
  readonly correlationId: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * The workflow behind each session (Elsa 3, Step Functions, or the embedded
 * engine). Every method throws WorkflowEngineError when the engine fails; a
 * failure the engine refused carries `details.failure` (see isEngineRefusal),
 * any other is ambiguous. Commands are convergent: suspend, resume and cancel
 * bring the instance to that state and do nothing when it is there already,
 * so a command may be sent again whenever it is not known to have landed.
 */
export interface WorkflowEngine {
  readonly name: string;
  /** Whether `status` tells a suspended (paused) instance from a running one; Step Functions cannot. */
  readonly reportsPause: boolean;
  start(input: StartWorkflowInput): Promise<{ instanceId: string }>;
  /** The instance started with this correlation id (the session id), if the engine holds one: a start is adopted, never repeated. */
  findByCorrelation(correlationId: string): Promise<string | undefined>;
  suspend(instanceId: string): Promise<void>;
  resume(instanceId: string): Promise<void>;
  cancel(instanceId: string): Promise<void>;
  /** Tells a running instance its session's config changed (check-in interval, escalation, notifications...). */
  updateConfig(instanceId: string, config: Readonly<Record<string, unknown>>): Promise<void>;
  status(instanceId: string): Promise<WorkflowInstanceStatus>;
  /** Why a Faulted instance faulted (the engine's incident or error), when the engine can tell. */
  faultOf?(instanceId: string): Promise<string | undefined>;
}
