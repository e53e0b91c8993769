import type { Caller } from '../../domain/access';
import { isOverdue } from '../../domain/deadlines';
import type { Session, SessionEvent } from '../../domain/model';
import { authorizeSession } from '../authorize';
import { nowOf, type SessionContext } from './context';
import type { Settle } from './settle';

/** Reading one session, authorized for the caller, with any passed deadline applied first. */
export class ReadSession {
  constructor(
    private readonly ctx: SessionContext,
    private readonly settle: Settle,
  ) {}

  async session(id: string, caller: Caller): Promise<Session> {
    const session = authorizeSession(await this.ctx.sessions.getSession(id), id, caller, 'read');
    return this.settle.settle(session);
  }

  /** The session and its audit log, in one read (two when a timeout had to be applied first). */
  async details(id: string, caller: Caller): Promise<{ session: Session; events: SessionEvent[] }> {
    const found = await this.ctx.sessions.getSessionWithEvents(id);
    const session = authorizeSession(found?.session, id, caller, 'read');
    if (!isOverdue(session, nowOf(this.ctx))) return found!;
    await this.settle.settle(session);
    return (await this.ctx.sessions.getSessionWithEvents(id))!;
  }
}
