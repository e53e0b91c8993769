/**
 * `npm run bench:cold`: bundles every function entry with the Lambda options
 * (infra/bundling.ts), prints each bundle's size and its module-load p50/p95
 * over fresh `node` processes, beside a bare handler that imports only the
 * DynamoDB client, bundled and measured the same way in the same run. The
 * budget is 300 KB (300,000 bytes) per bundle; the module-load target is
 * p50 <= 60 ms, read beside the bare handler's p50 on the same machine.
 * BENCH_COLD_RUNS sets the processes per bundle (default 15). Exits 1 when
 * a bundle is over the size budget.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/bundling';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
/** Decimal kilobytes: 300 KB = 300,000 bytes. */
const MAX_BYTES = 300_000;
const MAX_P50_MS = 60;
const BARE = 'bare-dynamodb';

/** What a function's environment holds in AWS (no secrets, no network at load). */
const CHILD_ENV = {
  PATH: process.env.PATH ?? '',
  TABLE_NAME: 'mentorship-sessions',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LOG_LEVEL: 'silent',
  POWERTOOLS_SERVICE_NAME: 'mentorship-sessions',
};

/** Every file under functions/ that exports a Lambda `handler`, by its path without extension. */
function functionEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && /^export const handler\b/m.test(readFileSync(path, 'utf8'))) {
        entries[relative(join(ROOT, 'functions'), path).replace(/\.ts$/, '')] = path;
      }
    }
  };
  walk(join(ROOT, 'functions'));
  return entries;
}

const BARE_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event) => db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.id, sk: 'SESSION' } }));
`;

/**
 * The child: times `import()` of the bundle, then (for one handler per kind
 * that needs no network) invokes it once and checks the answer, so a bundle
 * that loads but cannot compose fails here.
 */
const CHILD = `
const file = process.argv[1];
const kind = process.argv[2];
const t0 = performance.now();
const mod = await import(file);
const loadMs = performance.now() - t0;
let invokeMs;
const context = { awsRequestId: 'bench-cold', functionName: 'bench', getRemainingTimeInMillis: () => 30000 };
if (kind === 'http/health') {
  const event = { version: '2.0', routeKey: 'GET /health', rawPath: '/health', rawQueryString: '', headers: {}, isBase64Encoded: false,
    requestContext: { requestId: 'bench-cold', http: { method: 'GET', path: '/health' } } };
  const t1 = performance.now();
  const res = await mod.handler(event, context);
  invokeMs = performance.now() - t1;
  if (res.statusCode !== 200 || JSON.parse(res.body).status !== 'ok') throw new Error('health answered ' + JSON.stringify(res));
} else if (kind === 'streams/table-stream') {
  const t1 = performance.now();
  const res = await mod.handler({ Records: [] }, context);
  invokeMs = performance.now() - t1;
  if (!Array.isArray(res.batchItemFailures)) throw new Error('table-stream answered ' + JSON.stringify(res));
} else if (typeof mod.handler !== 'function') {
  throw new Error('no handler export');
}
process.stdout.write(JSON.stringify({ loadMs, invokeMs }));
`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  readonly name: string;
  readonly bytes: number;
  readonly loads: number[];
  readonly invokes: number[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.bench-cold-'));
  try {
    writeFileSync(join(dir, `${BARE}.mjs`), BARE_SOURCE);
    const entries = { ...functionEntries(), [BARE]: join(dir, `${BARE}.mjs`) };
    const outdir = join(dir, 'out');
    const started = performance.now();
    await build({ ...esbuildOptions(), entryPoints: entries, outdir });
    console.log(
      `bundled ${Object.keys(entries).length} entries (${Object.keys(entries).length - 1} functions + the bare handler) in ${Math.round(performance.now() - started)} ms; ${RUNS} fresh processes each\n`,
    );

    const rows: Row[] = Object.keys(entries).map((name) => ({ name, bytes: statSync(join(outdir, `${name}.mjs`)).size, loads: [], invokes: [] }));
    // Rounds over every bundle, so drift in the machine's load touches all of them alike.
    for (let run = 0; run < RUNS; run += 1) {
      for (const row of rows) {
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, join(outdir, `${row.name}.mjs`), row.name], {
          env: CHILD_ENV,
          encoding: 'utf8',
        });
        if (child.status !== 0) throw new Error(`${row.name} failed in a fresh process:\n${child.stderr}`);
        const { loadMs, invokeMs } = JSON.parse(child.stdout) as { loadMs: number; invokeMs?: number };
        row.loads.push(loadMs);
        if (invokeMs !== undefined) row.invokes.push(invokeMs);
      }
    }

    const stats = rows.map((row) => {
      const sorted = [...row.loads].sort((a, b) => a - b);
      const invokes = [...row.invokes].sort((a, b) => a - b);
      return { ...row, p50: percentile(sorted, 50), p95: percentile(sorted, 95), invokeP50: invokes.length > 0 ? percentile(invokes, 50) : undefined };
    });
    const bare = stats.find((s) => s.name === BARE)!;
    const width = Math.max(...stats.map((s) => s.name.length));
    const kb = (bytes: number) => (bytes / 1000).toFixed(1);
    console.log(
      `${'bundle'.padEnd(width)}  ${'KB'.padStart(6)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}  ${'x bare'.padStart(6)}  ${'1st call'.padStart(8)}  size    p50 <= ${MAX_P50_MS} ms`,
    );
    let failed = 0;
    let slow = 0;
    for (const s of stats) {
      const fits = s.bytes <= MAX_BYTES;
      const fast = s.p50 <= MAX_P50_MS;
      if (s.name !== BARE && !fits) failed += 1;
      if (s.name !== BARE && !fast) slow += 1;
      const verdict = s.name === BARE ? 'baseline' : `${(fits ? 'PASS' : 'FAIL').padEnd(6)}  ${fast ? 'met' : 'over'}`;
      console.log(
        `${s.name.padEnd(width)}  ${kb(s.bytes).padStart(6)}  ${s.p50.toFixed(1).padStart(7)}  ${s.p95.toFixed(1).padStart(7)}  ${(s.p50 / bare.p50).toFixed(2).padStart(6)}  ${(s.invokeP50 === undefined ? '' : `${s.invokeP50.toFixed(1)} ms`).padStart(8)}  ${verdict}`,
      );
    }
    const functions = stats.filter((s) => s.name !== BARE);
    const largest = functions.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const slowest = functions.reduce((a, b) => (b.p50 > a.p50 ? b : a));
    console.log(
      `\n${functions.length - failed}/${functions.length} bundles within the ${MAX_BYTES / 1000} KB budget (largest ${largest.name} ${kb(largest.bytes)} KB); ` +
        `${functions.length - slow}/${functions.length} at or under the ${MAX_P50_MS} ms p50 target (slowest ${slowest.name} ${slowest.p50.toFixed(1)} ms; ` +
        `the bare DynamoDB handler, ${kb(bare.bytes)} KB, loads in p50 ${bare.p50.toFixed(1)} ms on this machine)`,
    );
    if (failed > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
