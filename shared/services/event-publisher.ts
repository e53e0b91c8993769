import type { IntegrationEvent } from '../domain/integration-events';
import type { Clock } from '../ports/clock';
import type { BusFailure, IntegrationBus, IntegrationDeadLetters, PublishLog } from '../ports/webhooks';

export interface EventPublisherOptions {
  readonly bus: IntegrationBus;
  readonly log: PublishLog;
  readonly deadLetters: IntegrationDeadLetters;
  readonly clock: Clock;
  /** Publish calls per event before it is dead-lettered (default 3). */
  readonly maxAttempts?: number;
  readonly backoff?: (attempt: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** 200 ms, 400 ms, ... each scaled by a random 0.5-1.5. */
export const publishBackoff = (attempt: number): number => 200 * 2 ** (attempt - 1) * (0.5 + Math.random());
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Publishes integration events to the bus (EventBridge in AWS), like the
 * notifications: what the log says is settled is skipped; the entries the bus
 * did not take (a partial failure) are sent again, and only those, with
 * backoff; after the limit they are dead-lettered. Either way they are marked
 * settled, so a replay publishes nothing twice (at least once: a publish whose
 * mark fails is published again on the replay).
 */
export class EventPublisher {
  private readonly maxAttempts: number;

  constructor(private readonly deps: EventPublisherOptions) {
    this.maxAttempts = Math.max(1, deps.maxAttempts ?? 3);
  }

  /** Resolves when every event is published or dead-lettered; throws only when recording failed. */
  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    const settled = await this.deps.log.settled(events.map((event) => event.id));
    let pending = events.filter((event) => !settled.has(event.id));
    let failures: BusFailure[] = [];
    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt += 1) {
      failures = await this.deps.bus.publish(pending).catch((error: unknown) => pending.map((event) => ({ id: event.id, reason: reasonOf(error) })));
      const failed = new Set(failures.map((failure) => failure.id));
      const published = pending.filter((event) => !failed.has(event.id));
      if (published.length > 0) await this.deps.log.mark(published, 'published');
      pending = pending.filter((event) => failed.has(event.id));
      if (pending.length === 0) return;
      this.deps.logger?.warn('integration events not published', { attempt, failed: failures.map(({ id, reason }) => ({ id, reason })) });
      if (attempt < this.maxAttempts) await (this.deps.sleep ?? realSleep)((this.deps.backoff ?? publishBackoff)(attempt));
    }
    const failedAt = this.deps.clock.now().toISOString();
    for (const event of pending) {
      const error = failures.find((failure) => failure.id === event.id)?.reason ?? 'not published';
      await this.deps.deadLetters.put({ target: 'eventbridge', event, error, attempts: this.maxAttempts, failedAt });
    }
    if (pending.length > 0) await this.deps.log.mark(pending, 'dead');
  }
}
