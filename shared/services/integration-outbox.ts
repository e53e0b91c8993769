import { toIntegrationEvent } from '../domain/integration-events';
import type { SessionEvent } from '../domain/model';
import type { SessionRepository } from '../ports/session-repository';
import type { EventPublisher } from './event-publisher';
import type { WebhookDispatcher } from './webhook-dispatcher';

export interface IntegrationOutboxOptions {
  readonly sessions: Pick<SessionRepository, 'getSessionWithEvents'>;
  /** Absent when no bus is configured. */
  readonly publisher?: EventPublisher;
  readonly webhooks: WebhookDispatcher;
}

/**
 * Every audit event leaves as an integration event (the stream hands it over,
 * after the fact): to the bus and to the webhooks that want it, side by side.
 * Throws only when recording an outcome failed, so the stream retries the
 * record; both sides skip what they already settled.
 */
export class IntegrationOutbox {
  constructor(private readonly deps: IntegrationOutboxOptions) {}

  async deliverFor(event: SessionEvent): Promise<void> {
    const found = await this.deps.sessions.getSessionWithEvents(event.sessionId);
    // Gone (its data expired): there is no envelope to build.
    if (found === undefined) return;
    const integrationEvent = toIntegrationEvent(event, found.session, found.events);
    const outcomes = await Promise.allSettled([this.deps.publisher?.publish([integrationEvent]), this.deps.webhooks.deliver(integrationEvent)]);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
