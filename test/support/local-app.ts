import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localJwt, type LocalJwt } from '../../infra/local/jwt';
import { startLocalServer } from '../../infra/local/server';
import { createClient, type SessionClient } from '../../shared/client';
import { composeApp, type AppDeps, type ComposeOptions } from '../../shared/compose';
import type { Role } from '../../shared/domain/session';
import { createTestTable, type TestTable } from './dynamo';

export interface LocalApp {
  readonly url: string;
  readonly table: TestTable;
  readonly deps: AppDeps;
  readonly jwt: LocalJwt;
  /** A client acting as `sub` with the given roles. */
  as(sub: string, ...roles: Role[]): Promise<SessionClient>;
  /** A client with no token at all. */
  anonymous(): SessionClient;
  close(): Promise<void>;
}

/** The real local server (same handlers, same JWT check) on a free port, over a fresh table. */
export async function startLocalApp(overrides: Partial<Omit<ComposeOptions, 'tableName' | 'dynamo'>> = {}): Promise<LocalApp> {
  const table = await createTestTable('api');
  const deps = composeApp({ tableName: table.tableName, dynamo: table.dynamo, ...overrides });
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-api-'));
  const jwt = await localJwt(dataDir);
  const server = await startLocalServer({ deps, jwt, port: 0 });
  return {
    url: server.url,
    table,
    deps,
    jwt,
    as: async (sub, ...roles) => createClient({ baseUrl: server.url, token: await jwt.sign({ sub, roles }) }),
    anonymous: () => createClient({ baseUrl: server.url }),
    close: async () => {
      await server.close();
      table.dynamo.client.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
