import { type ComposeOptions, type CoreDeps, composeCore } from './compose-core';
import { type Extras, withExtras } from './compose-extras';
import { type IntegrationOptions, type Integrations, withIntegrations } from './compose-integrations';

export * from './compose-core';

/** Everything a handler may need: the core, the extras and the integrations (events out). */
export type AppDeps = CoreDeps & Extras & Integrations;

/**
 * The one composition root, whole: tests, the local server and the bench pass
 * overrides. Lambda functions compose only what they use (`lambdaEntry` with
 * compose-extras.ts), so their bundles stay small.
 */
export function composeApp(options: ComposeOptions & IntegrationOptions): AppDeps {
  return withIntegrations(withExtras(composeCore(options), options), options);
}
