import type { SessionRepository } from '../../shared/ports/session-repository';
import type { WorkflowEngine } from '../../shared/ports/workflow-engine';

/**
 * A view of the store that reports an empty queue to the lifecycle read, so a
 * release does not drain in-request: the stream, the schedule or an explicit
 * drain must do it (what those tests and the drain benchmark measure).
 */
export function hideQueueFromReleases(store: SessionRepository): SessionRepository {
  return new Proxy(store, {
    get: (target, property, receiver) =>
      property === 'getSessionAndQueueLength'
        ? async (id: string) => ({ ...(await target.getSessionAndQueueLength(id)), queueLength: 0 })
        : (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown).bind(target),
  });
}

/** An engine that accepts every call without I/O, where the engine is not what is measured. */
export const acceptingEngine: WorkflowEngine = {
  name: 'accepting',
  reportsPause: false,
  findByCorrelation: async () => undefined,
  start: async ({ correlationId }) => ({ instanceId: `accepted-${correlationId}` }),
  suspend: async () => undefined,
  resume: async () => undefined,
  cancel: async () => undefined,
  updateConfig: async () => undefined,
  status: async () => 'Running',
};

/** The engine with one method replaced by `wrap(original)`; every other call goes to the engine as it is. */
export function withEngineMethod<K extends 'start' | 'status'>(inner: WorkflowEngine, name: K, wrap: (original: WorkflowEngine[K]) => WorkflowEngine[K]): WorkflowEngine {
  const replaced = wrap(inner[name].bind(inner) as WorkflowEngine[K]);
  return new Proxy(inner, {
    get: (target, property, receiver) => {
      if (property === name) return replaced;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
