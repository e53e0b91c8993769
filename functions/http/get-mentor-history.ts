import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getMentorHistory, deps, async ({ params, caller }) => ({
    sessionId: params.id,
    items: await deps.assignments.mentorHistory(params.id, caller),
  }));

export const handler = lambdaEntry(makeHandler);
