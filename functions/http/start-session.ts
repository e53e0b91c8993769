import { lambdaEntry, type CoreDeps } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';
import { idempotencyKey } from '../../shared/http/idempotency-key';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.startSession, deps, ({ body, caller, headers }) =>
    deps.sessions.startSession(body, caller, idempotencyKey(headers)),
  );

export const handler = lambdaEntry(makeHandler);
