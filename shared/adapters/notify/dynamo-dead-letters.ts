import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { NOTIFICATION_KINDS } from '../../domain/notifications';
import { once } from '../../domain/once';
import type { DeadLetter, DeadLetters } from '../../ports/notifier';
import { parseRecord } from '../dynamodb/records';

/** Every dead letter in one partition: they are rare, and an operator reads them all, oldest first. */
const PARTITION = 'DEADLETTER#notification';

const DeadLetterRecord = once(
  () =>
    z.object({
      notification: z.object({
        id: z.string(),
        channel: z.enum(['slack', 'email']),
        kind: z.enum(NOTIFICATION_KINDS),
        sessionId: z.string(),
        eventSeq: z.number().int(),
        eventType: z.string(),
        occurredAt: z.string(),
        summary: z.string(),
        storyTitle: z.string(),
        juniorName: z.string().optional(),
        mentorId: z.string().optional(),
        sessionUrl: z.string(),
        estimatedWaitMinutes: z.number().optional(),
        recipients: z.array(z.string()),
      }),
      error: z.string(),
      attempts: z.number().int(),
      failedAt: z.string(),
    }) satisfies z.ZodType<DeadLetter>,
);

/** Dead letters in the table (locally, where there is no SQS): `DEADLETTER#notification` / `<failedAt>#<id>`. */
export class DynamoDeadLetters implements DeadLetters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PARTITION, sk: `${letter.failedAt}#${letter.notification.id}`, entity: 'dead-letter', ...letter },
      }),
    );
  }

  /** Every dead letter, oldest first (for tests and operators). */
  async listDeadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTITION },
          ConsistentRead: true,
          ...(start !== undefined && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) letters.push(parseRecord(DeadLetterRecord, item, 'dead letter'));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return letters;
  }
}
