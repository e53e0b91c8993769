import type { ExportFormat } from '../domain/export-format';
import type { ListOrder, SessionFilter } from '../domain/session-list';

export type ExportJobStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** An asynchronous export: what to export, and how far it got. */
export interface ExportJob {
  readonly id: string;
  readonly status: ExportJobStatus;
  readonly format: ExportFormat;
  /** The filter as scoped for the caller who asked. */
  readonly filter: SessionFilter;
  readonly order: ListOrder;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** While running: another runner may take the job over after this instant (the first one died). */
  readonly leaseUntil?: string;
  /** The sink's own address of the file (internal: never shown to callers, who download through the API). */
  readonly location?: string;
  /** Rows written so far while running (recorded every few rows), all of them once it succeeded. */
  readonly rows?: number;
  readonly bytes?: number;
  /** Why it failed, safe to show (the full error goes to the log). */
  readonly error?: string;
  /** A retry: the failed job this one runs again. */
  readonly retryOf?: string;
  /** A failed job that was retried: the job that runs it again. */
  readonly retriedAs?: string;
}

export interface ExportJobStore {
  /** Stores a new job; false (and nothing written) when a job with its id exists. */
  create(job: ExportJob): Promise<boolean>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Marks the job running until `leaseUntil`, if it is pending or its lease ran out; false when another runner has it or it ended. */
  claim(id: string, now: string, leaseUntil: string): Promise<boolean>;
  /** Records the rows written so far, while the job is still running. */
  progress(id: string, rows: number, now: string): Promise<void>;
  finish(id: string, outcome: Pick<ExportJob, 'status' | 'location' | 'rows' | 'bytes' | 'error'>, now: string): Promise<void>;
  /**
   * Names the job that retries a failed one, or a running one whose runner's lease ran out (it
   * died: the job is marked failed with `abandonedReason`); false when it is neither or was
   * retried already (re-read it).
   */
  markRetried(id: string, retryId: string, now: string, abandonedReason: string): Promise<boolean>;
}
