import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Integrations, withIntegrations } from '../../shared/compose-integrations';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Integrations, 'webhooks'>) =>
  httpRoute(ROUTES.createWebhook, deps, async ({ body, caller }) => {
    const { subscription, secret } = await deps.webhooks.register(body, caller);
    return { webhook: subscription, secret };
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withIntegrations(core));
