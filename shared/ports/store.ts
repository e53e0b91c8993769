import type { ReconcileCursor } from './reconcile-cursor';
import type { RetentionStore } from './retention-store';
import type { SessionHistory } from './session-history';
import type { SessionIndexes } from './session-indexes';
import type { SessionRepository } from './session-repository';
import type { StoreMigration } from './store-migration';
import type { UsageReader } from './usage-reader';

/** The session store's small ports, as one adapter family provides them (each use case takes only the ones it needs). */
export interface StorePorts {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly usage: UsageReader;
  readonly history: SessionHistory;
  readonly retention: RetentionStore;
  readonly reconcileCursor: ReconcileCursor;
  /** Brings items older versions wrote up to date (run by the reconciliation schedule and the local boot pass). */
  readonly migration: StoreMigration;
}
