import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localSessionEnv } from '../../infra/local/settings';
import { INTEGRATION_EVENT_SCHEMA_DOC, renderIntegrationEventSchema } from '../../scripts/docs-tables';
import { toIntegrationEvent } from '../../shared/domain/integration-events';
import { SESSION_EVENT_TYPES, type SessionEvent } from '../../shared/domain/model';
import { IntegrationEventSchema } from '../../shared/http/schemas';
import { settingsFromDocument } from '../../shared/settings/settings';
import { aSession } from '../support/builders';

const SESSION = aSession({ mentorId: 'mentor-2' });
const at = (seq: number) => `2026-01-05T09:0${seq}:00.000Z`;
const event = (seq: number, fields: Partial<SessionEvent>): SessionEvent => ({
  sessionId: SESSION.id,
  seq,
  type: 'progress_update',
  occurredAt: at(seq),
  recordedAt: at(seq),
  actor: 'system',
  actorRole: 'system',
  ...fields,
});
const LOG: SessionEvent[] = [
  event(1, { type: 'session_started', fromStatus: 'Queued', toStatus: 'Active', toState: 'INIT_STORY_PROCESSING', actor: 'coord-1', actorRole: 'coordinator' }),
  event(2, { type: 'mentor_assigned', reason: 'manual', data: { mentorId: 'mentor-1', mode: 'manual' } }),
  event(3, { type: 'blocker_detected', externalId: 'ext-3', data: { detail: 'tests fail' }, actor: 'engine', actorRole: 'service' }),
  event(4, { type: 'session_paused', fromStatus: 'Active', toStatus: 'Paused', reason: 'lunch', notes: 'back at 2', actor: 'mentor-1', actorRole: 'mentor' }),
  event(5, { type: 'mentor_reassigned', data: { previousMentorId: 'mentor-1', mentorId: 'mentor-2' } }),
];

test('the envelope: id and sequence from the audit event, who and what from the session, the event fields under data', () => {
  expect(toIntegrationEvent(LOG[2]!, SESSION, LOG)).toEqual({
    version: 1,
    id: `${SESSION.id}/3`,
    type: 'blocker_detected',
    time: at(3),
    recordedAt: at(3),
    sessionId: SESSION.id,
    sequence: 3,
    junior: { id: SESSION.juniorId, name: SESSION.juniorName },
    mentor: { id: 'mentor-1' },
    story: { id: SESSION.storyId, title: SESSION.storyTitle },
    status: { before: 'Active', after: 'Active' },
    actor: { id: 'engine', role: 'service' },
    data: { externalId: 'ext-3', detail: 'tests fail' },
  });
});

test('status before/after and the mentor are as of the event, not as the session stands now (a replay builds the same envelope)', () => {
  const view = (seq: number) => {
    const built = toIntegrationEvent(LOG[seq - 1]!, SESSION, LOG);
    return [built.status, built.mentor?.id, built.reason, built.notes];
  };
  expect(view(1)).toEqual([{ before: 'Queued', after: 'Active' }, undefined, undefined, undefined]);
  expect(view(4)).toEqual([{ before: 'Active', after: 'Paused' }, 'mentor-1', 'lunch', 'back at 2']);
  expect(view(5)).toEqual([{ before: 'Paused', after: 'Paused' }, 'mentor-2', undefined, undefined]);
  expect(toIntegrationEvent(LOG[0]!, SESSION, LOG).data).toEqual({ toState: 'INIT_STORY_PROCESSING' });
});

test('every envelope meets the published schema (the OpenAPI component and docs/integration-event.schema.json)', () => {
  for (const entry of LOG) expect(IntegrationEventSchema().safeParse(toIntegrationEvent(entry, SESSION, LOG)).success).toBe(true);
});

test('docs/integration-event.schema.json is what the code builds (npm run docs rewrites it)', () => {
  expect(readFileSync(join(__dirname, '..', '..', INTEGRATION_EVENT_SCHEMA_DOC), 'utf8')).toBe(renderIntegrationEventSchema());
});

test('npm start: webhooks may go to plain http on this machine and events are logged, unless the environment says otherwise', () => {
  const local = settingsFromDocument({}, localSessionEnv({}));
  const overridden = settingsFromDocument({}, localSessionEnv({ INTEGRATION_EVENTS__BUS: 'none', INTEGRATION_EVENTS__WEBHOOK_URL_POLICY: 'strict' }));
  const aws = settingsFromDocument({}, {});

  expect([local.integrationEvents.bus, local.integrationEvents.webhookUrlPolicy]).toEqual(['log', 'local']);
  expect([overridden.integrationEvents.bus, overridden.integrationEvents.webhookUrlPolicy]).toEqual(['none', 'strict']);
  expect([aws.integrationEvents.bus, aws.integrationEvents.webhookUrlPolicy]).toEqual(['none', 'strict']);
  expect(() => settingsFromDocument({}, { INTEGRATION_EVENTS__BUS: 'eventbridge' })).toThrow('integration_events.bus_name: required when bus is eventbridge');
});

describe('docs/integration-events.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'integration-events.md'), 'utf8');

  test('lists every event type with an example row', () => {
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| [^|]+->[^|]+\| [^|]+/gm)].map((match) => match[1]);
    expect([...new Set(rows)].sort()).toEqual([...new Set(SESSION_EVENT_TYPES)].sort());
  });

  test('its complete example is a valid envelope', () => {
    const example = /A complete example[^\n]*\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(IntegrationEventSchema().safeParse(JSON.parse(example ?? 'null')).error?.issues ?? []).toEqual([]);
  });
});
