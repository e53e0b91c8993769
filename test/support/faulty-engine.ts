import { WorkflowEngineError } from '../../shared/domain/errors';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../../shared/ports/workflow-engine';

type Method = 'start' | 'suspend' | 'resume' | 'cancel' | 'status' | 'updateConfig';

/** Wraps a real engine and fails the named calls, to drive the engine-failure paths. */
export class FaultyEngine implements WorkflowEngine {
  readonly name: string;
  readonly failing = new Set<Method>();
  readonly calls: { method: Method; arg: string }[] = [];

  constructor(private readonly inner: WorkflowEngine) {
    this.name = `faulty-${inner.name}`;
  }

  failOn(...methods: Method[]): this {
    for (const m of methods) this.failing.add(m);
    return this;
  }

  heal(): void {
    this.failing.clear();
  }

  private guard(method: Method, arg: string) {
    this.calls.push({ method, arg });
    if (this.failing.has(method)) throw new WorkflowEngineError(`injected ${method} failure`);
  }

  async start(input: StartWorkflowInput): Promise<{ instanceId: string }> {
    this.guard('start', input.correlationId);
    return this.inner.start(input);
  }
  async suspend(id: string): Promise<void> {
    this.guard('suspend', id);
    return this.inner.suspend(id);
  }
  async resume(id: string): Promise<void> {
    this.guard('resume', id);
    return this.inner.resume(id);
  }
  async cancel(id: string): Promise<void> {
    this.guard('cancel', id);
    return this.inner.cancel(id);
  }
  async updateConfig(id: string, config: Readonly<Record<string, unknown>>): Promise<void> {
    this.guard('updateConfig', id);
    return this.inner.updateConfig(id, config);
  }
  async status(id: string): Promise<WorkflowInstanceStatus> {
    this.guard('status', id);
    return this.inner.status(id);
  }
}
