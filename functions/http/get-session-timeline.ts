import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { toTimelineDto } from '../../shared/http/presenters';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getSessionTimeline, deps, async ({ params, caller }) => toTimelineDto(await deps.history.timeline(params.id, caller)));

export const handler = lambdaEntry(makeHandler);
