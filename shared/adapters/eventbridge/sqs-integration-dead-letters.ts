import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IntegrationDeadLetter, IntegrationDeadLetters } from '../../ports/webhooks';
import { SqsLetterQueue } from '../sqs-letter-queue';

/** Dead integration events on an SQS queue, by target and event type. */
export class SqsIntegrationDeadLetters implements IntegrationDeadLetters {
  private readonly queue: SqsLetterQueue;

  constructor(client: SQSClient | undefined, queueUrl: string) {
    this.queue = new SqsLetterQueue(client, queueUrl);
  }

  put(letter: IntegrationDeadLetter): Promise<void> {
    return this.queue.send(letter, { target: letter.target, type: letter.event.type });
  }
}
