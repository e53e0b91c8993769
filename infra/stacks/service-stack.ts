import { join } from 'node:path';
import { ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FilterCriteria, FilterRule, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES } from '../../functions/http/routes';
import { UNSET_SECRET } from '../../shared/adapters/secrets/secret-settings';
import { SERVICE_SCOPE as MACHINE_SCOPE } from '../../shared/http/auth';
import { BUNDLING } from '../bundling';
import { IntegrationEvents } from '../constructs/integration-events';
import { MentorshipStateMachine } from '../constructs/mentorship-state-machine';
import { Operations } from '../constructs/operations';
import { type EngineType, engineActions, FUNCTION_NEEDS, type FunctionName, type FunctionNeeds } from '../function-needs';

const ROOT = join(__dirname, '..', '..');
export const ROLE_GROUPS = ['coordinator', 'mentor', 'junior', 'service'] as const;
/** Machine clients (client credentials) ask for this scope of the resource server: `<id>/<scope>`, read by shared/http/auth.ts. */
export const [RESOURCE_SERVER_ID, SERVICE_SCOPE] = MACHINE_SCOPE.split('/') as [string, string];
/** Default stage throttle, and tighter per-route limits for the heavy ones (they read many items). */
export const STAGE_THROTTLE = { rateLimit: 100, burstLimit: 200 };
export const HEAVY_ROUTES: Readonly<Record<string, { rateLimit: number; burstLimit: number }>> = {
  exportSessions: { rateLimit: 2, burstLimit: 5 },
  createExportJob: { rateLimit: 1, burstLimit: 2 },
  compareSessions: { rateLimit: 10, burstLimit: 20 },
};

export interface ServiceConfig {
  readonly stage: string;
  readonly engine: EngineType;
  readonly elsaBaseUrl?: string;
  readonly alarmEmail?: string;
  /** The SES sender (a verified identity: the address or its domain). Without it no email is sent. */
  readonly emailFrom?: string;
  readonly slackEnabled: boolean;
  /** Prefix of the Cognito hosted domain machine clients get tokens from (unique per region). */
  readonly authDomainPrefix: string;
  /** Where Cognito's hosted sign-in may send the console back to (code grant), and after sign-out. */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** An existing EventBridge bus integration events go to; absent: the stack creates one. */
  readonly integrationBusName?: string;
}

export interface ServiceStackProps extends StackProps {
  readonly table: ITableV2;
  readonly exportBucket: IBucket;
  /** The stateful stack's export of the bucket ARN (StatefulStack.exportBucketArnExportName). */
  readonly exportBucketArnExportName: string;
  readonly config: ServiceConfig;
  /** The console on CloudFront (ConsoleHostingStack): a Cognito callback and sign-out URL, and the API's one CORS origin. */
  readonly console?: { readonly url: string; readonly origin: string };
}

/**
 * Everything that can be replaced without losing data: one Lambda function
 * per route of the route table behind an HTTP API with a Cognito JWT
 * authorizer, the schedules, the stream consumer, the engine, secrets, queues,
 * alarms and a dashboard. Each function gets a role of its own holding exactly
 * its entry in `FUNCTION_NEEDS`.
 */
export class ServiceStack extends Stack {
  readonly functions = new Map<FunctionName, NodejsFunction>();
  readonly api: HttpApi;
  readonly userPool: UserPool;
  /** The people's client (code grant + PKCE): the console signs in with it. */
  readonly userClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { table, exportBucket, config } = props;

    const notificationDeadLetters = this.queue('NotificationDeadLetters');
    const streamDeadLetters = this.queue('StreamDeadLetters');
    const integrationDeadLetters = this.queue('IntegrationEventDeadLetters');
    const integration = new IntegrationEvents(this, 'IntegrationEvents', {
      ...(config.integrationBusName !== undefined && { busName: config.integrationBusName }),
    });
    // Values are set by the infra team after the first deploy (README "Deploy"); the code reads them at cold start.
    const elsaSecret = config.engine === 'elsa' ? this.placeholderSecret('ElsaApiKey', 'The Elsa 3 API key (ApiKey scheme) this service calls Elsa with.') : undefined;
    const slackSecret = config.slackEnabled ? this.placeholderSecret('SlackWebhookUrl', 'The Slack incoming webhook URL notifications go to.') : undefined;
    const cursorSecret = new Secret(this, 'CursorSigningKey', {
      description: 'Signs list cursors so a cursor from one Lambda instance holds on another (generated).',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledgeNoRotation(cursorSecret, 'A rotated key would only invalidate the list cursors in flight; it guards no data.');

    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      NODE_OPTIONS: '--enable-source-maps',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      WORKFLOW_ENGINE__TYPE: config.engine,
      NOTIFICATIONS__DEAD_LETTER_QUEUE_URL: notificationDeadLetters.queueUrl,
      EXPORT_BUCKET: exportBucket.bucketName,
      POWERTOOLS_SERVICE_NAME: 'mentorship-sessions',
      POWERTOOLS_METRICS_NAMESPACE: 'MentorshipSessions',
      ...(config.elsaBaseUrl !== undefined && { WORKFLOW_ENGINE__ELSA_BASE_URL: config.elsaBaseUrl }),
      ...(config.emailFrom !== undefined && { NOTIFICATIONS__EMAIL_FROM: config.emailFrom }),
    };

    const make = (name: FunctionName, entry: string, extra: { timeout?: Duration; memorySize?: number } = {}) => {
      const logGroup = new LogGroup(this, `${name}-logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
      // A role of its own, with no managed policy: it writes its own log group and holds its needs.
      const role = new Role(this, `${name}-role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `The ${name} function.` });
      role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      const fn = new NodejsFunction(this, name, {
        entry: join(ROOT, entry),
        handler: 'handler',
        description: `mentorship-sessions ${name}`,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: extra.memorySize ?? 512,
        timeout: extra.timeout ?? Duration.seconds(29),
        role,
        logGroup,
        environment: { ...environment },
        // The settings are in the bundle (infra/bundling.ts embeds config/settings.yaml); env overrides apply on top.
        bundling: BUNDLING,
        projectRoot: ROOT,
        depsLockFilePath: join(ROOT, 'package-lock.json'),
      });
      acknowledgeRuntime(fn);
      this.functions.set(name, fn);
      return fn;
    };

    // Functions: one per route, then the background ones.
    for (const route of Object.values(ROUTES)) make(route.entry as FunctionName, `functions/http/${route.entry}.ts`);
    const sweep = make('sweep-due', 'functions/scheduled/sweep-due.ts', { timeout: Duration.seconds(55) });
    const drain = make('drain-queue', 'functions/scheduled/drain-queue.ts', { timeout: Duration.seconds(55) });
    const reconcile = make('reconcile-engine', 'functions/scheduled/reconcile-engine.ts', { timeout: Duration.seconds(55) });
    const stream = make('table-stream', 'functions/streams/table-stream.ts', { timeout: Duration.minutes(5), memorySize: 1024 });
    // The checkpoint exists only for the Step Functions engine: no idle function with table rights otherwise.
    const checkpoint = config.engine === 'stepfunctions' ? make('checkpoint', 'functions/engine/checkpoint.ts', { timeout: Duration.seconds(10) }) : undefined;

    const machine = checkpoint !== undefined ? new MentorshipStateMachine(this, 'Engine', { checkpointFunction: checkpoint }) : undefined;
    // Settings want the machine's ARN wherever the app is composed (every function but the checkpoint, which the machine calls).
    if (machine)
      for (const [name, fn] of this.functions) if (name !== 'checkpoint') fn.addEnvironment('WORKFLOW_ENGINE__STATE_MACHINE_ARN', machine.stateMachine.stateMachineArn);

    // Grants: exactly each function's declared needs.
    const tableArn = table.tableArn;
    for (const [name, fn] of this.functions) {
      const needs: FunctionNeeds = FUNCTION_NEEDS[name];
      const engine = engineActions(config.engine, needs.engine, needs.ownComposition !== true);
      const tableActions = [...new Set([...needs.table, ...engine.table])].sort();
      const add = (actions: string[], resources: string[]) => fn.role!.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
      if (tableActions.length > 0)
        add(
          tableActions.map((a) => `dynamodb:${a}`),
          [tableArn],
        );
      if (needs.indexes.length > 0)
        add(
          ['dynamodb:Query'],
          needs.indexes.map((index) => `${tableArn}/index/${index}`),
        );
      if (machine && engine.states.length > 0) {
        const onMachine = engine.states.filter((a) => ['states:StartExecution', 'states:SendTaskSuccess'].includes(a));
        const onExecutions = engine.states.filter((a) => !onMachine.includes(a));
        if (onMachine.length > 0) add(onMachine, [machine.stateMachine.stateMachineArn]);
        if (onExecutions.length > 0) {
          add(onExecutions, [executionArns(this, machine)]);
          Validations.of(fn.role!).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${this.getLogicalId(machine.stateMachine.node.defaultChild as never)}.Name>:*]`,
            reason: 'Executions are named by session id at run time; the wildcard is limited to executions of this one state machine.',
          });
        }
      }
      const secrets = [
        ...(engine.elsaSecret && elsaSecret ? [elsaSecret.secretArn] : []),
        ...(needs.slackWebhook === true && slackSecret ? [slackSecret.secretArn] : []),
        ...(needs.cursorKey === true ? [cursorSecret.secretArn] : []),
      ];
      if (secrets.length > 0) add(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], secrets);
      // A secret's ARN goes only to the functions allowed to read it (the code loads each ARN it is given at cold start).
      if (engine.elsaSecret && elsaSecret) fn.addEnvironment('ELSA_API_KEY_SECRET_ARN', elsaSecret.secretArn);
      if (needs.slackWebhook === true && slackSecret) fn.addEnvironment('SLACK_WEBHOOK_SECRET_ARN', slackSecret.secretArn);
      if (needs.cursorKey === true) fn.addEnvironment('CURSOR_SIGNING_KEY_SECRET_ARN', cursorSecret.secretArn);
      if (needs.sendEmail === true && config.emailFrom !== undefined) add(['ses:SendEmail'], sesIdentityArns(this, config.emailFrom));
      if (needs.notificationDeadLetters === true) add(['sqs:SendMessage'], [notificationDeadLetters.queueArn]);
      if (needs.integrationDeadLetters === true) add(['sqs:SendMessage'], [integrationDeadLetters.queueArn]);
      if (needs.integrationBus === true) {
        // Only this one bus: the function publishes nowhere else.
        add(['events:PutEvents'], [integration.bus.eventBusArn]);
        fn.addEnvironment('INTEGRATION_EVENTS__BUS', 'eventbridge');
        fn.addEnvironment('INTEGRATION_EVENTS__BUS_NAME', integration.bus.eventBusName);
      }
      if (needs.integrationDeadLetters === true) fn.addEnvironment('INTEGRATION_EVENTS__DEAD_LETTER_QUEUE_URL', integrationDeadLetters.queueUrl);
      if (needs.exportBucket === true) add(['s3:AbortMultipartUpload', 's3:PutObject'], [`${Fn.importValue(props.exportBucketArnExportName)}/exports/*`]);
      if (needs.exportDownload === true) add(['s3:GetObject'], [`${Fn.importValue(props.exportBucketArnExportName)}/exports/*`]);
    }
    if (machine && checkpoint) acknowledgeStateMachine(machine, checkpoint);
    Validations.of(this.functions.get('table-stream')!.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.exportBucketArnExportName}/exports/*]`,
      reason: 'Export jobs write one object per job under exports/, named by job id at run time.',
    });
    Validations.of(this.functions.get('download-export-job')!.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.exportBucketArnExportName}/exports/*]`,
      reason: 'Download links are signed for one object per job under exports/, named by job id at run time.',
    });

    // The stream consumer: only the records table-stream.ts acts on.
    stream.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 50,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(streamDeadLetters),
        filters: STREAM_FILTERS,
      }),
    );

    // Schedules: every minute (check-ins are swept by sweep-due).
    for (const [id, fn] of [
      ['SweepDue', sweep],
      ['DrainQueue', drain],
      ['ReconcileEngine', reconcile],
    ] as const) {
      new Rule(this, `${id}Schedule`, { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaTarget(fn, { retryAttempts: 0 })] });
    }

    // Auth: users sign in with the user pool (groups = roles); automations use client credentials.
    const pool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const id of ['AwsSolutions-COG3', 'AwsSolutions-COG8']) {
      Validations.of(pool).acknowledge({
        id,
        reason:
          'Threat protection (advanced security) needs the Plus feature plan, a cost the infra team opts into; MFA is required for every user and there is no self sign-up.',
      });
    }
    for (const group of ROLE_GROUPS) new CfnUserPoolGroup(this, `Group-${group}`, { userPoolId: pool.userPoolId, groupName: group, description: `The ${group} role.` });
    const serviceScope = new ResourceServerScope({ scopeName: SERVICE_SCOPE, scopeDescription: 'Scheduled automations and the workflow engine (role service).' });
    const resourceServer = new UserPoolResourceServer(this, 'ApiResourceServer', { userPool: pool, identifier: RESOURCE_SERVER_ID, scopes: [serviceScope] });
    pool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.authDomainPrefix } });
    // People (the console) sign in through the hosted UI with the authorization code grant and PKCE: a public client (no
    // secret), no implicit grant (tokens in the URL), no admin scope (it lets a token change its own user). The resource
    // server's scope is not offered: it grants the service role, which only the machine client may ask for.
    const userClient = new UserPoolClient(this, 'UserClient', {
      userPool: pool,
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [...config.callbackUrls, ...(props.console ? [props.console.url] : [])],
        logoutUrls: [...config.logoutUrls, ...(props.console ? [props.console.url] : [])],
      },
    });
    const machineClient = new UserPoolClient(this, 'MachineClient', {
      userPool: pool,
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [OAuthScope.resourceServer(resourceServer, serviceScope)] },
    });

    // The API: one route per route-table entry, each to its own function.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new HttpApi(this, 'Api', {
      apiName: `mentorship-sessions-${config.stage}`,
      createDefaultStage: false,
      // The console calls the API from its CloudFront origin (bearer tokens, no cookies): that origin only.
      ...(props.console && {
        corsPreflight: {
          allowOrigins: [props.console.origin],
          allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT],
          allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
          maxAge: Duration.hours(1),
        },
      }),
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: STAGE_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() },
    });
    this.userPool = pool;
    this.userClient = userClient;
    const authorizer = new HttpUserPoolAuthorizer('Cognito', pool, { userPoolClients: [userClient, machineClient] });
    const routeSettings: Record<string, unknown> = {};
    for (const [key, route] of Object.entries(ROUTES)) {
      const fn = this.functions.get(route.entry as FunctionName)!;
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${key}-integration`, fn),
        ...(route.auth && { authorizer }),
      });
      if (!route.auth) {
        Validations.of(created!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.path} is public by design (liveness / the API description); it reads no data.`,
        });
      }
      const heavy = HEAVY_ROUTES[key];
      if (heavy) routeSettings[`${route.method} ${route.path}`] = { ThrottlingRateLimit: heavy.rateLimit, ThrottlingBurstLimit: heavy.burstLimit };
    }
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);

    new Operations(this, 'Operations', {
      api: this.api,
      functions: this.functions,
      sweeper: sweep,
      deadLetterQueues: { notifications: notificationDeadLetters, stream: streamDeadLetters, integrationEvents: integrationDeadLetters },
      ...(config.alarmEmail !== undefined && { alarmEmail: config.alarmEmail }),
      dashboardName: `mentorship-sessions-${config.stage}`,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    // Notifications link to the session through this API (settings' default is the local server).
    stream.addEnvironment('NOTIFICATIONS__SESSION_URL_TEMPLATE', `${this.api.apiEndpoint}/api/mentorship/sessions/{id}`);
    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId });
    new CfnOutput(this, 'UserClientId', { value: userClient.userPoolClientId });
    new CfnOutput(this, 'MachineClientId', { value: machineClient.userPoolClientId });
    new CfnOutput(this, 'TokenUrl', { value: `https://${config.authDomainPrefix}.auth.${this.region}.amazoncognito.com/oauth2/token` });
    new CfnOutput(this, 'ServiceScope', { value: `${RESOURCE_SERVER_ID}/${SERVICE_SCOPE}` });
    new CfnOutput(this, 'NotificationDeadLetterQueueUrl', { value: notificationDeadLetters.queueUrl });
    new CfnOutput(this, 'StreamDeadLetterQueueUrl', { value: streamDeadLetters.queueUrl });
    new CfnOutput(this, 'IntegrationEventBusName', { value: integration.bus.eventBusName });
    new CfnOutput(this, 'IntegrationEventDeadLetterQueueUrl', { value: integrationDeadLetters.queueUrl });
    if (elsaSecret) new CfnOutput(this, 'ElsaApiKeySecretArn', { value: elsaSecret.secretArn });
    if (slackSecret) new CfnOutput(this, 'SlackWebhookSecretArn', { value: slackSecret.secretArn });
    if (machine) new CfnOutput(this, 'StateMachineArn', { value: machine.stateMachine.stateMachineArn });
  }

  /** A dead-letter queue: SQS-managed encryption, TLS only, kept 14 days for a person to look at. */
  private queue(id: string): Queue {
    const queue = new Queue(this, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue; its depth is alarmed on.' });
    return queue;
  }

  private placeholderSecret(id: string, description: string): Secret {
    // Created holding UNSET (not a random value, which settings would take for a key or URL): the loader treats it as unset.
    const secret = new Secret(this, id, {
      description: `${description} Set its value after the first deploy.`,
      secretStringValue: SecretValue.unsafePlainText(UNSET_SECRET),
    });
    acknowledgeNoRotation(secret, 'The value is issued by another system (Elsa, Slack) and rotated there; the infra team updates it here.');
    return secret;
  }
}

/**
 * What table-stream.ts acts on (taskOf / releasedSlots), as Lambda event
 * filters (any one matches): sessions (expiry moves, slot releases), listing
 * items DynamoDB's TTL removed, new export jobs, new audit events.
 */
export const STREAM_FILTERS = [
  FilterCriteria.filter({ eventName: FilterRule.isEqual('MODIFY'), dynamodb: { NewImage: { entity: { S: FilterRule.isEqual('session') } } } }),
  FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { entity: { S: FilterRule.isEqual('session') } } } }),
  FilterCriteria.filter({
    eventName: FilterRule.isEqual('REMOVE'),
    userIdentity: { principalId: FilterRule.isEqual('dynamodb.amazonaws.com') },
    dynamodb: { OldImage: { entity: { S: FilterRule.isEqual('listing') } } },
  }),
  FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { entity: { S: FilterRule.or('export-job', 'event') } } } }),
];

/** Executions of the machine: `arn:...:execution:<machine name>:*`. */
function executionArns(stack: Stack, machine: MentorshipStateMachine): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${machine.stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** SES checks the From address's identity: the address itself or its domain, whichever the infra team verified. */
function sesIdentityArns(stack: Stack, emailFrom: string): string[] {
  const domain = emailFrom.split('@')[1];
  return [emailFrom, ...(domain !== undefined ? [domain] : [])].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }));
}

function acknowledgeRuntime(fn: NodejsFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'nodejs22.x is chosen on purpose: bundles target node22 and the same code runs on the Node 20/22 developer machines; moving to 24 is a separate change.',
  });
}

function acknowledgeNoRotation(secret: Secret, reason: string): void {
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
}

function acknowledgeStateMachine(machine: MentorshipStateMachine, checkpoint: NodejsFunction): void {
  const role = machine.stateMachine.role;
  const fnId = Stack.of(machine).getLogicalId(checkpoint.node.defaultChild as never);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
    reason: 'CDK grants invoking any version/alias of the one checkpoint function; the state machine calls only that function.',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) have no resource-level permissions.',
  });
}
