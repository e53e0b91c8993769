import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters } from '../../ports/notifier';
import { SqsLetterQueue } from '../sqs-letter-queue';

/** Notification dead letters on an SQS queue, by channel and kind. */
export class SqsDeadLetters implements DeadLetters {
  private readonly queue: SqsLetterQueue;

  constructor(client: SQSClient | undefined, queueUrl: string) {
    this.queue = new SqsLetterQueue(client, queueUrl);
  }

  put(letter: DeadLetter): Promise<void> {
    return this.queue.send(letter, { channel: letter.notification.channel, kind: letter.notification.kind });
  }
}
