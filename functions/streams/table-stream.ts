import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { lambdaEntry, type AppDeps } from '../../shared/compose';

const statusImage = z.object({ entity: z.object({ S: z.string() }).optional(), status: z.object({ S: z.string() }).optional() }).loose();
const StreamRecord = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    SequenceNumber: z.string().optional(),
    OldImage: statusImage.optional(),
    NewImage: statusImage.optional(),
  }),
});

const OPEN = new Set(['Active', 'Paused']);

/** A session that left Active/Paused: its slots were released, so the queue may move. */
function releasedSlots(record: z.output<typeof StreamRecord>): boolean {
  const { OldImage, NewImage } = record.dynamodb;
  if (OldImage?.entity?.S !== 'session' || NewImage?.entity?.S !== 'session') return false;
  return OPEN.has(OldImage.status?.S ?? '') && !OPEN.has(NewImage.status?.S ?? '');
}

/**
 * The table's stream: whenever a change released slots, drain the queue. A
 * malformed record is reported and skipped; a failed drain reports the batch
 * from the first releasing record, so Lambda retries it (draining is idempotent).
 */
export const makeHandler = (deps: AppDeps) => async (event: DynamoDBStreamEvent, _context?: Context): Promise<DynamoDBBatchResponse> => {
  const releasing: string[] = [];
  for (const raw of event.Records ?? []) {
    const parsed = StreamRecord.safeParse(raw);
    if (!parsed.success) {
      deps.logger.warn('skipping a malformed stream record', { eventId: raw.eventID });
      continue;
    }
    if (releasedSlots(parsed.data)) releasing.push(parsed.data.dynamodb.SequenceNumber ?? '');
  }
  if (releasing.length === 0) return { batchItemFailures: [] };
  try {
    await deps.sessions.drainQueue();
    return { batchItemFailures: [] };
  } catch (error) {
    deps.logger.error('drain after release failed', { error });
    return { batchItemFailures: [{ itemIdentifier: releasing[0]! }] };
  }
};

export const handler = lambdaEntry<DynamoDBStreamEvent, DynamoDBBatchResponse>(makeHandler);
