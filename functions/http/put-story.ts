import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) =>
  httpRoute(ROUTES.putStory, deps, ({ params, body, caller }) => deps.directory.put('story', { ...body, id: params.id }, caller));

export const handler = lambdaEntry(makeHandler);
