import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { toComparisonDto } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.compareSessions, deps, async ({ query, caller }) => toComparisonDto(await deps.history.compare(query.ids, caller)));

export const handler = lambdaEntry(makeHandler);
