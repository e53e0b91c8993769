import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.getQueueStatus, deps, ({ caller }) => deps.sessions.getQueueStatus(caller));

export const handler = lambdaEntry(makeHandler);
