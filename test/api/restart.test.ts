import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { localJwt } from '../../infra/local/jwt';
import { createDynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { uuidV7Ids } from '../../shared/adapters/ids/uuid-v7';
import { composeApp } from '../../shared/compose';
import { systemClock } from '../../shared/ports/clock';
import { SessionService } from '../../shared/services/session-service';
import { loadSettings } from '../../shared/settings/settings';
import { boot, killGroup, type Server } from '../support/crash-run';
import { hideQueueFromReleases } from '../support/store-views';

/**
 * Issue 13: after a restart the queue drains at once. The previous process
 * committed a cancel that freed the only system slot and died before its own
 * drain; the queued session behind it must start within 5 s of the restarted
 * server being ready (its boot pass), not on the next minute's timer.
 */

jest.setTimeout(180_000);

const ENV = { MAX_CONCURRENT_SESSIONS_SYSTEM: '1' };

test('a queued session whose slot is free starts within 5 s of the restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'restart-'));
  let server: Server | undefined;
  try {
    server = await boot(dataDir, 0, ENV);
    const jwt = await localJwt(dataDir);
    const token = await jwt.sign({ sub: 'restart-coordinator', roles: ['coordinator'] });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server!.url}/api/mentorship${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    for (const id of ['restart-a', 'restart-b']) await call('PUT', `/juniors/${id}`, { name: id, skills: [] });
    const a = await call('POST', '/sessions', { storyId: 'story-101', juniorId: 'restart-a' });
    const b = await call('POST', '/sessions', { storyId: 'story-101', juniorId: 'restart-b' });
    expect([a.json.status, b.json.status]).toEqual(['started', 'queued']);
    const table = server.table;
    await killGroup(server);
    server = undefined;

    // The previous process's last request: A's cancel committed, and the process died before draining the queue.
    const dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
    const clients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
    const settings = loadSettings({ ...process.env, ...ENV });
    const app = composeApp({ tableName: table, dynamo: clients, settings });
    const dying = new SessionService({
      ...app.ports,
      sessions: hideQueueFromReleases(app.ports.sessions),
      engine: app.engine,
      clock: systemClock,
      ids: uuidV7Ids,
      settings,
    });
    await dying.cancelSession(String(a.json.sessionId), { reason: 'the last request before the crash' }, { id: 'restart-coordinator', roles: ['coordinator'] });
    expect((await app.ports.sessions.getSession(String(b.json.sessionId)))?.status).toBe('Queued');
    clients.client.destroy();
    await dynamo.stop();

    server = await boot(dataDir, 0, ENV);
    const ready = Date.now();
    let status = '';
    while (Date.now() - ready < 10_000) {
      status = String((await call('GET', `/sessions/${String(b.json.sessionId)}`)).json.status);
      if (status === 'Active') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const startedAfterMs = Date.now() - ready;

    console.log(`restart: the queued session was Active ${startedAfterMs} ms after the restarted server was ready`);
    expect(status).toBe('Active');
    expect(startedAfterMs).toBeLessThanOrEqual(5_000);
  } finally {
    if (server !== undefined) await killGroup(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
