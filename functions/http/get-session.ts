import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { audienceOf, toSessionDetails } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.getSession, deps, async ({ params, caller }) => {
    const { session, events } = await deps.sessions.getSessionDetails(params.id, caller);
    const expiresAt = deps.history.expiryOf(session);
    return { ...toSessionDetails(session, events, deps.clock.now().toISOString(), audienceOf(caller)), ...(expiresAt !== undefined && { expiresAt }) };
  });

export const handler = lambdaEntry(makeHandler);
