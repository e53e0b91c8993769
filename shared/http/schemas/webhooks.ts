import * as z from 'zod';
import { INTEGRATION_EVENT_VERSION, type IntegrationEvent } from '../../domain/integration-events';
import { SESSION_EVENT_TYPES } from '../../domain/model';
import { once } from '../../domain/once';
import { actorRole, sessionEventType, status, text } from './primitives';

/** Events out: the integration event envelope, webhook subscriptions and their deliveries. */

export const IntegrationEventSchema = once(
  () =>
    z
      .object({
        version: z.literal(INTEGRATION_EVENT_VERSION).describe('The envelope version; a breaking change gets a new one'),
        id: z.string().describe("The audit event's identity, `<sessionId>/<sequence>`: the same event always has the same id (de-duplicate by it)"),
        type: sessionEventType(),
        time: z.string().describe("When it happened (ISO 8601; for engine reports, the engine's time)"),
        recordedAt: z.string().describe('When the service wrote it to the audit log'),
        sessionId: z.uuid(),
        sequence: z.number().int().min(1).describe("The event's place in the session's audit log (1-based, gap-free): order a session's events by it"),
        junior: z.object({ id: z.string(), name: z.string() }),
        mentor: z.object({ id: z.string() }).optional().describe('The mentor as of this event (absent while there is none)'),
        story: z.object({ id: z.string(), title: z.string() }),
        status: z
          .object({ before: status().optional(), after: status().optional() })
          .describe('The session status before and after the event (equal when the event does not change it)'),
        actor: z.object({ id: z.string(), role: actorRole() }),
        reason: z.string().optional(),
        notes: z.string().optional(),
        data: z.record(z.string(), z.unknown()).describe("The event's own fields (its data; fromState/toState for step changes)"),
      })
      .meta({
        id: 'IntegrationEvent',
        description: 'One audit event as it leaves the service: the EventBridge detail and the webhook body',
      }) satisfies z.ZodType<IntegrationEvent>,
);

export const WebhookIdParams = once(() => z.strictObject({ id: z.uuid() }));

export const WebhookInput = once(() =>
  z
    .strictObject({
      url: z.string().min(1).max(2048).describe('Where deliveries are posted: https (plain http only to localhost when running locally); public addresses only'),
      eventTypes: z.array(sessionEventType()).max(SESSION_EVENT_TYPES.length).default([]).describe('The event types to receive; empty or absent: every type'),
      description: text(200).optional(),
    })
    .meta({ id: 'WebhookInput' }),
);

export const WebhookUpdate = once(() =>
  z.strictObject({ paused: z.boolean().describe('true pauses deliveries; false resumes them (events in between are not sent)') }).meta({ id: 'WebhookUpdate' }),
);

export const WebhookSchema = once(() =>
  z
    .object({
      id: z.uuid(),
      url: z.string(),
      eventTypes: z.array(sessionEventType()),
      description: z.string().optional(),
      paused: z.boolean(),
      createdAt: z.string(),
      createdBy: z.string(),
      updatedAt: z.string(),
    })
    .meta({ id: 'Webhook' }),
);

export const WebhookCreatedSchema = once(() =>
  z
    .object({
      webhook: WebhookSchema(),
      secret: z.string().describe('Signs every delivery (HMAC-SHA256). Shown only in this answer: keep it now'),
    })
    .meta({ id: 'WebhookCreated' }),
);

export const WebhookListSchema = once(() => z.object({ items: z.array(WebhookSchema()) }).meta({ id: 'WebhookList' }));
export const WebhookDeletedSchema = once(() => z.object({ id: z.uuid(), deleted: z.literal(true) }).meta({ id: 'WebhookDeleted' }));

export const WebhookDeliveryStatusSchema = once(() =>
  z
    .enum(['failing', 'delivered', 'dead'])
    .meta({ id: 'WebhookDeliveryStatus', description: '`failing`: being retried; `delivered`: a 2xx came back; `dead`: given up after the limit (dead-lettered)' }),
);

export const WebhookDeliveriesQuery = once(() =>
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    status: WebhookDeliveryStatusSchema().optional(),
    cursor: z.string().min(1).max(1024).optional().describe('`next` of the previous page'),
  }),
);

export const WebhookDeliverySchema = once(() =>
  z
    .object({
      eventId: z.string(),
      eventType: sessionEventType(),
      sessionId: z.string(),
      sequence: z.number().int(),
      status: WebhookDeliveryStatusSchema(),
      attempts: z.number().int(),
      lastStatusCode: z.number().int().optional(),
      lastError: z.string().optional(),
      updatedAt: z.string(),
    })
    .meta({ id: 'WebhookDelivery' }),
);

export const WebhookDeliveryPageSchema = once(() =>
  z
    .object({ webhookId: z.uuid(), items: z.array(WebhookDeliverySchema()), next: z.string().optional() })
    .meta({ id: 'WebhookDeliveryPage', description: "A subscription's deliveries, by session then sequence" }),
);
