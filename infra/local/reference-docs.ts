import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Redocly CLI (a devDependency): `build-docs` renders the reference. */
const REDOCLY = join(__dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

/**
 * The API reference as one HTML page, rendered by Redocly from the OpenAPI
 * document. `--inlineBundle` puts Redoc's scripts in the page, so viewing it
 * fetches nothing from the network; telemetry and the update check are off.
 * Used by `npm run docs` (docs/reference.html) and `npm start` (/api/mentorship/docs).
 */
export async function renderReferenceDocs(document: Readonly<Record<string, unknown>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reference-docs-'));
  try {
    const spec = join(dir, 'openapi.json');
    const out = join(dir, 'reference.html');
    await writeFile(spec, JSON.stringify(document));
    await run(process.execPath, [REDOCLY, 'build-docs', spec, '--inlineBundle', '--output', out], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return await readFile(out, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
