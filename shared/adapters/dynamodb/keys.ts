import type { DirectoryKind } from '../../domain/directory';
import type { SlotScope } from '../../domain/limits';

/**
 * Key layout. A session and its events share a partition, so details are one
 * Query. Everything else lives in partitions of its own.
 */
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

/** Escapes a caller-chosen value for use in a key; ill-formed UTF-16 is replaced, never thrown on. */
export const part = (value: string) => encodeURIComponent(value.toWellFormed());

export const keys = {
  session: (id: string): Key => ({ pk: `SESSION#${id}`, sk: 'SESSION' }),
  event: (sessionId: string, seq: number): Key => ({
    pk: `SESSION#${sessionId}`,
    sk: `EVENT#${String(seq).padStart(8, '0')}`,
  }),
  sessionPartition: (id: string) => `SESSION#${id}`,
  /** Remembers an engine event id, so a repeated report is dropped. In the session's partition, so it expires with it. */
  externalEvent: (sessionId: string, eventId: string): Key => ({
    pk: `SESSION#${sessionId}`,
    sk: `EXTERNAL#${part(eventId)}`,
  }),
  idempotency: (scope: string, key: string): Key => ({ pk: `IDEMPOTENCY#${part(scope)}#${part(key)}`, sk: 'IDEMPOTENCY' }),
  directory: (kind: DirectoryKind, id: string): Key => ({ pk: `DIRECTORY#${kind}`, sk: id }),
  directoryPartition: (kind: DirectoryKind) => `DIRECTORY#${kind}`,
  counter: (scope: SlotScope | 'queue', id?: string): Key => ({
    pk: scope === 'system' || scope === 'queue' ? `COUNTER#${scope}` : `COUNTER#${scope}#${part(id ?? '')}`,
    sk: 'COUNTER',
  }),
  /** The round-robin pointer of a skill area. */
  rotation: (skillArea: string): Key => ({ pk: `ROTATION#${part(skillArea)}`, sk: 'ROTATION' }),
  stats: (name: string): Key => ({ pk: `STATS#${name}`, sk: 'STATS' }),
  /** A session's entries in the listing indexes (listing.ts), one per list partition it belongs to. */
  listing: (sessionId: string, partition: string): Key => ({ pk: `LISTING#${sessionId}`, sk: partition }),
  /** How many sessions a list partition holds, by status. */
  listCount: (partition: string): Key => ({ pk: `LISTCOUNT#${partition}`, sk: 'LISTCOUNT' }),
  /** An export job's record. */
  exportJob: (id: string): Key => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' }),
  /** Where the last reconciliation pass stopped in the open sessions. */
  reconcileCursor: (): Key => ({ pk: 'RECONCILE', sk: 'CURSOR' }),
  workflow: (instanceId: string): Key => ({ pk: `WORKFLOW#${instanceId}`, sk: 'WORKFLOW' }),
  /** Present once every queued or running session carries its list-index keys (live-listing.ts): lists may then Query them. */
  liveListingMarker: (): Key => ({ pk: 'META', sk: 'live-listing' }),
  /** How many back-fill passes in a row have found nothing left to rewrite (live-listing.ts). */
  liveListingProgress: (): Key => ({ pk: 'META', sk: 'live-listing-progress' }),
};
