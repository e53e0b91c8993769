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

const part = (value: string) => encodeURIComponent(value);

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
  counter: (scope: SlotScope, id?: string): Key => ({
    pk: scope === 'system' ? 'COUNTER#system' : `COUNTER#${scope}#${id ?? ''}`,
    sk: 'COUNTER',
  }),
  workflow: (instanceId: string): Key => ({ pk: `WORKFLOW#${instanceId}`, sk: 'WORKFLOW' }),
};
