import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters } from '../../ports/notifier';

/** Dead letters as messages on an SQS queue (in AWS), one JSON DeadLetter each, for an operator or a redrive. */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          channel: { DataType: 'String', StringValue: letter.notification.channel },
          kind: { DataType: 'String', StringValue: letter.notification.kind },
        },
      }),
    );
  }
}
