/**
 * `npm run docs`: rewrites the generated tables of docs/api.md (routes from
 * ROUTES, errors from HTTP_ERRORS) between their marker comments, writes the
 * OpenAPI document to docs/openapi.json, the integration event's JSON Schema to
 * docs/integration-event.schema.json, and renders the API reference from it
 * into docs/reference.html (Redocly, scripts inlined: no fetch when viewed; not
 * committed, `npm start` also serves it at /api/mentorship/docs).
 * `npm run docs -- --check` changes nothing and exits 1 when the tables or
 * docs/openapi.json are stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from '../functions/http/routes';
import { renderReferenceDocs } from '../infra/local/reference-docs';
import { buildOpenApiDocument } from '../shared/http/openapi';
import { API_DOC, INTEGRATION_EVENT_SCHEMA_DOC, OPENAPI_DOC, renderApiDoc, renderIntegrationEventSchema, renderOpenApiJson, staleBlocks } from './docs-tables';

const root = join(__dirname, '..');
const file = join(root, API_DOC);
const current = readFileSync(file, 'utf8');
const stale = staleBlocks(current);
const openApiFile = join(root, OPENAPI_DOC);
const openApi = renderOpenApiJson();
const openApiStale = !existsSync(openApiFile) || readFileSync(openApiFile, 'utf8') !== openApi;
const eventSchemaFile = join(root, INTEGRATION_EVENT_SCHEMA_DOC);
const eventSchema = renderIntegrationEventSchema();
const eventSchemaStale = !existsSync(eventSchemaFile) || readFileSync(eventSchemaFile, 'utf8') !== eventSchema;

async function main() {
  if (process.argv.includes('--check')) {
    if (stale.length > 0) process.stderr.write(`${API_DOC}: the ${stale.join(' and ')} table(s) differ from the code: run npm run docs\n`);
    if (openApiStale) process.stderr.write(`${OPENAPI_DOC} differs from the document the code builds: run npm run docs\n`);
    if (eventSchemaStale) process.stderr.write(`${INTEGRATION_EVENT_SCHEMA_DOC} differs from the envelope the code builds: run npm run docs\n`);
    if (stale.length > 0 || openApiStale || eventSchemaStale) process.exit(1);
    process.stdout.write(`${API_DOC} and ${OPENAPI_DOC} are up to date\n`);
    return;
  }
  if (stale.length === 0) process.stdout.write(`${API_DOC} is up to date\n`);
  else {
    writeFileSync(file, renderApiDoc(current));
    process.stdout.write(`${API_DOC}: rewrote the ${stale.join(' and ')} table(s)\n`);
  }
  if (openApiStale) {
    writeFileSync(openApiFile, openApi);
    process.stdout.write(`${OPENAPI_DOC}: rewrote it\n`);
  }
  if (eventSchemaStale) {
    writeFileSync(eventSchemaFile, eventSchema);
    process.stdout.write(`${INTEGRATION_EVENT_SCHEMA_DOC}: rewrote it\n`);
  }
  writeFileSync(join(root, 'docs', 'reference.html'), await renderReferenceDocs(buildOpenApiDocument(Object.values(ROUTES))));
  process.stdout.write('docs/reference.html: rendered the API reference\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
