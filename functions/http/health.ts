import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) => httpRoute(ROUTES.health, deps, async () => ({ status: 'ok' as const }));

export const handler = lambdaEntry(makeHandler);
