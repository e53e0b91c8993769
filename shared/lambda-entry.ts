import type { Context } from 'aws-lambda';
import { withSecretSettings } from './adapters/secrets/secret-settings';
import type { Logger } from './observability/logger';
import { EmfMetrics, LambdaLogger } from './observability/powertools';
import type { Metrics } from './ports/metrics';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** What a Lambda entry builds once per cold start. */
interface ColdStart<E, R> {
  readonly handler: LambdaHandler<E, R>;
  readonly logger: LambdaLogger;
  readonly metrics: EmfMetrics;
}

/**
 * Every function's Lambda export. The first invocation reads the secrets the
 * environment names (Secrets Manager), then `compose` builds the function's
 * dependencies with Powertools logging and metrics; later invocations reuse
 * them (a failed cold start is tried again). Every invocation logs with its
 * Lambda context and flushes its metrics. Functions compose only what they
 * use (compose-core.ts, compose-extras.ts, or a smaller root of their own),
 * so their bundles carry nothing else.
 */
export function composedEntry<D, E, R>(
  compose: (env: NodeJS.ProcessEnv, observability: { logger: Logger; metrics: Metrics }) => D,
  make: (deps: D) => LambdaHandler<E, R>,
  env: NodeJS.ProcessEnv = process.env,
): LambdaHandler<E, R> {
  let ready: Promise<ColdStart<E, R>> | undefined;
  const coldStart = async (): Promise<ColdStart<E, R>> => {
    const logger = new LambdaLogger();
    const metrics = new EmfMetrics();
    const handler = make(compose(await withSecretSettings(env), { logger, metrics }));
    return { handler, logger, metrics };
  };
  return async (event, context) => {
    ready ??= coldStart().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const { handler, logger, metrics } = await ready;
    logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      metrics.flush();
      logger.resetKeys();
    }
  };
}
