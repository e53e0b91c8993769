import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.pauseSession, deps, ({ params, body, caller }) => deps.sessions.pauseSession(params.id, body, caller));

export const handler = lambdaEntry(makeHandler);
