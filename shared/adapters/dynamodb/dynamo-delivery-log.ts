import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Notification } from '../../domain/notifications';
import { once } from '../../domain/once';
import type { DeliveryLog, DeliveryState } from '../../ports/notifier';
import { type Key, keys } from './keys';
import { parseRecord } from './records';
import { DynamoTable } from './table';
import { TABLE_DEFINITION } from './table-definition';

const DeliveryRecord = once(() => z.object({ state: z.enum(['delivered', 'dead']) }));

/**
 * Settled notifications, one item each in the session's partition
 * (`NOTIFY#<seq>#<channel>`), so they are read with nothing else and expire
 * with the session: born with the session's expiry when it has one, and moved
 * with it afterwards by the stream's applyExpiry (which covers the partition).
 */
export class DynamoDeliveryLog implements DeliveryLog {
  private readonly table: DynamoTable;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async state(notification: Notification): Promise<DeliveryState | undefined> {
    const item = await this.table.get(deliveryKey(notification));
    return item === undefined ? undefined : parseRecord(DeliveryRecord, item, 'notification delivery').state;
  }

  async mark(notification: Notification, state: DeliveryState): Promise<void> {
    const ttlName = TABLE_DEFINITION.timeToLiveAttribute;
    const { Item: session } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.session(notification.sessionId),
        ProjectionExpression: '#ttl',
        ExpressionAttributeNames: { '#ttl': ttlName },
        ConsistentRead: true,
      }),
    );
    const ttl = session?.[ttlName];
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...deliveryKey(notification),
          entity: 'notification-delivery',
          notificationId: notification.id,
          sessionId: notification.sessionId,
          state,
          ...(typeof ttl === 'number' && { [ttlName]: ttl }),
        },
      }),
    );
  }
}

function deliveryKey(notification: Notification): Key {
  return {
    pk: keys.sessionPartition(notification.sessionId),
    sk: `NOTIFY#${String(notification.eventSeq).padStart(8, '0')}#${notification.channel}`,
  };
}
