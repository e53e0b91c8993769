process.env.LOG_LEVEL = 'silent';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { EmbeddedWorkflowEngine } from '../shared/adapters/embedded-engine/embedded-workflow-engine';
import { composeApp } from '../shared/compose';
import { systemClock } from '../shared/ports/clock';
import { parseSettings } from '../shared/settings/settings';

async function main() {
  const dynamo = await startDynamoDbLocal();
  const c = createDynamoClients(localDynamoConfig(dynamo.endpoint));
  await ensureTable(c.client, 'tbl');
  const times = new Map<string, number[]>();
  c.client.middlewareStack.add((next, context) => async (args) => {
    const t0 = performance.now();
    try { return await next(args); } finally {
      const k = String(context.commandName) + ((args.input as any).TransactItems ? `(${(args.input as any).TransactItems.length})` : '');
      (times.get(k) ?? times.set(k, []).get(k)!).push(performance.now() - t0);
    }
  }, { step: 'initialize', name: 'timing' });
  const deps = composeApp({ tableName: 'tbl', dynamo: c, engine: new EmbeddedWorkflowEngine(c.document, 'tbl', systemClock), settings: parseSettings('session_management: { max_concurrent_sessions_system: 100000, max_concurrent_sessions_per_mentor: 1000 }') });
  const dir = new DynamoDirectoryStore(c.document, 'tbl');
  await dir.put('story', { id: 's', title: 'S', skillArea: 'typescript' });
  await dir.put('mentor', { id: 'm', name: 'M', skills: [{ area: 'typescript', level: 4 }], available: true });
  for (let i = 0; i < 400; i++) await dir.put('junior', { id: `j${i}`, name: 'J', skills: [] });
  const co = { id: 'c', roles: ['coordinator'] } as any;
  const ops: Record<string, number[]> = { start: [], pause: [], cancel: [] };
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) { const t0 = performance.now(); ids.push((await deps.sessions.startSession({ storyId: 's', juniorId: `j${i}` }, co)).sessionId); ops.start!.push(performance.now() - t0); }
  for (const id of ids) { const t0 = performance.now(); await deps.sessions.pauseSession(id, {}, co); ops.pause!.push(performance.now() - t0); }
  for (const id of ids) { const t0 = performance.now(); await deps.sessions.cancelSession(id, {reason:'x'}, co); ops.cancel!.push(performance.now() - t0); }
  const p50 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
  for (const [k, v] of Object.entries(ops)) console.log('op', k, p50(v));
  for (const [k, v] of times) console.log('req', k, v.length, p50(v));
  await dynamo.stop();
}
main();
