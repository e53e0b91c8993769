import type { IntegrationEvent } from '../domain/integration-events';
import { type WebhookDelivery, WebhookRefusedError, type WebhookSubscription, wantsEvent } from '../domain/webhooks';
import type { Clock } from '../ports/clock';
import type { WebhookDeliveries, WebhookSender, WebhookSubscriptions } from '../ports/webhooks';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

export interface WebhookDispatcherOptions {
  readonly subscriptions: WebhookSubscriptions;
  readonly deliveries: WebhookDeliveries;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  /** Posts per event and subscription before it is dead-lettered (default 4). */
  readonly maxAttempts?: number;
  /** The pause after failed attempt `attempt` (1-based), in ms. */
  readonly backoff?: (attempt: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** 500 ms, 1 s, 2 s, ... each scaled by a random 0.5-1.5. */
export const webhookBackoff = (attempt: number): number => 500 * 2 ** (attempt - 1) * (0.5 + Math.random());
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Posts integration events to the subscriptions that want them, signed, from
 * the table's stream. Per subscription and event: skipped when a record says it
 * is already settled (a replay sends nothing twice), else posted until a 2xx,
 * retried with backoff, dead-lettered after the limit (or at once when the URL
 * now resolves to a refused address). The stream hands a session's events over
 * one at a time in sequence order and this settles each before it returns, so a
 * later event of the session never overtakes an earlier one. Subscriptions go
 * side by side: a failing one does not hold the others' delivery of this event.
 */
export class WebhookDispatcher {
  private readonly maxAttempts: number;

  constructor(private readonly deps: WebhookDispatcherOptions) {
    this.maxAttempts = Math.max(1, deps.maxAttempts ?? 4);
  }

  /** Resolves when every wanting subscription has the event delivered or dead-lettered; throws only when recording failed. */
  async deliver(event: IntegrationEvent): Promise<void> {
    // A subscription receives what was written after it existed, also when older records are replayed.
    const subscriptions = (await this.deps.subscriptions.list()).filter(
      (subscription) => wantsEvent(subscription, event.type) && event.recordedAt >= subscription.createdAt,
    );
    const outcomes = await Promise.allSettled(subscriptions.map((subscription) => this.settle(subscription, event)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async settle(subscription: WebhookSubscription, event: IntegrationEvent): Promise<void> {
    const known = await this.deps.deliveries.get(subscription.id, event.id);
    if (known !== undefined && known.status !== 'failing') return;
    const signing = await this.deps.subscriptions.withSecret(subscription.id);
    if (signing === undefined) return;
    const body = JSON.stringify(event);
    const base = {
      subscriptionId: subscription.id,
      eventId: event.id,
      eventType: event.type,
      sessionId: event.sessionId,
      sequence: event.sequence,
    };
    let record: WebhookDelivery = { ...base, status: 'failing', attempts: known?.attempts ?? 0, updatedAt: this.now() };
    // A delivery cut short (the process died mid-retry) goes on from its count.
    const last = Math.max(record.attempts + 1, this.maxAttempts);
    for (let attempt = record.attempts + 1; attempt <= last; attempt += 1) {
      const outcome = await this.attempt(signing.subscription.url, signing.secret, event, body, attempt);
      record = { ...base, attempts: attempt, updatedAt: this.now(), ...outcome };
      if (outcome.status === 'delivered') break;
      if (outcome.status === 'dead' || attempt === last) {
        record = { ...record, status: 'dead' };
        break;
      }
      await this.deps.deliveries.put(record, event);
      this.deps.logger?.warn('webhook attempt failed', { subscriptionId: subscription.id, eventId: event.id, attempt, reason: record.lastError });
      await (this.deps.sleep ?? realSleep)((this.deps.backoff ?? webhookBackoff)(attempt));
    }
    await this.deps.deliveries.put(record, event);
  }

  /** One post: delivered on a 2xx, failing otherwise, dead when the address is refused (retrying cannot help). */
  private async attempt(
    url: string,
    secret: string,
    event: IntegrationEvent,
    body: string,
    attempt: number,
  ): Promise<Pick<WebhookDelivery, 'status' | 'lastStatusCode' | 'lastError'>> {
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, body),
      'x-mentorship-event-id': event.id,
      'x-mentorship-event-type': event.type,
      'x-mentorship-delivery-attempt': String(attempt),
    };
    try {
      const { statusCode } = await this.deps.sender.post(url, body, headers);
      if (statusCode >= 200 && statusCode < 300) return { status: 'delivered', lastStatusCode: statusCode };
      return { status: 'failing', lastStatusCode: statusCode, lastError: `the receiver answered ${statusCode}` };
    } catch (error) {
      return { status: error instanceof WebhookRefusedError ? 'dead' : 'failing', lastError: reasonOf(error) };
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
