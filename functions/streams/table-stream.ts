import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type * as UtilDynamodb from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { EventRecord } from '../../shared/adapters/dynamodb/records';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withExports, withNotifications } from '../../shared/compose-extras';
import { type Integrations, withIntegrations } from '../../shared/compose-integrations';
import { slotChange } from '../../shared/domain/limits';
import type { SessionEvent } from '../../shared/domain/model';
import { SESSION_STATUSES } from '../../shared/domain/status';

/** What the stream consumer uses: the core, exports (jobs), notifications and integration events. */
type StreamDeps = CoreDeps & Pick<Extras, 'exports' | 'notifications'> & Pick<Integrations, 'integrations'>;

/**
 * Required, not imported: lib-dynamodb has loaded this CommonJS module already, and an ESM import of it
 * would have Node scan its source again for export names (~5 ms of each cold start on Node 22).
 */
const { unmarshall } = require('@aws-sdk/util-dynamodb') as typeof UtilDynamodb;

const SessionStatusSchema = z.enum(SESSION_STATUSES);

const S = z.object({ S: z.string() });
const N = z.object({ N: z.string() });
const image = z.object({ entity: S.optional(), status: S.optional(), id: S.optional(), sessionId: S.optional(), listPk: S.optional(), ttl: N.optional() }).loose();
const StreamRecord = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  /** Set on deletions DynamoDB's TTL made (principal `dynamodb.amazonaws.com`). */
  userIdentity: z.object({ type: z.string().optional(), principalId: z.string().optional() }).loose().optional(),
  dynamodb: z.object({
    SequenceNumber: z.string().optional(),
    OldImage: image.optional(),
    NewImage: image.optional(),
  }),
});
type Record = z.output<typeof StreamRecord>;

const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/** A session that left an open status: its slots were released (the domain's rule), so the queue may move. */
function releasedSlots({ dynamodb: { OldImage, NewImage } }: Record): boolean {
  if (OldImage?.entity?.S !== 'session' || NewImage?.entity?.S !== 'session') return false;
  const from = SessionStatusSchema.safeParse(OldImage.status?.S);
  const to = SessionStatusSchema.safeParse(NewImage.status?.S);
  return from.success && to.success && slotChange(from.data, to.data) === 'release';
}

type Attributes = { [name: string]: unknown };

/**
 * DynamoDB Local writes an empty nested map as `{}` in stream images (AWS
 * writes `{"M": {}}`), which unmarshall refuses; an attribute value with no
 * type can be nothing else, so it is read as the empty map.
 */
function withEmptyMaps(image: Attributes): Attributes {
  const attribute = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if (Object.keys(value).length === 0) return { M: {} };
    if ('M' in value && typeof value.M === 'object' && value.M !== null) return { M: withEmptyMaps(value.M as Attributes) };
    if ('L' in value && Array.isArray(value.L)) return { L: value.L.map(attribute) };
    return value;
  };
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attribute(value)]));
}

/** The audit event a new `event` item holds, checked like any item read back; undefined when it is not one. */
function auditEventOf(image: Attributes): SessionEvent | undefined {
  try {
    // The image is DynamoDB's wire form; the schema below, not this cast, is the check.
    const parsed = EventRecord().safeParse(unmarshall(withEmptyMaps(image) as { [name: string]: AttributeValue }));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What one record asks of this consumer, besides draining. */
function taskOf(record: Record, deps: StreamDeps): (() => Promise<unknown>) | undefined {
  const { OldImage, NewImage } = record.dynamodb;
  // A session's expiry moved (it ended, or a legal hold was set or cleared): its events follow.
  if (NewImage?.entity?.S === 'session' && NewImage.id !== undefined && NewImage.ttl?.N !== OldImage?.ttl?.N) {
    const id = NewImage.id.S;
    return () => deps.history.expiryMoved(id);
  }
  // TTL removed a listing item: its list counter stops counting it.
  if (record.eventName === 'REMOVE' && OldImage?.entity?.S === 'listing' && record.userIdentity?.principalId === TTL_PRINCIPAL) {
    const item = { sessionId: OldImage.sessionId?.S ?? '', partition: OldImage.listPk?.S ?? '', status: OldImage.status?.S ?? '' };
    return () => deps.history.listingExpired(item);
  }
  // A new export job: run it (idempotent: a job runs once, under a lease).
  if (record.eventName === 'INSERT' && NewImage?.entity?.S === 'export-job' && NewImage.id !== undefined) {
    const id = NewImage.id.S;
    return () => deps.exports.runJob(id);
  }
  // A new audit event: notify about it and send it out (after the fact; the delivery records drop repeats).
  if (record.eventName === 'INSERT' && NewImage?.entity?.S === 'event') {
    const event = auditEventOf(NewImage);
    if (event === undefined) {
      deps.logger.warn('skipping a malformed event item in the stream', { sequence: record.dynamodb.SequenceNumber });
      return undefined;
    }
    return () => bothSettled(deps.notifications.deliverFor(event), deps.integrations.deliverFor(event));
  }
  return undefined;
}

/** Waits for both; then throws the first failure (a channel failing never cuts the other short). */
async function bothSettled(...tasks: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * The table's stream. In order, per record: give a session's events its new
 * expiry, uncount a listing item TTL removed, run a new export job, send the
 * notifications and the integration events (bus, webhooks) of a new audit event (a channel that fails is retried, then
 * dead-lettered: only a failure to record that fails the record); then, if
 * any change released slots, drain the queue once. Every task is idempotent,
 * so on a failure the batch is reported from the failing record (Lambda
 * retries from there); releases before it are drained first, as they will not
 * be delivered again. A malformed record is reported and skipped.
 */
export const makeHandler =
  (deps: StreamDeps) =>
  async (event: DynamoDBStreamEvent, _context?: Context): Promise<DynamoDBBatchResponse> => {
    const releasing: string[] = [];
    let failedAt: string | undefined;
    for (const raw of event.Records ?? []) {
      const parsed = StreamRecord.safeParse(raw);
      if (!parsed.success) {
        deps.logger.warn('skipping a malformed stream record', { eventId: raw.eventID });
        continue;
      }
      const sequence = parsed.data.dynamodb.SequenceNumber ?? '';
      const task = taskOf(parsed.data, deps);
      if (task !== undefined) {
        try {
          await task();
        } catch (error) {
          deps.logger.error('stream task failed', { error, sequence });
          failedAt = sequence;
          break;
        }
      }
      if (releasedSlots(parsed.data)) releasing.push(sequence);
    }
    if (releasing.length > 0) {
      try {
        await deps.sessions.drainQueue();
      } catch (error) {
        deps.logger.error('drain after release failed', { error });
        return { batchItemFailures: [{ itemIdentifier: releasing[0]! }] };
      }
    }
    return { batchItemFailures: failedAt === undefined ? [] : [{ itemIdentifier: failedAt }] };
  };

export const handler = lambdaEntry(makeHandler, process.env, (core) => withIntegrations(withNotifications(withExports(core))));
