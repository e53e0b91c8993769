/**
 * The history part of `npm run bench`: the p50 of one list page with 1,000 and
 * with 100,000 sessions in the table (the ratio shows whether a page's cost
 * stays flat as the table grows), and the peak memory of an export job over
 * 100,000 sessions, measured in a child process. Prints figures; asserts nothing.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { seedItems } from '../shared/adapters/dynamodb/dynamo-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { composeApp } from '../shared/compose';
import type { Caller } from '../shared/domain/access';
import { startedSession } from '../shared/domain/lifecycle';
import type { Session } from '../shared/domain/session';
import type { ListOrder, SessionFilter } from '../shared/domain/session-list';
import { parseSettings } from '../shared/settings/settings';
import { acceptingEngine } from '../test/support/store-views';
import { batchWrite } from './bench-seed';

const SIZES = (process.env.BENCH_LIST_SIZES ?? '1000,100000').split(',').map(Number);
const SAMPLES = 40;
const YEAR_MS = 365 * 24 * 3_600_000;
const coordinator: Caller = { id: 'bench', roles: ['coordinator'] };
const settings = parseSettings('session_management: {}');

/**
 * A deterministic year of history: 200 juniors, 40 mentors, 30 stories; 80%
 * completed, 10% cancelled, 10% failed. All ended: open sessions this old would
 * be overdue, and a list applies their timeouts (writes) before answering.
 */
export function benchSession(i: number, now: number): Session {
  // Spread over the year (a prime step of ~2.2 h, wrapping), so date ranges find sessions.
  const createdAt = new Date(now - YEAR_MS + ((i * 7_919_000) % YEAR_MS)).toISOString();
  const mentorId = `m-${i % 40}`;
  const { session } = startedSession(
    {
      id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      storyId: `story-${i % 30}`,
      juniorId: `j-${(i * 13) % 200}`,
      storyTitle: `Story ${i % 30}, "part" ${i % 7}`,
      juniorName: `Junior ${(i * 13) % 200}`,
      skillArea: 'typescript',
      timeouts: settings.timeouts,
      config: settings.defaultConfig,
    },
    { mode: 'manual', mentorId, skillArea: 'typescript', candidates: [], candidateCount: 0 },
    { actor: { id: 'bench', role: 'coordinator' }, now: createdAt },
    `wf-${i}`,
  );
  const kind = i % 10;
  if (kind < 8) {
    const endedAt = new Date(Date.parse(createdAt) + 600_000 + ((i * 104_729) % 28_800_000)).toISOString();
    return { ...session, status: 'Completed', currentState: 'COMPLETED', endedAt, report: { summary: 'done', overallScore: i % 100, metrics: {} } };
  }
  if (kind === 8) return { ...session, status: 'Cancelled', endedAt: new Date(Date.parse(createdAt) + 3_600_000).toISOString(), cancelReason: 'bench, with a comma' };
  return { ...session, status: 'Failed', endedAt: new Date(Date.parse(createdAt) + 7_200_000).toISOString(), error: 'engine "x" failed' };
}

export async function seedSessions(endpoint: string, table: string, count: number): Promise<void> {
  const clients = createDynamoClients(localDynamoConfig(endpoint));
  await ensureTable(clients.client, table);
  const now = Date.now();
  const BATCH = 2_000;
  const counters = new Map<string, Record<string, unknown>>();
  const write = (items: Record<string, unknown>[]) => batchWrite(clients.document, table, items);
  for (let start = 0; start < count; start += BATCH) {
    const sessions = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => benchSession(start + k, now));
    const items = seedItems(sessions, settings.audit.retentionDays);
    // List counters come per seed batch: add the batches' counts up and write them once.
    for (const item of items.filter((candidate) => candidate.entity === 'list-counter')) {
      const key = `${String(item.pk)}|${String(item.sk)}`;
      const total = counters.get(key) ?? { pk: item.pk, sk: item.sk, entity: 'list-counter' };
      for (const [name, value] of Object.entries(item)) if (typeof value === 'number') total[name] = (Number(total[name]) || 0) + value;
      counters.set(key, total);
    }
    await write(items.filter((item) => item.entity !== 'list-counter'));
  }
  await write([...counters.values()]);
  clients.client.destroy();
}

const PAGES: { name: string; filter: SessionFilter; order: ListOrder }[] = [
  { name: 'all, newest first', filter: {}, order: { sortBy: 'createdAt', sortDirection: 'desc' } },
  { name: 'status=Completed, by duration', filter: { status: 'Completed' }, order: { sortBy: 'duration', sortDirection: 'desc' } },
  { name: 'one junior', filter: { juniorId: 'j-7' }, order: { sortBy: 'createdAt', sortDirection: 'desc' } },
  {
    name: 'one mentor, last 90 days',
    filter: { mentorId: 'm-3', from: new Date(Date.now() - 90 * 86_400_000).toISOString() },
    order: { sortBy: 'createdAt', sortDirection: 'desc' },
  },
];

export async function benchList(endpoint: string): Promise<string[]> {
  const lines: string[] = [];
  const p50s = new Map<string, number[]>();
  for (const size of SIZES) {
    const table = `list-${size}`;
    const t0 = performance.now();
    await seedSessions(endpoint, table, size);
    const seeded = performance.now() - t0;
    const clients = createDynamoClients(localDynamoConfig(endpoint));
    const requests = new RequestCounter().attach(clients.client);
    const deps = composeApp({ tableName: table, dynamo: clients, settings, engine: acceptingEngine });
    lines.push(`  ${size.toLocaleString('en')} sessions in the table (seeded in ${(seeded / 1000).toFixed(0)} s):`);
    for (const page of PAGES) {
      const list = () => deps.history.list({ filter: page.filter, order: page.order, pageSize: 20 }, coordinator);
      for (let i = 0; i < 5; i += 1) await list();
      requests.reset();
      const first = await list();
      const perPage = requests.byOperation();
      const latencies: number[] = [];
      let cursor = first.nextCursor;
      for (let i = 0; i < SAMPLES; i += 1) {
        const started = performance.now();
        // Alternate first pages and deeper pages (by cursor), so both are in the figure.
        const result = await deps.history.list(
          { filter: page.filter, order: page.order, pageSize: 20, ...(i % 2 === 1 && cursor !== undefined && { cursor }) },
          coordinator,
        );
        latencies.push(performance.now() - started);
        if (i % 2 === 1) cursor = result.nextCursor ?? first.nextCursor;
      }
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length / 2)]!;
      const p95 = latencies[Math.floor(latencies.length * 0.95)]!;
      p50s.set(page.name, [...(p50s.get(page.name) ?? []), p50]);
      lines.push(
        `    ${page.name.padEnd(32)} total ${String(first.totalCount).padStart(6)}  p50 ${p50.toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  requests/page ${JSON.stringify(perPage)}`,
      );
    }
    clients.client.destroy();
  }
  if (SIZES.length === 2) {
    lines.push(`  p50 ratio ${SIZES[1]!.toLocaleString('en')} / ${SIZES[0]!.toLocaleString('en')} (target <= 1.5):`);
    for (const [name, [small, large]] of p50s) lines.push(`    ${name.padEnd(32)} ${(large! / small!).toFixed(2)}x`);
  }
  return lines;
}

/** Runs an export job over the largest seeded table in a fresh Node process and reads its peak RSS. */
export function benchExport(endpoint: string): string[] {
  const size = SIZES.at(-1)!;
  const dir = mkdtempSync(join(tmpdir(), 'mss-export-'));
  const lines: string[] = [];
  try {
    for (const format of ['csv', 'ndjson', 'none'] as const) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-export-child.ts'), endpoint, `list-${size}`, format, dir], {
        encoding: 'utf8',
        env: { ...process.env, LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as { rows: number; bytes: number; seconds: number; maxRssMb: number };
      lines.push(
        format === 'none'
          ? `  baseline (same process, one list page, no export): peak RSS ${result.maxRssMb.toFixed(0)} MB`
          : `  ${format.padEnd(6)} ${result.rows.toLocaleString('en')} rows, ${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s: peak RSS ${result.maxRssMb.toFixed(0)} MB (target <= 150 MB)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
