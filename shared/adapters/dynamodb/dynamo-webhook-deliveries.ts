import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ValidationError } from '../../domain/errors';
import type { IntegrationEvent } from '../../domain/integration-events';
import { SESSION_EVENT_TYPES } from '../../domain/model';
import { once } from '../../domain/once';
import type { WebhookDelivery } from '../../domain/webhooks';
import type { WebhookDeliveries, WebhookDeliveryPage, WebhookDeliveryStatus } from '../../ports/webhooks';
import { parseRecord } from './records';
import { DynamoTable, epochSeconds } from './table';
import { TABLE_DEFINITION } from './table-definition';

/** Delivery records are kept this long after their last attempt (a dead one keeps its event for a redrive). */
export const DELIVERY_RETENTION_DAYS = 30;

const DeliveryRecord = once(
  () =>
    z.object({
      subscriptionId: z.string(),
      eventId: z.string(),
      eventType: z.enum(SESSION_EVENT_TYPES),
      sessionId: z.string(),
      sequence: z.number().int(),
      status: z.enum(['failing', 'delivered', 'dead']),
      attempts: z.number().int(),
      lastStatusCode: z.number().int().optional(),
      lastError: z.string().optional(),
      updatedAt: z.string(),
    }) satisfies z.ZodType<WebhookDelivery>,
);

const partition = (subscriptionId: string) => `WEBHOOK#${subscriptionId}`;
/** By session, then sequence: a subscription's deliveries of one session sit together, in order. */
const sortKey = (sessionId: string, sequence: number) => `DELIVERY#${sessionId}#${String(sequence).padStart(8, '0')}`;
/** The record's fields only (zod drops the keys, the stored event and the TTL). */
const deliveryOf = (item: Record<string, unknown>): WebhookDelivery => parseRecord(DeliveryRecord, item, 'webhook delivery');

/** One item per subscription and event (`WEBHOOK#<subscription>` / `DELIVERY#<session>#<seq>`), expiring 30 days after its last change. */
export class DynamoWebhookDeliveries implements WebhookDeliveries {
  private readonly table: DynamoTable;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async get(subscriptionId: string, eventId: string): Promise<WebhookDelivery | undefined> {
    const [sessionId, sequence] = eventId.split('/');
    const item = await this.table.get({ pk: partition(subscriptionId), sk: sortKey(sessionId ?? '', Number(sequence)) });
    return item === undefined ? undefined : deliveryOf(item);
  }

  async put(delivery: WebhookDelivery, event: IntegrationEvent): Promise<void> {
    const ttl = epochSeconds(delivery.updatedAt) + DELIVERY_RETENTION_DAYS * 86_400;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(delivery.subscriptionId),
          sk: sortKey(delivery.sessionId, delivery.sequence),
          entity: 'webhook-delivery',
          ...delivery,
          // The event itself, so a dead one can be read and sent again by an operator.
          ...(delivery.status !== 'delivered' && { event }),
          [TABLE_DEFINITION.timeToLiveAttribute]: ttl,
        },
      }),
    );
  }

  async list(subscriptionId: string, options: { limit: number; status?: WebhookDeliveryStatus; cursor?: string }): Promise<WebhookDeliveryPage> {
    const pk = partition(subscriptionId);
    const start = options.cursor === undefined ? undefined : decodeCursor(options.cursor, pk);
    const page = await this.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :delivery)',
      ExpressionAttributeValues: { ':pk': pk, ':delivery': 'DELIVERY#', ...(options.status !== undefined && { ':status': options.status }) },
      ...(options.status !== undefined && { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
      Limit: options.limit,
      ConsistentRead: true,
      ...(start !== undefined && { ExclusiveStartKey: start }),
    });
    const next = page.LastEvaluatedKey === undefined ? undefined : Buffer.from(String(page.LastEvaluatedKey.sk)).toString('base64url');
    return { items: (page.Items ?? []).map(deliveryOf), ...(next !== undefined && { next }) };
  }
}

/** A cursor is the last sort key read; it can only point inside this subscription's deliveries. */
function decodeCursor(cursor: string, pk: string): { pk: string; sk: string } {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^DELIVERY#[^#]+#\d{8}$/.test(sk)) throw new ValidationError('The cursor is not valid.', [{ path: 'query.cursor', message: 'not a cursor this list gave' }]);
  return { pk, sk };
}
