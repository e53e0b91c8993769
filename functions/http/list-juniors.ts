import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.listJuniors, deps, ({ query, caller }) => deps.directory.list('junior', query, caller));

export const handler = lambdaEntry(makeHandler);
