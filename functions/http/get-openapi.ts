import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => {
  const document = buildOpenApiDocument(Object.values(ROUTES));
  return httpRoute(ROUTES.openApi, deps, async () => document);
};

export const handler = lambdaEntry(makeHandler);
