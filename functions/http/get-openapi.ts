import { lambdaEntry, type CoreDeps } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';
import { buildOpenApiDocument } from '../../shared/http/openapi';

export const makeHandler = (deps: CoreDeps) => {
  const document = buildOpenApiDocument(Object.values(ROUTES));
  return httpRoute(ROUTES.openApi, deps, async () => document);
};

export const handler = lambdaEntry(makeHandler);
