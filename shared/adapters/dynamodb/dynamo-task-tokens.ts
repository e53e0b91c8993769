import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { once } from '../../domain/once';
import type { HeldToken, TaskTokens } from '../../ports/task-tokens';
import { type Key, keys } from './keys';
import { parseRecord } from './records';

/** The token a checkpoint holds for a paused session: in the session's partition, so it expires with it. */
const taskTokenKey = (sessionId: string): Key => ({ pk: keys.sessionPartition(sessionId), sk: 'TASKTOKEN' });

const TaskTokenRecord = once(() => z.object({ token: z.string().min(1), checkpoint: z.string() }));

/** DynamoDB does not retry TransactionConflict (a session write racing the check); a few quick retries settle it. */
const TRANSACTION_CONFLICT_RETRIES = 3;

/** TaskTokens on the single table. */
export class DynamoTaskTokens implements TaskTokens {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async holdIfPaused(sessionId: string, token: string, checkpoint: string): Promise<'held' | 'continue'> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        // One transaction: the token is written only while the session is Paused. Resume commits
        // Active first and takes the token after, so either this commits before that commit (the
        // take finds the token) or after it (the check fails, the checkpoint goes on): never lost.
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: keys.session(sessionId),
                  ConditionExpression: '#status = :paused',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':paused': 'Paused' },
                },
              },
              {
                // A retried checkpoint's new token replaces the one its failed attempt held.
                Put: { TableName: this.tableName, Item: { ...taskTokenKey(sessionId), entity: 'task-token', sessionId, checkpoint, token } },
              },
            ],
          }),
        );
        return 'held';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'continue';
        const contended = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (!contended || attempt >= TRANSACTION_CONFLICT_RETRIES) throw error;
        await delay(10 * 2 ** attempt + Math.random() * 10);
      }
    }
  }

  async take(sessionId: string): Promise<HeldToken | undefined> {
    // Read and remove in one step: of two concurrent resumes only one gets the token.
    const { Attributes } = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: taskTokenKey(sessionId), ReturnValues: 'ALL_OLD' }));
    return Attributes === undefined ? undefined : parseRecord(TaskTokenRecord, Attributes, 'task token');
  }

  async restore(sessionId: string, held: HeldToken): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...taskTokenKey(sessionId), entity: 'task-token', sessionId, checkpoint: held.checkpoint, token: held.token },
      }),
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
