import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Integrations, withIntegrations } from '../../shared/compose-integrations';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Integrations, 'webhooks'>) =>
  httpRoute(ROUTES.listWebhookDeliveries, deps, async ({ params, query, caller }) => {
    const page = await deps.webhooks.deliveries(params.id, query, caller);
    return {
      webhookId: params.id,
      items: page.items.map(({ subscriptionId: _subscription, ...delivery }) => delivery),
      ...(page.next !== undefined && { next: page.next }),
    };
  });

export const handler = lambdaEntry(makeHandler, process.env, (core) => withIntegrations(core));
