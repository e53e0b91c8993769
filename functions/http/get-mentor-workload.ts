import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.getMentorWorkload, deps, ({ params, caller }) => deps.assignments.workload(params.id, caller));

export const handler = lambdaEntry(makeHandler);
