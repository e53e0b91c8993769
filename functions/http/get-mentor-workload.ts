import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getMentorWorkload, deps, ({ params, caller }) => deps.assignments.workload(params.id, caller));

export const handler = lambdaEntry(makeHandler);
