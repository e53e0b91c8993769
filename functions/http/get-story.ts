import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.getStory, deps, ({ params, caller }) => deps.directory.get('story', params.id, caller));

export const handler = lambdaEntry(makeHandler);
