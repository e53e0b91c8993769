import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { audienceOf, toStartResultDto } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.startSession, deps, async ({ body, caller, headers }) =>
    toStartResultDto(await deps.sessions.startSession(body, caller, idempotencyKey(headers)), audienceOf(caller)),
  );

export const handler = lambdaEntry(makeHandler);
