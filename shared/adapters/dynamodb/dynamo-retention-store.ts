import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RetentionStore } from '../../ports/retention-store';
import { keys } from './keys';
import { listingEntryCounter } from './listing';
import { EXPIRY_PARTITION } from './session-items';
import type { DynamoTable } from './table';
import { TABLE_DEFINITION } from './table-definition';

/** Parallel item updates when a session's expiry changes. */
const EXPIRY_WRITE_CONCURRENCY = 16;

/** Expiry in the table: DynamoDB TTL removes what has expired; this keeps a session's items and list counters following it. */
export class DynamoRetentionStore implements RetentionStore {
  constructor(private readonly table: DynamoTable) {}

  async countExpiring(from: string, to: string): Promise<number> {
    return this.table.countAll({
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :expiry AND dueSk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':expiry': EXPIRY_PARTITION, ':from': from, ':to': to },
    });
  }

  /**
   * Gives every item of a session's partition the session item's TTL (or
   * removes it, under a legal hold). Run from the table's stream when the
   * session's expiry changes; idempotent. Returns the number of items changed.
   */
  async applyExpiry(sessionId: string): Promise<number> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
      ProjectionExpression: 'pk, sk, #ttl',
      ExpressionAttributeNames: { '#ttl': TABLE_DEFINITION.timeToLiveAttribute },
      ConsistentRead: true,
    });
    const session = items.find((item) => item.sk === 'SESSION');
    if (session === undefined) return 0;
    const ttl = session[TABLE_DEFINITION.timeToLiveAttribute];
    const stale = items.filter((item) => item.sk !== 'SESSION' && item[TABLE_DEFINITION.timeToLiveAttribute] !== ttl);
    for (let offset = 0; offset < stale.length; offset += EXPIRY_WRITE_CONCURRENCY) {
      await Promise.all(
        stale.slice(offset, offset + EXPIRY_WRITE_CONCURRENCY).map((item) =>
          this.table.db
            .send(
              new UpdateCommand({
                TableName: this.table.tableName,
                Key: { pk: item.pk, sk: item.sk },
                // Only items that still exist: a TTL deletion racing this must not be undone.
                ConditionExpression: 'attribute_exists(pk)',
                UpdateExpression: typeof ttl === 'number' ? 'SET #ttl = :ttl' : 'REMOVE #ttl',
                ExpressionAttributeNames: { '#ttl': TABLE_DEFINITION.timeToLiveAttribute },
                ...(typeof ttl === 'number' && { ExpressionAttributeValues: { ':ttl': ttl } }),
              }),
            )
            .catch((error: unknown) => {
              if (!(error instanceof ConditionalCheckFailedException)) throw error;
            }),
        ),
      );
    }
    return stale.length;
  }

  /** A listing item DynamoDB's TTL removed: its partition's counter no longer counts it. */
  async forgetExpiredListing(item: { readonly sessionId: string; readonly partition: string; readonly status: string }): Promise<void> {
    const entry = listingEntryCounter(item.sessionId, item.partition);
    if (entry === undefined) return;
    await this.table.db
      .send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: entry,
          UpdateExpression: 'ADD #status :minus',
          ConditionExpression: '#status >= :one',
          ExpressionAttributeNames: { '#status': item.status },
          ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}
