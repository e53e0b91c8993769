/** The counters the service publishes, besides `Transitions` (see {@link Metrics.transition}). */
export type CounterName = 'SessionsStarted' | 'SessionsQueued' | 'SessionsTimedOut' | 'EngineErrors';

/** Values measured at one instant. */
export type GaugeName = 'OldestQueuedSessionAgeSeconds' | 'EngineCommandsOverdue';

/**
 * Where operational metrics go (CloudWatch EMF in Lambda; nothing locally or
 * in tests). No AWS type crosses it: the Lambda composition backs it with
 * Powertools Metrics, everything else with {@link NO_METRICS}.
 */
export interface Metrics {
  /** Adds one. */
  count(name: CounterName): void;
  /** One status change: the `Transitions` counter with its `operation` dimension (start, pause, ...). */
  transition(operation: string): void;
  gauge(name: GaugeName, value: number): void;
}

/** Metrics that go nowhere: the default outside Lambda. */
export const NO_METRICS: Metrics = { count: () => undefined, transition: () => undefined, gauge: () => undefined };
