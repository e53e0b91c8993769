import type { Context } from 'aws-lambda';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import type { DrainResult } from '../../shared/services/session-service';
import { parseScheduledEvent } from './schedule-event';

/**
 * Every minute: the safety net behind the drain that each release triggers.
 * Then reports how long the head of the queue has waited (the stack alarms on
 * OldestQueuedSessionAgeSeconds).
 */
export const makeHandler =
  (deps: CoreDeps) =>
  async (event: unknown, _context?: Context): Promise<DrainResult> => {
    parseScheduledEvent(event);
    const result = await deps.sessions.drainQueue();
    if (result.started.length > 0 || result.failed.length > 0) deps.logger.info('queue drained', { started: result.started.length, failed: result.failed.length });
    deps.metrics.gauge('OldestQueuedSessionAgeSeconds', Math.round((await deps.sessions.oldestQueuedWaitMs()) / 1000));
    return result;
  };

export const handler = lambdaEntry<unknown, DrainResult>(makeHandler);
