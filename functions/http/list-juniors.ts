import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.listJuniors, deps, ({ query, caller }) => deps.directory.list('junior', query, caller));

export const handler = lambdaEntry(makeHandler);
