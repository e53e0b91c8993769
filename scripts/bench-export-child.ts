/**
 * Child of the bench: runs one export job over a seeded table in a fresh Node
 * process and prints its rows, bytes, time and peak RSS as JSON. Format `none`
 * lists one page instead (the process's baseline).
 */
import { performance } from 'node:perf_hooks';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { FileExportSink } from '../shared/adapters/exports/file-export-sink';
import { composeApp } from '../shared/compose';
import type { Caller } from '../shared/domain/access';
import { parseSettings } from '../shared/settings/settings';
import { acceptingEngine } from '../test/support/store-views';

const [endpoint, table, format, dir] = process.argv.slice(2) as [string, string, 'csv' | 'ndjson' | 'none', string];
const caller: Caller = { id: 'bench', roles: ['coordinator'] };

async function main() {
  const deps = composeApp({
    tableName: table,
    dynamo: createDynamoClients(localDynamoConfig(endpoint)),
    settings: parseSettings('session_management: {}'),
    engine: acceptingEngine,
    exportSink: new FileExportSink(dir),
  });
  const order = { sortBy: 'createdAt', sortDirection: 'asc' } as const;
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  if (format === 'none') {
    rows = (await deps.history.list({ filter: {}, order, pageSize: 20 }, caller)).sessions.length;
  } else {
    const job = await deps.exports.createJob({ filter: {}, order, format }, caller);
    const done = await deps.exports.runJob(job.id);
    if (done?.status !== 'succeeded') throw new Error(`export job ended ${done?.status}: ${done?.error}`);
    rows = done.rows ?? 0;
    bytes = done.bytes ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  // resourceUsage().maxRSS is in kilobytes.
  console.log(JSON.stringify({ rows, bytes, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
