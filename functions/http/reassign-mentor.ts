import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.reassignMentor, deps, ({ params, body, caller }) => deps.assignments.reassign(params.id, body, caller));

export const handler = lambdaEntry(makeHandler);
