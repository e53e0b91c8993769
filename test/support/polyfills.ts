/**
 * `Promise.withResolvers` (Node 22) for the Node 20 these tests run on:
 * aws-local-stepfunctions calls it in every Task state. Import it first in a
 * test file that runs a state machine.
 */
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };

const promiseConstructor = Promise as unknown as { withResolvers?: WithResolvers };

if (typeof promiseConstructor.withResolvers !== 'function') {
  const withResolvers: WithResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true });
}

export {};
