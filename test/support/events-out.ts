import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { type AppDeps, composeApp } from '../../shared/compose';
import { type IntegrationEvent, integrationEventId } from '../../shared/domain/integration-events';
import type { SessionEventType } from '../../shared/domain/model';
import { IntegrationEventSchema } from '../../shared/http/schemas';
import type { BusFailure, IntegrationBus } from '../../shared/ports/webhooks';
import { aJunior, aMentor, aStory, coordinator } from './builders';
import { ManualClock } from './clock';
import { createTestTable, type TestTable } from './dynamo';
import { FaultyEngine } from './faulty-engine';
import { settingsWith } from './settings';
import { openTableStream, type StreamRecord, type TableStream } from './table-stream';
import { type ReceivedDelivery, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** The bus side (EventBridge has no local stand-in): records what was published. */
export class RecordingBus implements IntegrationBus {
  readonly published: IntegrationEvent[] = [];
  async publish(events: readonly IntegrationEvent[]): Promise<BusFailure[]> {
    this.published.push(...events);
    return [];
  }
}

export const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What an events-out test file works with: the app over its own table and stream, receivers, and helpers. */
export interface EventsOut {
  readonly table: TestTable;
  readonly clock: ManualClock;
  readonly engine: FaultyEngine;
  readonly stream: TableStream;
  readonly app: AppDeps;
  readonly bus: RecordingBus;
  /** The pauses between failed attempts, recorded instead of slept. */
  readonly sleeps: number[];
  /** A new webhook receiver on 127.0.0.1 (closed with the harness). */
  receiver(): Promise<WebhookReceiver>;
  /** Feeds the stream handler what the table's stream holds until it is quiet; returns every record fed. */
  pump(fed?: StreamRecord[]): Promise<StreamRecord[]>;
  start(juniorId: string, mentorId?: string, storyId?: string): Promise<string>;
  /** The audit log's event ids of these sessions, by session, in sequence order, with their types. */
  auditLog(ids: readonly string[]): Promise<{ id: string; type: SessionEventType; sessionId: string; seq: number }[]>;
  close(): Promise<void>;
}

/**
 * An app on a fresh table (junior limit 1, the local URL policy, three
 * attempts a webhook delivery), the embedded engine behind a FaultyEngine, the
 * table's real stream, and a directory: stories `story-1` (typescript) and
 * `story-cobol`, mentors `mentor-1`, `mentor-2`, `mentor-cobol`, juniors
 * `junior-a` to `junior-h`.
 */
export async function startEventsOut(name: string): Promise<EventsOut> {
  const table = await createTestTable(name);
  const clock = new ManualClock();
  const engine = new FaultyEngine(new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock));
  const stream = await openTableStream(table);
  const bus = new RecordingBus();
  const sleeps: number[] = [];
  const receivers: WebhookReceiver[] = [];
  const app = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    engine,
    settings: settingsWith({
      max_concurrent_sessions_per_junior: 1,
      max_concurrent_sessions_per_mentor: 1000,
      integration_events: { webhook_url_policy: 'local', webhook_max_attempts: 3 },
    }),
    logger: QUIET,
    integrationBus: bus,
    integrationSleep: async (ms) => void sleeps.push(ms),
  });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1', { title: 'Fix login' }));
  await directory.put('story', aStory('story-cobol', { title: 'Port the batch job', skillArea: 'cobol' }));
  await directory.put('mentor', aMentor('mentor-1', { maxConcurrentSessions: 1000 }));
  await directory.put('mentor', aMentor('mentor-2', { maxConcurrentSessions: 1000 }));
  await directory.put('mentor', aMentor('mentor-cobol', { skills: [{ area: 'cobol', level: 5 }] }));
  for (const id of ['junior-a', 'junior-b', 'junior-c', 'junior-d', 'junior-e', 'junior-f', 'junior-g', 'junior-h']) {
    await directory.put(
      'junior',
      aJunior(id, {
        name: `Ada ${id}`,
        skills: [
          { area: 'typescript', level: 2 },
          { area: 'cobol', level: 1 },
        ],
      }),
    );
  }
  return {
    table,
    clock,
    engine,
    stream,
    app,
    bus,
    sleeps,
    async receiver() {
      const started = await startWebhookReceiver();
      receivers.push(started);
      return started;
    },
    async pump(fed = []) {
      const handler = makeTableStream(app);
      for (let round = 0; round < 10; round += 1) {
        const records = await stream.read();
        if (records.length === 0) return fed;
        fed.push(...records);
        const result = await handler({ Records: records });
        if (result.batchItemFailures.length > 0) throw new Error(`the stream handler failed records: ${JSON.stringify(result)}`);
      }
      throw new Error('the stream never went quiet');
    },
    start: async (juniorId, mentorId, storyId = 'story-1') =>
      (await app.sessions.startSession({ storyId, juniorId, ...(mentorId !== undefined && { mentorId }) }, coordinator)).sessionId,
    async auditLog(ids) {
      const all = [];
      for (const sessionId of ids) {
        for (const event of await app.sessions.getSessionEvents(sessionId, coordinator)) {
          all.push({ id: integrationEventId(sessionId, event.seq), type: event.type, sessionId, seq: event.seq });
        }
      }
      return all;
    },
    async close() {
      stream.close();
      for (const receiver of receivers) await receiver.close();
      table.dynamo.client.destroy();
    },
  };
}

/** The envelopes the receiver accepted, checked against the published schema. */
export const eventsOf = (deliveries: readonly ReceivedDelivery[]) => deliveries.map((delivery) => IntegrationEventSchema().parse(JSON.parse(delivery.body)));
