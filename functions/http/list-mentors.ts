import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.listMentors, deps, async ({ query, caller }) => {
    const page = await deps.directory.list('mentor', query, caller);
    return { ...page, items: await deps.assignments.withLoads(page.items) };
  });

export const handler = lambdaEntry(makeHandler);
