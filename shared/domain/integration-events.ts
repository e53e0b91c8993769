import type { ActorRole, Session, SessionEvent, SessionEventType } from './model';
import type { SessionStatus } from './status';

/** EventBridge `source` of every integration event. */
export const INTEGRATION_EVENT_SOURCE = 'mentorship.sessions';
/** The envelope's version: a change that breaks a consumer gets a new one. */
export const INTEGRATION_EVENT_VERSION = 1;

/**
 * One audit event as it leaves the service (EventBridge detail, webhook body).
 * `id` is the audit event's identity (`<sessionId>/<sequence>`): the same event
 * always carries the same id, so a consumer de-duplicates by it; `sequence`
 * orders a session's events (1-based, gap-free in the audit log).
 */
export interface IntegrationEvent {
  readonly version: typeof INTEGRATION_EVENT_VERSION;
  readonly id: string;
  readonly type: SessionEventType;
  /** When it happened (for engine reports, the engine's time). */
  readonly time: string;
  /** When this service wrote it to the audit log. */
  readonly recordedAt: string;
  readonly sessionId: string;
  readonly sequence: number;
  readonly junior: { readonly id: string; readonly name: string };
  /** The session's mentor as of this event (absent while it has none). */
  readonly mentor?: { readonly id: string };
  readonly story: { readonly id: string; readonly title: string };
  /** The status before and after this event (equal for events that do not change it); absent before the first status. */
  readonly status: { readonly before?: SessionStatus; readonly after?: SessionStatus };
  readonly actor: { readonly id: string; readonly role: ActorRole };
  readonly reason?: string;
  readonly notes?: string;
  /** The audit event's own fields (its `data`, and the workflow steps it moved between). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The id of the integration event of audit event `seq` of a session. */
export const integrationEventId = (sessionId: string, seq: number): string => `${sessionId}/${seq}`;

/**
 * The envelope of `event`, from its session and the session's audit log (what
 * the log says held at that sequence: the status, and the mentor the latest
 * assignment named), so a replay long after builds the same envelope.
 */
export function toIntegrationEvent(event: SessionEvent, session: Session, log: readonly SessionEvent[]): IntegrationEvent {
  const upTo = log.filter((entry) => entry.seq <= event.seq).sort((a, b) => a.seq - b.seq);
  const statusAfter = event.toStatus ?? lastDefined(upTo, (entry) => entry.toStatus);
  const statusBefore = event.toStatus !== undefined ? event.fromStatus : statusAfter;
  const mentorId = lastDefined(upTo, (entry) => text(entry.data?.mentorId)) ?? (upTo.length === log.length ? session.mentorId : undefined);
  const data: Record<string, unknown> = {
    ...(event.fromState !== undefined && { fromState: event.fromState }),
    ...(event.toState !== undefined && { toState: event.toState }),
    ...(event.externalId !== undefined && { externalId: event.externalId }),
    ...event.data,
  };
  return {
    version: INTEGRATION_EVENT_VERSION,
    id: integrationEventId(event.sessionId, event.seq),
    type: event.type,
    time: event.occurredAt,
    recordedAt: event.recordedAt,
    sessionId: event.sessionId,
    sequence: event.seq,
    junior: { id: session.juniorId, name: session.juniorName },
    ...(mentorId !== undefined && { mentor: { id: mentorId } }),
    story: { id: session.storyId, title: session.storyTitle },
    status: { ...(statusBefore !== undefined && { before: statusBefore }), ...(statusAfter !== undefined && { after: statusAfter }) },
    actor: { id: event.actor, role: event.actorRole },
    ...(event.reason !== undefined && { reason: event.reason }),
    ...(event.notes !== undefined && { notes: event.notes }),
    data,
  };
}

function lastDefined<T>(events: readonly SessionEvent[], pick: (event: SessionEvent) => T | undefined): T | undefined {
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const value = pick(events[index]!);
    if (value !== undefined) return value;
  }
  return undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
