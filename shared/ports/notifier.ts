import type { Notification, NotificationChannel } from '../domain/notifications';

/** The message types are the domain's (shared/domain/notifications.ts builds them); the ports move them. */
export type { Notification, NotificationChannel, NotificationKind } from '../domain/notifications';

/** A channel adapter. `send` throws NotificationDeliveryError when the channel refuses or cannot be reached. */
export interface Notifier {
  readonly channel: NotificationChannel;
  send(notification: Notification): Promise<void>;
}

/** A notification that failed every attempt, kept for an operator. */
export interface DeadLetter {
  readonly notification: Notification;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
}

/** Where undeliverable notifications go (SQS in AWS, the table locally). */
export interface DeadLetters {
  put(letter: DeadLetter): Promise<void>;
}

/** What became of a notification: sent, or given up on and dead-lettered. Both are final. */
export type DeliveryState = 'delivered' | 'dead';

/**
 * Remembers which notifications are settled, so a stream record delivered
 * again (Lambda retries a batch from its failing record) sends nothing twice.
 * Takes the whole notification, not only its id: an adapter keys and expires
 * the record by the session and event it came from.
 */
export interface DeliveryLog {
  state(notification: Notification): Promise<DeliveryState | undefined>;
  mark(notification: Notification, state: DeliveryState): Promise<void>;
}
