import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { toSessionSummary } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.listSessions, deps, async ({ query, caller }) => {
    const { sortBy, sortDirection, pageSize, page, cursor, ...filter } = query;
    const result = await deps.history.list(
      { filter, order: { sortBy, sortDirection }, pageSize, ...(page !== undefined && { page }), ...(cursor !== undefined && { cursor }) },
      caller,
    );
    const now = deps.clock.now().toISOString();
    const { sessions, ...paging } = result;
    return { items: sessions.map((session) => toSessionSummary(session, now)), ...paging };
  });

export const handler = lambdaEntry(makeHandler);
