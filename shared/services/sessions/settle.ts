import type { Session } from '../../domain/model';
import { bestEffort, type SessionContext } from './context';
import type { DrainQueue } from './drain-queue';
import type { Timeouts } from './timeouts';

/**
 * Applies an overdue session's timeout before anything reads or changes it,
 * and drains the queue at once when that freed slots. Every use case that
 * starts from a session settles it first.
 */
export class Settle {
  constructor(
    private readonly ctx: SessionContext,
    private readonly timeouts: Timeouts,
    private readonly drain: DrainQueue,
  ) {}

  /** The session as it stands once a passed deadline is applied. */
  async settle(session: Session): Promise<Session> {
    const { session: settled, released } = await this.timeouts.apply(session);
    if (released) await bestEffort(this.ctx, 'drain the queue after a release', () => this.drain.drain());
    return settled;
  }
}
