import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalJwt, localJwt } from '../../infra/local/jwt';
import { startLocalServer } from '../../infra/local/server';
import { FileExportSink } from '../../shared/adapters/exports/file-export-sink';
import { createClient, type SessionClient } from '../../shared/client';
import { type AppDeps, type ComposeOptions, composeApp } from '../../shared/compose';
import type { IntegrationOptions } from '../../shared/compose-integrations';
import type { Role } from '../../shared/domain/session';
import { type Clock, systemClock } from '../../shared/ports/clock';
import type { WorkflowEngine } from '../../shared/ports/workflow-engine';
import { createTestTable, type TestTable } from './dynamo';
import { conformingFetch } from './openapi-conformance';
import { ROOMY_SETTINGS } from './settings';

export interface LocalApp {
  readonly url: string;
  readonly table: TestTable;
  readonly deps: AppDeps;
  readonly jwt: LocalJwt;
  /** A client acting as `sub` with the given roles. */
  as(sub: string, ...roles: Role[]): Promise<SessionClient>;
  /** A client with no token at all. */
  anonymous(): SessionClient;
  /** A client sending this bearer token as is (a hand-made or broken one). */
  withToken(token: string): SessionClient;
  close(): Promise<void>;
}

export interface LocalAppOptions extends Partial<Omit<ComposeOptions, 'tableName' | 'dynamo' | 'engine'>>, IntegrationOptions {
  /**
   * An engine, or a factory given the app's fresh table and clock: the table only
   * exists once the app starts, so an engine that lives in it (the embedded one,
   * wrapped in a FaultyEngine) is built through the factory.
   */
  readonly engine?: WorkflowEngine | ((table: TestTable, clock: Clock) => WorkflowEngine);
  /** Serve this built console at /console/ with the local sign-in (the browser tests); absent: API only. */
  readonly consoleDir?: string;
}

/**
 * The real local server (same handlers, same JWT check) on a free port, over a
 * fresh table. Limits default to ROOMY_SETTINGS (never binding); pass
 * `settings` to test limits and the queue.
 */
export async function startLocalApp(options: LocalAppOptions = {}): Promise<LocalApp> {
  const table = await createTestTable('api');
  const { engine: engineOption, consoleDir, ...overrides } = options;
  const engine = typeof engineOption === 'function' ? engineOption(table, overrides.clock ?? systemClock) : engineOption;
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-api-'));
  const deps = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    settings: ROOMY_SETTINGS,
    // Export files go with the app's temporary directory.
    exportSink: new FileExportSink(join(dataDir, 'exports')),
    ...overrides,
    ...(engine && { engine }),
  });
  const jwt = await localJwt(dataDir);
  const server = await startLocalServer({ deps, jwt, port: 0, ...(consoleDir !== undefined && { consoleDir }) });
  // Every answer the clients receive is checked against the service's OpenAPI document.
  const checked = conformingFetch(server.url);
  return {
    url: server.url,
    table,
    deps,
    jwt,
    as: async (sub, ...roles) => createClient({ baseUrl: server.url, token: await jwt.sign({ sub, roles }), fetch: checked }),
    anonymous: () => createClient({ baseUrl: server.url, fetch: checked }),
    withToken: (token) => createClient({ baseUrl: server.url, token, fetch: checked }),
    close: async () => {
      await server.close();
      table.dynamo.client.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
