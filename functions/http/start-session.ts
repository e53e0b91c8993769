import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.startSession, deps, ({ body, caller, headers }) => deps.sessions.startSession(body, caller, idempotencyKey(headers)));

export const handler = lambdaEntry(makeHandler);
