import type { Metrics } from '../ports/metrics';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../ports/workflow-engine';

/** A workflow engine whose every failed call counts one `EngineErrors` (then fails as before). */
export class MeteredWorkflowEngine implements WorkflowEngine {
  readonly name: string;
  readonly reportsPause: boolean;
  readonly faultOf?: (instanceId: string) => Promise<string | undefined>;

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly metrics: Metrics,
  ) {
    this.name = engine.name;
    this.reportsPause = engine.reportsPause;
    if (engine.faultOf !== undefined) this.faultOf = (id) => this.metered(() => engine.faultOf!(id));
  }

  start(input: StartWorkflowInput): Promise<{ instanceId: string }> {
    return this.metered(() => this.engine.start(input));
  }
  findByCorrelation(correlationId: string): Promise<string | undefined> {
    return this.metered(() => this.engine.findByCorrelation(correlationId));
  }
  suspend(instanceId: string): Promise<void> {
    return this.metered(() => this.engine.suspend(instanceId));
  }
  resume(instanceId: string): Promise<void> {
    return this.metered(() => this.engine.resume(instanceId));
  }
  cancel(instanceId: string): Promise<void> {
    return this.metered(() => this.engine.cancel(instanceId));
  }
  updateConfig(instanceId: string, config: Readonly<Record<string, unknown>>): Promise<void> {
    return this.metered(() => this.engine.updateConfig(instanceId, config));
  }
  status(instanceId: string): Promise<WorkflowInstanceStatus> {
    return this.metered(() => this.engine.status(instanceId));
  }

  private async metered<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.metrics.count('EngineErrors');
      throw error;
    }
  }
}
