import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { EXPORT_FORMATS } from '../../domain/export-format';
import { once } from '../../domain/once';
import { LIST_SORTS, SORT_DIRECTIONS } from '../../domain/session-list';
import { SESSION_STATUSES } from '../../domain/status';
import type { ExportJob, ExportJobStore } from '../../ports/export-jobs';
import { keys } from './keys';
import { parseRecord } from './records';
import { DynamoTable } from './table';
import { TABLE_DEFINITION } from './table-definition';

/** Job records are kept this long after they are created; the files they name are the sink's to keep. */
const JOB_RECORD_DAYS = 30;

const ExportJobRecord = once(
  () =>
    z.object({
      id: z.string(),
      status: z.enum(['pending', 'running', 'succeeded', 'failed']),
      format: z.enum(EXPORT_FORMATS),
      filter: z.object({
        juniorId: z.string().optional(),
        mentorId: z.string().optional(),
        storyId: z.string().optional(),
        status: z.enum(SESSION_STATUSES).optional(),
        from: z.string().optional(),
        to: z.string().optional(),
      }),
      order: z.object({ sortBy: z.enum(LIST_SORTS), sortDirection: z.enum(SORT_DIRECTIONS) }),
      requestedBy: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      leaseUntil: z.string().optional(),
      location: z.string().optional(),
      rows: z.number().int().optional(),
      bytes: z.number().int().optional(),
      error: z.string().optional(),
      retryOf: z.string().optional(),
      retriedAs: z.string().optional(),
    }) satisfies z.ZodType<ExportJob, unknown>,
);

export class DynamoExportJobStore implements ExportJobStore {
  private readonly table: DynamoTable;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async create(job: ExportJob): Promise<boolean> {
    const ttl = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_RECORD_DAYS * 86_400;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.exportJob(job.id), entity: 'export-job', ...job, [TABLE_DEFINITION.timeToLiveAttribute]: ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(id: string): Promise<ExportJob | undefined> {
    const Item = await this.table.get(keys.exportJob(id));
    return Item === undefined ? undefined : parseRecord(ExportJobRecord, Item, 'export job');
  }

  async claim(id: string, now: string, leaseUntil: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.exportJob(id),
          UpdateExpression: 'SET #status = :running, leaseUntil = :lease, updatedAt = :now',
          ConditionExpression: '#status = :pending OR (#status = :running AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':lease': leaseUntil, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async progress(id: string, rows: number, now: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.exportJob(id),
          UpdateExpression: 'SET #rows = :rows, updatedAt = :now',
          // Only while running: a late progress write must not undo the finished count.
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
          ExpressionAttributeValues: { ':running': 'running', ':rows': rows, ':now': now },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async markRetried(id: string, retryId: string, now: string, abandonedReason: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.exportJob(id),
          // A failed job stays failed; a running one whose lease ran out (its runner died) becomes failed.
          UpdateExpression: 'SET retriedAs = :retry, updatedAt = :now, #status = :failed, #error = if_not_exists(#error, :abandoned) REMOVE leaseUntil',
          // Two retries at once: the first names its job, the second re-reads and answers that one.
          // A runner whose lease has not run out may still finish: its job is not retried.
          ConditionExpression: '(#status = :failed OR (#status = :running AND leaseUntil < :now)) AND attribute_not_exists(retriedAs)',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: { ':failed': 'failed', ':running': 'running', ':retry': retryId, ':now': now, ':abandoned': abandonedReason },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async finish(id: string, outcome: Pick<ExportJob, 'status' | 'location' | 'rows' | 'bytes' | 'error'>, now: string): Promise<void> {
    const fields = Object.entries({ ...outcome, updatedAt: now }).filter(([, value]) => value !== undefined);
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.exportJob(id),
        UpdateExpression: `SET ${fields.map((_, index) => `#f${index} = :v${index}`).join(', ')} REMOVE leaseUntil`,
        ExpressionAttributeNames: Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], index) => [`:v${index}`, value])),
      }),
    );
  }
}
