/** What one pass of a store migration did. */
export interface MigrationReport {
  /** Items it rewrote in this pass. */
  readonly rewritten: number;
  /** Nothing is left to rewrite (the next passes do nothing). */
  readonly done: boolean;
}

/**
 * Rewrites items an older version of the service wrote, in small passes that
 * the minute's background work runs until the store reports it done. Each
 * pass is idempotent and may stop anywhere.
 */
export interface StoreMigration {
  migrate(): Promise<MigrationReport>;
}
