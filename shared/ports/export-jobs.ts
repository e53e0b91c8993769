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
  readonly location?: string;
  readonly rows?: number;
  readonly bytes?: number;
  readonly error?: string;
}

export interface ExportJobStore {
  create(job: ExportJob): Promise<void>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Marks the job running until `leaseUntil`, if it is pending or its lease ran out; false when another runner has it or it ended. */
  claim(id: string, now: string, leaseUntil: string): Promise<boolean>;
  finish(id: string, outcome: Pick<ExportJob, 'status' | 'location' | 'rows' | 'bytes' | 'error'>, now: string): Promise<void>;
}
