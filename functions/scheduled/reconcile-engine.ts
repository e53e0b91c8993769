import type { Context } from 'aws-lambda';
import { type CoreDeps, lambdaEntry } from '../../shared/compose-core';
import { type Extras, withReconciliation } from '../../shared/compose-extras';
import type { ReconcileReport } from '../../shared/services/reconciliation-service';
import { parseScheduledEvent } from './schedule-event';

/** Every minute: asks the engine about open sessions (a batch per run) and ended ones it has not followed. */
export const makeHandler =
  (deps: CoreDeps & Pick<Extras, 'reconciliation'>) =>
  async (event: unknown, _context?: Context): Promise<ReconcileReport> => {
    parseScheduledEvent(event);
    const report = await deps.reconciliation.reconcile();
    const changed = report.failed.length + report.cancelledInEngine.length + report.resolved.length + report.unresolved.length;
    if (changed > 0 || report.unreachable.length > 0) {
      deps.logger.info('engine reconciliation', {
        checked: report.checked,
        failed: report.failed.length,
        cancelledInEngine: report.cancelledInEngine.length,
        resolved: report.resolved.length,
        unresolved: report.unresolved.length,
        unreachable: report.unreachable.length,
      });
    }
    return report;
  };

export const handler = lambdaEntry(makeHandler, process.env, withReconciliation);
