import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.setSessionHold, deps, async ({ params, body, caller }) =>
    deps.history.hold(params.id, { hold: body.hold, ...(body.reason !== undefined && { reason: body.reason }) }, caller),
  );

export const handler = lambdaEntry(makeHandler);
