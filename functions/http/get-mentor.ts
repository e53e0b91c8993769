import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.getMentor, deps, async ({ params, caller }) => {
    const [mentor] = await deps.assignments.withLoads([await deps.directory.get('mentor', params.id, caller)]);
    return mentor;
  });

export const handler = lambdaEntry(makeHandler);
