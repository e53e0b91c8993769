/**
 * `npm run console:ensure` (run by `npm start` and `npm run synth`): builds the console (console/dist) when it is
 * missing or older than any of its sources, so a fresh clone's `npm ci && npm start` serves it at /console/.
 * `--force` builds whatever the dates say. The build itself is `npm run console:build` (tsc, then vite).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const BUILT = join(ROOT, 'console', 'dist', 'index.html');
/** What the bundle is made of: the console's own files and the client code and types it imports. */
const SOURCES = ['console/src', 'console/index.html', 'console/vite.config.mts', 'console/tsconfig.json', 'shared/client', 'shared/http/schemas', 'package-lock.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

export function consoleIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  const built = statSync(BUILT).mtimeMs;
  return SOURCES.map((source) => join(ROOT, source)).some((source) => existsSync(source) && newestMtime(source) > built);
}

if (require.main === module) {
  if (process.argv.includes('--force') || consoleIsStale()) {
    process.stdout.write('Building the console (console/dist)...\n');
    execFileSync('npm', ['run', '-s', 'console:build'], { cwd: ROOT, stdio: 'inherit' });
  }
}
