import { type Notification, notificationKindOf, notificationsFor } from '../domain/notifications';
import type { SessionEvent } from '../domain/session';
import type { Clock } from '../ports/clock';
import type { DeadLetters, DeliveryLog, Notifier } from '../ports/notifier';
import type { SessionRepository } from '../ports/session-repository';

/** What the service logs: failed attempts (warn) and skipped channels (debug, when the logger has it). */
export interface NotificationLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}

export interface NotificationServiceOptions {
  readonly sessions: Pick<SessionRepository, 'getSession'>;
  /** At most one per channel; a channel without one is skipped. */
  readonly notifiers: readonly Notifier[];
  readonly deliveries: DeliveryLog;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
  readonly sessionUrl: (sessionId: string) => string;
  readonly defaultRecipients: readonly string[];
  /** A queued session's estimated wait, in minutes (undefined when unknown or no longer queued). */
  readonly estimate?: (sessionId: string) => Promise<number | undefined>;
  /** Sends per notification before it is dead-lettered (default 3). */
  readonly maxAttempts?: number;
  /** The pause after failed attempt `attempt` (1-based), in ms. */
  readonly backoff?: (attempt: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: NotificationLogger;
}

/** 200 ms, then 400 ms, ... each scaled by a random 0.5-1.5, so retries of many notifications spread out. */
export const defaultBackoff = (attempt: number): number => 200 * 2 ** (attempt - 1) * (0.5 + Math.random());
/** An error's message, read by shape (errors from another realm fail `instanceof Error`). */
const reasonOf = (error: unknown): string => {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
};
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Delivers the notifications of audit events, after the fact (from the
 * table's stream): a channel that fails never touches the session. Each
 * notification is tried a few times, then dead-lettered; either way it is
 * marked settled, so a replayed event sends nothing twice. Delivery is at
 * least once: a send whose mark fails is sent again on the replay.
 */
export class NotificationService {
  private readonly maxAttempts: number;

  constructor(private readonly deps: NotificationServiceOptions) {
    this.maxAttempts = Math.max(1, deps.maxAttempts ?? 3);
  }

  /**
   * Sends what the event warrants under the session's current preferences.
   * Resolves when every notification is delivered, dead-lettered or skipped;
   * throws only when reading the session or recording an outcome failed, so
   * the stream retries the record.
   */
  async deliverFor(event: SessionEvent): Promise<void> {
    const kind = notificationKindOf(event.type);
    // Nothing to send with, or nothing to send: no reads at all.
    if (this.deps.notifiers.length === 0 || kind === undefined) return;
    const session = await this.deps.sessions.getSession(event.sessionId);
    // Gone (its data expired): nobody left to tell.
    if (session === undefined) return;
    const estimatedWaitMinutes = kind === 'queued' ? await this.estimate(event.sessionId) : undefined;
    const notifications = notificationsFor(event, session, {
      sessionUrl: this.deps.sessionUrl,
      defaultRecipients: this.deps.defaultRecipients,
      ...(estimatedWaitMinutes !== undefined && { estimatedWaitMinutes }),
    });
    // Channels go side by side: a slow or failing one does not hold the other back.
    const outcomes = await Promise.allSettled(notifications.map((notification) => this.settle(notification)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async settle(notification: Notification): Promise<void> {
    const notifier = this.deps.notifiers.find((candidate) => candidate.channel === notification.channel);
    if (notifier === undefined) {
      this.deps.logger?.debug?.('no notifier for the channel; skipped', { channel: notification.channel, notificationId: notification.id });
      return;
    }
    if ((await this.deps.deliveries.state(notification)) !== undefined) return;
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      try {
        await notifier.send(notification);
      } catch (error) {
        lastError = reasonOf(error);
        this.deps.logger?.warn('notification attempt failed', { notificationId: notification.id, channel: notification.channel, attempt, reason: lastError });
        if (attempt < this.maxAttempts) await (this.deps.sleep ?? realSleep)((this.deps.backoff ?? defaultBackoff)(attempt));
        continue;
      }
      // A failed mark is a recording failure: it throws, and the replay may send this once more.
      await this.deps.deliveries.mark(notification, 'delivered');
      return;
    }
    await this.deps.deadLetters.put({ notification, error: lastError, attempts: this.maxAttempts, failedAt: this.deps.clock.now().toISOString() });
    await this.deps.deliveries.mark(notification, 'dead');
  }

  /** The estimate is a courtesy: without one the notification still goes. */
  private async estimate(sessionId: string): Promise<number | undefined> {
    try {
      return await this.deps.estimate?.(sessionId);
    } catch (error) {
      this.deps.logger?.warn('no wait estimate for the queued notification', { sessionId, reason: reasonOf(error) });
      return undefined;
    }
  }
}
