import { DynamoIntegrationDeadLetters, DynamoPublishLog } from './adapters/dynamodb/dynamo-publish-log';
import { DynamoWebhookDeliveries } from './adapters/dynamodb/dynamo-webhook-deliveries';
import { DynamoWebhookSubscriptions } from './adapters/dynamodb/dynamo-webhook-subscriptions';
import { EventBridgeBus, LogBus } from './adapters/eventbridge/eventbridge-bus';
import { SqsIntegrationDeadLetters } from './adapters/eventbridge/sqs-integration-dead-letters';
import type { Resolve } from './adapters/webhooks/guarded-lookup';
import { HttpWebhookSender } from './adapters/webhooks/http-webhook-sender';
import type { CoreDeps } from './compose-core';
import type { IntegrationBus, IntegrationDeadLetters } from './ports/webhooks';
import { EventPublisher } from './services/event-publisher';
import { IntegrationOutbox } from './services/integration-outbox';
import { WebhookDispatcher } from './services/webhook-dispatcher';
import { WebhookService } from './services/webhook-service';

/** Events out: the webhook routes' service and the stream's outbox. */
export interface Integrations {
  readonly webhooks: WebhookService;
  readonly integrations: IntegrationOutbox;
}

/** What tests and the local server may replace. */
export interface IntegrationOptions {
  /** Defaults to what settings choose (`integration_events.bus`): none, the log, or EventBridge. */
  readonly integrationBus?: IntegrationBus;
  /** Defaults to the SQS queue settings name, else the table. */
  readonly integrationDeadLetters?: IntegrationDeadLetters;
  /** How webhook hosts resolve (default: the system resolver). */
  readonly webhookResolve?: Resolve;
  /** The pause between failed attempts (tests: none). */
  readonly integrationSleep?: (ms: number) => Promise<void>;
}

export function withIntegrations<D extends CoreDeps>(core: D, options: IntegrationOptions = {}): D & Integrations {
  const { dynamo, tableName } = core.table;
  const settings = core.settings.integrationEvents;
  const subscriptions = new DynamoWebhookSubscriptions(dynamo.document, tableName);
  const deliveries = new DynamoWebhookDeliveries(dynamo.document, tableName);
  const sender = new HttpWebhookSender({
    policy: settings.webhookUrlPolicy,
    timeoutMs: settings.webhookTimeoutMs,
    ...(options.webhookResolve !== undefined && { resolve: options.webhookResolve }),
  });
  const sleep = options.integrationSleep === undefined ? {} : { sleep: options.integrationSleep };
  const bus = options.integrationBus ?? busFromSettings(core);
  const publisher =
    bus === undefined
      ? undefined
      : new EventPublisher({
          bus,
          log: new DynamoPublishLog(dynamo.document, tableName),
          deadLetters:
            options.integrationDeadLetters ??
            (settings.deadLetterQueueUrl === undefined
              ? new DynamoIntegrationDeadLetters(dynamo.document, tableName)
              : new SqsIntegrationDeadLetters(undefined, settings.deadLetterQueueUrl)),
          clock: core.clock,
          maxAttempts: settings.maxAttempts,
          logger: core.logger,
          ...sleep,
        });
  const delivery = new WebhookDispatcher({
    subscriptions,
    deliveries,
    sender,
    clock: core.clock,
    maxAttempts: settings.webhookMaxAttempts,
    logger: core.logger,
    ...sleep,
  });
  return {
    ...core,
    webhooks: new WebhookService({ subscriptions, deliveries, urlCheck: sender, policy: settings.webhookUrlPolicy, clock: core.clock }),
    integrations: new IntegrationOutbox({ sessions: core.ports.sessions, webhooks: delivery, ...(publisher !== undefined && { publisher }) }),
  };
}

function busFromSettings(core: CoreDeps): IntegrationBus | undefined {
  const settings = core.settings.integrationEvents;
  if (settings.bus === 'log') return new LogBus(core.logger);
  if (settings.bus === 'eventbridge' && settings.busName !== undefined) return new EventBridgeBus(undefined, settings.busName);
  return undefined;
}
