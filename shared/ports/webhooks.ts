import type { IntegrationEvent } from '../domain/integration-events';
import type { WebhookDelivery, WebhookDeliveryStatus, WebhookSecret, WebhookSubscription } from '../domain/webhooks';

export type { WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from '../domain/webhooks';

/** Webhook subscriptions, with the secret each signs with (read only to sign, never listed). */
export interface WebhookSubscriptions {
  create(subscription: WebhookSubscription, secret: WebhookSecret): Promise<void>;
  get(id: string): Promise<WebhookSubscription | undefined>;
  /** Every subscription, oldest first (a short list: a few per integration). */
  list(): Promise<WebhookSubscription[]>;
  /** The subscription with its secret, for signing; undefined when it is gone. */
  withSecret(id: string): Promise<{ subscription: WebhookSubscription; secret: WebhookSecret } | undefined>;
  /** Undefined when it is gone. */
  setPaused(id: string, paused: boolean, at: string): Promise<WebhookSubscription | undefined>;
  /** True when it existed. Its delivery records expire on their own. */
  delete(id: string): Promise<boolean>;
}

/** A page of a subscription's deliveries, newest first. */
export interface WebhookDeliveryPage {
  readonly items: readonly WebhookDelivery[];
  readonly next?: string;
}

/**
 * What became of each event for each subscription: one record per
 * subscription and event id, so a replayed stream finds every settled
 * delivery and sends nothing twice.
 */
export interface WebhookDeliveries {
  get(subscriptionId: string, eventId: string): Promise<WebhookDelivery | undefined>;
  put(delivery: WebhookDelivery, event: IntegrationEvent): Promise<void>;
  list(subscriptionId: string, options: { limit: number; status?: WebhookDeliveryStatus; cursor?: string }): Promise<WebhookDeliveryPage>;
}

/** The receiver's answer to one attempt. */
export interface WebhookResponse {
  readonly statusCode: number;
}

/**
 * Posts one signed delivery. Throws WebhookRefusedError when the URL resolves
 * to an address it may not reach (checked at connect time, so a DNS answer that
 * changed since registration cannot redirect it), any other error when the
 * receiver could not be reached.
 */
export interface WebhookSender {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<WebhookResponse>;
}

/** Checks a URL's host at registration: every address it resolves to must be allowed. */
export interface WebhookUrlCheck {
  /** The reason the host is refused, or undefined when every address it resolves to is allowed. */
  refusal(url: string): Promise<string | undefined>;
}

/** An entry the bus did not take, with its reason. */
export interface BusFailure {
  readonly id: string;
  readonly reason: string;
}

/** Where integration events are published (EventBridge in AWS, the log locally). */
export interface IntegrationBus {
  /** Publishes the events; resolves with the ones the bus did not take (throws when the call itself failed). */
  publish(events: readonly IntegrationEvent[]): Promise<BusFailure[]>;
}

/** An integration event the bus refused every time, kept for an operator. */
export interface IntegrationDeadLetter {
  readonly target: 'eventbridge';
  readonly event: IntegrationEvent;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
}

export interface IntegrationDeadLetters {
  put(letter: IntegrationDeadLetter): Promise<void>;
}

/** Which integration events the bus has settled (published or dead-lettered), by event id. */
export interface PublishLog {
  settled(eventIds: readonly string[]): Promise<Set<string>>;
  mark(events: readonly IntegrationEvent[], state: 'published' | 'dead'): Promise<void>;
}
