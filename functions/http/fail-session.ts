import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.failSession, deps, ({ params, body, caller }) => deps.sessions.failSession(params.id, body, caller));

export const handler = lambdaEntry(makeHandler);
