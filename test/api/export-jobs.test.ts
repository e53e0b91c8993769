import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoExportJobStore } from '../../shared/adapters/dynamodb/dynamo-export-job-store';
import { FileExportSink } from '../../shared/adapters/exports/file-export-sink';
import type { SessionClient } from '../../shared/client';
import type { ExportDownload, ExportSink, ExportWriter } from '../../shared/ports/export-sink';
import { startApiFixture } from '../support/api-fixture';
import { ManualClock } from '../support/clock';
import type { LocalApp } from '../support/local-app';
import { DIRECTORY, expectError, SESSIONS, startSession } from './helpers';

/**
 * Export jobs hardened (issue 14, finding 4): a sink that fails to open ends
 * the job `failed` with a safe reason and the job can be retried; progress is
 * visible while it runs; the file is downloaded through the API (never a
 * server path); who asked is shown; only coordinators and the engine may act.
 */

/** The file sink, with faults on demand: opens that fail, and a write that waits to be released. */
class ControlledSink implements ExportSink {
  failOpens = 0;
  /** The write (1-based) that waits for `release()`; 0: none. */
  holdWrite = 0;
  private releaseHeld: () => void = () => undefined;
  private heldReached: () => void = () => undefined;
  /** Resolves once the held write is reached. */
  held: Promise<void> = Promise.resolve();

  constructor(private readonly inner: FileExportSink) {}

  hold(write: number): void {
    this.holdWrite = write;
    this.held = new Promise((resolve) => {
      this.heldReached = resolve;
    });
  }

  release(): void {
    this.holdWrite = 0;
    this.releaseHeld();
  }

  async open(name: string, contentType: string): Promise<ExportWriter> {
    if (this.failOpens > 0) {
      this.failOpens -= 1;
      throw new Error(`EACCES: permission denied, open '/srv/secret-mount/exports/.${name}.partial'`);
    }
    const writer = await this.inner.open(name, contentType);
    let writes = 0;
    return {
      write: async (chunk) => {
        writes += 1;
        if (writes === this.holdWrite) {
          const released = new Promise<void>((resolve) => {
            this.releaseHeld = resolve;
          });
          this.heldReached();
          await released;
        }
        await writer.write(chunk);
      },
      close: () => writer.close(),
      abort: () => writer.abort(),
    };
  }

  download(name: string, contentType: string, filename: string): Promise<ExportDownload> {
    return this.inner.download(name, contentType, filename);
  }
}

let app: LocalApp;
let coordinator: SessionClient;
let service: SessionClient;
let sink: ControlledSink;
let exportDir: string;
const SESSION_COUNT = 6;
const PROGRESS_EVERY = 4;
// A fixed clock: the synchronous export and the job's file then agree on durations.
const clock = new ManualClock();

beforeAll(async () => {
  exportDir = mkdtempSync(join(tmpdir(), 'mss-export-jobs-'));
  sink = new ControlledSink(new FileExportSink(exportDir));
  ({ app, coordinator, service } = await startApiFixture({ exportSink: sink, exportProgressEveryRows: PROGRESS_EVERY, clock }));
  for (let i = 0; i < SESSION_COUNT; i += 1) await startSession(coordinator, { juniorId: DIRECTORY.juniors[i % 2]! });
});
afterAll(async () => {
  await app.close();
  rmSync(exportDir, { recursive: true, force: true });
});

describe('a job whose sink fails to open', () => {
  test('ends failed with a safe reason, and a retry (a new job) runs it to success', async () => {
    // Prepare
    sink.failOpens = 1;
    const job = await coordinator.createExportJob({ storyId: DIRECTORY.story, format: 'csv' });

    // Act
    await app.deps.exports.runJob(job.id);
    const failed = await coordinator.getExportJob(job.id);
    const retry = await coordinator.retryExportJob(job.id);
    const again = await service.retryExportJob(job.id);
    await app.deps.exports.runJob(retry.id);
    const done = await coordinator.getExportJob(retry.id);
    const original = await coordinator.getExportJob(job.id);

    // Assess
    expect(failed).toMatchObject({ status: 'failed', requestedBy: 'coord-1', error: expect.stringContaining('Retry it') });
    expect(failed.error).not.toMatch(/EACCES|secret-mount|partial/);
    expect(failed).not.toHaveProperty('location');
    expect(retry).toMatchObject({ status: 'pending', retryOf: job.id, format: 'csv', requestedBy: 'coord-1' });
    expect(again.id).toBe(retry.id);
    expect(done).toMatchObject({ status: 'succeeded', rows: SESSION_COUNT, location: `${SESSIONS}/exports/${retry.id}/download` });
    expect(original).toMatchObject({ status: 'failed', retriedAs: retry.id });
    const file = await coordinator.downloadExportJob(retry.id);
    expect(file.text).toBe((await coordinator.exportSessions({ storyId: DIRECTORY.story, format: 'csv' })).text);
  });

  test('only a failed job may be retried (409 naming its status)', async () => {
    // Prepare
    const job = await coordinator.createExportJob({ storyId: DIRECTORY.story });
    await app.deps.exports.runJob(job.id);

    // Act
    const response = await coordinator.raw('POST', `${SESSIONS}/exports/${job.id}/retry`);

    // Assess
    expect(expectError(response, 409, 'export_job_state').details).toEqual({ status: 'succeeded' });
  });
});

describe('a job whose runner died (still running, its lease run out)', () => {
  test('is retried like a failed one, and ends failed with a safe reason; before the lease runs out it is not', async () => {
    // Prepare: a runner claims the job for 15 minutes and dies (nothing runs it)
    const job = await coordinator.createExportJob({ storyId: DIRECTORY.story, format: 'csv' });
    const jobs = new DynamoExportJobStore(app.table.dynamo.document, app.table.tableName);
    const claimedAt = clock.now();
    expect(await jobs.claim(job.id, claimedAt.toISOString(), new Date(claimedAt.getTime() + 15 * 60_000).toISOString())).toBe(true);

    // Act + Assess: within the lease the runner may still finish, so no retry
    const early = await coordinator.raw('POST', `${SESSIONS}/exports/${job.id}/retry`);
    expect(expectError(early, 409, 'export_job_state').details).toEqual({ status: 'running' });

    // Act: the lease has run out
    clock.advanceMinutes(16);
    const retry = await coordinator.retryExportJob(job.id);
    await app.deps.exports.runJob(retry.id);

    // Assess
    const abandoned = await coordinator.getExportJob(job.id);
    expect(abandoned).toMatchObject({ status: 'failed', retriedAs: retry.id });
    expect(abandoned.error).toMatch(/stopped before it finished/);
    expect(await coordinator.getExportJob(retry.id)).toMatchObject({ status: 'succeeded', retryOf: job.id, rows: SESSION_COUNT });
  });
});

describe('progress', () => {
  test('the rows exported so far show while the job runs, all of them when it ends', async () => {
    // Prepare: the file's one flush (the buffer holds every row of this small export) waits, so the job stays running.
    const job = await coordinator.createExportJob({ storyId: DIRECTORY.story, format: 'ndjson' });
    sink.hold(1);

    // Act
    const running = app.deps.exports.runJob(job.id);
    await sink.held;
    const midway = await coordinator.getExportJob(job.id);
    sink.release();
    await running;
    const done = await coordinator.getExportJob(job.id);

    // Assess
    expect(midway).toMatchObject({ status: 'running', rows: PROGRESS_EVERY });
    expect(done).toMatchObject({ status: 'succeeded', rows: SESSION_COUNT });
  });
});

describe('GET /sessions/exports/{id}/download', () => {
  test.each([
    ['csv', 'text/csv'],
    ['ndjson', 'application/x-ndjson'],
    ['json', 'application/json'],
  ] as const)('a %s job: the file bytes, its content type, an attachment name; never a server path in the job', async (format, type) => {
    // Prepare
    const job = await coordinator.createExportJob({ juniorId: DIRECTORY.juniors[0], format });
    await app.deps.exports.runJob(job.id);

    // Act
    const response = await coordinator.raw('GET', `${SESSIONS}/exports/${job.id}/download`);
    const shown = await coordinator.getExportJob(job.id);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="sessions-${job.id}.${format}"`);
    expect(response.text).toBe((await coordinator.exportSessions({ juniorId: DIRECTORY.juniors[0], format })).text);
    expect(Buffer.byteLength(response.text, 'utf8')).toBe(shown.bytes);
    expect(shown.location).toBe(`${SESSIONS}/exports/${job.id}/download`);
    expect(JSON.stringify(shown)).not.toContain(exportDir);
    expect(JSON.stringify(shown)).not.toContain('file://');
  });

  test('before the job succeeded: 409 naming its status', async () => {
    // Prepare
    const job = await coordinator.createExportJob({});

    // Act
    const response = await coordinator.raw('GET', `${SESSIONS}/exports/${job.id}/download`);

    // Assess
    expect(expectError(response, 409, 'export_job_state').details).toEqual({ status: 'pending' });
  });
});

describe('who may act', () => {
  test.each([
    ['junior', 'junior-a'],
    ['mentor', 'mentor-a'],
  ] as const)('a %s gets 403 on reading, downloading and retrying a job', async (role, sub) => {
    // Prepare
    const job = await coordinator.createExportJob({});
    await app.deps.exports.runJob(job.id);
    const caller = await app.as(sub, role);

    // Act
    const answers = [
      await caller.raw('GET', `${SESSIONS}/exports/${job.id}`),
      await caller.raw('GET', `${SESSIONS}/exports/${job.id}/download`),
      await caller.raw('POST', `${SESSIONS}/exports/${job.id}/retry`),
    ];

    // Assess
    for (const answer of answers) expectError(answer, 403, 'forbidden');
  });

  test('an unknown job is 404 on every job route', async () => {
    // Prepare
    const unknown = '00000000-0000-4000-8000-000000000000';

    // Act
    const answers = [
      await coordinator.raw('GET', `${SESSIONS}/exports/${unknown}`),
      await coordinator.raw('GET', `${SESSIONS}/exports/${unknown}/download`),
      await coordinator.raw('POST', `${SESSIONS}/exports/${unknown}/retry`),
    ];

    // Assess
    for (const answer of answers) expectError(answer, 404, 'not_found');
  });

  test('the job names who asked for it', async () => {
    // Act
    const job = await service.createExportJob({});

    // Assess
    expect(job.requestedBy).toBe('engine');
    expect((await coordinator.getExportJob(job.id)).requestedBy).toBe('engine');
  });
});
