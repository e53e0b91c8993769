import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.putMentor, deps, async ({ params, body, caller }) =>
    deps.assignments.mentorSaved(await deps.directory.put('mentor', { ...body, id: params.id }, caller)),
  );

export const handler = lambdaEntry(makeHandler);
