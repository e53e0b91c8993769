import { WorkflowEngineError } from '../../shared/domain/errors';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../../shared/ports/workflow-engine';

type Method = 'start' | 'findByCorrelation' | 'suspend' | 'resume' | 'cancel' | 'status' | 'updateConfig';

/**
 * Wraps a real engine and fails the named calls, to drive the engine-failure
 * paths: `failOn` as a definite refusal (the engine said no, nothing applied),
 * `failAmbiguouslyOn` as a timeout (nothing applied, but the caller cannot know).
 */
export class FaultyEngine implements WorkflowEngine {
  readonly name: string;
  readonly reportsPause: boolean;
  readonly failing = new Set<Method>();
  readonly ambiguous = new Set<Method>();
  readonly calls: { method: Method; arg: string }[] = [];

  constructor(private readonly inner: WorkflowEngine) {
    this.name = `faulty-${inner.name}`;
    this.reportsPause = inner.reportsPause;
  }

  failOn(...methods: Method[]): this {
    for (const m of methods) this.failing.add(m);
    return this;
  }

  failAmbiguouslyOn(...methods: Method[]): this {
    for (const m of methods) this.ambiguous.add(m);
    return this;
  }

  heal(): void {
    this.failing.clear();
    this.ambiguous.clear();
  }

  private guard(method: Method, arg: string) {
    this.calls.push({ method, arg });
    if (this.failing.has(method)) throw new WorkflowEngineError(`injected ${method} failure`, { details: { failure: 'rejected' } });
    if (this.ambiguous.has(method)) throw new WorkflowEngineError(`injected ${method} timeout`, { details: { failure: 'timeout' } });
  }

  async start(input: StartWorkflowInput): Promise<{ instanceId: string }> {
    this.guard('start', input.correlationId);
    return this.inner.start(input);
  }
  async findByCorrelation(correlationId: string): Promise<string | undefined> {
    this.guard('findByCorrelation', correlationId);
    return this.inner.findByCorrelation(correlationId);
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
