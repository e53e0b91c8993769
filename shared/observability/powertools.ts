import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { CounterName, GaugeName, Metrics } from '../ports/metrics';
import type { Logger } from './logger';

/** The CloudWatch namespace of every metric (the stack's alarms and dashboard read it). */
export const METRICS_NAMESPACE = 'MentorshipSessions';
export const SERVICE_NAME = 'mentorship-sessions';

/**
 * Our Logger on Powertools Logger (Lambda only): JSON lines with the Lambda
 * context (function_request_id, cold_start) and the invocation's correlation
 * keys. Powertools reads LOG_LEVEL (debug, info, warn, error, silent) itself.
 */
export class LambdaLogger implements Logger {
  constructor(readonly powertools: PowertoolsLogger = new PowertoolsLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME })) {}

  info(message: string, fields: Record<string, unknown> = {}): void {
    this.powertools.info(message, fields);
  }
  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.powertools.warn(message, fields);
  }
  error(message: string, fields: Record<string, unknown> = {}): void {
    this.powertools.error(message, fields);
  }
  appendKeys(keys: Record<string, string>): void {
    this.powertools.appendKeys(keys);
  }
  resetKeys(): void {
    this.powertools.resetKeys();
  }
  /** The invocation's Lambda context on every line (request id, function name, cold start). */
  addContext(context: Context): void {
    this.powertools.addContext(context);
  }
}

/**
 * Our Metrics on Powertools Metrics (EMF on stdout, namespace
 * MentorshipSessions). Counts are buffered and written by {@link flush}, once
 * per invocation: one EMF line for the plain counters and gauges, one per
 * operation for `Transitions` (each carries its `operation` dimension).
 */
export class EmfMetrics implements Metrics {
  private readonly transitions = new Map<string, number>();

  constructor(
    readonly powertools: PowertoolsMetrics = new PowertoolsMetrics({
      namespace: METRICS_NAMESPACE,
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    }),
  ) {}

  count(name: CounterName): void {
    this.powertools.addMetric(name, MetricUnit.Count, 1);
  }

  transition(operation: string): void {
    this.transitions.set(operation, (this.transitions.get(operation) ?? 0) + 1);
  }

  gauge(name: GaugeName, value: number): void {
    this.powertools.addMetric(name, MetricUnit.Seconds, value);
  }

  /** Writes what this invocation recorded; nothing at all when it recorded nothing. */
  flush(): void {
    for (const [operation, count] of this.transitions) {
      this.powertools.singleMetric().addDimension('operation', operation).addMetric('Transitions', MetricUnit.Count, count);
    }
    this.transitions.clear();
    if (this.powertools.hasStoredMetrics()) this.powertools.publishStoredMetrics();
  }
}
