import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INTEGRATION_EVENT_SOURCE } from '../../shared/domain/integration-events';

export interface IntegrationEventsProps {
  /** An existing bus (context `integrationBusName`); absent: one is created. */
  readonly busName?: string;
}

/** The example rule's pattern (docs/integration-events.md shows the same): sessions that timed out. */
export const TIMED_OUT_PATTERN = { source: [INTEGRATION_EVENT_SOURCE], detailType: ['session_timed_out'] };

/**
 * Where integration events go on AWS: the bus (created, or the one named in
 * context) and an example rule, "sessions that timed out", delivering to a
 * queue of its own: a starting point for a consumer, with nothing reading it.
 */
export class IntegrationEvents extends Construct {
  readonly bus: IEventBus;
  readonly exampleRule: Rule;
  readonly exampleQueue: Queue;

  constructor(scope: Construct, id: string, props: IntegrationEventsProps = {}) {
    super(scope, id);
    this.bus =
      props.busName === undefined
        ? new EventBus(this, 'Bus', { description: 'Mentorship session integration events (source mentorship.sessions, detail-type = event type).' })
        : EventBus.fromEventBusName(this, 'Bus', props.busName);
    this.exampleQueue = new Queue(this, 'TimedOutSessions', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(4) });
    Validations.of(this.exampleQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "The example rule's target: events it cannot take stay on the bus side (the rule's retry policy); a consumer copying it adds its own DLQ.",
    });
    this.exampleRule = new Rule(this, 'TimedOutSessionsRule', {
      eventBus: this.bus,
      description: 'Example: sessions that timed out (session_timed_out integration events).',
      eventPattern: TIMED_OUT_PATTERN,
      targets: [new SqsQueue(this.exampleQueue, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });
  }
}
