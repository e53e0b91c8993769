import type { ExportJob, ExportJobStore } from '../../shared/ports/export-jobs';
import type { ExportSink } from '../../shared/ports/export-sink';
import { ExportService, FAILED_JOB_REASON } from '../../shared/services/export-service';
import type { HistoryService } from '../../shared/services/history-service';
import { ManualClock } from '../support/clock';

/** runJob when the sink cannot open: the job ends failed with the safe reason, and the error itself is logged. */
class MemoryJobs implements ExportJobStore {
  readonly jobs = new Map<string, ExportJob>();
  async create(job: ExportJob) {
    if (this.jobs.has(job.id)) return false;
    this.jobs.set(job.id, job);
    return true;
  }
  async get(id: string) {
    return this.jobs.get(id);
  }
  async claim(id: string, now: string, leaseUntil: string) {
    const job = this.jobs.get(id);
    if (job?.status !== 'pending') return false;
    this.jobs.set(id, { ...job, status: 'running', leaseUntil, updatedAt: now });
    return true;
  }
  async progress(id: string, rows: number, now: string) {
    const job = this.jobs.get(id);
    if (job?.status === 'running') this.jobs.set(id, { ...job, rows, updatedAt: now });
  }
  async finish(id: string, outcome: Pick<ExportJob, 'status' | 'location' | 'rows' | 'bytes' | 'error'>, now: string) {
    const { leaseUntil: _lease, ...job } = this.jobs.get(id)!;
    this.jobs.set(id, { ...job, ...outcome, updatedAt: now });
  }
  async markRetried(id: string, retryId: string, now: string) {
    const job = this.jobs.get(id);
    if (job?.status !== 'failed' || job.retriedAs !== undefined) return false;
    this.jobs.set(id, { ...job, retriedAs: retryId, updatedAt: now });
    return true;
  }
}

test('a sink that fails to open: the job ends failed with the safe reason; the log has the error', async () => {
  // Prepare
  const jobs = new MemoryJobs();
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const failure = new Error("EACCES: permission denied, open '/srv/exports/.x.partial'");
  const sink: ExportSink = {
    open: async () => {
      throw failure;
    },
    download: async () => ({ kind: 'content', body: '' }),
  };
  const history = { sessionsFor: async function* () {} } as unknown as HistoryService;
  const service = new ExportService({
    history,
    jobs,
    sink,
    clock: new ManualClock(),
    defaultFormat: 'csv',
    rows: { toRow: () => ({}), columns: [] },
    logger: { error: (message, fields) => logged.push({ message, ...(fields && { fields }) }) },
  });
  const job = await service.createJob({ filter: {}, order: { sortBy: 'createdAt', sortDirection: 'desc' } }, { id: 'coord-1', roles: ['coordinator'] });

  // Act
  const ended = await service.runJob(job.id);

  // Assess
  expect(ended).toMatchObject({ status: 'failed', error: FAILED_JOB_REASON.replace('{id}', job.id) });
  expect(ended).not.toHaveProperty('leaseUntil');
  expect(logged).toEqual([{ message: 'export job failed', fields: { jobId: job.id, rows: 0, error: failure } }]);
});
