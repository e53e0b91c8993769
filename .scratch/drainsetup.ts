process.env.LOG_LEVEL = 'silent';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
import { RequestCounter } from '../shared/adapters/dynamodb/request-counter';
import { composeApp } from '../shared/compose';
import { parseSettings } from '../shared/settings/settings';
async function main() {
  const dynamo = await startDynamoDbLocal();
  const clients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
  const table = 'bench-drain';
  await ensureTable(clients.client, table);
  const requests = new RequestCounter().attach(clients.client);
  const settings = parseSettings('session_management: { max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_per_mentor: 1000, max_concurrent_sessions_system: 5000, max_queue_size: 1000 }');
  const deps = composeApp({ tableName: table, dynamo: clients, settings });
  const directory = new DynamoDirectoryStore(clients.document, table);
  await directory.put('story', { id: 'story-1', title: 'Bench story', skillArea: 'typescript' });
  await directory.put('mentor', { id: 'drain-mentor', name: 'Drain mentor', skills: [{ area: 'typescript', level: 4 }], available: true });
  for (let i = 0; i < 40; i += 1) await directory.put('junior', { id: `dj-${i}`, name: `dj-${i}`, skills: [] });
  for (let i = 0; i < 40; i++) {
    requests.reset();
    const t0 = performance.now();
    const r = await deps.sessions.startSession({ storyId: 'story-1', juniorId: `dj-${i}` }, { id: 'b', roles: ['coordinator'] } as any);
    console.log(i, r.status, (performance.now() - t0).toFixed(1), JSON.stringify(requests.byOperation()));
  }
  await dynamo.stop();
}
main();
