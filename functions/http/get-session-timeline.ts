import { lambdaEntry, type CoreDeps } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { toTimelineDto } from '../../shared/http/presenters';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.getSessionTimeline, deps, async ({ params, caller }) => toTimelineDto(await deps.history.timeline(params.id, caller)));

export const handler = lambdaEntry(makeHandler);
