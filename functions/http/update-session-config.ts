import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.updateSessionConfig, deps, ({ params, body, caller }) => deps.configs.update(params.id, body, caller));

export const handler = lambdaEntry(makeHandler);
