/**
 * `npm run bench:scale`: what the list, the sweep, the drain and the
 * background passes cost as the number of open sessions grows (1,000 and
 * 10,000 by default), on DynamoDB Local in memory. For each cost it prints the
 * DynamoDB requests by operation, the capacity units DynamoDB Local reports
 * (ReturnConsumedCapacity INDEXES, asked for by this script's own client
 * middleware, so the service code is unchanged) and the latency, then the
 * ratio of the largest size to the smallest. Prints figures; asserts nothing.
 * docs/capacity.md reads them.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'silent';

import { performance } from 'node:perf_hooks';
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { seedItems } from '../shared/adapters/dynamodb/dynamo-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { keys } from '../shared/adapters/dynamodb/keys';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { composeApp } from '../shared/compose';
import type { Caller } from '../shared/domain/access';
import { decideMentor, type MentorAssignment } from '../shared/domain/assignment';
import type { Mentor } from '../shared/domain/directory';
import { commanded } from '../shared/domain/engine-command';
import { queuedSession, startedSession } from '../shared/domain/lifecycle';
import type { Session } from '../shared/domain/session';
import { hoursToMs } from '../shared/domain/session-config';
import type { ListOrder, SessionFilter } from '../shared/domain/session-list';
import { parseSettings, type Settings } from '../shared/settings/settings';
import { acceptingEngine } from '../test/support/store-views';
import { benchSession } from './bench-history';
import { batchWrite } from './bench-seed';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000').split(',').map(Number);
/** Open sessions past their maximum duration, for the sweep. */
const DUE = 10;
/** Open sessions with a due engine command, for the command worker. */
const PENDING_COMMANDS = 10;
/** Queued sessions whose slots are free, for the drain. */
const QUEUED = 50;
/** Ended sessions in the table, the same at every size, so a list has history to merge. */
const ENDED = 1_000;
/** Mentors, the same at every size: the mentor directory is its own axis (docs/capacity.md). */
const MENTORS = 100;
/** Samples of each read-only cost (lists, passes that write nothing), unless one run takes longer than SLOW_MS. */
const SAMPLES = 5;
const SLOW_MS = 3_000;
const PAGE_SIZE = 20;
/** The "deep" list page (page=10: the 181st to 200th sessions). */
const DEEP_PAGE = 10;

const coordinator: Caller = { id: 'bench', roles: ['coordinator'] };
const engineCaller: Caller = { id: 'bench-engine', roles: ['service'] };

/** Capacity units by table and index, reads and writes apart. */
interface Capacity {
  read: Record<string, number>;
  write: Record<string, number>;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Asks every request for its consumed capacity (ReturnConsumedCapacity
 * INDEXES) and adds it up by table and index. DynamoDB Local accounts it by
 * AWS's rules: 1 write unit per KB (2 in a transaction, which it applies to
 * index writes too), 1 read unit per 4 KB strongly consistent (half that
 * eventually consistent, as index reads are).
 */
class CapacityMeter {
  private totals: Capacity = { read: {}, write: {} };

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? '').replace(/Command$/, '');
        const kind = READS.has(name) ? 'read' : WRITES.has(name) ? 'write' : undefined;
        if (kind !== undefined) (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        if (kind === undefined) return result;
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]) this.add(kind, entry);
        return result;
      },
      { step: 'initialize', name: 'benchCapacityMeter', override: true },
    );
    return this;
  }

  private add(kind: 'read' | 'write', entry: ConsumedCapacity): void {
    const into = this.totals[kind];
    const plus = (name: string, units: number | undefined) => {
      if (units !== undefined && units > 0) into[name] = (into[name] ?? 0) + units;
    };
    // A table's share is reported apart only when indexes were touched; otherwise CapacityUnits is the table's.
    plus('table', entry.Table?.CapacityUnits ?? (entry.GlobalSecondaryIndexes === undefined ? entry.CapacityUnits : undefined));
    for (const [index, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) plus(index, units.CapacityUnits);
  }

  reset(): void {
    this.totals = { read: {}, write: {} };
  }

  snapshot(): Capacity {
    return { read: { ...this.totals.read }, write: { ...this.totals.write } };
  }
}

const sum = (units: Record<string, number>) => Object.values(units).reduce((a, b) => a + b, 0);
const requestTotal = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** One measured cost: requests by operation, capacity, latency (p50 over its samples). */
interface Cost {
  readonly name: string;
  readonly requests: Record<string, number>;
  readonly capacity: Capacity;
  readonly ms: number;
  readonly note?: string;
}

interface Probe {
  readonly counter: RequestCounter;
  readonly meter: CapacityMeter;
}

/**
 * Runs `work` once counted (requests, capacity, time), then `samples - 1`
 * more times for the latency's p50, unless the first run was slow (a whole-index
 * read of 10,000 sessions takes about a minute on DynamoDB Local).
 */
async function measure<T>(probe: Probe, name: string, work: () => Promise<T>, options: { samples?: number; note?: (result: T) => string } = {}): Promise<Cost> {
  probe.counter.reset();
  probe.meter.reset();
  const t0 = performance.now();
  const result = await work();
  const times = [performance.now() - t0];
  const requests = probe.counter.byOperation();
  const capacity = probe.meter.snapshot();
  const samples = times[0]! > SLOW_MS ? 1 : (options.samples ?? 1);
  for (let i = 1; i < samples; i += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, requests, capacity, ms: times[Math.floor(times.length / 2)]!, ...(options.note && { note: options.note(result) }) };
}

const openId = (i: number) => `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`;
const queuedId = (i: number) => `00000000-0000-4000-b000-${String(i).padStart(12, '0')}`;
const mentorOf = (i: number) => `scale-mentor-${i % MENTORS}`;
const juniorOf = (i: number) => `scale-junior-${i}`;
const mentors: Mentor[] = Array.from({ length: MENTORS }, (_, m) => ({
  id: mentorOf(m),
  name: mentorOf(m),
  skills: [{ area: 'typescript', level: 4 }],
  available: true,
}));

/**
 * An automatic assignment as a start records it (the strategy's ranked
 * candidates, up to 20), so seeded session items are the size real ones are;
 * the mentor is then set per session.
 */
function autoAssignment(settings: Settings): MentorAssignment {
  const pool = mentors.map((mentor, m) => ({ mentor, load: m % 7, capacity: settings.limits.perMentor }));
  const decision = decideMentor({ strategy: settings.assignment.strategy, skillArea: 'typescript', pool });
  if (decision.outcome !== 'assigned') throw new Error('the seed pool should assign');
  return decision.assignment;
}
function settingsFor(size: number): Settings {
  // Limits sized so that nothing binds but the junior's (1): the system holds every seeded session with room
  // for the drain, and each mentor holds a share of them. Check-ins every 2 h keep the seeded sessions off the due list.
  return parseSettings(
    `session_management: { max_concurrent_sessions_system: ${size + 1_000}, max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_per_mentor: 1000, max_queue_size: 1000, default_check_in_interval_minutes: 120 }`,
  );
}

/**
 * The open sessions, as automatic starts would leave them: Active, with an
 * engine instance; the first DUE started 9 h ago (past the 8 h
 * maximum), the next PENDING_COMMANDS with a due `running` command, the rest
 * started over the last few minutes. Plus their slot counters.
 */
function openSessionItems(size: number, settings: Settings, now: number): Record<string, unknown>[] {
  const config = settings.defaultConfig;
  const timeouts = { ...settings.timeouts, maxDurationMs: hoursToMs(config.maxDurationHours) };
  const sessions: Session[] = [];
  const perMentor = new Map<string, number>();
  const auto = autoAssignment(settings);
  for (let i = 0; i < size; i += 1) {
    const mentorId = mentorOf(i);
    const assignment: MentorAssignment = { ...auto, mentorId };
    const at = new Date(i < DUE ? now - 9 * 3_600_000 : now - (size - i) * 20).toISOString();
    const input = {
      id: openId(i),
      storyId: 'story-1',
      juniorId: juniorOf(i),
      storyTitle: 'Scale story',
      juniorName: juniorOf(i),
      skillArea: 'typescript',
      timeouts,
      config,
    };
    const write = startedSession(input, assignment, { actor: { id: 'bench', role: 'coordinator' }, now: at }, `wf-${i}`);
    const pending = i >= DUE && i < DUE + PENDING_COMMANDS;
    // A command asked 5 minutes ago whose lease has passed: the worker's to drive.
    const session = pending ? commanded(write, 'running', new Date(now - 300_000).toISOString(), settings.engine.commandLeaseMs).session : write.session;
    sessions.push(session);
    perMentor.set(mentorId, (perMentor.get(mentorId) ?? 0) + 1);
  }
  return [
    ...seedItems(sessions, settings.audit.retentionDays),
    { ...keys.counter('system'), entity: 'counter', count: size },
    ...[...perMentor].map(([id, count]) => ({ ...keys.counter('mentor', id), entity: 'counter', count })),
    ...sessions.map((session) => ({ ...keys.counter('junior', session.juniorId), entity: 'counter', count: 1 })),
  ];
}

/** QUEUED sessions waiting, each for a junior of its own who holds no slot, so a drain can start every one. */
function queuedItems(settings: Settings, now: number): Record<string, unknown>[] {
  const config = settings.defaultConfig;
  const timeouts = { ...settings.timeouts, maxDurationMs: hoursToMs(config.maxDurationHours) };
  const sessions = Array.from({ length: QUEUED }, (_, k) => {
    const juniorId = `scale-queued-junior-${k}`;
    const input = { id: queuedId(k), storyId: 'story-1', juniorId, storyTitle: 'Scale story', juniorName: juniorId, skillArea: 'typescript', timeouts, config };
    return queuedSession(input, ['system'], { actor: { id: 'bench', role: 'coordinator' }, now: new Date(now - (QUEUED - k) * 1_000).toISOString() }).session;
  });
  return [...seedItems(sessions, settings.audit.retentionDays), { ...keys.counter('queue'), entity: 'counter', count: QUEUED }];
}

const LIST_ALL: { filter: SessionFilter; order: ListOrder } = { filter: {}, order: { sortBy: 'createdAt', sortDirection: 'desc' } };
const LIST_ENDED: { filter: SessionFilter; order: ListOrder } = { filter: { status: 'Completed' }, order: { sortBy: 'createdAt', sortDirection: 'desc' } };
const LIST_ACTIVE: { filter: SessionFilter; order: ListOrder } = { filter: { status: 'Active' }, order: { sortBy: 'createdAt', sortDirection: 'desc' } };
const LIST_MENTOR: { filter: SessionFilter; order: ListOrder } = { filter: { mentorId: mentorOf(1) }, order: { sortBy: 'createdAt', sortDirection: 'desc' } };
const LIST_BY_END: { filter: SessionFilter; order: ListOrder } = { filter: {}, order: { sortBy: 'completedAt', sortDirection: 'desc' } };

async function benchSize(endpoint: string, size: number): Promise<{ seeded: string; costs: Cost[] }> {
  const table = `scale-${size}`;
  const clients = createDynamoClients(localDynamoConfig(endpoint));
  await ensureTable(clients.client, table);
  const settings = settingsFor(size);
  const now = Date.now();

  const t0 = performance.now();
  const directory = new DynamoDirectoryStore(clients.document, table);
  await directory.put('story', { id: 'story-1', title: 'Scale story', skillArea: 'typescript' });
  for (const mentor of mentors) await directory.put('mentor', mentor);
  for (const id of ['scale-new-junior-0', 'scale-new-junior-1', juniorOf(DUE + PENDING_COMMANDS)]) await directory.put('junior', { id, name: id, skills: [] });
  const ended = Array.from({ length: ENDED }, (_, i) => benchSession(i, now));
  await batchWrite(clients.document, table, [...openSessionItems(size, settings, now), ...seedItems(ended, settings.audit.retentionDays)]);
  const seeded = `seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${size.toLocaleString('en')} open (${DUE} past due, ${PENDING_COMMANDS} with a due engine command), ${ENDED.toLocaleString('en')} ended, ${MENTORS} mentors`;

  const probe: Probe = { counter: new RequestCounter().attach(clients.client), meter: new CapacityMeter().attach(clients.client) };
  // The sessions were written directly, with no engine instances: an engine that accepts every call
  // keeps the figures to the store's own work.
  const deps = composeApp({ tableName: table, dynamo: clients, settings, engine: acceptingEngine });
  const costs: Cost[] = [];

  // The sweep first: a list would apply the due sessions' timeouts itself.
  costs.push(
    await measure(probe, `sweep, ${DUE} due (then its drain, queue empty)`, () => deps.sessions.sweepDue(), {
      note: (result) => `${result.timedOut.length} timed out`,
    }),
  );

  const list = (shape: typeof LIST_ALL, page = 1) => deps.history.list({ filter: shape.filter, order: shape.order, pageSize: PAGE_SIZE, page }, coordinator);
  costs.push(await measure(probe, 'list page 1, all sessions, newest first', () => list(LIST_ALL), { samples: SAMPLES, note: (page) => `total ${page.totalCount}` }));
  costs.push(
    await measure(probe, `list page ${DEEP_PAGE}, same list`, () => list(LIST_ALL, DEEP_PAGE), {
      samples: SAMPLES,
      note: (page) => `${page.sessions.length} sessions`,
    }),
  );
  costs.push(
    await measure(probe, 'list page 1, status=Completed (ended only)', () => list(LIST_ENDED), { samples: SAMPLES, note: (page) => `total ${page.totalCount}` }),
  );
  costs.push(await measure(probe, 'list page 1, status=Active (live only)', () => list(LIST_ACTIVE), { samples: SAMPLES, note: (page) => `total ${page.totalCount}` }));
  costs.push(await measure(probe, 'list page 1, one mentor', () => list(LIST_MENTOR), { samples: SAMPLES, note: (page) => `total ${page.totalCount}` }));
  costs.push(await measure(probe, 'list page 1, all, last completed first', () => list(LIST_BY_END), { samples: SAMPLES, note: (page) => `total ${page.totalCount}` }));

  await batchWrite(clients.document, table, queuedItems(settings, now));
  costs.push(await measure(probe, `drain, ${QUEUED} queued with free slots`, () => deps.sessions.drainQueue(), { note: (result) => `${result.started.length} started` }));

  // Lifecycle operations, one each, on sessions started now (a slot free, the queue empty).
  let started = '';
  costs.push(
    await measure(
      probe,
      'start (slots free)',
      async () => {
        const result = await deps.sessions.startSession({ storyId: 'story-1', juniorId: 'scale-new-junior-0' }, coordinator);
        started = result.sessionId;
        return result;
      },
      { note: (result) => result.status },
    ),
  );
  costs.push(await measure(probe, 'pause', () => deps.sessions.pauseSession(started, { reason: 'bench' }, coordinator)));
  costs.push(await measure(probe, 'resume', () => deps.sessions.resumeSession(started, {}, coordinator)));
  costs.push(await measure(probe, 'cancel', () => deps.sessions.cancelSession(started, { reason: 'bench' }, coordinator)));
  const other = (await deps.sessions.startSession({ storyId: 'story-1', juniorId: 'scale-new-junior-1' }, coordinator)).sessionId;
  costs.push(
    await measure(probe, 'complete (by the engine)', () =>
      deps.sessions.completeSession(other, { report: { summary: 'done', overallScore: 80, metrics: {} } }, engineCaller),
    ),
  );
  costs.push(
    await measure(
      probe,
      'start that queues (its junior busy)',
      () => deps.sessions.startSession({ storyId: 'story-1', juniorId: juniorOf(DUE + PENDING_COMMANDS) }, coordinator),
      {
        note: (result) => `${result.status}, position ${result.queuePosition ?? '-'}`,
      },
    ),
  );

  costs.push(
    await measure(probe, 'reconcile pass (batch 25)', () => deps.reconciliation.reconcile(), {
      samples: SAMPLES,
      note: (report) => `${report.checked} checked`,
    }),
  );
  // The worker five minutes on, so that every lease has passed whenever this line runs: the 10 seeded
  // commands, and the stops the sweep and the cancel left (a stop is confirmed by the worker after its lease).
  const later = composeApp({ tableName: table, dynamo: clients, settings, engine: acceptingEngine, clock: { now: () => new Date(Date.now() + 300_000) } });
  costs.push(
    await measure(probe, 'engine-command pass, every command due', () => later.sessions.commands.redriveDue(), {
      note: (report) => `${report.pending} pending, ${report.confirmed.length} confirmed`,
    }),
  );
  costs.push(
    await measure(probe, 'engine-command pass, none pending', () => later.sessions.commands.redriveDue(), {
      samples: SAMPLES,
      note: (report) => `${report.pending} pending`,
    }),
  );
  clients.client.destroy();
  return { seeded, costs };
}

const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const byName = (units_: Record<string, number>) =>
  Object.entries(units_)
    .sort(([a], [b]) => (a === 'table' ? -1 : b === 'table' ? 1 : a < b ? -1 : 1))
    .map(([name, n]) => `${name} ${units(n)}`)
    .join(', ');

function costLine(cost: Cost): string {
  const read = sum(cost.capacity.read);
  const write = sum(cost.capacity.write);
  return [
    `  ${cost.name.padEnd(46)} ${cost.ms.toFixed(1).padStart(8)} ms  ${String(requestTotal(cost.requests)).padStart(3)} requests ${JSON.stringify(cost.requests)}`,
    `  ${''.padEnd(46)} RCU ${units(read)}${read > 0 ? ` (${byName(cost.capacity.read)})` : ''}  WCU ${units(write)}${write > 0 ? ` (${byName(cost.capacity.write)})` : ''}${cost.note ? `  [${cost.note}]` : ''}`,
  ].join('\n');
}

const ratio = (small: number, large: number) => (small === 0 ? (large === 0 ? '1.00x' : 'n/a') : `${(large / small).toFixed(2)}x`);

async function main() {
  const dynamo = await startDynamoDbLocal();
  const stop = () => {
    void dynamo.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    console.log(`\nmentorship-session-service bench:scale (${new Date().toISOString()}, Node ${process.version}, DynamoDB Local in memory)`);
    console.log('Capacity units as DynamoDB Local reports them (ReturnConsumedCapacity INDEXES). Latency: p50 of');
    console.log(`${SAMPLES} runs for read-only costs (one when a run takes over ${SLOW_MS / 1000} s), one run for the rest; the engine`);
    console.log('accepts every call without I/O. DynamoDB Local pages a filtered Query after the filter (AWS before it:');
    console.log('1 MB read a page), so it counts fewer requests for one; its capacity units follow AWS rules, but it');
    console.log('charges index writes in a transaction at 2 per KB, which AWS may not (docs/capacity.md).\n');
    const results: { size: number; costs: Cost[] }[] = [];
    // A round on a small table first, not printed: module loading, schema compilation and the JIT
    // would otherwise land on whichever cost is measured first.
    await benchSize(dynamo.endpoint, 100);
    for (const size of SIZES) {
      const { seeded, costs } = await benchSize(dynamo.endpoint, size);
      console.log(`${size.toLocaleString('en')} open sessions (${seeded}):`);
      for (const cost of costs) console.log(costLine(cost));
      console.log('');
      results.push({ size, costs });
    }
    if (results.length >= 2) {
      const small = results[0]!;
      const large = results.at(-1)!;
      const label = `${large.size.toLocaleString('en')} / ${small.size.toLocaleString('en')}`;
      console.log(`Ratio ${label} open sessions (flat: requests and capacity within 1.5x):`);
      console.log(`  ${'cost'.padEnd(46)} ${'requests'.padStart(14)} ${'RCU'.padStart(18)} ${'WCU'.padStart(14)} ${'latency'.padStart(8)}  verdict`);
      for (const cost of small.costs) {
        const other = large.costs.find((candidate) => candidate.name === cost.name);
        if (other === undefined) continue;
        const [r1, r2] = [requestTotal(cost.requests), requestTotal(other.requests)];
        const [c1, c2] = [sum(cost.capacity.read), sum(other.capacity.read)];
        const [w1, w2] = [sum(cost.capacity.write), sum(other.capacity.write)];
        const flat = r2 <= r1 * 1.5 && c2 <= Math.max(c1 * 1.5, c1 + 1) && w2 <= Math.max(w1 * 1.5, w1 + 1);
        console.log(
          `  ${cost.name.padEnd(46)} ${`${r1} -> ${r2}`.padStart(14)} ${`${units(c1)} -> ${units(c2)}`.padStart(18)} ${`${units(w1)} -> ${units(w2)}`.padStart(14)} ${ratio(cost.ms, other.ms).padStart(8)}  ${flat ? 'flat' : 'GROWS'}`,
        );
      }
    }
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
