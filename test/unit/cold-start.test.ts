import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { UNSET_SECRET, withSecretSettings } from '../../shared/adapters/secrets/secret-settings';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { capturedOutput } from './capture-output';

const ELSA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:elsa-api-key-AbCdEf';
const SLACK_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-webhook-AbCdEf';
const ELSA_KEY = 'elsa-key-do-not-log-1234';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/do-not-log';

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: ELSA_ARN }).resolves({ SecretString: ELSA_KEY });
  secrets.on(GetSecretValueCommand, { SecretId: SLACK_ARN }).resolves({ SecretString: SLACK_URL });
});

const context = (requestId: string) =>
  ({ awsRequestId: requestId, functionName: 'fn', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '256' }) as Context;

const output = (act: () => Promise<unknown>): Promise<string> => capturedOutput(act);

describe('withSecretSettings', () => {
  it('reads each named secret into its settings variable, in a copy of the environment', async () => {
    // Prepare
    const env = { TABLE_NAME: 't', ELSA_API_KEY_SECRET_ARN: ELSA_ARN, SLACK_WEBHOOK_SECRET_ARN: SLACK_ARN };

    // Act
    const resolved = await withSecretSettings(env);

    // Assess
    expect(resolved).toMatchObject({ WORKFLOW_ENGINE__ELSA_API_KEY: ELSA_KEY, NOTIFICATIONS__SLACK_WEBHOOK_URL: SLACK_URL, TABLE_NAME: 't' });
    expect(env).not.toHaveProperty('WORKFLOW_ENGINE__ELSA_API_KEY');
    expect(process.env.NOTIFICATIONS__SLACK_WEBHOOK_URL).toBeUndefined();
    expect(
      secrets
        .commandCalls(GetSecretValueCommand)
        .map((call) => call.args[0].input.SecretId)
        .sort(),
    ).toEqual([ELSA_ARN, SLACK_ARN]);
  });

  it('a placeholder secret still holding UNSET counts as not set (Slack stays off; nothing is overridden)', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SLACK_ARN }).resolves({ SecretString: UNSET_SECRET });
    const resolved = await withSecretSettings({ TABLE_NAME: 't', ELSA_API_KEY_SECRET_ARN: ELSA_ARN, SLACK_WEBHOOK_SECRET_ARN: SLACK_ARN });
    expect(resolved).toMatchObject({ WORKFLOW_ENGINE__ELSA_API_KEY: ELSA_KEY });
    expect(resolved).not.toHaveProperty('NOTIFICATIONS__SLACK_WEBHOOK_URL');
  });

  it('calls nothing when no secret is named', async () => {
    const env = { TABLE_NAME: 't', ELSA_API_KEY_SECRET_ARN: '' };
    expect(await withSecretSettings(env)).toBe(env);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('fails naming the variable, not a value, when a secret cannot be read or is empty', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: ELSA_ARN })
      .rejects(new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', $metadata: {} }));
    secrets.on(GetSecretValueCommand, { SecretId: SLACK_ARN }).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(withSecretSettings({ ELSA_API_KEY_SECRET_ARN: ELSA_ARN })).rejects.toThrow(/ELSA_API_KEY_SECRET_ARN.*ResourceNotFoundException/);
    await expect(withSecretSettings({ SLACK_WEBHOOK_SECRET_ARN: SLACK_ARN })).rejects.toThrow('The secret SLACK_WEBHOOK_SECRET_ARN names holds no string value.');
  });
});

describe('lambdaEntry', () => {
  const env = {
    TABLE_NAME: 'mentorship-sessions',
    AWS_REGION: 'eu-west-1',
    WORKFLOW_ENGINE__TYPE: 'elsa',
    WORKFLOW_ENGINE__ELSA_BASE_URL: 'https://elsa.example.com',
    ELSA_API_KEY_SECRET_ARN: ELSA_ARN,
    SLACK_WEBHOOK_SECRET_ARN: SLACK_ARN,
  };

  it('reads the secrets once at cold start, applies them as settings and never logs them', async () => {
    // Prepare
    const composed: CoreDeps[] = [];
    const handler = lambdaEntry<{ n: number }, { elsaKeySet: boolean; slack?: string }>((deps) => {
      composed.push(deps);
      return async ({ n }) => {
        deps.logger.info('invoked', { n });
        return {
          elsaKeySet: deps.settings.engine.elsa?.apiKey === ELSA_KEY,
          ...(deps.settings.notifications.slackWebhookUrl !== undefined && { slack: deps.settings.notifications.slackWebhookUrl }),
        };
      };
    }, env);

    // Act
    let answers: unknown[] = [];
    const logged = await output(async () => {
      answers = [await handler({ n: 1 }, context('r-1')), await handler({ n: 2 }, context('r-2'))];
    });

    // Assess
    expect(answers).toEqual([
      { elsaKeySet: true, slack: SLACK_URL },
      { elsaKeySet: true, slack: SLACK_URL },
    ]);
    expect(composed).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.message, line.function_request_id])).toEqual([
      ['invoked', 'r-1'],
      ['invoked', 'r-2'],
    ]);
    expect(logged).not.toContain(ELSA_KEY);
    expect(logged).not.toContain('do-not-log');
  });

  it('flushes the metrics of each invocation as EMF', async () => {
    // Prepare
    const handler = lambdaEntry<{ started: number }, void>(
      (deps) =>
        async ({ started }) => {
          for (let i = 0; i < started; i += 1) deps.metrics.count('SessionsStarted');
        },
      { TABLE_NAME: 'mentorship-sessions', AWS_REGION: 'eu-west-1' },
    );

    // Act
    const first = await output(() => handler({ started: 2 }, context('r-1')));
    const second = await output(() => handler({ started: 0 }, context('r-2')));

    // Assess
    const emf = JSON.parse(first.trim()) as Record<string, unknown>;
    expect(emf).toMatchObject({ SessionsStarted: [1, 1], service: 'mentorship-sessions' });
    expect(JSON.stringify(emf._aws)).toContain('"Namespace":"MentorshipSessions"');
    expect(second).toBe('');
  });

  it('tries the cold start again after it failed', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SLACK_ARN }).rejectsOnce(new Error('throttled')).resolves({ SecretString: SLACK_URL });
    const handler = lambdaEntry<unknown, string | undefined>((deps) => async () => deps.settings.notifications.slackWebhookUrl, {
      TABLE_NAME: 'mentorship-sessions',
      AWS_REGION: 'eu-west-1',
      SLACK_WEBHOOK_SECRET_ARN: SLACK_ARN,
    });
    await expect(handler({}, context('r-1'))).rejects.toThrow('throttled');
    expect(await handler({}, context('r-2'))).toBe(SLACK_URL);
  });
});
