import type { Session } from '../../domain/model';
import type { SessionIndexes } from '../../ports/session-indexes';
import { parseRecord, SessionRecord } from './records';
import { DUE_PARTITION, OPEN_PARTITION, QUEUE_PARTITION, REASSIGN_PARTITION, SYNC_PARTITION } from './session-items';
import type { DynamoTable } from './table';

/** The sparse indexes' partitions: the queue, the due times, the open sessions, the engine sync marks, the mentor wait list. */
export class DynamoSessionIndexes implements SessionIndexes {
  constructor(private readonly table: DynamoTable) {}

  async listQueued(options: { limit: number; cursor?: string }): Promise<{ sessions: Session[]; cursor?: string }> {
    const page = await this.table.query({
      IndexName: 'queue',
      KeyConditionExpression: 'queuePk = :queue',
      ExpressionAttributeValues: { ':queue': QUEUE_PARTITION },
      Limit: options.limit,
      ...(options.cursor === undefined ? {} : { ExclusiveStartKey: JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) }),
    });
    const sessions = (page.Items ?? []).map((item) => parseRecord(SessionRecord, item, 'session'));
    const cursor = page.LastEvaluatedKey === undefined ? undefined : Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url');
    return { sessions, ...(cursor === undefined ? {} : { cursor }) };
  }

  async listDue(now: string, limit: number): Promise<Session[]> {
    // Sort keys are `<deadline ISO>#<id>`: everything up to `now` sorts before `now#~`.
    return this.table.sessionsInIndex('due', 'duePk = :pk AND dueSk <= :now', { ':pk': DUE_PARTITION, ':now': `${now}#~` }, limit);
  }

  async listOpen(): Promise<Session[]> {
    return this.table.allSessionsInIndex('open', 'openPk = :open', { ':open': OPEN_PARTITION });
  }

  async listOpenAfter(after: string | undefined, limit: number): Promise<Session[]> {
    // The open partition's sort key is the session id.
    return after === undefined
      ? this.table.sessionsInIndex('open', 'openPk = :open', { ':open': OPEN_PARTITION }, limit)
      : this.table.sessionsInIndex('open', 'openPk = :open AND openSk > :after', { ':open': OPEN_PARTITION, ':after': after }, limit);
  }

  async listEngineSyncPending(limit: number): Promise<Session[]> {
    return this.table.sessionsInIndex('open', 'openPk = :pk', { ':pk': SYNC_PARTITION }, limit);
  }

  async listEngineCommands(): Promise<Session[]> {
    const pending = (pk: string) =>
      this.table.queryAll({
        IndexName: 'open',
        KeyConditionExpression: 'openPk = :pk',
        FilterExpression: 'attribute_exists(engineCommand)',
        ExpressionAttributeValues: { ':pk': pk },
      });
    const items = (await Promise.all([pending(OPEN_PARTITION), pending(SYNC_PARTITION)])).flat();
    return items.map((item) => parseRecord(SessionRecord, item, 'session'));
  }

  async listAwaitingMentor(limit: number): Promise<Session[]> {
    return this.table.sessionsInIndex('queue', 'queuePk = :pk', { ':pk': REASSIGN_PARTITION }, limit);
  }
}
