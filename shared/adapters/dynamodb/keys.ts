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
const part = (value: string) => encodeURIComponent(value.toWellFormed());

export const keys = {
  session: (id: string): Key => ({ pk: `SESSION#${id}`, sk: 'SESSION' }),
  event: (sessionId: string, seq: number): Key => ({
    pk: `SESSION#${sessionId}`,
    sk: `EVENT#${String(seq).padStart(8, '0')}`,
  }),
  sessionPartition: (id: string) => `SESSION#${id}`,
  /** Remembers an engine event id, so a repeated report is dropped. */
  externalEvent: (sessionId: string, eventId: string): Key => ({
    pk: `EXTERNAL#${sessionId}#${part(eventId)}`,
    sk: 'EXTERNAL',
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
  workflow: (instanceId: string): Key => ({ pk: `WORKFLOW#${instanceId}`, sk: 'WORKFLOW' }),
};
