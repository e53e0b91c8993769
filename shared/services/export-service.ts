import { randomUUID } from 'node:crypto';
import { type Caller, mayPerform } from '../domain/access';
import { ExportTooLargeError, ForbiddenError, NotFoundError } from '../domain/errors';
import { CONTENT_TYPES, type Column, type ExportFormat, FILE_EXTENSIONS, serialize } from '../domain/export-format';
import type { Session } from '../domain/model';
import { type ListOrder, type SessionFilter, scopeFilter } from '../domain/session-list';
import type { Clock } from '../ports/clock';
import type { ExportJob, ExportJobStore } from '../ports/export-jobs';
import type { ExportSink } from '../ports/export-sink';
import type { HistoryService } from './history-service';

export interface ExportDeps {
  readonly history: HistoryService;
  readonly jobs: ExportJobStore;
  readonly sink: ExportSink;
  readonly clock: Clock;
  readonly defaultFormat: ExportFormat;
  /** How a session becomes an exported row, and the CSV columns (the wire shape: the HTTP layer's presenters give it). */
  readonly rows: ExportRows;
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
   * Runs a pending job: streams every matching session into the sink with
   * flat memory, then records where the file is. A job another runner holds
   * (or that ended) is left alone; a failure is recorded on the job.
   */
  async runJob(id: string): Promise<ExportJob | undefined> {
    const now = this.deps.clock.now();
    const claimed = await this.deps.jobs.claim(id, now.toISOString(), new Date(now.getTime() + JOB_LEASE_MS).toISOString());
    if (!claimed) return this.deps.jobs.get(id);
    const job = (await this.deps.jobs.get(id))!;
    const writer = await this.deps.sink.open(`${job.id}.${FILE_EXTENSIONS[job.format]}`, CONTENT_TYPES[job.format]);
    let rows = 0;
    try {
      const runner: Caller = { id: job.requestedBy, roles: ['service'] };
      const counted = { filter: job.filter, order: job.order };
      for await (const chunk of this.chunks(counted, job.format, runner, () => (rows += 1))) await writer.write(chunk);
      const stored = await writer.close();
      await this.deps.jobs.finish(id, { status: 'succeeded', location: stored.location, bytes: stored.bytes, rows }, this.deps.clock.now().toISOString());
    } catch (error) {
      await writer.abort();
      await this.deps.jobs.finish(id, { status: 'failed', error: error instanceof Error ? error.message : String(error) }, this.deps.clock.now().toISOString());
    }
    return this.deps.jobs.get(id);
  }

  private chunks(request: ExportRequest, format: ExportFormat, caller: Caller, onRow?: () => void): AsyncIterable<string> {
    const now = this.deps.clock.now().toISOString();
    const { history, rows: shape } = this.deps;
    async function* rows() {
      for await (const session of history.sessionsFor(request.filter, request.order, caller)) {
        onRow?.();
        yield shape.toRow(session, now);
      }
    }
    return serialize(format, shape.columns, rows(), (row) => row);
  }
}
