import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Integrations, withIntegrations } from '../../shared/compose-integrations';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Integrations, 'webhooks'>) =>
  httpRoute(ROUTES.deleteWebhook, deps, async ({ params, caller }) => {
    await deps.webhooks.delete(params.id, caller);
    return { id: params.id, deleted: true as const };
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withIntegrations(core));
