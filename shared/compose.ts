import { type ComposeOptions, type CoreDeps, composeCore } from './compose-core';
import { type Extras, withExtras } from './compose-extras';

export * from './compose-core';

/** Everything a handler may need: the core and the extras. */
export type AppDeps = CoreDeps & Extras;

/**
 * The one composition root, whole: tests, the local server and the bench pass
 * overrides. Lambda functions compose only what they use (`lambdaEntry` with
 * compose-extras.ts), so their bundles stay small.
 */
export function composeApp(options: ComposeOptions): AppDeps {
  return withExtras(composeCore(options), options);
}
