import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Settings whose value lives in Secrets Manager: the variable naming the
 * secret (set by the stack) -> the settings override it fills.
 */
export const SECRET_SETTINGS = {
  ELSA_API_KEY_SECRET_ARN: 'WORKFLOW_ENGINE__ELSA_API_KEY',
  SLACK_WEBHOOK_SECRET_ARN: 'NOTIFICATIONS__SLACK_WEBHOOK_URL',
  CURSOR_SIGNING_KEY_SECRET_ARN: 'CURSOR_SIGNING_KEY',
} as const;

/**
 * What the stack's placeholder secrets hold until the infra team sets them:
 * read as "not set" (Slack stays off; Elsa's settings then refuse to load
 * with a message naming the key).
 */
export const UNSET_SECRET = 'UNSET';

export class SecretSettingError extends Error {
  override readonly name = 'SecretSettingError';
}

/**
 * The environment with each secret the stack names read into its settings
 * variable (the secret's string is the value). Read once, at cold start; the
 * values go into the returned copy only, never into process.env or a log.
 * With no secret named, nothing is loaded: the Secrets Manager client is
 * imported on first need.
 */
export async function withSecretSettings(env: NodeJS.ProcessEnv, client?: SecretsManagerClient): Promise<NodeJS.ProcessEnv> {
  const wanted = Object.entries(SECRET_SETTINGS).filter(([variable]) => (env[variable] ?? '') !== '');
  if (wanted.length === 0) return env;
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const secrets = client ?? new sdk.SecretsManagerClient({});
  const values = await Promise.all(
    wanted.map(async ([variable, setting]) => {
      let secret: string | undefined;
      try {
        ({ SecretString: secret } = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: env[variable] })));
      } catch (error) {
        // The SDK's message names the secret, never its value.
        throw new SecretSettingError(`Cannot read the secret ${variable} names: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
      }
      if (secret === undefined || secret === '') throw new SecretSettingError(`The secret ${variable} names holds no string value.`);
      return [setting, secret] as const;
    }),
  );
  return { ...env, ...Object.fromEntries(values.filter(([, value]) => value !== UNSET_SECRET)) };
}
