import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeadLetters, Notifier } from '../../ports/notifier';
import type { NotificationSettings } from '../../settings/settings';
import { DynamoDeadLetters } from './dynamo-dead-letters';
import { SesNotifier } from './ses-notifier';
import { SlackNotifier } from './slack-notifier';
import { SqsDeadLetters } from './sqs-dead-letters';

/** The channels the settings configure: Slack with a webhook URL, email with a sender (SES in the environment's region, loaded on first send). */
export function notifiersFromSettings(settings: NotificationSettings): Notifier[] {
  return [
    ...(settings.slackWebhookUrl === undefined ? [] : [new SlackNotifier(settings.slackWebhookUrl)]),
    ...(settings.emailFrom === undefined ? [] : [new SesNotifier(undefined, settings.emailFrom)]),
  ];
}

/** An SQS queue when the settings name one (AWS), else the table (locally). */
export function deadLettersFromSettings(settings: NotificationSettings, db: DynamoDBDocumentClient, tableName: string): DeadLetters {
  return settings.deadLetterQueueUrl === undefined ? new DynamoDeadLetters(db, tableName) : new SqsDeadLetters(undefined, settings.deadLetterQueueUrl);
}

/** The link to a session: the template with `{id}` replaced. */
export function sessionUrlFrom(template: string): (sessionId: string) => string {
  return (sessionId) => template.replaceAll('{id}', encodeURIComponent(sessionId));
}
