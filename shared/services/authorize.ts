import { actingRole, type Caller, type SessionAction, sessionAccess } from '../domain/access';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { Actor, Session } from '../domain/session';

/** The object-level check every session use case starts with: 404 when the caller cannot see it, 403 when they cannot act. */
export function authorizeSession(session: Session | undefined, id: string, caller: Caller, action: SessionAction): Session {
  const access = session === undefined ? 'hidden' : sessionAccess(caller, session, action);
  if (access === 'hidden') throw new NotFoundError(`Session ${id} not found.`);
  if (access === 'forbidden') throw new ForbiddenError(`Your role may not ${action} this session.`);
  return session!;
}

/** The caller as the audit log records them, in the role they acted in. */
export function actorOf(caller: Caller, action: SessionAction, session: Session): Actor {
  return { id: caller.id, role: actingRole(caller, action, session) };
}
