/**
 * `npm run bench:cold [-- --why]`: bundles every function entry with the
 * Lambda options (infra/bundling.ts) plus a bare handler that imports only
 * the DynamoDB client, then times `import()` of each bundle in fresh `node`
 * processes on two runtimes, interleaved: the local Node and Node 22 (the
 * nodejs22.x runtime's major; BENCH_COLD_NODE22 names its binary, else it is
 * fetched once with `npx -y -p node@22.23.3`; BENCH_COLD_NODE22=off skips it).
 * It prints, per runtime, each bundle's size, module-load p50/p95 and ratio to
 * that runtime's bare handler, the CPU time of the load (p50, and its ratio:
 * steadier than wall time when other work shares the machine), the first
 * call of the health route and the stream consumer, and a verdict line
 * (bundles whose wall-time p50 is within 1.2x of the bare handler's, and how
 * many are by CPU time); then what each bundle holds by package
 * (esbuild's metafile) and which AWS SDK packages it loads at init.
 * `--why` lists more packages per bundle and our own code by folder.
 * BENCH_COLD_RUNS sets the processes per bundle and runtime (default 15);
 * BENCH_COLD_ONLY, a regular expression, keeps the bundles whose name it
 * matches (the bare handler always runs), for a quicker look at a few.
 * Exits 1 when a bundle is over the 300 KB budget (300,000 bytes).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../infra/bundling';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const WHY = process.argv.slice(2).includes('--why');
const ONLY = process.env.BENCH_COLD_ONLY === undefined || process.env.BENCH_COLD_ONLY === '' ? undefined : new RegExp(process.env.BENCH_COLD_ONLY);
/** Decimal kilobytes: 300 KB = 300,000 bytes. */
const MAX_BYTES = 300_000;
/** The module-load target: a bundle's p50 at most this times the bare handler's, on the same runtime in the same run. */
const MAX_X_BARE = 1.2;
const BARE = 'bare-dynamodb';
/** The Node 22 the bench fetches when BENCH_COLD_NODE22 does not name one (the newest 22.x published as the npm `node` package). */
const NODE22_PACKAGE = 'node@22.23.3';

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

interface Runtime {
  /** e.g. `Node 22.23.3`, `Node 20.20.2 (local)`. */
  readonly label: string;
  readonly exec: string;
}

/** Every file under functions/ that exports a Lambda `handler`, by its path without extension. */
function functionEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && /^export const handler\b/m.test(readFileSync(path, 'utf8'))) {
        const entry = relative(join(ROOT, 'functions'), path).replace(/\.ts$/, '');
        if (ONLY === undefined || ONLY.test(entry)) entries[entry] = path;
      }
    }
  };
  walk(join(ROOT, 'functions'));
  return entries;
}

/** The version a node binary reports, or why it cannot run. */
function nodeVersion(exec: string): { version: string } | { error: string } {
  const child = spawnSync(exec, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 30_000 });
  if (child.status === 0) return { version: child.stdout.trim() };
  return { error: (child.error?.message ?? child.stderr.trim()) || `exit ${child.status}` };
}

/**
 * The runtimes to measure: the local Node, and Node 22 unless the local one
 * is a 22 already. A Node 22 that cannot be found is reported, not skipped
 * silently.
 */
function runtimes(): { measured: Runtime[]; missing?: string } {
  const local = process.versions.node;
  const measured: Runtime[] = [{ label: `Node ${local} (local)`, exec: process.execPath }];
  if (local.startsWith('22.')) return { measured };
  const override = process.env.BENCH_COLD_NODE22;
  if (override === 'off') return { measured, missing: 'Node 22 not measured: BENCH_COLD_NODE22=off' };
  let exec = override;
  if (exec === undefined || exec === '') {
    const npx = spawnSync('npx', ['-y', '-p', NODE22_PACKAGE, 'node', '-p', 'process.execPath'], { encoding: 'utf8', timeout: 180_000 });
    if (npx.status !== 0) {
      const why = (npx.error?.message ?? npx.stderr.trim().split('\n').slice(-3).join(' ')) || `exit ${npx.status}`;
      return { measured, missing: `Node 22 not measured: \`npx -y -p ${NODE22_PACKAGE} node\` failed (${why}); set BENCH_COLD_NODE22 to a node 22 binary` };
    }
    exec = npx.stdout.trim();
  }
  const probed = nodeVersion(exec);
  if ('error' in probed) return { measured, missing: `Node 22 not measured: ${exec} does not run (${probed.error})` };
  if (!probed.version.startsWith('22.')) return { measured, missing: `Node 22 not measured: ${exec} is Node ${probed.version}` };
  return { measured: [{ label: `Node ${probed.version}`, exec }, ...measured] };
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
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(file);
const loadMs = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
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
process.stdout.write(JSON.stringify({ loadMs, cpuMs, invokeMs }));
`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Samples {
  readonly loads: number[];
  /** CPU time of the load (user + system): what the bundle costs, less sensitive than wall time to other work on the machine. */
  readonly cpus: number[];
  readonly invokes: number[];
}

interface Row {
  readonly name: string;
  readonly bytes: number;
  /** By runtime label. */
  readonly samples: Map<string, Samples>;
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** One runtime's table and its verdict line. */
function report(runtime: Runtime, rows: readonly Row[]): void {
  const stats = rows.map((row) => {
    const { loads, cpus, invokes } = row.samples.get(runtime.label)!;
    const sorted = [...loads].sort((a, b) => a - b);
    const calls = [...invokes].sort((a, b) => a - b);
    const cpuP50 = percentile(
      [...cpus].sort((a, b) => a - b),
      50,
    );
    return { ...row, p50: percentile(sorted, 50), p95: percentile(sorted, 95), cpuP50, invokeP50: calls.length > 0 ? percentile(calls, 50) : undefined };
  });
  const bare = stats.find((s) => s.name === BARE)!;
  const width = Math.max(...stats.map((s) => s.name.length));
  console.log(`\n${runtime.label}: module load over ${RUNS} fresh processes per bundle`);
  console.log(
    `${'bundle'.padEnd(width)}  ${'KB'.padStart(6)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}  ${'x bare'.padStart(6)}  ${'cpu p50'.padStart(7)}  ${'x bare'.padStart(6)}  ${'1st call'.padStart(8)}  size    <= ${MAX_X_BARE}x bare`,
  );
  for (const s of stats) {
    const ratio = s.p50 / bare.p50;
    const verdict = s.name === BARE ? 'baseline' : `${(s.bytes <= MAX_BYTES ? 'PASS' : 'FAIL').padEnd(6)}  ${ratio <= MAX_X_BARE ? 'met' : 'over'}`;
    console.log(
      `${s.name.padEnd(width)}  ${kb(s.bytes).padStart(6)}  ${s.p50.toFixed(1).padStart(7)}  ${s.p95.toFixed(1).padStart(7)}  ${ratio.toFixed(2).padStart(6)}  ${s.cpuP50.toFixed(1).padStart(7)}  ${(s.cpuP50 / bare.cpuP50).toFixed(2).padStart(6)}  ${(s.invokeP50 === undefined ? '' : `${s.invokeP50.toFixed(1)} ms`).padStart(8)}  ${verdict}`,
    );
  }
  const functions = stats.filter((s) => s.name !== BARE);
  const within = functions.filter((s) => s.p50 <= MAX_X_BARE * bare.p50);
  const slowest = functions.reduce((a, b) => (b.p50 > a.p50 ? b : a));
  const over = functions.filter((s) => s.p50 > MAX_X_BARE * bare.p50).map((s) => `${s.name} ${(s.p50 / bare.p50).toFixed(2)}x`);
  const cpuWithin = functions.filter((s) => s.cpuP50 <= MAX_X_BARE * bare.cpuP50).length;
  const cpuWorst = functions.reduce((a, b) => (b.cpuP50 > a.cpuP50 ? b : a));
  console.log(
    `${runtime.label}: ${within.length}/${functions.length} bundles load within ${MAX_X_BARE}x of the bare DynamoDB handler ` +
      `(bare p50 ${bare.p50.toFixed(1)} ms, so <= ${(MAX_X_BARE * bare.p50).toFixed(1)} ms; slowest ${slowest.name} ${slowest.p50.toFixed(1)} ms, ${(slowest.p50 / bare.p50).toFixed(2)}x)` +
      (over.length > 0 ? `; over: ${over.join(', ')}` : '') +
      `; by CPU time ${cpuWithin}/${functions.length} (bare ${bare.cpuP50.toFixed(1)} ms, highest ${cpuWorst.name} ${(cpuWorst.cpuP50 / bare.cpuP50).toFixed(2)}x)`,
  );
}

/** The npm package an esbuild input path belongs to, or undefined for our own code. */
function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  if (parts[0]!.startsWith('.bench-cold-')) return 'the bare handler';
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Powertools' packages as one (they come together), our code as `ours` or, with `--why`, by folder. */
function groupOf(input: string, byFolder: boolean): string {
  const pkg = packageOf(input);
  if (pkg?.startsWith('@aws-lambda-powertools/') || pkg === '@aws/lambda-invoke-store') return byFolder ? pkg : 'powertools';
  if (pkg !== undefined) return pkg;
  // esbuild's own inputs, such as `<define:__BUNDLED_SETTINGS__>` (config/settings.yaml as data).
  if (input.startsWith('<')) return byFolder ? `ours:${input}` : 'ours';
  return byFolder ? `ours:${dirname(relative(ROOT, join(process.cwd(), input)))}` : 'ours';
}

interface Holdings {
  /** KB of output by group, largest first. */
  readonly bytes: readonly (readonly [string, number])[];
  readonly atLoad: string;
  readonly onFirstUse: string;
}

/** What one bundle holds: bytes in its output by group, and the AWS SDK packages it imports at load and on first use. */
function holdings(output: Metafile['outputs'][string], byFolder: boolean): Holdings {
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = groupOf(input, byFolder);
    bytes.set(group, (bytes.get(group) ?? 0) + bytesInOutput);
  }
  const sdk = (kind: string) =>
    [...new Set(output.imports.filter((i) => i.external && i.kind === kind && i.path.startsWith('@aws-sdk/')).map((i) => i.path.replace('@aws-sdk/', '')))]
      .sort()
      .join(' ');
  return { bytes: [...bytes].sort((a, b) => b[1] - a[1]), atLoad: sdk('import-statement'), onFirstUse: sdk('dynamic-import') };
}

/**
 * The bundles grouped by what they hold (the same packages and SDK clients,
 * within ~10 KB; most routes hold the same), each group with its
 * contributors' KB (a range when its members differ) and the AWS SDK it loads.
 */
function whatEachBundleHolds(metafile: Metafile, names: readonly string[]): void {
  console.log(
    `\nWhat the bundles hold (esbuild metafile: KB of minified output by package; ours = this repository's code${WHY ? ', by folder' : '; `-- --why` splits it by folder'})`,
  );
  const groups = new Map<string, { members: string[]; held: Holdings[] }>();
  for (const name of names) {
    const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(`/${name}.mjs`))?.[1];
    if (output === undefined) continue;
    const held = holdings(output, WHY);
    const total = held.bytes.reduce((sum, [, n]) => sum + n, 0);
    const key = [held.bytes.map(([group]) => group).sort(), held.atLoad, held.onFirstUse, Math.round(total / 10_000)].join('|');
    const group = groups.get(key) ?? { members: [], held: [] };
    group.members.push(name);
    group.held.push(held);
    groups.set(key, group);
  }
  const shown = WHY ? 18 : 6;
  for (const { members, held } of groups.values()) {
    const range = new Map<string, [number, number]>();
    for (const h of held) for (const [group, n] of h.bytes) range.set(group, [Math.min(range.get(group)?.[0] ?? n, n), Math.max(range.get(group)?.[1] ?? n, n)]);
    const sorted = [...range].sort((a, b) => b[1][1] - a[1][1]);
    const rest = sorted.slice(shown).reduce((sum, [, [, max]]) => sum + max, 0);
    const parts = sorted.slice(0, shown).map(([group, [min, max]]) => `${group} ${kb(min) === kb(max) ? kb(max) : `${kb(min)}-${kb(max)}`}`);
    console.log(`- ${members.join(', ')}:`);
    console.log(`    ${parts.join(', ')}${rest > 0 ? `, other <= ${kb(rest)}` : ''}`);
    console.log(`    SDK at load: ${held[0]!.atLoad || 'none'}${held[0]!.onFirstUse === '' ? '' : `; on first use: ${held[0]!.onFirstUse}`}`);
  }
}

async function main(): Promise<void> {
  const { measured, missing } = runtimes();
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.bench-cold-'));
  try {
    writeFileSync(join(dir, `${BARE}.mjs`), BARE_SOURCE);
    const entries = { ...functionEntries(), [BARE]: join(dir, `${BARE}.mjs`) };
    const outdir = join(dir, 'out');
    const started = performance.now();
    const { metafile } = await build({ ...esbuildOptions(), entryPoints: entries, outdir, metafile: true });
    console.log(
      `bundled ${Object.keys(entries).length} entries (${Object.keys(entries).length - 1} functions + the bare handler) in ${Math.round(performance.now() - started)} ms; ` +
        `${RUNS} fresh processes each on ${measured.map((r) => r.label).join(' and ')}, interleaved`,
    );
    if (missing !== undefined) console.log(`WARNING: ${missing}`);

    const rows: Row[] = Object.keys(entries).map((name) => ({
      name,
      bytes: statSync(join(outdir, `${name}.mjs`)).size,
      samples: new Map(measured.map((r) => [r.label, { loads: [], cpus: [], invokes: [] }])),
    }));
    // Rounds over every bundle and runtime (the runtimes' order alternating), so drift in the machine's load touches all alike.
    for (let run = 0; run < RUNS; run += 1) {
      for (const row of rows) {
        for (const runtime of run % 2 === 0 ? measured : [...measured].reverse()) {
          const child = spawnSync(runtime.exec, ['--input-type=module', '-e', CHILD, join(outdir, `${row.name}.mjs`), row.name], {
            env: CHILD_ENV,
            encoding: 'utf8',
          });
          if (child.status !== 0) throw new Error(`${row.name} failed in a fresh process on ${runtime.label}:\n${child.stderr}`);
          const { loadMs, cpuMs, invokeMs } = JSON.parse(child.stdout) as { loadMs: number; cpuMs: number; invokeMs?: number };
          const samples = row.samples.get(runtime.label)!;
          samples.loads.push(loadMs);
          samples.cpus.push(cpuMs);
          if (invokeMs !== undefined) samples.invokes.push(invokeMs);
        }
      }
    }

    for (const runtime of measured) report(runtime, rows);
    if (missing !== undefined) console.log(`\nWARNING: ${missing}`);

    const functions = rows.filter((r) => r.name !== BARE);
    const failed = functions.filter((r) => r.bytes > MAX_BYTES);
    const largest = functions.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    console.log(
      `\n${functions.length - failed.length}/${functions.length} bundles within the ${MAX_BYTES / 1000} KB budget (largest ${largest.name} ${kb(largest.bytes)} KB; the bare handler ${kb(rows.find((r) => r.name === BARE)!.bytes)} KB)`,
    );
    whatEachBundleHolds(
      metafile,
      rows.map((r) => r.name),
    );
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
