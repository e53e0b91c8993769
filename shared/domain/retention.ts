import type { Actor, LegalHold, Session } from './model';
import { advance, type SessionWrite } from './session-write';
import { isTerminal } from './status';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When a session's data expires: `retentionDays` after it reached a terminal
 * status, unless a legal hold keeps it. Undefined while it runs or is held.
 */
export function expiryOf(session: Pick<Session, 'status' | 'endedAt' | 'legalHold'>, retentionDays: number): string | undefined {
  if (!isTerminal(session.status) || session.endedAt === undefined || session.legalHold !== undefined) return undefined;
  return new Date(Date.parse(session.endedAt) + retentionDays * DAY_MS).toISOString();
}

/** Sets (`hold: true`) or clears a legal hold; unchanged (no write, no event) when it is already so. */
export function holdChange(session: Session, request: { readonly hold: boolean; readonly reason?: string }, actor: Actor, now: string): SessionWrite | 'unchanged' {
  if (request.hold === (session.legalHold !== undefined)) return 'unchanged';
  const { legalHold: _released, ...rest } = session;
  const legalHold: LegalHold | undefined = request.hold ? { setBy: actor.id, setAt: now, ...(request.reason !== undefined && { reason: request.reason }) } : undefined;
  return advance(
    session,
    { ...rest, ...(legalHold !== undefined && { legalHold }) },
    [
      {
        type: request.hold ? 'legal_hold_set' : 'legal_hold_released',
        occurredAt: now,
        actor: actor.id,
        actorRole: actor.role,
        ...(request.reason !== undefined && { reason: request.reason }),
      },
    ],
    now,
  );
}
