import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { loadSettings } from '../../shared/settings/settings';

const ROOT = join(__dirname, '..', '..');

/**
 * Bundles like the stack does (infra/bundling.ts) and loads the result in a
 * fresh Node process, far from config/settings.yaml: the settings must come
 * from the bundle. The directory is inside node_modules so `@aws-sdk/*`
 * (external, as on the nodejs22.x runtime) resolves.
 */
describe('a Lambda bundle', () => {
  let dir: string;
  let metafile: Metafile;

  beforeAll(async () => {
    dir = mkdtempSync(join(ROOT, 'node_modules', '.bundle-test-'));
    const settings = join(ROOT, 'shared', 'settings', 'settings.ts');
    writeFileSync(
      join(dir, 'settings-probe.ts'),
      `import { loadSettings } from ${JSON.stringify(settings)};\nexport const probe = (env: NodeJS.ProcessEnv) => loadSettings(env);\n`,
    );
    ({ metafile } = await build({
      ...esbuildOptions(),
      entryPoints: { 'http/health': join(ROOT, 'functions', 'http', 'health.ts'), 'settings-probe': join(dir, 'settings-probe.ts') },
      outdir: join(dir, 'out'),
      metafile: true,
    }));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `script` as an ES module in a fresh node with only `env`; its stdout parsed as JSON. */
  const run = (script: string, env: Record<string, string> = {}) => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout) as unknown;
  };

  it('carries config/settings.yaml as data, with the environment still overriding single values', () => {
    const probe = join(dir, 'out', 'settings-probe.mjs');
    const settings = run(`const { probe } = await import(${JSON.stringify(probe)}); process.stdout.write(JSON.stringify(probe(process.env)));`, { MAX_QUEUE_SIZE: '7' });
    expect(settings).toEqual(JSON.parse(JSON.stringify(loadSettings({ MAX_QUEUE_SIZE: '7' }))));
  });

  it('refuses SETTINGS_FILE, which only a local run can read', () => {
    const probe = join(dir, 'out', 'settings-probe.mjs');
    const script = `const { probe } = await import(${JSON.stringify(probe)}); try { probe(process.env); process.stdout.write('null'); } catch (e) { process.stdout.write(JSON.stringify(e.message)); }`;
    expect(run(script, { SETTINGS_FILE: '/etc/settings.yaml' })).toMatch(/SETTINGS_FILE is for local runs/);
  });

  it('holds no YAML parser and no non-DynamoDB AWS client', () => {
    const health = metafile.outputs[Object.keys(metafile.outputs).find((name) => name.endsWith('health.mjs'))!]!;
    expect(Object.keys(health.inputs).filter((input) => input.includes('node_modules/yaml/'))).toEqual([]);
    const imported = (kind: string) => [...new Set(health.imports.filter((i) => i.kind === kind && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
    // Loaded with the bundle: only the DynamoDB clients; the others on first use.
    expect(imported('import-statement')).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
    // A route composes only the core (compose-core.ts): no notification code, so no SES or SQS client at all.
    expect(imported('dynamic-import')).toEqual(['@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn']);
    expect(Object.keys(health.inputs).filter((input) => /notification|compose-extras/.test(input))).toEqual([]);
  });

  it('builds no wire schema at module load: a route builds its own on first use (cold start)', () => {
    const health = join(dir, 'out', 'http', 'health.mjs');
    // zod keeps one registry per process on globalThis; a schema named with .meta({ id }) is in it once built.
    const script = `await import(${JSON.stringify(health)}); process.stdout.write(JSON.stringify(globalThis.__zod_globalRegistry._idmap.size));`;
    expect(run(script, { TABLE_NAME: 'mentorship-sessions' })).toBe(0);
  });

  it('loads in a fresh process and answers the health route', () => {
    const health = join(dir, 'out', 'http', 'health.mjs');
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'r-1', http: { method: 'GET', path: '/health' } },
    };
    const script = `const { handler } = await import(${JSON.stringify(health)}); const res = await handler(${JSON.stringify(event)}, { awsRequestId: 'r-1' }); process.stdout.write(JSON.stringify(res));`;
    expect(run(script, { TABLE_NAME: 'mentorship-sessions' })).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' });
  });
});
