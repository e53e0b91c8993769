/**
 * The drain part of `npm run bench`: 500 queued sessions whose junior slots
 * are then freed without a drain, started by one drain, timed with the
 * requests per started session. Each variant runs on its own DynamoDB Local
 * (one that has served other sections answers transactions several times
 * slower): the embedded engine at the settings' parallelism, and an engine
 * that answers each start after a delay (as Elsa over HTTPS would) one at a
 * time and at the settings' parallelism. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { EmbeddedWorkflowEngine } from '../shared/adapters/embedded-engine/embedded-workflow-engine';
import { composeApp } from '../shared/compose';
import type { Caller } from '../shared/domain/access';
import { systemClock } from '../shared/ports/clock';
import type { WorkflowEngine } from '../shared/ports/workflow-engine';
import { SessionService } from '../shared/services/session-service';
import { parseSettings } from '../shared/settings/settings';
import { acceptingEngine, hideQueueFromReleases, withEngineMethod } from '../test/support/store-views';

const N = 500;
const coordinator: Caller = { id: 'bench', roles: ['coordinator'] };
const engineCaller: Caller = { id: 'bench-engine', roles: ['service'] };

interface Variant {
  readonly parallelism: number;
  /** Each engine start answers after this long (0: the embedded engine as it is). */
  readonly engineMs: number;
}

const VARIANTS: readonly Variant[] = [
  { parallelism: 8, engineMs: 0 },
  { parallelism: 1, engineMs: 20 },
  { parallelism: 8, engineMs: 20 },
];

export async function benchDrain(): Promise<string[]> {
  const lines: string[] = [];
  for (const variant of VARIANTS) {
    const own = await startDynamoDbLocal();
    try {
      lines.push(...(await drainOn(own.endpoint, variant)));
    } finally {
      await own.stop();
    }
  }
  return lines;
}

/** An engine whose starts answer after `ms`. */
function slowerStarts(inner: WorkflowEngine, ms: number): WorkflowEngine {
  return withEngineMethod(inner, 'start', (start) => async (input) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return start(input);
  });
}

async function drainOn(endpoint: string, { parallelism, engineMs }: Variant): Promise<string[]> {
  const table = 'bench-drain';
  const clients = createDynamoClients(localDynamoConfig(endpoint));
  await ensureTable(clients.client, table);
  const requests = new RequestCounter().attach(clients.client);
  const settings = parseSettings(
    `session_management: { max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_per_mentor: 1000, max_concurrent_sessions_system: 5000, max_queue_size: 1000, queue_drain_parallelism: ${parallelism} }`,
  );
  const embedded = new EmbeddedWorkflowEngine(clients.document, table, systemClock);
  const deps = composeApp({ tableName: table, dynamo: clients, settings, engine: engineMs === 0 ? embedded : slowerStarts(embedded, engineMs) });
  const directory = new DynamoDirectoryStore(clients.document, table);
  await directory.put('story', { id: 'story-1', title: 'Bench story', skillArea: 'typescript' });
  // Every session needs a mentor: one who covers the story's skill area, with a slot for each of the running sessions.
  await directory.put('mentor', { id: 'drain-mentor', name: 'Drain mentor', skills: [{ area: 'typescript', level: 4 }], available: true });
  for (let i = 0; i < N; i += 1) await directory.put('junior', { id: `dj-${i}`, name: `dj-${i}`, skills: [] });
  const start = (i: number) => deps.sessions.startSession({ storyId: 'story-1', juniorId: `dj-${i}` }, coordinator);
  const phase = (name: string) => process.stderr.write(`  [drain setup] ${name} (${new Date().toISOString().slice(11, 19)})\n`);
  phase(`${N} starts that run`);
  const active = await all(N, 8, start);
  phase(`${N} starts that queue`);
  const queued = await all(N, 8, start);
  if (queued.some((r) => r.status !== 'queued')) throw new Error('expected every second start to queue');
  // Free every slot without the in-request drain (a view of the store that hides the queue),
  // so that one drain call does all the work being measured.
  const hidden = hideQueueFromReleases(deps.ports.sessions);
  const freeing = new SessionService({ ...deps.ports, sessions: hidden, engine: acceptingEngine, clock: systemClock, ids: { sessionId: () => '' }, settings });
  phase(`${N} completions that free the slots`);
  await all(N, 8, (i) => freeing.completeSession(active[i]!.sessionId, { report: { summary: 'x', overallScore: 1, metrics: {} } }, engineCaller));

  requests.reset();
  const t0 = performance.now();
  const drained = await deps.sessions.drainQueue();
  const seconds = (performance.now() - t0) / 1000;
  const total = requests.total();
  clients.client.destroy();
  const engine = engineMs === 0 ? 'embedded engine' : `engine starts answering in ${engineMs} ms`;
  return [
    `  parallelism ${parallelism}, ${engine}: ${N} queued, slots freed, one drain started ${drained.started.length} in ${seconds.toFixed(2)} s = ${(drained.started.length / seconds).toFixed(0)} sessions/s`,
    `    DynamoDB requests: ${total} (${(total / Math.max(1, drained.started.length)).toFixed(2)} per started session: ${JSON.stringify(requests.byOperation())})`,
  ];
}

async function all<T>(n: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}
