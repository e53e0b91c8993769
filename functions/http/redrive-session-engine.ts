import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { toEngineSide } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.redriveSessionEngine, deps, async ({ params, caller }) => toEngineSide(await deps.sessions.redriveEngine(params.id, caller)));

export const handler = lambdaEntry(makeHandler);
