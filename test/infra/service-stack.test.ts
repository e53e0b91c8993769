import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../functions/http/routes';
import { buildApp, readConfig } from '../../infra/app';
import { BACKGROUND_FUNCTIONS, ENGINE_COMMANDS_OVERDUE_METRIC, OLDEST_QUEUED_METRIC } from '../../infra/constructs/operations';
import { engineActions, expectedActions, FUNCTION_NEEDS, type FunctionName } from '../../infra/function-needs';
import { LOCAL_SIGN_IN_PATH } from '../../infra/local/console-host';
import { TABLE_DEFINITION } from '../../shared/adapters/dynamodb/table-definition';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read by path in assertions.
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const OPTIONS = { engine: 'stepfunctions', emailFrom: 'ops@example.com', slackEnabled: true } as const;
const CALLBACK_URLS = ['https://console.example.org/console/', 'http://localhost:5173/console/'];
// One app for the file, bundling skipped, cdk-nag's AwsSolutions pack on: synth throws on any unacknowledged finding.
const app = new App({
  context: {
    'aws:cdk:bundling-stacks': [],
    stage: 'test',
    emailFrom: OPTIONS.emailFrom,
    slackEnabled: 'true',
    alarmEmail: 'alarms@example.com',
    callbackUrls: CALLBACK_URLS.join(','),
  },
});
const { service, consoleHosting, consoleContent } = buildApp(app);
let synthError: unknown;
try {
  app.synth();
} catch (error) {
  synthError = error;
}
const template = Template.fromStack(service);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Function name (from its description) -> logical id. */
const functionIds = new Map<string, string>(
  ofType('AWS::Lambda::Function').map(([id, r]) => [String(r.Properties.Description).replace(/^mentorship-sessions /, ''), id]),
);
const roleOf = (fnId: string): string => resources[fnId]!.Properties.Role['Fn::GetAtt'][0];
const statementsOf = (roleId: string): Statement[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();
const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe('service stack', () => {
  test('cdk-nag AwsSolutions passes on all four stacks (every finding fixed or acknowledged with a reason)', () => {
    expect(synthError).toBeUndefined();
  });

  test('every route of the route table has exactly one function and one API route, and nothing else has', () => {
    const routes = Object.values(ROUTES);
    const expectedFunctions = [...routes.map((r) => r.entry), 'sweep-due', 'drain-queue', 'reconcile-engine', 'table-stream', 'checkpoint'].sort();
    expect([...functionIds.keys()].sort()).toEqual(expectedFunctions);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(expectedFunctions.length);

    const apiRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(apiRoutes.map((r) => r.RouteKey).sort()).toEqual(routes.map(routeKey).sort());
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, r.Properties]));
    for (const route of routes) {
      const apiRoute = apiRoutes.find((r) => r.RouteKey === routeKey(route))!;
      const integrationId = (apiRoute.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
      const uri = integrations[integrationId.Ref]!.IntegrationUri['Fn::GetAtt'][0];
      expect([route.entry, uri]).toEqual([route.entry, functionIds.get(route.entry)]);
      expect([route.entry, apiRoute.AuthorizationType]).toEqual([route.entry, route.auth ? 'JWT' : 'NONE']);
    }
  });

  test('every function runs nodejs22.x on arm64 with a role of its own and a log group with retention', () => {
    const roles = new Set<string>();
    for (const [name, id] of functionIds) {
      const props = resources[id]!.Properties;
      expect([name, props.Runtime, props.Architectures]).toEqual([name, 'nodejs22.x', ['arm64']]);
      roles.add(roleOf(id));
      const logGroupId = props.LoggingConfig.LogGroup.Ref;
      expect([name, resources[logGroupId]!.Properties.RetentionInDays]).toEqual([name, 30]);
    }
    expect(roles.size).toBe(functionIds.size);
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test("each function's IAM actions equal its declared needs, on only the table and the indexes it queries", () => {
    for (const [name, fnId] of functionIds) {
      const needs = FUNCTION_NEEDS[name as FunctionName];
      const statements = statementsOf(roleOf(fnId));
      const expected = [...expectedActions(needs, OPTIONS), 'logs:CreateLogStream', 'logs:PutLogEvents'].sort();
      expect([name, actionsOf(statements)]).toEqual([name, expected]);

      const queryIndexes = statements
        .filter((s) => JSON.stringify(s.Resource).includes('/index/'))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r).match(/\/index\/([a-z-]+)/)![1])
        .sort();
      expect([name, queryIndexes]).toEqual([name, [...needs.indexes].sort()]);
      for (const s of statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'))) expect(s.Action).toBe('dynamodb:Query');
      expect([name, statements.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat())]).toEqual([name, []]);
    }
  });

  test('no function may Scan, delete with a wildcard, or use a wildcard action', () => {
    const all = ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    const actions = all.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a === 'dynamodb:Scan' || a.endsWith('*'))).toEqual([]);
  });

  test('reads without writes hold no write action; DeleteItem only where the code path deletes', () => {
    const deleters = Object.entries(FUNCTION_NEEDS)
      .filter(([, needs]) => expectedActions(needs, OPTIONS).includes('dynamodb:DeleteItem'))
      .map(([name]) => name);
    expect(deleters).not.toContain('get-queue-status');
    expect(deleters).not.toContain('checkpoint');
    expect(deleters).not.toContain('create-export-job');
    for (const name of ['get-queue-status', 'get-retention-report', 'get-junior', 'list-mentors', 'get-export-job', 'get-mentor-history']) {
      const actions = actionsOf(statementsOf(roleOf(functionIds.get(name)!)));
      expect([name, actions.filter((a) => /^dynamodb:(Put|Update|Delete|Transact|ConditionCheck)/.test(a))]).toEqual([name, []]);
    }
  });

  test('engine calls map to the engine in use', () => {
    const sfn = engineActions('stepfunctions', ['start', 'suspend', 'cancel']);
    expect({ ...sfn, states: [...sfn.states].sort() }).toEqual({
      table: [],
      states: ['states:DescribeExecution', 'states:StartExecution', 'states:StopExecution'],
      elsaSecret: false,
    });
    // A retried start checks the existing execution: start alone needs DescribeExecution too.
    expect(engineActions('stepfunctions', ['start']).states.sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
    expect(engineActions('stepfunctions', ['resume']).table.sort()).toEqual(['DeleteItem', 'PutItem']);
    expect(engineActions('embedded', ['start', 'status', 'cancel']).table.sort()).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
    // Settings need the Elsa key wherever the app is composed, engine calls or not.
    expect(engineActions('elsa', ['status'])).toEqual({ table: [], states: [], elsaSecret: true });
    expect(engineActions('elsa', [])).toEqual({ table: [], states: [], elsaSecret: true });
    expect(engineActions('elsa', [], false)).toEqual({ table: [], states: [], elsaSecret: false });
  });

  test('the stream consumer: filtered, bisecting, bounded retries and age, partial batch failures, a dead-letter queue', () => {
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties.FunctionName.Ref).toBe(functionIds.get('table-stream'));
    expect(mapping.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 21600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    });
    const patterns = (mapping.Properties.FilterCriteria.Filters as { Pattern: string }[]).map((f) => JSON.parse(f.Pattern));
    // Exactly these four: anything else the consumer would be invoked for, and would ignore.
    expect(patterns).toHaveLength(4);
    expect(patterns).toEqual(
      expect.arrayContaining([
        { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['session'] } } } },
        { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['session'] } } } },
        { eventName: ['REMOVE'], userIdentity: { principalId: ['dynamodb.amazonaws.com'] }, dynamodb: { OldImage: { entity: { S: ['listing'] } } } },
        { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['export-job', 'event'] } } } },
      ]),
    );
    const queueId = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    expect(resources[queueId]!.Type).toBe('AWS::SQS::Queue');
  });

  test('every background schedule runs each minute', () => {
    const targets = ofType('AWS::Events::Rule')
      .filter(([, r]) => r.Properties.ScheduleExpression !== undefined)
      .map(([, r]) => [r.Properties.ScheduleExpression, r.Properties.Targets[0].Arn['Fn::GetAtt'][0]]);
    expect(targets.sort()).toEqual(['sweep-due', 'drain-queue', 'reconcile-engine'].map((name) => ['rate(1 minute)', functionIds.get(name)]).sort());
  });

  test('alarms: API 5xx rate, background throttles and errors, the three dead-letter queues, oldest queued session, overdue engine commands, sweeper failures; mailed', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.find((a) => (a.Metrics ?? []).some((m: { Expression?: string }) => m.Expression?.includes('errors / requests')))).toBeDefined();
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(byMetric('Throttles')).toHaveLength(BACKGROUND_FUNCTIONS.length);
    expect(byMetric('Errors')).toHaveLength(BACKGROUND_FUNCTIONS.length);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(byMetric(OLDEST_QUEUED_METRIC.metricName)[0]).toMatchObject({ Namespace: OLDEST_QUEUED_METRIC.namespace });
    expect(byMetric(ENGINE_COMMANDS_OVERDUE_METRIC.metricName)).toEqual([
      expect.objectContaining({ Namespace: ENGINE_COMMANDS_OVERDUE_METRIC.namespace, Threshold: 1, EvaluationPeriods: 3, Period: 60, Statistic: 'Maximum' }),
    ]);
    const sweeper = byMetric('Errors').find((a) => a.Dimensions[0].Value.Ref === functionIds.get('sweep-due'));
    expect(sweeper).toMatchObject({ EvaluationPeriods: 2, Period: 60 });
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alarms@example.com' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    // Notifications, stream and integration-event dead letters, and the example rule's queue (test/infra/integration-events.test.ts).
    template.resourceCountIs('AWS::SQS::Queue', 4);
  });

  test('auth: a user pool with the four role groups, a resource server scope for machine clients, a JWT authorizer for both clients', () => {
    expect(
      ofType('AWS::Cognito::UserPoolGroup')
        .map(([, g]) => g.Properties.GroupName)
        .sort(),
    ).toEqual(['coordinator', 'junior', 'mentor', 'service']);
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', { Identifier: 'mentorship', Scopes: [Match.objectLike({ ScopeName: 'service' })] });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['client_credentials'], GenerateSecret: true });
    const [[, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.JwtConfiguration.Audience).toHaveLength(2);
  });

  test('auth: the user client signs in with the code grant only (PKCE, public client), callback URLs from context, no admin scope', () => {
    // Prepare
    const userClients = ofType('AWS::Cognito::UserPoolClient').filter(([, c]) => c.Properties.GenerateSecret !== true);

    // Assess
    expect(userClients).toHaveLength(1);
    const [[, client]] = userClients as [[string, Resource]];
    expect(client.Properties).toMatchObject({ AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'] });
    expect(client.Properties.AllowedOAuthFlows).not.toContain('implicit');
    // The context's URLs, then the console on CloudFront (https://<distribution domain>/, from the console hosting stack).
    const consoleUrl = { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.stringLikeRegexp('console-hosting:.*Distribution.*DomainName') }, '/']] };
    expect(client.Properties.CallbackURLs).toEqual([...CALLBACK_URLS, expect.anything()]);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: [...CALLBACK_URLS, consoleUrl], LogoutURLs: [...CALLBACK_URLS, consoleUrl] });
    expect([...client.Properties.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(JSON.stringify(resources)).not.toContain('https://example.com');
  });

  test('export downloads: the download function may read exported files (to presign URLs) and nothing else in the bucket', () => {
    // Prepare
    const statements = statementsOf(roleOf(functionIds.get('download-export-job')!));

    // Act
    const s3 = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));

    // Assess
    expect(actionsOf(s3)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(s3.map((statement) => statement.Resource))).toContain('/exports/*');
    expect(actionsOf(statementsOf(roleOf(functionIds.get('get-export-job')!))).filter((action) => action.startsWith('s3:'))).toEqual([]);
  });

  test('callbackUrls: a local default when absent; a URL that is not https (but localhost) is refused', () => {
    // Act
    const config = readConfig(() => undefined);
    const bad = () => readConfig((key) => (key === 'callbackUrls' ? 'http://console.example.org/,not a url' : undefined));

    // Assess
    expect(config.callbackUrls).toEqual(['http://localhost:5173/console/']);
    expect(config.logoutUrls).toEqual(['http://localhost:5173/console/']);
    expect(bad).toThrow(/callbackUrls/);
  });

  test('the API stage throttles by default and tighter on heavy routes, and writes access logs to a log group with retention', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(stage.Properties.RouteSettings[routeKey(ROUTES.exportSessions)]).toMatchObject({ ThrottlingRateLimit: 2 });
    const logGroup = resources[stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  test('functions get the table, the engine and the secrets by environment; the stream consumer may send from the SES identity only', () => {
    const env = resources[functionIds.get('start-session')!]!.Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'WORKFLOW_ENGINE__TYPE', 'WORKFLOW_ENGINE__STATE_MACHINE_ARN', 'NOTIFICATIONS__DEAD_LETTER_QUEUE_URL']),
    );
    const streamEnv = resources[functionIds.get('table-stream')!]!.Properties.Environment.Variables;
    expect(Object.keys(streamEnv)).toEqual(
      expect.arrayContaining(['SLACK_WEBHOOK_SECRET_ARN', 'NOTIFICATIONS__EMAIL_FROM', 'EXPORT_BUCKET', 'NOTIFICATIONS__SESSION_URL_TEMPLATE']),
    );
    // Notification links go through the deployed API, not the local server's default.
    expect(JSON.stringify(streamEnv.NOTIFICATIONS__SESSION_URL_TEMPLATE)).toContain('/api/mentorship/sessions/{id}');
    expect(JSON.stringify(streamEnv.NOTIFICATIONS__SESSION_URL_TEMPLATE)).not.toContain('localhost');
    // Placeholder secrets start as UNSET, which the loader reads as not set (never a random value taken for a URL or key).
    for (const [, secret] of ofType('AWS::SecretsManager::Secret').filter(([, r]) => r.Properties.GenerateSecretString === undefined)) {
      expect(secret.Properties.SecretString).toBe('UNSET');
    }
    // Secret ARNs only where the role may read them.
    expect(Object.keys(env)).not.toContain('SLACK_WEBHOOK_SECRET_ARN');
    const ses = statementsOf(roleOf(functionIds.get('table-stream')!)).find((s) => s.Action === 'ses:SendEmail')!;
    expect(JSON.stringify(ses.Resource)).toContain('identity/ops@example.com');
    expect(JSON.stringify(ses.Resource)).not.toContain('identity/*');
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(TABLE_DEFINITION.globalSecondaryIndexes.map((i) => i.name)).toEqual(expect.arrayContaining(Object.values(FUNCTION_NEEDS).flatMap((n) => n.indexes)));
  });
});

describe('console hosting (S3 + CloudFront) and content (files + config.json)', () => {
  const hosting = Template.fromStack(consoleHosting);
  const content = Template.fromStack(consoleContent);
  const hostingResources = hosting.toJSON().Resources as Record<string, Resource>;
  const distributionDomain = { 'Fn::ImportValue': Match.stringLikeRegexp('console-hosting:.*Distribution.*DomainName') };

  test('the files bucket is private and read only by this distribution through origin access control', () => {
    const [[bucketId]] = Object.entries(hostingResources).filter(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('Files')) as [[string, Resource]];
    hosting.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    hosting.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    hosting.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    const [[, distribution]] = Object.entries(hostingResources).filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution') as [[string, Resource]];
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.Logging.Bucket).toBeDefined();
  });

  test('every answer carries the console CSP (scripts and styles from itself; the API and Cognito the only other origins) and the security headers', () => {
    const [[policyId, policy]] = Object.entries(hostingResources).filter(([, r]) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy') as [[string, Resource]];
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      'connect-src',
      'https://*.execute-api.',
      'https://cognito-idp.',
      '.amazoncognito.com',
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31536000, Override: true });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions.Override).toBe(true);
    hosting.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: policyId } }) }),
    });
  });

  test("the console gets the API URL and the Cognito client settings at deploy time (config.json), and CloudFront's cache is cleared", () => {
    const [deployment] = Object.values(content.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === 'Custom::CDKBucketDeployment');
    const props = deployment!.Properties;
    expect(props.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(props.SourceMarkers);
    for (const reference of ['ApiEndpoint', 'UserClient', 'Users']) expect(markers).toMatch(new RegExp(`MentorshipSessions-test-service:ExportsOutput\\w*${reference}`));
    expect(props.Prune).toBe(true);
    expect(props.DistributionPaths).toEqual(['/*']);
    expect(JSON.stringify(props.DestinationBucketName)).toContain('MentorshipSessions-test-console-hosting-ConsoleBucketArn');
  });

  test('the API answers CORS for the console origin only, and routes no local-only path (the local sign-in is never deployed)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', distributionDomain]] }],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      }),
    });
    const paths = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties.RouteKey));
    expect(paths).toHaveLength(Object.keys(ROUTES).length);
    for (const path of paths) expect(path).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/(health|api\/mentorship\/)/);
    for (const stack of [resources, hostingResources, content.toJSON().Resources]) expect(JSON.stringify(stack).includes(LOCAL_SIGN_IN_PATH)).toBe(false);
  });
});

describe('service stack with the Elsa engine and no Slack', () => {
  const elsaApp = new App({
    context: { 'aws:cdk:bundling-stacks': [], stage: 'elsa', engine: 'elsa', elsaBaseUrl: 'https://elsa.example.com', slackEnabled: 'false' },
  });
  const stacks = buildApp(elsaApp);
  elsaApp.synth();
  const elsa = Template.fromStack(stacks.service).toJSON().Resources as Record<string, Resource>;
  const elsaOfType = (type: string) => Object.entries(elsa).filter(([, r]) => r.Type === type);
  const elsaFunctions = new Map<string, string>(
    elsaOfType('AWS::Lambda::Function').map(([id, r]) => [String(r.Properties.Description).replace(/^mentorship-sessions /, ''), id]),
  );
  const options = { engine: 'elsa', slackEnabled: false } as const;

  test('no checkpoint function and no state machine; every other function as with Step Functions', () => {
    expect(elsaFunctions.has('checkpoint')).toBe(false);
    expect(elsaOfType('AWS::StepFunctions::StateMachine')).toEqual([]);
    expect(elsaFunctions.size).toBe(functionIds.size - 1);
  });

  test("each function's IAM actions equal its declared needs for this engine (no states:*, the Elsa key where the app is composed)", () => {
    for (const [name, fnId] of elsaFunctions) {
      const roleId = elsa[fnId]!.Properties.Role['Fn::GetAtt'][0];
      const statements = elsaOfType('AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
      const expected = [...expectedActions(FUNCTION_NEEDS[name as FunctionName], options), 'logs:CreateLogStream', 'logs:PutLogEvents'].sort();
      expect([name, actionsOf(statements)]).toEqual([name, expected]);
      expect([name, actionsOf(statements).filter((a) => a.startsWith('states:'))]).toEqual([name, []]);
    }
  });
});
