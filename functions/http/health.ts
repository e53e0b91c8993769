import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.health, deps, async () => ({ status: 'ok' as const }));

export const handler = lambdaEntry(makeHandler);
