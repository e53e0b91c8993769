import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.listMentors, deps, ({ query, caller }) => deps.directory.list('mentor', query, caller));

export const handler = lambdaEntry(makeHandler);
