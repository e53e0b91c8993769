import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getRetentionReport, deps, async ({ query, caller }) => deps.history.retentionReport(query.days, caller));

export const handler = lambdaEntry(makeHandler);
