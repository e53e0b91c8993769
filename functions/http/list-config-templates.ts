import { lambdaEntry, type AppDeps } from '../../shared/compose';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: AppDeps) =>
  httpRoute(ROUTES.listConfigTemplates, deps, async ({ caller }) => ({ items: [...deps.configs.templates(caller)] }));

export const handler = lambdaEntry(makeHandler);
