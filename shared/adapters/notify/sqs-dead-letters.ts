import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters } from '../../ports/notifier';

/**
 * Dead letters as messages on an SQS queue (in AWS), one JSON DeadLetter each,
 * for an operator or a redrive. Without a client, one for the environment's
 * region is made on the first put (the SQS client loads only when needed).
 */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private client: SQSClient | undefined,
    private readonly queueUrl: string,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    const sdk = await import('@aws-sdk/client-sqs');
    this.client ??= new sdk.SQSClient({});
    await this.client.send(
      new sdk.SendMessageCommand({
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
