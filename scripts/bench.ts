/**
 * `npm run bench`: DynamoDB requests per operation and latency through the
 * whole HTTP stack (local server -> handler -> service -> DynamoDB Local), at 1
 * and 16 concurrent clients, beside a raw TransactWriteItems on the same
 * DynamoDB Local in the same run. Prints figures; asserts nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'silent';

import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { localJwt } from '../infra/local/jwt';
import { startLocalServer } from '../infra/local/server';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { EmbeddedWorkflowEngine } from '../shared/adapters/embedded-engine/embedded-workflow-engine';
import { createClient, type SessionClient } from '../shared/client';
import { composeApp } from '../shared/compose';
import { systemClock } from '../shared/ports/clock';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
const TABLE = 'bench';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t0 = performance.now();
        await work(item);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const ms = (n: number) => n.toFixed(1).padStart(7);

async function main() {
  const dynamo = await startDynamoDbLocal();
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-bench-'));
  try {
    const storeClients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
    const engineClients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
    await ensureTable(storeClients.client, TABLE);
    const storeRequests = new RequestCounter().attach(storeClients.client);
    const engineRequests = new RequestCounter().attach(engineClients.client);
    const deps = composeApp({
      tableName: TABLE,
      dynamo: storeClients,
      engine: new EmbeddedWorkflowEngine(engineClients.document, TABLE, systemClock),
    });
    const directory = new DynamoDirectoryStore(storeClients.document, TABLE);
    await directory.put('story', { id: 'story-1', title: 'Bench story', skillArea: 'typescript' });
    await directory.put('mentor', { id: 'mentor-1', name: 'Bench mentor', skills: [], maxConcurrentSessions: 3, available: true });
    const juniors = Array.from({ length: SESSIONS * 2 }, (_, i) => `junior-${i}`);
    for (const id of juniors) await directory.put('junior', { id, name: id, skills: [] });

    const jwt = await localJwt(dataDir);
    const server = await startLocalServer({ deps, jwt, port: 0 });
    const client: SessionClient = createClient({ baseUrl: server.url, token: await jwt.sign({ sub: 'bench', roles: ['coordinator'] }) });

    // Requests per operation, measured on one call each.
    const perOp: Record<string, { store: Record<string, number>; engine: Record<string, number> }> = {};
    const countOne = async (name: string, work: () => Promise<unknown>) => {
      storeRequests.reset();
      engineRequests.reset();
      await work();
      perOp[name] = { store: storeRequests.byOperation(), engine: engineRequests.byOperation() };
    };
    let probe = '';
    await countOne('start', async () => {
      probe = (await client.startSession({ storyId: 'story-1', juniorId: juniors[0]!, mentorId: 'mentor-1' })).sessionId;
    });
    await countOne('pause', () => client.pauseSession(probe, { reason: 'bench' }));
    await countOne('pause (repeat)', () => client.pauseSession(probe, { reason: 'bench' }));
    await countOne('resume', () => client.resumeSession(probe));
    await countOne('get (details + events)', () => client.getSession(probe));
    await countOne('cancel', () => client.cancelSession(probe, { reason: 'bench' }));

    // Latency through the HTTP stack.
    const rows: string[] = [];
    for (const concurrency of [1, 16]) {
      const offset = concurrency === 1 ? 1 : SESSIONS + 1;
      const batch = juniors.slice(offset, offset + SESSIONS - 1);
      const ids: string[] = [];
      const phases: [string, number[]][] = [];
      phases.push([
        'start',
        await timed(batch, concurrency, async (juniorId) => {
          ids.push((await client.startSession({ storyId: 'story-1', juniorId })).sessionId);
        }),
      ]);
      phases.push(['pause', await timed(ids, concurrency, (id) => client.pauseSession(id, { reason: 'bench' }))]);
      phases.push(['resume', await timed(ids, concurrency, (id) => client.resumeSession(id))]);
      phases.push(['get', await timed(ids, concurrency, (id) => client.getSession(id))]);
      phases.push(['cancel', await timed(ids, concurrency, (id) => client.cancelSession(id, { reason: 'bench' }))]);
      for (const [name, lat] of phases) {
        rows.push(`  ${name.padEnd(8)} c=${String(concurrency).padEnd(3)} n=${String(lat.length).padEnd(5)} p50 ${ms(percentile(lat, 50))} ms   p95 ${ms(percentile(lat, 95))} ms`);
      }
    }

    // The floor: a raw 2-item TransactWriteItems on the same DynamoDB Local.
    const raw = await timed(
      Array.from({ length: 300 }, (_, i) => i),
      1,
      (i) =>
        storeClients.document.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { pk: `RAW#${i}`, sk: 'A', n: i } } },
              { Put: { TableName: TABLE, Item: { pk: `RAW#${i}`, sk: 'B', n: i } } },
            ],
          }),
        ),
    );
    const rawP50 = percentile(raw, 50);

    const fmt = (counts: Record<string, number>) => {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return `${total} (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || '-'})`;
    };
    console.log(`\nmentorship-session-service bench (${new Date().toISOString()}, Node ${process.version}, DynamoDB Local in memory)\n`);
    console.log('DynamoDB requests per operation (service store | embedded engine, which Elsa/Step Functions replace with HTTP calls):');
    for (const [name, { store, engine }] of Object.entries(perOp)) {
      console.log(`  ${name.padEnd(24)} store ${fmt(store).padEnd(52)} engine ${fmt(engine)}`);
    }
    console.log('\nLatency through the HTTP stack (local server, same handlers as Lambda):');
    for (const row of rows) console.log(row);
    console.log(`\nRaw TransactWriteItems (2 puts), same DynamoDB Local: p50 ${ms(rawP50)} ms   p95 ${ms(percentile(raw, 95))} ms`);
    const startP50 = Number(rows[0]!.match(/p50\s+([\d.]+)/)![1]);
    console.log(`Ratio start p50 (c=1) / raw transaction p50: ${(startP50 / rawP50).toFixed(1)}x`);
    await server.close();
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
