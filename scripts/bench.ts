/**
 * `npm run bench`: DynamoDB requests per operation and latency through the
 * whole HTTP stack (local server -> handler -> service -> DynamoDB Local), at 1
 * and 16 concurrent clients, beside a raw TransactWriteItems on the same
 * DynamoDB Local in the same run. Prints figures; asserts nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'silent';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { localJwt } from '../infra/local/jwt';
import { startLocalServer } from '../infra/local/server';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { seedItems } from '../shared/adapters/dynamodb/dynamo-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { keys } from '../shared/adapters/dynamodb/keys';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { EmbeddedWorkflowEngine } from '../shared/adapters/embedded-engine/embedded-workflow-engine';
import { createClient, type SessionClient } from '../shared/client';
import { composeApp } from '../shared/compose';
import type { MentorAssignment } from '../shared/domain/assignment';
import { startedSession } from '../shared/domain/lifecycle';
import type { Session } from '../shared/domain/session';
import { hoursToMs } from '../shared/domain/session-config';
import { systemClock } from '../shared/ports/clock';
import { parseSettings } from '../shared/settings/settings';
import { acceptingEngine } from '../test/support/store-views';
import { type CpuSplit, cpuPer, formatCpu } from './bench-cpu';
import { benchDrain } from './bench-drain';
import { type CapturedRequest, captureRequests, floorP50, percentile, replayP50, timed } from './bench-floor';
import { benchExport, benchList } from './bench-history';
import { batchWrite } from './bench-seed';
import { simulateEstimate } from './simulate-estimate';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
const TABLE = 'bench';
/** BENCH_ONLY=latency,drain,sweep,list,export,estimate runs only those sections (default: all). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'latency,drain,sweep,list,export,estimate').split(','));

const ms = (n: number) => n.toFixed(1).padStart(7);

/** Sweeper cost: 10 due sessions among 1,000 and among 10,000. */
async function benchSweeper(endpoint: string): Promise<string[]> {
  const lines: string[] = [];
  for (const size of [1_000, 10_000]) {
    const table = `bench-sweep-${size}`;
    const clients = createDynamoClients(localDynamoConfig(endpoint));
    await ensureTable(clients.client, table);
    const settings = parseSettings('session_management: { max_concurrent_sessions_system: 100000, max_concurrent_sessions_per_junior: 100 }');
    const now = Date.now();
    const sessions: Session[] = [];
    // Sessions written directly, as a start with the default config and a named mentor would write them.
    const config = settings.defaultConfig;
    const timeouts = { ...settings.timeouts, maxDurationMs: hoursToMs(config.maxDurationHours) };
    const assignment: MentorAssignment = { mode: 'manual', mentorId: 'sweep-m', skillArea: 'typescript', candidates: [], candidateCount: 0 };
    for (let i = 0; i < size; i += 1) {
      const due = i < 10;
      // Due sessions started 9 h ago (past the 8 h active limit); the rest just now.
      const at = new Date(now - (due ? 9 * 3_600_000 : 0)).toISOString();
      const { session } = startedSession(
        {
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          storyId: 's',
          juniorId: 'sweep-j',
          storyTitle: 's',
          juniorName: 'j',
          skillArea: 'typescript',
          timeouts,
          config,
        },
        assignment,
        { actor: { id: 'bench', role: 'coordinator' }, now: at },
        `wf-${i}`,
      );
      sessions.push(session);
    }
    const items = seedItems(sessions, settings.audit.retentionDays);
    items.push({ ...keys.counter('junior', 'sweep-j'), entity: 'counter', count: size });
    items.push({ ...keys.counter('mentor', 'sweep-m'), entity: 'counter', count: size });
    items.push({ ...keys.counter('system'), entity: 'counter', count: size });
    await batchWrite(clients.document, table, items);
    const requests = new RequestCounter().attach(clients.client);
    // The sessions were written directly, with no engine instances: an engine that accepts every
    // call keeps the count to the sweeper's own requests.
    const deps = composeApp({ tableName: table, dynamo: clients, settings, engine: acceptingEngine });
    const swept = await deps.sessions.sweepDue();
    lines.push(
      `  ${String(size).padStart(6)} sessions, ${swept.timedOut.length} due (${swept.checkInsMissed.length} with missed check-ins): ${requests.total()} DynamoDB requests ${JSON.stringify(requests.byOperation())}`,
    );
    clients.client.destroy();
  }
  return lines;
}

/** Requests, round trips and latency per operation through the HTTP stack, beside their floors (bench-floor.ts). */
async function benchLatency(endpoint: string, dataDir: string, storePid: number | undefined): Promise<void> {
  const storeClients = createDynamoClients(localDynamoConfig(endpoint));
  const engineClients = createDynamoClients(localDynamoConfig(endpoint));
  await ensureTable(storeClients.client, TABLE);
  const storeRequests = new RequestCounter().attach(storeClients.client);
  const engineRequests = new RequestCounter().attach(engineClients.client);
  const deps = composeApp({
    tableName: TABLE,
    dynamo: storeClients,
    engine: new EmbeddedWorkflowEngine(engineClients.document, TABLE, systemClock),
    // Limits that never bind here: this section measures the lifecycle path, not the queue.
    settings: parseSettings('session_management: { max_concurrent_sessions_system: 100000, max_concurrent_sessions_per_mentor: 1000 }'),
  });
  const directory = new DynamoDirectoryStore(storeClients.document, TABLE);
  await directory.put('story', { id: 'story-1', title: 'Bench story', skillArea: 'typescript' });
  // mentor-1 is named by the probe start (a manual assignment); the other starts name nobody and are
  // assigned automatically, to mentors who cover the story's skill area, enough to hold every open session.
  await directory.put('mentor', { id: 'mentor-1', name: 'Bench mentor', skills: [], maxConcurrentSessions: 3, available: true });
  for (let i = 0; i < Math.ceil(SESSIONS / 1000); i += 1) {
    await directory.put('mentor', { id: `auto-mentor-${i}`, name: `Auto mentor ${i}`, skills: [{ area: 'typescript', level: 4 }], available: true });
  }
  const juniors = Array.from({ length: SESSIONS * 2 }, (_, i) => `junior-${i}`);
  for (const id of juniors) await directory.put('junior', { id, name: id, skills: [] });

  const jwt = await localJwt(dataDir);
  const server = await startLocalServer({ deps, jwt, port: 0 });
  const client: SessionClient = createClient({ baseUrl: server.url, token: await jwt.sign({ sub: 'bench', roles: ['coordinator'] }) });

  // Requests and round trips per operation, measured on one call each. `trips` counts the
  // store's and the embedded engine's requests together: both wait on the same DynamoDB Local.
  const allRequests = new RequestCounter().attach(storeClients.client).attach(engineClients.client);
  const capture = captureRequests(storeClients.client, engineClients.client);
  const perOp: Record<string, { store: Record<string, number>; storeTrips: number; engine: Record<string, number>; trips: string[]; sent: CapturedRequest[] }> = {};
  const countOne = async (name: string, work: () => Promise<unknown>) => {
    storeRequests.reset();
    engineRequests.reset();
    allRequests.reset();
    const sent = await capture.record(work);
    perOp[name] = {
      store: storeRequests.byOperation(),
      storeTrips: storeRequests.roundTrips(),
      engine: engineRequests.byOperation(),
      trips: allRequests.tripKinds(),
      sent,
    };
  };
  // The process's first start (nothing cached yet; a named mentor), then a start like the timed ones.
  await countOne('start (first)', () => client.startSession({ storyId: 'story-1', juniorId: juniors[0]!, mentorId: 'mentor-1' }));
  let probe = '';
  await countOne('start', async () => {
    probe = (await client.startSession({ storyId: 'story-1', juniorId: juniors[SESSIONS]! })).sessionId;
  });
  await countOne('pause', () => client.pauseSession(probe, { reason: 'bench' }));
  await countOne('pause (repeat)', () => client.pauseSession(probe, { reason: 'bench' }));
  await countOne('resume', () => client.resumeSession(probe));
  await countOne('get', () => client.getSession(probe));
  await countOne('cancel', () => client.cancelSession(probe, { reason: 'bench' }));

  // Latency through the HTTP stack, each operation beside its floor (bench-floor.ts) at the same concurrency.
  const rows: string[] = [];
  const cpuRows: string[] = [];
  for (const concurrency of [1, 16]) {
    const offset = concurrency === 1 ? 1 : SESSIONS + 1;
    const batch = juniors.slice(offset, offset + SESSIONS - 1);
    const ids: string[] = [];
    const phases: [string, number[], CpuSplit][] = [];
    const phase = async (name: string, n: number, work: (i: number) => Promise<unknown>) => {
      const { result, cpu } = await cpuPer(n, storePid, () => timed(n, concurrency, work));
      phases.push([name, result, cpu]);
    };
    await phase('start', batch.length, async (i) => {
      ids.push((await client.startSession({ storyId: 'story-1', juniorId: batch[i]! })).sessionId);
    });
    await phase('pause', ids.length, (i) => client.pauseSession(ids[i]!, { reason: 'bench' }));
    await phase('resume', ids.length, (i) => client.resumeSession(ids[i]!));
    await phase('get', ids.length, (i) => client.getSession(ids[i]!));
    await phase('cancel', ids.length, (i) => client.cancelSession(ids[i]!, { reason: 'bench' }));
    for (const [name, lat, cpu] of phases) {
      const { trips, sent } = perOp[name]!;
      const samples = concurrency === 1 ? 150 : 480;
      const floor = await floorP50(storeClients.document, TABLE, trips, concurrency, samples);
      const { result: same, cpu: sameCpu } = await cpuPer(samples, storePid, () => replayP50(storeClients.client, sent, concurrency, samples));
      const p50 = percentile(lat, 50);
      rows.push(
        `  ${name.padEnd(7)} c=${String(concurrency).padEnd(3)} n=${String(lat.length).padEnd(4)} p50 ${ms(p50)} ms  p95 ${ms(percentile(lat, 95))} ms | floor (${trips.length} raw) ${ms(floor)} ms ${(p50 / floor).toFixed(2).padStart(5)}x | same requests ${ms(same)} ms ${(p50 / same).toFixed(2).padStart(5)}x`,
      );
      cpuRows.push(`  ${name.padEnd(7)} c=${String(concurrency).padEnd(3)} ${formatCpu(cpu)} | same requests ${formatCpu(sameCpu)}`);
    }
  }

  // A raw 2-item TransactWriteItems on the same DynamoDB Local, at 1 and 16 clients.
  const rawTxn = (prefix: string) => (i: number) =>
    storeClients.document.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { pk: `${prefix}#${i}`, sk: 'A', n: i } } },
          { Put: { TableName: TABLE, Item: { pk: `${prefix}#${i}`, sk: 'B', n: i } } },
        ],
      }),
    );
  const raw = await timed(300, 1, rawTxn('RAW'));
  const raw16 = await timed(600, 16, rawTxn('RAW16'));

  const fmt = (counts: Record<string, number>) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return `${total} (${
      Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-'
    })`;
  };
  console.log(`\nmentorship-session-service bench (${new Date().toISOString()}, Node ${process.version}, DynamoDB Local in memory)\n`);
  console.log('Per operation, one call each: sequential round trips to DynamoDB (store and embedded engine together, in order),');
  console.log('and requests (service store | embedded engine, which Elsa/Step Functions replace with HTTP calls):');
  for (const [name, { store, storeTrips, engine, trips }] of Object.entries(perOp)) {
    console.log(
      `  ${name.padEnd(15)} store ${String(storeTrips)} round trips, ${fmt(store).padEnd(50)} engine ${fmt(engine).padEnd(38)} all in order: ${trips.join(' > ')}`,
    );
  }
  console.log('\nLatency through the HTTP stack (local server, same handlers as Lambda), beside two floors at the same concurrency:');
  console.log('  floor: the same round trips replayed as minimal raw requests (read = GetItem, transaction = 2-put TransactWriteItems, write = PutItem);');
  console.log("  same requests: the operation's own requests (every item of its transactions) replayed on fresh keys without conditions: the store's share.");
  for (const row of rows) console.log(row);
  console.log('\nCPU per operation (user + system; node = this process: load generator, local server, service, SDK; store = DynamoDB Local):');
  for (const row of cpuRows) console.log(row);
  console.log(`\nRaw TransactWriteItems (2 puts), same DynamoDB Local: c=1 p50 ${ms(percentile(raw, 50))} ms   p95 ${ms(percentile(raw, 95))} ms`);
  console.log(`                                                      c=16 p50 ${ms(percentile(raw16, 50))} ms   p95 ${ms(percentile(raw16, 95))} ms`);
  await server.close();
}

async function main() {
  const dynamo = await startDynamoDbLocal();
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-bench-'));
  try {
    if (ONLY.has('latency')) await benchLatency(dynamo.endpoint, dataDir, dynamo.pid);

    if (ONLY.has('drain')) {
      console.log('\nQueue drain throughput:');
      for (const line of await benchDrain()) console.log(line);
    }
    if (ONLY.has('sweep')) {
      console.log('\nSweeper (due-time index), 10 due sessions:');
      for (const line of await benchSweeper(dynamo.endpoint)) console.log(line);
    }
    if (ONLY.has('list')) {
      console.log('\nOne list page (pageSize 20; first and deeper pages), as the table grows:');
      for (const line of await benchList(dynamo.endpoint)) console.log(line);
    }
    if (ONLY.has('export')) {
      console.log('\nExport job over the largest table, in a fresh process (streams to a file):');
      for (const line of benchExport(dynamo.endpoint)) console.log(line);
    }

    if (!ONLY.has('estimate')) return;
    const sim = simulateEstimate({ seed: 7, sessions: 5000, systemSlots: 10, juniors: 40, meanMinutes: 60, arrivalMinutes: 6.5 });
    console.log('\nWait estimate, simulated (5,000 sessions, 10 system slots, 40 juniors, log-normal 60 min mean, ~92% load):');
    console.log(
      `  ${sim.queued} queued; actual wait mean ${sim.meanWaitMinutes.toFixed(1)} min; estimate error: mean ${sim.meanAbsoluteErrorMinutes.toFixed(1)} min, median ${sim.medianAbsoluteErrorMinutes.toFixed(1)} min (naive position x mean / slots: mean ${sim.naiveMeanAbsoluteErrorMinutes.toFixed(1)} min)`,
    );
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
