import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.listMentors, deps, async ({ query, caller }) => {
    const page = await deps.directory.list('mentor', query, caller);
    const loads = await deps.assignments.loads(page.items);
    return { ...page, items: page.items.map((mentor) => ({ ...mentor, load: loads.get(mentor.id)! })) };
  });

export const handler = lambdaEntry(makeHandler);
