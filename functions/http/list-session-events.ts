import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';
import { toEventDto } from '../../shared/http/presenters';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.listSessionEvents, deps, async ({ params, caller }) => ({
    sessionId: params.id,
    items: (await deps.sessions.getSessionEvents(params.id, caller)).map(toEventDto),
  }));

export const handler = lambdaEntry(makeHandler);
