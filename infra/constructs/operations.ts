import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, type IMetric, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The metric the service publishes (Powertools Metrics, EMF) for the head of the queue. */
export const OLDEST_QUEUED_METRIC = {
  namespace: 'MentorshipSessions',
  metricName: 'OldestQueuedSessionAgeSeconds',
  dimensionsMap: { service: 'mentorship-sessions' },
} as const;
/** Engine commands pending longer than `workflow_engine.command_overdue_minutes` (published by reconcile-engine every minute). */
export const ENGINE_COMMANDS_OVERDUE_METRIC = {
  namespace: 'MentorshipSessions',
  metricName: 'EngineCommandsOverdue',
  dimensionsMap: { service: 'mentorship-sessions' },
} as const;
/** Alarm when the head of the queue has waited this long (the default queue timeout is hours; this is the "people are waiting" line). */
export const OLDEST_QUEUED_THRESHOLD_SECONDS = 1800;
/** 5xx answers above this share of requests over 5 minutes. */
export const API_5XX_RATE_PERCENT = 5;
/** Background functions: their errors and throttles are alarmed one by one (HTTP functions show in the API's 5xx). */
export const BACKGROUND_FUNCTIONS = ['sweep-due', 'drain-queue', 'reconcile-engine', 'table-stream', 'checkpoint'] as const;

export interface OperationsProps {
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly sweeper: IFunction;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly alarmEmail?: string;
  readonly dashboardName: string;
}

/**
 * Alarms (to one SNS topic, mailed to `alarmEmail`) and a dashboard: the API's
 * 5xx rate, throttles and errors of the background functions, dead-letter
 * depth, the age of the oldest queued session, sweeper failures.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: 'Mentorship sessions alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; a customer-managed KMS key whose policy admits cloudwatch.amazonaws.com would work, but it is declined: alarm messages carry no session data (alarm names and thresholds only), so a key to manage and pay for would protect nothing.',
    });
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarm = (name: string, metric: IMetric, threshold: number, description: string, periods = 1) => {
      const created = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    const period = Duration.minutes(5);
    const errors5xx = props.api.metricServerError({ period, statistic: 'Sum' });
    const requests = props.api.metricCount({ period, statistic: 'Sum' });
    const rate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: errors5xx, requests },
      period,
      label: '5xx %',
    });
    alarm('Api5xxRate', rate, API_5XX_RATE_PERCENT, `More than ${API_5XX_RATE_PERCENT}% of API answers were 5xx (route functions failing or throttled show here).`);

    for (const name of BACKGROUND_FUNCTIONS) {
      const fn = props.functions.get(name);
      if (fn === undefined) continue;
      alarm(`${name}-Throttles`, fn.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }), 1, `${name} was throttled.`);
      if (fn !== props.sweeper) alarm(`${name}-Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `${name} failed.`);
    }
    // The sweeper applies deadlines and check-ins every minute: two failed runs in a row mean deadlines are late.
    alarm(
      'SweeperFailures',
      props.sweeper.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      1,
      'sweep-due failed two minutes in a row: deadlines and check-ins are not being applied.',
      2,
    );

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}-DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        1,
        `The ${name} dead-letter queue has messages.`,
      );
    }
    const oldestQueued = new Metric({ ...OLDEST_QUEUED_METRIC, period: Duration.minutes(1), statistic: 'Maximum' });
    alarm(
      'OldestQueuedSessionAge',
      oldestQueued,
      OLDEST_QUEUED_THRESHOLD_SECONDS,
      `The oldest queued session has waited ${OLDEST_QUEUED_THRESHOLD_SECONDS / 60} minutes or more.`,
      5,
    );

    const overdueCommands = new Metric({ ...ENGINE_COMMANDS_OVERDUE_METRIC, period: Duration.minutes(1), statistic: 'Maximum' });
    alarm(
      'EngineCommandsOverdue',
      overdueCommands,
      1,
      'An engine command (start, suspend, resume, stop) has been pending longer than workflow_engine.command_overdue_minutes: the session and its workflow instance disagree (docs/operations.md).',
      3,
    );

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    const fnMetrics = (pick: (fn: IFunction) => IMetric) => [...props.functions.values()].map(pick);
    dashboard.addWidgets(
      new GraphWidget({ title: 'API requests and 5xx', left: [requests, errors5xx], right: [rate], width: 12 }),
      new GraphWidget({ title: 'API latency p95', left: [props.api.metricLatency({ period, statistic: 'p95' })], width: 12 }),
    );
    dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', left: fnMetrics((fn) => fn.metricErrors({ period, statistic: 'Sum' })), width: 8 }),
      new GraphWidget({ title: 'Function throttles', left: fnMetrics((fn) => fn.metricThrottles({ period, statistic: 'Sum' })), width: 8 }),
      new GraphWidget({ title: 'Function duration p95', left: fnMetrics((fn) => fn.metricDuration({ period, statistic: 'p95' })), width: 8 }),
    );
    dashboard.addWidgets(
      new GraphWidget({ title: 'Oldest queued session (s)', left: [oldestQueued], width: 8 }),
      new GraphWidget({ title: 'Engine commands overdue', left: [overdueCommands], width: 8 }),
      new GraphWidget({
        title: 'Dead-letter queues',
        left: Object.values(props.deadLetterQueues).map((queue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })),
        width: 8,
      }),
    );
  }
}
