import type { Context } from 'aws-lambda';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { parseScheduledEvent } from './schedule-event';

/** Every minute: applies passed deadlines found through the due-time index. */
export const makeHandler =
  (deps: CoreDeps) =>
  async (event: unknown, _context?: Context): Promise<{ timedOut: string[] }> => {
    parseScheduledEvent(event);
    const result = await deps.sessions.sweepDue();
    if (result.timedOut.length > 0) deps.logger.info('sessions timed out', { count: result.timedOut.length });
    return result;
  };

export const handler = lambdaEntry<unknown, { timedOut: string[] }>(makeHandler);
