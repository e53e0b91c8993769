import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.getMentorHistory, deps, async ({ params, caller }) => ({
    sessionId: params.id,
    items: await deps.assignments.mentorHistory(params.id, caller),
  }));

export const handler = lambdaEntry(makeHandler);
