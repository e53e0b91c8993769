import { NotificationDeliveryError } from '../../domain/errors';
import type { Notification, NotificationKind } from '../../domain/notifications';
import type { Notifier } from '../../ports/notifier';

/** Headlines, one per kind; shared with the email subject. */
export const KIND_TITLES: Readonly<Record<NotificationKind, string>> = {
  queued: 'Session queued',
  started: 'Session started',
  started_from_queue: 'Session started from the queue',
  paused: 'Session paused',
  resumed: 'Session resumed',
  cancelled: 'Session cancelled',
  timed_out: 'Session timed out',
  failed: 'Session failed',
  completed: 'Session completed',
  blocker: 'Blocker detected',
  escalation: 'Escalation',
};

/** Slack's mrkdwn treats these three as control characters; user text must not open a link or a mention. */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The webhook body: `text` is what notifications and old clients show, `blocks` the message itself. */
export function slackMessage(notification: Notification): { text: string; blocks: unknown[] } {
  const title = KIND_TITLES[notification.kind];
  const link = `<${notification.sessionUrl}|Open session>`;
  const people = [
    notification.juniorName === undefined ? undefined : `*Junior:* ${escapeMrkdwn(notification.juniorName)}`,
    notification.mentorId === undefined ? undefined : `*Mentor:* ${escapeMrkdwn(notification.mentorId)}`,
  ].filter((part): part is string => part !== undefined);
  return {
    text: `${title}: ${escapeMrkdwn(notification.summary)} ${link}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${title}: ${notification.storyTitle}`.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(notification.summary) } },
      ...(people.length === 0 ? [] : [{ type: 'context', elements: [{ type: 'mrkdwn', text: people.join('  ·  ') }] }]),
      { type: 'section', text: { type: 'mrkdwn', text: link } },
    ],
  };
}

export interface SlackNotifierOptions {
  /** Per request, connection and answer included (default 5 s). */
  readonly timeoutMs?: number;
}

/**
 * Posts to a Slack incoming webhook. The webhook URL is a secret (whoever
 * holds it can post to the channel): it is never logged and never put in an
 * error message or cause.
 */
export class SlackNotifier implements Notifier {
  readonly channel = 'slack' as const;

  constructor(
    private readonly webhookUrl: string,
    private readonly options: SlackNotifierOptions = {},
  ) {}

  async send(notification: Notification): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackMessage(notification)),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      // Only the error's kind: fetch's own messages and causes may carry the address.
      throw new NotificationDeliveryError(`The Slack webhook could not be reached (${failureKind(error)}).`);
    }
    if (!response.ok) {
      // Slack answers a short reason (`invalid_payload`, `no_service`...); it is read, trimmed, never echoed whole.
      const reason = (await response.text().catch(() => '')).replace(/[^\w .-]/g, '').slice(0, 80);
      throw new NotificationDeliveryError(`The Slack webhook answered ${response.status}${reason === '' ? '' : ` (${reason})`}.`);
    }
    await response.body?.cancel();
  }
}

/**
 * `TimeoutError`, `ECONNREFUSED`...: enough to act on, nothing that names the
 * webhook. Read by shape, not `instanceof`: fetch's errors may come from
 * another realm (Node's internals under a test runner's sandbox).
 */
function failureKind(error: unknown): string {
  const { name, cause } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (typeof cause?.code === 'string' && /^[A-Z_]+$/.test(cause.code)) return cause.code;
  return typeof name === 'string' && /^\w+$/.test(name) ? name : 'unknown error';
}
