import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const LocalEnvironment = z.object({
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** DynamoDB Local's port; a free one is chosen when unset. */
  DYNAMODB_PORT: port.optional(),
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a valid DynamoDB table name')
    .default('mentorship-sessions'),
});

export type LocalSettings = z.output<typeof LocalEnvironment> & { dataDir: string };

/** Local run settings from the environment; a bad value stops start-up naming the variable. */
export function loadLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const parsed = LocalEnvironment.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}

/**
 * What `npm start` changes in the service's settings unless the environment
 * says otherwise: webhooks may go to plain http on this machine (a developer's
 * receiver), and integration events are logged, since there is no bus locally.
 */
export const LOCAL_SESSION_DEFAULTS = {
  INTEGRATION_EVENTS__WEBHOOK_URL_POLICY: 'local',
  INTEGRATION_EVENTS__BUS: 'log',
} as const;

/** The environment the local server's settings are read with: the local defaults, then the real environment. */
export function localSessionEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...LOCAL_SESSION_DEFAULTS, ...env };
}
