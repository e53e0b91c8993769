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
 * engine). Every method throws WorkflowEngineError when the engine fails.
 */
export interface WorkflowEngine {
  readonly name: string;
  start(input: StartWorkflowInput): Promise<{ instanceId: string }>;
  suspend(instanceId: string): Promise<void>;
  resume(instanceId: string): Promise<void>;
  cancel(instanceId: string): Promise<void>;
  /** Tells a running instance its session's config changed (check-in interval, escalation, notifications...). */
  updateConfig(instanceId: string, config: Readonly<Record<string, unknown>>): Promise<void>;
  status(instanceId: string): Promise<WorkflowInstanceStatus>;
  /** Why a Faulted instance faulted (the engine's incident or error), when the engine can tell. */
  faultOf?(instanceId: string): Promise<string | undefined>;
}
