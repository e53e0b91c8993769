import { nextDeadline } from './deadlines';
import { type Session, SYSTEM_ACTOR } from './model';
import type { SessionWrite } from './session-write';
import { changeStatus, transition } from './transitions';

/**
 * Applies the session's deadline when it has passed: the session is cancelled
 * by the system with reason `timeout` and a `session_timed_out` event naming
 * the limit. Undefined when nothing is due.
 */
export function timedOut(session: Session, now: string): SessionWrite | undefined {
  const deadline = nextDeadline(session);
  if (deadline === undefined || Date.parse(deadline.at) > Date.parse(now)) return undefined;
  // The timeout is the system's cancel (the same clocks stop, the same check-ins are recorded first), recorded as a timeout.
  const outcome = transition(session, { operation: 'cancel', reason: 'timeout' }, { actor: SYSTEM_ACTOR, now });
  if (outcome.outcome !== 'changed') return undefined;
  const cancelled = outcome.events.at(-1)!;
  return changeStatus(
    'timeout',
    session,
    { ...outcome.session, currentState: 'TIMEOUT' },
    {
      ...(cancelled.fromState === undefined ? {} : { fromState: cancelled.fromState }),
      toState: 'TIMEOUT',
      reason: 'timeout',
      data: { limit: deadline.kind, deadline: deadline.at },
    },
    { actor: SYSTEM_ACTOR, now },
    { before: outcome.events.slice(0, -1) },
  );
}
