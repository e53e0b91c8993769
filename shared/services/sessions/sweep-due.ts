import type { SessionContext } from './context';
import { nowOf } from './context';
import type { DrainQueue } from './drain-queue';
import type { Timeouts } from './timeouts';

/** Due sessions handled per sweeper page. */
const SWEEP_PAGE = 100;

/**
 * The sweeper (every minute, and in the local server): applies every deadline
 * that has passed and every check-in missed, reading only the sessions due
 * through the due-time index, then drains the queue if slots were released.
 */
export class SweepDue {
  constructor(
    private readonly ctx: SessionContext,
    private readonly timeouts: Timeouts,
    private readonly drain: DrainQueue,
  ) {}

  async sweep(): Promise<{ timedOut: string[]; checkInsMissed: string[] }> {
    const timedOutIds: string[] = [];
    const missedIds: string[] = [];
    for (;;) {
      const due = await this.ctx.indexes.listDue(nowOf(this.ctx), SWEEP_PAGE);
      let progressed = false;
      for (const session of due) {
        // One drain after the sweep, not one per released session.
        const { session: after } = await this.timeouts.apply(session);
        if (after.status === 'Cancelled' && session.status !== 'Cancelled') {
          timedOutIds.push(session.id);
          progressed = true;
          continue;
        }
        if (await this.timeouts.recordMissedCheckIns(after)) {
          missedIds.push(session.id);
          progressed = true;
        }
      }
      if (due.length < SWEEP_PAGE || !progressed) break;
    }
    if (timedOutIds.length > 0) await this.drain.drain();
    return { timedOut: timedOutIds, checkInsMissed: missedIds };
  }
}
