import type { SessionChange, SessionRepository } from '../../shared/ports/session-repository';

/**
 * A store that holds commits until `parties` of them are waiting, then lets
 * them all go at once: every racer has read the same version before any
 * writes, so the race is real rather than left to timing.
 */
export function gateCommits(inner: SessionRepository, parties: number): SessionRepository {
  let waiting: (() => void)[] = [];
  const gate = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === parties) {
        const release = waiting;
        waiting = [];
        for (const go of release) go();
      }
    });
  let armed = true;
  const commit = async (change: SessionChange) => {
    if (armed) {
      await gate();
      armed = waiting.length > 0;
    }
    return inner.commit(change);
  };
  // Every other method goes straight to the real store.
  return new Proxy(inner, {
    get: (target, property, receiver) =>
      property === 'commit'
        ? commit
        : ((Reflect.get(target, property, receiver) as unknown as (...a: unknown[]) => unknown).bind?.(target) ?? Reflect.get(target, property, receiver)),
  });
}
