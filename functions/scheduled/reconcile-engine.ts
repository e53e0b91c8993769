import type { Context } from 'aws-lambda';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withReconciliation } from '../../shared/compose-extras';
import type { ReconcileReport } from '../../shared/services/reconciliation-service';
import type { RedriveReport } from '../../shared/services/sessions/engine-commands';
import { parseScheduledEvent } from './schedule-event';

/**
 * Every minute: asks the engine about open sessions (a batch per run) and
 * ended ones it has not followed, then drives the engine commands that are
 * due (docs/engines.md "Durable engine commands"), and reports how many have
 * been pending too long (the stack alarms on EngineCommandsOverdue). Then
 * one pass of the store's migration (items older versions wrote; nothing once
 * it is done).
 */
export const makeHandler =
  (deps: CoreDeps & Pick<Extras, 'reconciliation'>) =>
  async (event: unknown, _context?: Context): Promise<ReconcileReport & { commands: RedriveReport }> => {
    parseScheduledEvent(event);
    const report = await deps.reconciliation.reconcile();
    const commands = await deps.sessions.driveEngineCommands();
    const migration = await deps.ports.migration.migrate();
    if (migration.rewritten > 0 || !migration.done) deps.logger.info('store migration', { rewritten: migration.rewritten, done: migration.done });
    const changed = report.failed.length + report.cancelledInEngine.length + report.resolved.length + report.unresolved.length + report.commanded.length;
    if (changed > 0 || report.unreachable.length > 0 || commands.pending > 0) {
      deps.logger.info('engine reconciliation', {
        checked: report.checked,
        failed: report.failed.length,
        cancelledInEngine: report.cancelledInEngine.length,
        resolved: report.resolved.length,
        unresolved: report.unresolved.length,
        unreachable: report.unreachable.length,
        commanded: report.commanded.length,
        commandsPending: commands.pending,
        commandsConfirmed: commands.confirmed.length,
        commandsRetrying: commands.retrying.length,
        startsFailed: commands.failed.length,
        commandsOverdue: commands.overdue,
      });
    }
    deps.metrics.gauge('EngineCommandsOverdue', commands.overdue);
    return { ...report, commands };
  };

export const handler = lambdaEntry(makeHandler, process.env, withReconciliation);
