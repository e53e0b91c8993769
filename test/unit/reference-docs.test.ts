import { ROUTES } from '../../functions/http/routes';
import { renderReferenceDocs } from '../../infra/local/reference-docs';
import { buildOpenApiDocument } from '../../shared/http/openapi';

/** The published reference (docs/reference.html, `npm start` at /api/mentorship/docs): one page, nothing fetched when viewed. */
test('the API reference renders from the document as one self-contained HTML page', async () => {
  // Act
  const html = await renderReferenceDocs(buildOpenApiDocument(Object.values(ROUTES)));

  // Assess
  expect(html).toMatch(/^<!DOCTYPE html>/i);
  expect(html).toContain('Mentorship session service');
  expect(html).toContain('startSession');
  // Scripts inline, no stylesheet or font from elsewhere: viewing it needs no network.
  expect(html.match(/<script[^>]*\ssrc=/gi) ?? []).toEqual([]);
  expect(html.match(/<link[^>]*\shref=["']https?:/gi) ?? []).toEqual([]);
  expect(html.match(/@import\s+url\(\s*["']?https?:/gi) ?? []).toEqual([]);
}, 60_000);
