import type { Session } from '../../domain/model';
import type { SessionWrite } from '../../domain/session-write';
import { CommitConflictError } from '../../ports/session-repository';
import { backoff, MAX_ATTEMPTS, type SessionContext } from './context';

/**
 * Decides and commits a system write, re-reading and re-deciding when another
 * writer got there first, until it lands or is no longer needed. `known` is
 * the session as this request last wrote it, which saves the first read.
 */
export async function commitWithRetry(ctx: SessionContext, id: string, decide: (current: Session) => SessionWrite | undefined, known?: Session): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const current = attempt === 1 && known !== undefined ? known : await ctx.sessions.getSession(id);
    const write = current === undefined ? undefined : decide(current);
    if (current === undefined || write === undefined) return;
    try {
      await ctx.sessions.commit({ expected: current, ...write });
      return;
    } catch (error) {
      if (!(error instanceof CommitConflictError) || error.conflict !== 'session_changed') throw error;
      await backoff(ctx, attempt);
    }
  }
}
