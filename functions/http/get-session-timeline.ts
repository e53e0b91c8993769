import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { toTimelineDto } from '../../shared/http/presenters';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.getSessionTimeline, deps, async ({ params, caller }) => toTimelineDto(await deps.history.timeline(params.id, caller)));

export const handler = lambdaEntry(makeHandler);
