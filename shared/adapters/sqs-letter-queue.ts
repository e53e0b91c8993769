import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * A dead-letter queue on SQS (in AWS): one JSON letter a message, with string
 * attributes to filter on, for an operator or a redrive. Without a client, one
 * for the environment's region is made on the first send (the SQS client loads
 * only when needed).
 */
export class SqsLetterQueue {
  constructor(
    private client: SQSClient | undefined,
    private readonly queueUrl: string,
  ) {}

  async send(letter: unknown, attributes: Readonly<Record<string, string>>): Promise<void> {
    const sdk = await import('@aws-sdk/client-sqs');
    this.client ??= new sdk.SQSClient({});
    await this.client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
      }),
    );
  }
}
