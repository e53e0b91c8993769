import { commandOnly, targetOfStatus } from '../domain/engine-command';
import { WorkflowEngineError } from '../domain/errors';
import { reconcile, stillDiverged } from '../domain/reconciliation';
import { type Session, SYSTEM_ACTOR } from '../domain/session';
import type { SessionWrite } from '../domain/session-write';
import type { Clock } from '../ports/clock';
import type { ReconcileCursor } from '../ports/reconcile-cursor';
import type { SessionIndexes } from '../ports/session-indexes';
import { CommitConflictError, type SessionRepository } from '../ports/session-repository';
import type { WorkflowEngine, WorkflowInstanceStatus } from '../ports/workflow-engine';

export interface ReconcileReport {
  /** Sessions whose engine instance was asked. */
  checked: number;
  /** Sessions failed because their instance faulted. */
  readonly failed: string[];
  /** Ended sessions whose instance was told again to stop, and now has. */
  readonly cancelledInEngine: string[];
  /** Divergences cleared this pass. */
  readonly resolved: string[];
  /** Sessions still disagreeing (recorded; retried next pass). */
  readonly unresolved: string[];
  /** Sessions whose engine could not be asked this pass (retried next pass). */
  readonly unreachable: string[];
  /** Sessions given an engine command this pass (an open session without an instance, an instance in the other open state). */
  readonly commanded: string[];
}

export interface ReconciliationDeps {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly cursor: ReconcileCursor;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  /** Open sessions checked per pass (settings `workflow_engine.reconcile_batch_size`). */
  readonly batchSize: number;
  /** Called once when a pass freed slots (failed sessions): the queue may move. */
  readonly onSlotsReleased?: () => Promise<unknown>;
}

/**
 * Brings sessions and their engine instances back into agreement, on a schedule
 * (Elsa sends no webhook on state changes). Each pass asks the engine about the
 * sessions whose end it has not followed, then about the next `batchSize` open
 * sessions in id order, continuing where the last pass stopped, so every open
 * session is checked within ceil(open / batchSize) passes. Decisions are
 * domain/reconciliation.ts; this service only reads, asks and commits.
 */
export class ReconciliationService {
  constructor(private readonly deps: ReconciliationDeps) {}

  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, failed: [], cancelledInEngine: [], resolved: [], unresolved: [], unreachable: [], commanded: [] };
    const pending = await this.deps.indexes.listEngineSyncPending(this.deps.batchSize);
    const open = await this.nextOpen(this.deps.batchSize);
    for (const session of [...pending, ...open]) {
      // A pending engine command is the command worker's (EngineCommands): it is driven, not judged, except for a
      // fault (no command makes a faulted instance run again: the session fails now, not after the command).
      if (session.engineCommand !== undefined) {
        if (session.workflowInstanceId === undefined) continue;
        report.checked += 1;
        await this.reconcileOne(session, session.workflowInstanceId, report, true);
        continue;
      }
      if (session.workflowInstanceId === undefined) {
        // Open without an instance and nothing pending (written before commands existed, or a lost record): start it.
        const target = targetOfStatus(session.status);
        const now = this.deps.clock.now().toISOString();
        if (target !== undefined && target !== 'stopped' && (await this.commit(session, commandOnly(session, target, now, 0)))) {
          report.commanded.push(session.id);
        }
        continue;
      }
      report.checked += 1;
      await this.reconcileOne(session, session.workflowInstanceId, report);
    }
    if (report.failed.length > 0) await this.deps.onSlotsReleased?.();
    return report;
  }

  /**
   * The next open sessions in id order after the saved cursor, wrapping
   * around; the cursor moves past them. Two pages of the open index at most,
   * whatever the number of open sessions.
   */
  private async nextOpen(limit: number): Promise<Session[]> {
    const after = await this.deps.cursor.read();
    const batch = await this.deps.indexes.listOpenAfter(after, limit);
    if (batch.length < limit && after !== undefined) {
      const seen = new Set(batch.map((session) => session.id));
      for (const session of await this.deps.indexes.listOpenAfter(undefined, limit - batch.length)) if (!seen.has(session.id)) batch.push(session);
    }
    await this.deps.cursor.save(batch[batch.length - 1]?.id);
    return batch;
  }

  private async reconcileOne(session: Session, instanceId: string, report: ReconcileReport, faultsOnly = false): Promise<void> {
    const ctx = { actor: SYSTEM_ACTOR, now: this.deps.clock.now().toISOString() };
    let status: WorkflowInstanceStatus;
    try {
      status = await this.deps.engine.status(instanceId);
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      report.unreachable.push(session.id);
      return;
    }
    if (faultsOnly && status !== 'Faulted') return;
    const fault = status === 'Faulted' && (session.status === 'Active' || session.status === 'Paused') ? await this.faultOf(instanceId) : undefined;
    const decision = reconcile(session, status, ctx, fault, this.deps.engine.reportsPause);
    switch (decision.action) {
      case 'command':
        if (await this.commit(session, decision.write)) report.commanded.push(session.id);
        return;
      case 'in_sync':
        if (decision.write !== undefined && (await this.commit(session, decision.write))) report.resolved.push(session.id);
        return;
      case 'fail':
        if (await this.commit(session, decision.write)) report.failed.push(session.id);
        return;
      case 'diverged':
        await this.commit(session, decision.write);
        report.unresolved.push(session.id);
        return;
      case 'cancel_engine': {
        try {
          await this.deps.engine.cancel(instanceId);
        } catch (error) {
          if (!(error instanceof WorkflowEngineError)) throw error;
          await this.commit(session, stillDiverged(session, 'engine_call_failed', error.message, ctx));
          report.unresolved.push(session.id);
          return;
        }
        report.cancelledInEngine.push(session.id);
        // The instance has stopped: a pending divergence is resolved.
        const settled = reconcile(session, 'Cancelled', ctx);
        if (settled.action === 'in_sync' && settled.write !== undefined && (await this.commit(session, settled.write))) report.resolved.push(session.id);
        return;
      }
    }
  }

  /** The engine's reason for a fault: context for the failure, never a reason to skip it. */
  private async faultOf(instanceId: string): Promise<string | undefined> {
    try {
      return await this.deps.engine.faultOf?.(instanceId);
    } catch (error) {
      if (error instanceof WorkflowEngineError) return undefined;
      throw error;
    }
  }

  /** Commits against the session as read; someone else changing it first means the next pass decides again. */
  private async commit(expected: Session, write: SessionWrite): Promise<boolean> {
    try {
      await this.deps.sessions.commit({ expected, ...write });
      return true;
    } catch (error) {
      if (error instanceof CommitConflictError && error.conflict === 'session_changed') return false;
      throw error;
    }
  }
}
