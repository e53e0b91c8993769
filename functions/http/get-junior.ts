import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.getJunior, deps, ({ params, caller }) => deps.directory.get('junior', params.id, caller));

export const handler = lambdaEntry(makeHandler);
