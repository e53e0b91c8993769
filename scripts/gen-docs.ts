/**
 * `npm run docs`: rewrites the generated tables of docs/api.md (routes from
 * ROUTES, errors from HTTP_ERRORS) between their marker comments.
 * `npm run docs -- --check` changes nothing and exits 1 when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_DOC, renderApiDoc, staleBlocks } from './docs-tables';

const file = join(__dirname, '..', API_DOC);
const current = readFileSync(file, 'utf8');
const stale = staleBlocks(current);

if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    process.stderr.write(`${API_DOC}: the ${stale.join(' and ')} table(s) differ from the code: run npm run docs\n`);
    process.exit(1);
  }
  process.stdout.write(`${API_DOC} is up to date\n`);
} else if (stale.length === 0) {
  process.stdout.write(`${API_DOC} is up to date\n`);
} else {
  writeFileSync(file, renderApiDoc(current));
  process.stdout.write(`${API_DOC}: rewrote the ${stale.join(' and ')} table(s)\n`);
}
