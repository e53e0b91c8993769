/** Where the last reconciliation pass stopped in the open sessions (an id), so the next goes on from there. */
export interface ReconcileCursor {
  read(): Promise<string | undefined>;
  save(after: string | undefined): Promise<void>;
}
