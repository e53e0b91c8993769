import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) => httpRoute(ROUTES.getQueueStatus, deps, ({ caller }) => deps.sessions.getQueueStatus(caller));

export const handler = lambdaEntry(makeHandler);
