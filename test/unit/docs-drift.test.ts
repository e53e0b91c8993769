import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from '../../functions/http/routes';
import { API_DOC, OPENAPI_DOC, renderApiDoc, renderErrorTable, renderOpenApiJson, renderRouteTable, staleBlocks } from '../../scripts/docs-tables';
import { HTTP_ERRORS } from '../../shared/http/errors';

const committed = readFileSync(join(__dirname, '..', '..', API_DOC), 'utf8');

describe('docs/api.md', () => {
  test('its generated tables match the code (if not: run npm run docs)', () => {
    // Act
    const stale = staleBlocks(committed);

    // Assess
    if (stale.length > 0) {
      throw new Error(`${API_DOC}: the ${stale.join(' and ')} table(s) differ from the code: run npm run docs and commit the result`);
    }
    expect(renderApiDoc(committed)).toBe(committed);
  });
});

describe('docs/openapi.json', () => {
  test('is the document the route table builds (if not: run npm run docs)', () => {
    // Act
    const current = readFileSync(join(__dirname, '..', '..', OPENAPI_DOC), 'utf8');

    // Assess
    if (current !== renderOpenApiJson()) throw new Error(`${OPENAPI_DOC} differs from the document the code builds: run npm run docs and commit the result`);
  });
});

describe('the generator', () => {
  test('renders one row per route, with its method, path, success status and errors', () => {
    // Act
    const table = renderRouteTable();

    // Assess
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(Object.keys(ROUTES).length);
    expect(rows).toContain('| POST | `/api/mentorship/sessions` | Start a session (coordinators). Honours Idempotency-Key. | 201 | 400, 401, 403, 413, 422, 429, 502 |');
    expect(rows).toContain('| GET | `/health` | Liveness check (no authentication). | 200 | - |');
  });

  test('renders every error code once, plus internal_error, ordered by status', () => {
    // Act
    const rows = renderErrorTable().split('\n').slice(2);

    // Assess
    const codes = rows.map((row) => /`([a-z_]+)`/.exec(row)?.[1]);
    expect([...codes].sort()).toEqual([...Object.keys(HTTP_ERRORS), 'internal_error'].sort());
    const statuses = rows.map((row) => Number(row.split('|')[1]));
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
    expect(rows).toContain('| 429 | `queue_full` | the session would have to queue and the queue is at `max_queue_size` |');
  });

  test('a change in the code makes the committed table stale, and rendering restores it', () => {
    // Prepare: the committed document with one generated row edited by hand
    const edited = committed.replace('| 429 | `queue_full` |', '| 503 | `queue_full` |');

    // Act
    const stale = staleBlocks(edited);
    const restored = renderApiDoc(edited);

    // Assess
    expect(edited).not.toBe(committed);
    expect(stale).toEqual(['errors']);
    expect(restored).toBe(committed);
  });

  test('refuses a document without the marker comments', () => {
    expect(() => renderApiDoc('# API\n\nno tables here\n')).toThrow('no <!-- routes:start --> ... <!-- routes:end --> block');
  });
});
