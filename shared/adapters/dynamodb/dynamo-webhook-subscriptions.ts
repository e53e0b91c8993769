import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { SESSION_EVENT_TYPES } from '../../domain/model';
import { once } from '../../domain/once';
import type { WebhookSubscription } from '../../domain/webhooks';
import type { WebhookSubscriptions } from '../../ports/webhooks';
import { parseRecord } from './records';
import { DynamoTable } from './table';

/** Every subscription in one partition (`WEBHOOKS` / `<id>`): a short list, read whole for each event. */
const PARTITION = 'WEBHOOKS';

const SubscriptionRecord = once(
  () =>
    z.object({
      id: z.string(),
      url: z.string(),
      eventTypes: z.array(z.enum(SESSION_EVENT_TYPES)),
      description: z.string().optional(),
      paused: z.boolean(),
      createdAt: z.string(),
      createdBy: z.string(),
      updatedAt: z.string(),
    }) satisfies z.ZodType<WebhookSubscription>,
);
const WithSecret = once(() => SubscriptionRecord().extend({ secret: z.string() }));

/** The subscription, without its secret and the item's own attributes. */
const subscriptionOf = (item: Record<string, unknown>): WebhookSubscription => {
  const { id, url, eventTypes, description, paused, createdAt, createdBy, updatedAt } = parseRecord(SubscriptionRecord, item, 'webhook subscription');
  return { id, url, eventTypes, ...(description !== undefined && { description }), paused, createdAt, createdBy, updatedAt };
};

export class DynamoWebhookSubscriptions implements WebhookSubscriptions {
  private readonly table: DynamoTable;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async create(subscription: WebhookSubscription, secret: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PARTITION, sk: subscription.id, entity: 'webhook', ...subscription, secret },
        // Ids are random: a clash is a bug, never an overwrite of another coordinator's subscription.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    const item = await this.table.get({ pk: PARTITION, sk: id });
    return item === undefined ? undefined : subscriptionOf(item);
  }

  async list(): Promise<WebhookSubscription[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PARTITION }, ConsistentRead: true });
    return items.map(subscriptionOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async withSecret(id: string): Promise<{ subscription: WebhookSubscription; secret: string } | undefined> {
    const item = await this.table.get({ pk: PARTITION, sk: id });
    if (item === undefined) return undefined;
    return { subscription: subscriptionOf(item), secret: parseRecord(WithSecret, item, 'webhook subscription').secret };
  }

  async setPaused(id: string, paused: boolean, at: string): Promise<WebhookSubscription | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PARTITION, sk: id },
          UpdateExpression: 'SET paused = :paused, updatedAt = :at',
          // Only an existing subscription: an update must not create a secretless one.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':paused': paused, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes === undefined ? undefined : subscriptionOf(Attributes);
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const { Attributes } = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: PARTITION, sk: id }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }
}
