import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeBus } from '../../shared/adapters/eventbridge/eventbridge-bus';
import { INTEGRATION_EVENT_SOURCE, type IntegrationEvent } from '../../shared/domain/integration-events';
import type { IntegrationDeadLetter, PublishLog } from '../../shared/ports/webhooks';
import { EventPublisher } from '../../shared/services/event-publisher';

/** EventBridge has no local stand-in: PutEvents is mocked; the publisher and the bus adapter are real. */
const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const NOW = new Date('2026-03-02T10:00:00.000Z');

const anEvent = (sequence: number, sessionId = '01900000-0000-7000-8000-000000000001'): IntegrationEvent => ({
  version: 1,
  id: `${sessionId}/${sequence}`,
  type: sequence === 1 ? 'session_started' : 'session_paused',
  time: `2026-03-02T09:00:0${sequence % 10}.000Z`,
  recordedAt: `2026-03-02T09:00:0${sequence % 10}.000Z`,
  sessionId,
  sequence,
  junior: { id: 'junior-a', name: 'Ada' },
  mentor: { id: 'mentor-1' },
  story: { id: 'story-1', title: 'Fix login' },
  status: { before: 'Active', after: 'Paused' },
  actor: { id: 'coord-1', role: 'coordinator' },
  data: {},
});

/** The publish log in memory: what a replay would find settled. */
class MemoryPublishLog implements PublishLog {
  readonly states = new Map<string, 'published' | 'dead'>();
  async settled(ids: readonly string[]) {
    return new Set(ids.filter((id) => this.states.has(id)));
  }
  async mark(events: readonly IntegrationEvent[], state: 'published' | 'dead') {
    for (const event of events) this.states.set(event.id, state);
  }
}

function publisher(maxAttempts = 3) {
  const log = new MemoryPublishLog();
  const letters: IntegrationDeadLetter[] = [];
  const sleeps: number[] = [];
  const service = new EventPublisher({
    bus: new EventBridgeBus(client, 'mentorship-events'),
    log,
    deadLetters: { put: async (letter) => void letters.push(letter) },
    clock: { now: () => NOW },
    maxAttempts,
    backoff: (attempt) => attempt * 100,
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { service, log, letters, sleeps };
}

const entriesOf = (call: number): PutEventsRequestEntry[] => eventBridge.commandCalls(PutEventsCommand)[call]!.args[0].input.Entries ?? [];
const idsOf = (entries: PutEventsRequestEntry[]) => entries.map((entry) => JSON.parse(entry.Detail!).id as string);

beforeEach(() => eventBridge.reset());

test('each event is one entry on the named bus: source mentorship.sessions, detail-type the event type, detail the envelope; at most 10 a call', async () => {
  // Prepare
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })) }));
  const { service, log } = publisher();
  const events = Array.from({ length: 12 }, (_, index) => anEvent(index + 1));

  // Act
  await service.publish(events);

  // Assess
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  expect([entriesOf(0).length, entriesOf(1).length]).toEqual([10, 2]);
  expect(entriesOf(0)[1]).toEqual({
    EventBusName: 'mentorship-events',
    Source: INTEGRATION_EVENT_SOURCE,
    DetailType: 'session_paused',
    Detail: JSON.stringify(events[1]),
    Time: new Date(events[1]!.time),
  });
  expect([...log.states.values()]).toEqual(events.map(() => 'published'));
});

test('a partial failure: only the refused entries are sent again, after a backoff; all end published', async () => {
  // Prepare: the first call refuses entries 2 and 3, the second refuses entry 3, the third takes it.
  const refusals = [[1, 2], [1], []];
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
    const refused = refusals[call++] ?? [];
    return {
      FailedEntryCount: refused.length,
      Entries: input.Entries.map((_, i) => (refused.includes(i) ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e-${call}-${i}` })),
    };
  });
  const { service, log, letters, sleeps } = publisher();
  const events = [anEvent(1), anEvent(2), anEvent(3)];

  // Act
  await service.publish(events);

  // Assess
  expect(idsOf(entriesOf(0))).toEqual(events.map((e) => e.id));
  expect(idsOf(entriesOf(1))).toEqual([events[1]!.id, events[2]!.id]);
  expect(idsOf(entriesOf(2))).toEqual([events[2]!.id]);
  expect(sleeps).toEqual([100, 200]);
  expect(letters).toEqual([]);
  expect([...log.states.entries()].sort()).toEqual(events.map((e) => [e.id, 'published']).sort());
});

test('an entry refused every time is dead-lettered with its reason after the limit; a call that throws counts as a refusal of every entry', async () => {
  // Prepare
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
    call += 1;
    if (call === 1) throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
    return { FailedEntryCount: 1, Entries: input.Entries.map((_, i) => (i === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: 'ok' })) };
  });
  const { service, log, letters } = publisher(3);
  const events = [anEvent(4), anEvent(5)];

  // Act
  await service.publish(events);

  // Assess
  expect(eventBridge.commandCalls(PutEventsCommand).map((c) => idsOf(c.args[0].input.Entries ?? []))).toEqual([
    [events[0]!.id, events[1]!.id],
    [events[0]!.id, events[1]!.id],
    [events[0]!.id],
  ]);
  expect(letters).toEqual([{ target: 'eventbridge', event: events[0], error: 'InternalFailure: try again', attempts: 3, failedAt: NOW.toISOString() }]);
  expect(log.states.get(events[0]!.id)).toBe('dead');
  expect(log.states.get(events[1]!.id)).toBe('published');
});

test('a replay publishes nothing already settled (published or dead)', async () => {
  // Prepare
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
  const { service, log } = publisher();
  await log.mark([anEvent(1)], 'published');
  await log.mark([anEvent(2)], 'dead');

  // Act
  await service.publish([anEvent(1), anEvent(2), anEvent(3)]);

  // Assess
  expect(eventBridge.commandCalls(PutEventsCommand).map((c) => idsOf(c.args[0].input.Entries ?? []))).toEqual([[anEvent(3).id]]);
});
