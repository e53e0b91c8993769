import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps) => httpRoute(ROUTES.listConfigTemplates, deps, async ({ caller }) => ({ items: [...deps.configs.templates(caller)] }));

export const handler = lambdaEntry(makeHandler);
