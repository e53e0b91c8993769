import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';
import { idempotencyKey } from '../../shared/http/idempotency-key';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.startSession, deps, ({ body, caller, headers }) =>
    deps.sessions.startSession(body, caller, idempotencyKey(headers)),
  );

export const handler = lambdaEntry(makeHandler);
