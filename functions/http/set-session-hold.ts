import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.setSessionHold, deps, async ({ params, body, caller }) =>
    deps.history.hold(params.id, { hold: body.hold, ...(body.reason !== undefined && { reason: body.reason }) }, caller),
  );

export const handler = lambdaEntry(makeHandler);
