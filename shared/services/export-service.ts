import { randomUUID } from 'node:crypto';
import { type Caller, mayPerform } from '../domain/access';
import { ExportJobStateError, ExportTooLargeError, ForbiddenError, NotFoundError } from '../domain/errors';
import { CONTENT_TYPES, type Column, type ExportFormat, FILE_EXTENSIONS, serialize } from '../domain/export-format';
import type { Session } from '../domain/model';
import { type ListOrder, type SessionFilter, scopeFilter } from '../domain/session-list';
import type { Clock } from '../ports/clock';
import type { ExportJob, ExportJobStore } from '../ports/export-jobs';
import type { ExportDownload, ExportSink, ExportWriter } from '../ports/export-sink';
import type { HistoryService } from './history-service';

export interface ExportDeps {
  readonly history: HistoryService;
  readonly jobs: ExportJobStore;
  readonly sink: ExportSink;
  readonly clock: Clock;
  readonly defaultFormat: ExportFormat;
  /** How a session becomes an exported row, and the CSV columns (the wire shape: the HTTP layer's presenters give it). */
  readonly rows: ExportRows;
  /** A running job's row count is recorded every this many rows (default PROGRESS_EVERY_ROWS). */
  readonly progressEveryRows?: number;
  /** Where a failed job's full error goes (callers see only FAILED_JOB_REASON). */
  readonly logger?: { error(message: string, fields?: Record<string, unknown>): void };
}

/** An exported row's shape: the mapping from a session and the columns of its CSV form. */
export interface ExportRows<R = unknown> {
  toRow(session: Session, now: string): R;
  readonly columns: readonly Column<R>[];
}

/**
 * A synchronous answer is built in memory up to this size: Lambda's response
 * limit is 6 MB, and API Gateway's HTTP API cannot stream. Larger exports
 * go through an export job, which streams to a file.
 */
export const MAX_SYNC_EXPORT_BYTES = 5 * 1024 * 1024;
/** A job's runner holds it this long; another runner may take over a job whose runner died. */
const JOB_LEASE_MS = 15 * 60 * 1000;
/** A running job records its row count this often (one small write per this many rows). */
export const PROGRESS_EVERY_ROWS = 1000;
/** What a failed job says: the cause (a path, a bucket, an SDK message) stays in the log. */
/** What a job whose runner died (its lease ran out, still `running`) says once it is retried. */
export const ABANDONED_JOB_REASON = 'The export stopped before it finished (its runner did not come back); it was retried as a new job.';
export const FAILED_JOB_REASON = 'The export could not be written. Retry it: POST /api/mentorship/sessions/exports/{id}/retry.';

export interface ExportRequest {
  readonly filter: SessionFilter;
  readonly order: ListOrder;
  readonly format?: ExportFormat;
}

/** Session exports (spec AC6): in the response when small, as a job writing a file when large. */
export class ExportService {
  constructor(private readonly deps: ExportDeps) {}

  /** The export as one text body, or ExportTooLargeError (413) past MAX_SYNC_EXPORT_BYTES. */
  async text(request: ExportRequest, caller: Caller, maxBytes = MAX_SYNC_EXPORT_BYTES): Promise<{ format: ExportFormat; contentType: string; body: string }> {
    const format = request.format ?? this.deps.defaultFormat;
    const parts: string[] = [];
    let bytes = 0;
    for await (const chunk of this.chunks(request, format, caller)) {
      bytes += Buffer.byteLength(chunk, 'utf8');
      if (bytes > maxBytes) {
        throw new ExportTooLargeError(`The export is larger than ${maxBytes} bytes; start an export job (POST /api/mentorship/sessions/exports) instead.`, {
          details: { limitBytes: maxBytes, job: 'POST /api/mentorship/sessions/exports' },
        });
      }
      parts.push(chunk);
    }
    return { format, contentType: CONTENT_TYPES[format], body: parts.join('') };
  }

  /** Records an export job; the table's stream runs it (runJob). */
  async createJob(request: ExportRequest, caller: Caller): Promise<ExportJob> {
    if (!mayPerform(caller, 'export_sessions')) throw new ForbiddenError('Your role may not start export jobs.');
    const now = this.deps.clock.now().toISOString();
    const job: ExportJob = {
      id: randomUUID(),
      status: 'pending',
      format: request.format ?? this.deps.defaultFormat,
      filter: scopeFilter(caller, request.filter) ?? request.filter,
      order: request.order,
      requestedBy: caller.id,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.jobs.create(job);
    return job;
  }

  async getJob(id: string, caller: Caller): Promise<ExportJob> {
    if (!mayPerform(caller, 'export_sessions')) throw new ForbiddenError('Your role may not read export jobs.');
    const job = await this.deps.jobs.get(id);
    if (job === undefined) throw new NotFoundError(`Export job ${id} not found.`);
    return job;
  }

  /**
   * Runs a failed job again, as a new job (`retryOf`; the failed one gets
   * `retriedAs`), which the table's stream runs like any new job. A repeated
   * retry answers the same new job; a job that did not fail is a 409.
   */
  async retryJob(id: string, caller: Caller): Promise<ExportJob> {
    if (!mayPerform(caller, 'export_sessions')) throw new ForbiddenError('Your role may not retry export jobs.');
    const failed = await this.getJob(id, caller);
    if (failed.retriedAs !== undefined) return this.retryOf(failed, failed.retriedAs);
    const now = this.deps.clock.now().toISOString();
    // A job still `running` after its lease ran out lost its runner (a crash, a timeout): it is retried like a failed one.
    const abandoned = failed.status === 'running' && failed.leaseUntil !== undefined && failed.leaseUntil < now;
    if (failed.status !== 'failed' && !abandoned)
      throw new ExportJobStateError(`Export job ${id} is ${failed.status}; only a failed job can be retried.`, { details: { status: failed.status } });
    const retryId = randomUUID();
    if (await this.deps.jobs.markRetried(id, retryId, now, ABANDONED_JOB_REASON)) return this.retryOf(failed, retryId);
    // Another retry named its job first: answer that one.
    const again = await this.getJob(id, caller);
    if (again.retriedAs === undefined)
      throw new ExportJobStateError(`Export job ${id} is ${again.status}; only a failed job can be retried.`, { details: { status: again.status } });
    return this.retryOf(again, again.retriedAs);
  }

  /** The retry job named `retryId`, created if the retry that named it stopped before creating it. */
  private async retryOf(failed: ExportJob, retryId: string): Promise<ExportJob> {
    const now = this.deps.clock.now().toISOString();
    const retry: ExportJob = {
      id: retryId,
      status: 'pending',
      format: failed.format,
      filter: failed.filter,
      order: failed.order,
      requestedBy: failed.requestedBy,
      retryOf: failed.id,
      createdAt: now,
      updatedAt: now,
    };
    if (await this.deps.jobs.create(retry)) return retry;
    return (await this.deps.jobs.get(retryId)) ?? retry;
  }

  /** A succeeded job's file: its text, or a short-lived URL to it (S3); 409 before it succeeded. */
  async download(id: string, caller: Caller): Promise<{ download: ExportDownload; contentType: string; filename: string }> {
    const job = await this.getJob(id, caller);
    if (job.status !== 'succeeded')
      throw new ExportJobStateError(`Export job ${id} is ${job.status}; only a succeeded job has a file.`, { details: { status: job.status } });
    const filename = `sessions-${job.id}.${FILE_EXTENSIONS[job.format]}`;
    const contentType = CONTENT_TYPES[job.format];
    return { download: await this.deps.sink.download(fileNameOf(job), contentType, filename), contentType, filename };
  }

  /**
   * Runs a pending job: streams every matching session into the sink with
   * flat memory, recording the row count as it goes, then records where the
   * file is. A job another runner holds (or that ended) is left alone. Any
   * failure, opening the sink included, ends the job `failed` with a safe
   * reason (the error itself goes to the log); POST .../retry runs it again.
   */
  async runJob(id: string): Promise<ExportJob | undefined> {
    const now = this.deps.clock.now();
    const claimed = await this.deps.jobs.claim(id, now.toISOString(), new Date(now.getTime() + JOB_LEASE_MS).toISOString());
    if (!claimed) return this.deps.jobs.get(id);
    const job = (await this.deps.jobs.get(id))!;
    const every = this.deps.progressEveryRows ?? PROGRESS_EVERY_ROWS;
    let writer: ExportWriter | undefined;
    let rows = 0;
    try {
      writer = await this.deps.sink.open(fileNameOf(job), CONTENT_TYPES[job.format]);
      const runner: Caller = { id: job.requestedBy, roles: ['service'] };
      const counted = { filter: job.filter, order: job.order };
      // Progress goes by rows read, not by flushes: a flush holds up to a buffer's worth of rows.
      const onRow = async () => {
        rows += 1;
        if (rows % every === 0) await this.deps.jobs.progress(id, rows, this.deps.clock.now().toISOString());
      };
      for await (const chunk of this.chunks(counted, job.format, runner, onRow)) await writer.write(chunk);
      const stored = await writer.close();
      await this.deps.jobs.finish(id, { status: 'succeeded', location: stored.location, bytes: stored.bytes, rows }, this.deps.clock.now().toISOString());
    } catch (error) {
      this.deps.logger?.error('export job failed', { jobId: id, rows, error });
      await writer?.abort().catch(() => undefined);
      await this.deps.jobs.finish(id, { status: 'failed', error: FAILED_JOB_REASON.replace('{id}', id) }, this.deps.clock.now().toISOString());
    }
    return this.deps.jobs.get(id);
  }

  private chunks(request: ExportRequest, format: ExportFormat, caller: Caller, onRow?: () => void | Promise<void>): AsyncIterable<string> {
    const now = this.deps.clock.now().toISOString();
    const { history, rows: shape } = this.deps;
    async function* rows() {
      for await (const session of history.sessionsFor(request.filter, request.order, caller)) {
        await onRow?.();
        yield shape.toRow(session, now);
      }
    }
    return serialize(format, shape.columns, rows(), (row) => row);
  }
}

/** The sink's name for a job's file. */
function fileNameOf(job: ExportJob): string {
  return `${job.id}.${FILE_EXTENSIONS[job.format]}`;
}
