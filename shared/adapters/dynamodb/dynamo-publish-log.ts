import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IntegrationEvent } from '../../domain/integration-events';
import type { IntegrationDeadLetter, IntegrationDeadLetters, PublishLog } from '../../ports/webhooks';
import { keys } from './keys';
import { DynamoTable } from './table';
import { TABLE_DEFINITION } from './table-definition';

const publishKey = (event: IntegrationEvent) => ({ pk: keys.sessionPartition(event.sessionId), sk: `PUBLISHED#${String(event.sequence).padStart(8, '0')}` });

/**
 * Which integration events the bus settled, one item each in the session's
 * partition (`PUBLISHED#<seq>`), so they expire with the session (born with its
 * expiry, moved with it by the stream's applyExpiry, which covers the partition).
 */
export class DynamoPublishLog implements PublishLog {
  private readonly table: DynamoTable;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async settled(eventIds: readonly string[]): Promise<Set<string>> {
    const settled = new Set<string>();
    const found = await this.table.batchGet(
      eventIds.map((id) => {
        const [sessionId = '', sequence = '0'] = id.split('/');
        return { pk: keys.sessionPartition(sessionId), sk: `PUBLISHED#${sequence.padStart(8, '0')}` };
      }),
    );
    for (const item of found.values()) if (typeof item.eventId === 'string') settled.add(item.eventId);
    return settled;
  }

  async mark(events: readonly IntegrationEvent[], state: 'published' | 'dead'): Promise<void> {
    const ttlName = TABLE_DEFINITION.timeToLiveAttribute;
    for (const event of events) {
      const session = await this.table.get(keys.session(event.sessionId));
      const ttl = session?.[ttlName];
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...publishKey(event), entity: 'integration-publish', eventId: event.id, state, ...(typeof ttl === 'number' && { [ttlName]: ttl }) },
        }),
      );
    }
  }
}

/** Dead integration events in the table (locally, where there is no SQS): `DEADLETTER#integration` / `<failedAt>#<id>`. */
export class DynamoIntegrationDeadLetters implements IntegrationDeadLetters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(letter: IntegrationDeadLetter): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'DEADLETTER#integration', sk: `${letter.failedAt}#${letter.event.id}`, entity: 'dead-letter', ...letter },
      }),
    );
  }
}
