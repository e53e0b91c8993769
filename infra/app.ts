/**
 * The CDK app: the stateful stack (table, export bucket) and the service stack
 * (API, functions, schedules, stream, engine, alarms). `npx cdk synth` works
 * offline with no credentials (agnostic environment, no lookups). Context
 * (`-c key=value`, see README "Deploy"): `stage`, `engine`, `elsaBaseUrl`,
 * `alarmEmail`, `emailFrom`, `slackEnabled`, `authDomainPrefix`, `callbackUrls`,
 * `logoutUrls` (comma-separated; default DEFAULT_CONSOLE_URL), `integrationBusName` (an existing
 * EventBridge bus for integration events; default: the stack creates one), `nag`.
 * A bad value stops synth with a message naming the key.
 */
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConsoleContentStack } from './stacks/console-content-stack';
import { ConsoleHostingStack } from './stacks/console-hosting-stack';
import { type ServiceConfig, ServiceStack } from './stacks/service-stack';
import { StatefulStack } from './stacks/stateful-stack';

const ENGINES = ['embedded', 'elsa', 'stepfunctions'] as const;
/** Where the console signs in from when no `callbackUrls` context is given: the local console (Vite's dev port). */
export const DEFAULT_CONSOLE_URL = 'http://localhost:5173/console/';

/** Reads and checks the context; every problem is reported at once. */
export function readConfig(context: (key: string) => unknown): ServiceConfig {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    return String(value);
  };
  const stage = text('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) problems.push(`'stage' must be 1-20 lower-case letters, digits and dashes, starting with a letter: got '${stage}'`);
  // Step Functions by default on AWS: it needs nothing outside the account. 'embedded' keeps instances as WORKFLOW# items in the table.
  const engine = text('engine') ?? 'stepfunctions';
  if (!(ENGINES as readonly string[]).includes(engine)) problems.push(`'engine' must be one of ${ENGINES.join(', ')}: got '${engine}'`);
  const elsaBaseUrl = text('elsaBaseUrl');
  if (engine === 'elsa' && elsaBaseUrl === undefined) problems.push("'elsaBaseUrl' is required when engine=elsa (https://elsa.example.com, no path)");
  if (elsaBaseUrl !== undefined && !/^https:\/\/[^\s/]+$/.test(elsaBaseUrl)) problems.push(`'elsaBaseUrl' must be an https URL with no path: got '${elsaBaseUrl}'`);
  const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !email.test(alarmEmail)) problems.push(`'alarmEmail' must be an email address: got '${alarmEmail}'`);
  const emailFrom = text('emailFrom');
  if (emailFrom !== undefined && !email.test(emailFrom))
    problems.push(`'emailFrom' must be an email address (an SES verified identity or an address of a verified domain): got '${emailFrom}'`);
  const slack = text('slackEnabled') ?? 'false';
  if (slack !== 'true' && slack !== 'false') problems.push(`'slackEnabled' must be true or false: got '${slack}'`);
  const authDomainPrefix = text('authDomainPrefix') ?? `mentorship-sessions-${stage}`;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(authDomainPrefix) || authDomainPrefix.includes('cognito') || authDomainPrefix.includes('aws')) {
    problems.push(`'authDomainPrefix' must be lower-case letters, digits and dashes without 'aws' or 'cognito': got '${authDomainPrefix}'`);
  }
  // OAuth redirect URLs: https, or http only on localhost (Cognito's own rule), a comma-separated list.
  const urls = (key: string, fallback: string[]): string[] => {
    const list = (text(key)?.split(',') ?? fallback).map((url) => url.trim()).filter((url) => url !== '');
    const bad = list.filter((url) => !/^(https:\/\/[^\s/]+|http:\/\/localhost(:\d+)?)(\/[^\s]*)?$/.test(url));
    if (list.length === 0 || bad.length > 0) problems.push(`'${key}' must be comma-separated https URLs (http only for localhost): got '${bad.join(',')}'`);
    return list;
  };
  const integrationBusName = text('integrationBusName');
  if (integrationBusName !== undefined && !/^[A-Za-z0-9._-]{1,256}$/.test(integrationBusName)) {
    problems.push(`'integrationBusName' must be an EventBridge bus name (letters, digits, . _ -): got '${integrationBusName}'`);
  }
  const callbackUrls = urls('callbackUrls', [DEFAULT_CONSOLE_URL]);
  const logoutUrls = urls('logoutUrls', callbackUrls);
  if (problems.length > 0) throw new Error(`Invalid context:\n- ${problems.join('\n- ')}`);
  return {
    stage,
    engine: engine as ServiceConfig['engine'],
    slackEnabled: slack === 'true',
    authDomainPrefix,
    callbackUrls,
    logoutUrls,
    ...(elsaBaseUrl !== undefined && { elsaBaseUrl }),
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(emailFrom !== undefined && { emailFrom }),
    ...(integrationBusName !== undefined && { integrationBusName }),
  };
}

/** The built console (`npm run console:build`; `npm run synth` and `npm run deploy` build it first). */
export const CONSOLE_DIST = join(__dirname, '..', 'console', 'dist');

/**
 * The four stacks in `app`: stateful (table, export bucket), console hosting (bucket + CloudFront), service (API,
 * functions, Cognito: the console's URL is a callback and the API's CORS origin), console content (the built files
 * and config.json with the API URL and client settings). cdk-nag's AwsSolutions pack runs on them unless context
 * `nag` is 'false'.
 */
export function buildApp(
  app: App,
  options: { consoleDist?: string } = {},
): {
  stateful: StatefulStack;
  service: ServiceStack;
  consoleHosting: ConsoleHostingStack;
  consoleContent: ConsoleContentStack;
} {
  const config = readConfig((key) => app.node.tryGetContext(key));
  if (String(app.node.tryGetContext('nag') ?? 'true') !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const tags = { service: 'mentorship-sessions', stage: config.stage };
  const stateful = new StatefulStack(app, `MentorshipSessions-${config.stage}-stateful`, {
    description: 'Mentorship session service: the table (sessions, events, limits, directory) and the export bucket.',
    tags,
  });
  const consoleHosting = new ConsoleHostingStack(app, `MentorshipSessions-${config.stage}-console-hosting`, {
    description: 'Mentorship session service: the console on S3 + CloudFront (origin access control, CSP and security headers).',
    tags,
    authDomainPrefix: config.authDomainPrefix,
  });
  const service = new ServiceStack(app, `MentorshipSessions-${config.stage}-service`, {
    description: 'Mentorship session service: API, functions, schedules, stream consumer, workflow engine, alarms.',
    tags,
    table: stateful.table,
    exportBucket: stateful.exportBucket,
    exportBucketArnExportName: stateful.exportBucketArnExportName,
    config,
    console: { url: consoleHosting.url, origin: consoleHosting.origin },
  });
  const consoleContent = new ConsoleContentStack(app, `MentorshipSessions-${config.stage}-console-content`, {
    description: "Mentorship session service: the console's files and its config.json (API URL, Cognito client settings).",
    tags,
    bucketArnExportName: consoleHosting.bucketArnExportName,
    distribution: consoleHosting.distribution,
    distDir: options.consoleDist ?? CONSOLE_DIST,
    config: {
      apiUrl: service.api.apiEndpoint,
      authority: `https://cognito-idp.${service.region}.amazonaws.com/${service.userPool.userPoolId}`,
      clientId: service.userClient.userPoolClientId,
      domain: `https://${config.authDomainPrefix}.auth.${service.region}.amazoncognito.com`,
    },
  });
  consoleContent.addStackDependency(consoleHosting);
  return { stateful, service, consoleHosting, consoleContent };
}

if (require.main === module) buildApp(new App());
