import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.getRetentionReport, deps, async ({ query, caller }) => deps.history.retentionReport(query.days, caller));

export const handler = lambdaEntry(makeHandler);
