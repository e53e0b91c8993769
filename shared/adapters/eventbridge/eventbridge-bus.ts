import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { INTEGRATION_EVENT_SOURCE, type IntegrationEvent } from '../../domain/integration-events';
import type { BusFailure, IntegrationBus } from '../../ports/webhooks';

/** PutEvents takes at most 10 entries a call. */
const ENTRIES_PER_CALL = 10;

/**
 * Integration events on an EventBridge bus: source `mentorship.sessions`,
 * detail-type the event type, detail the envelope, resources none. Entries the
 * bus refused (FailedEntryCount: its answer lists them in order) come back as
 * failures, for the publisher to send again. Without a client, one for the
 * environment's region is made on the first publish.
 */
export class EventBridgeBus implements IntegrationBus {
  constructor(
    private client: EventBridgeClient | undefined,
    private readonly busName: string,
  ) {}

  async publish(events: readonly IntegrationEvent[]): Promise<BusFailure[]> {
    const sdk = await import('@aws-sdk/client-eventbridge');
    this.client ??= new sdk.EventBridgeClient({});
    const failures: BusFailure[] = [];
    for (let offset = 0; offset < events.length; offset += ENTRIES_PER_CALL) {
      const chunk = events.slice(offset, offset + ENTRIES_PER_CALL);
      const answer = await this.client.send(
        new sdk.PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.busName,
            Source: INTEGRATION_EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(event),
            Time: new Date(event.time),
          })),
        }),
      );
      if ((answer.FailedEntryCount ?? 0) === 0) continue;
      chunk.forEach((event, index) => {
        const entry = answer.Entries?.[index];
        if (entry === undefined || entry.ErrorCode !== undefined || entry.EventId === undefined) {
          failures.push({ id: event.id, reason: `${entry?.ErrorCode ?? 'NoEntry'}: ${entry?.ErrorMessage ?? 'the bus did not answer for this entry'}` });
        }
      });
    }
    return failures;
  }
}

/**
 * `npm start` without a bus: each integration event is one log line instead
 * (what EventBridge would have been sent), with the junior's name left out:
 * logs carry ids, not personal data.
 */
export class LogBus implements IntegrationBus {
  constructor(private readonly logger: { info(message: string, fields?: Record<string, unknown>): void }) {}

  async publish(events: readonly IntegrationEvent[]): Promise<BusFailure[]> {
    for (const event of events) {
      const detail = { ...event, junior: { id: event.junior.id } };
      this.logger.info('integration event', { source: INTEGRATION_EVENT_SOURCE, detailType: event.type, detail });
    }
    return [];
  }
}
