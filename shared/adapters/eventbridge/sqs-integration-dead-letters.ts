import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IntegrationDeadLetter, IntegrationDeadLetters } from '../../ports/webhooks';

/** Dead integration events as messages on an SQS queue (in AWS), one JSON letter each, for an operator or a redrive. */
export class SqsIntegrationDeadLetters implements IntegrationDeadLetters {
  constructor(
    private client: SQSClient | undefined,
    private readonly queueUrl: string,
  ) {}

  async put(letter: IntegrationDeadLetter): Promise<void> {
    const sdk = await import('@aws-sdk/client-sqs');
    this.client ??= new sdk.SQSClient({});
    await this.client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: { target: { DataType: 'String', StringValue: letter.target }, type: { DataType: 'String', StringValue: letter.event.type } },
      }),
    );
  }
}
