import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { NotificationDeliveryError } from '../../domain/errors';
import type { Notification } from '../../domain/notifications';
import type { Notifier } from '../../ports/notifier';
import { KIND_TITLES } from './slack-notifier';

/** Header values are one line: a title with a line break must not start a second header. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').trim();

/** The email: a subject naming the kind and the story, a plain-text body ending with the link. */
export function emailOf(notification: Notification): { subject: string; body: string } {
  const subject = oneLine(`[Mentorship] ${KIND_TITLES[notification.kind]}: ${notification.storyTitle}`).slice(0, 200);
  const lines = [
    notification.summary,
    '',
    `Story: ${notification.storyTitle}`,
    ...(notification.juniorName === undefined ? [] : [`Junior: ${notification.juniorName}`]),
    ...(notification.mentorId === undefined ? [] : [`Mentor: ${notification.mentorId}`]),
    ...(notification.estimatedWaitMinutes === undefined ? [] : [`Estimated wait: ${notification.estimatedWaitMinutes} minutes`]),
    `When: ${notification.occurredAt}`,
    '',
    `Open the session: ${notification.sessionUrl}`,
  ];
  return { subject, body: `${lines.join('\n')}\n` };
}

/**
 * Sends notifications as email through SES (v2) from one verified sender.
 * Without a client, one for the environment's region is made on the first
 * send: the SES client is loaded only by the code that sends.
 */
export class SesNotifier implements Notifier {
  readonly channel = 'email' as const;

  constructor(
    private client: SESv2Client | undefined,
    private readonly from: string,
  ) {}

  async send(notification: Notification): Promise<void> {
    const { subject, body } = emailOf(notification);
    const sdk = await import('@aws-sdk/client-sesv2');
    this.client ??= new sdk.SESv2Client({});
    try {
      await this.client.send(
        new sdk.SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [...notification.recipients] },
          Content: {
            Simple: {
              Subject: { Data: subject, Charset: 'UTF-8' },
              Body: { Text: { Data: body, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new NotificationDeliveryError(`SES did not send the email (${reason}).`, { cause: error });
    }
  }
}
