import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Integrations, withIntegrations } from '../../shared/compose-integrations';
import { httpRoute } from '../../shared/http/route';
import { ROUTES } from './routes';

export const makeHandler = (deps: CoreDeps & Pick<Integrations, 'webhooks'>) =>
  httpRoute(ROUTES.updateWebhook, deps, ({ params, body, caller }) => deps.webhooks.setPaused(params.id, body.paused, caller));

export const handler = lambdaEntry(makeHandler, process.env, (core) => withIntegrations(core));
