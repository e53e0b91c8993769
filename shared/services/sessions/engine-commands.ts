import {
  commandClaimed,
  commandConfirmed,
  commanded,
  commandOnly,
  commandTried,
  effectiveTarget,
  instanceRecorded,
  isDue,
  pendingForMs,
  startGivenUp,
  targetOfStatus,
} from '../../domain/engine-command';
import { engineOutOfSync, failedForEngine } from '../../domain/engine-sync';
import { isEngineRefusal, WorkflowEngineError } from '../../domain/errors';
import { type EngineInstanceStatus, type Session, SYSTEM_ACTOR } from '../../domain/model';
import { ENGINE_VISIBILITY_GRACE_MS } from '../../domain/reconciliation';
import type { SessionWrite } from '../../domain/session-write';
import { workflowInputOf } from '../../domain/start';
import { CommitConflictError } from '../../ports/session-repository';
import { commitWithRetry } from './commit-with-retry';
import { limitsOf, nowOf, type SessionContext } from './context';

/** What one try of a command met. An instance the try started or adopted is carried whatever the outcome, so it is always recorded. */
export type TryOutcome =
  | { readonly kind: 'confirmed'; readonly instanceId?: string }
  | { readonly kind: 'ambiguous' | 'refused'; readonly error: WorkflowEngineError; readonly instanceId?: string };

export interface DriveResult {
  /** The session as it stands after the drive (as last written). */
  readonly session: Session;
  readonly outcome: TryOutcome;
  /** The session failed (its start was refused or given up): its slots are free, the queue may move. */
  readonly released: boolean;
}

export interface RedriveReport {
  /** Pending commands seen (due or not). */
  readonly pending: number;
  readonly confirmed: string[];
  /** Tried again and still pending (ambiguous failures; retried after their backoff). */
  readonly retrying: string[];
  /** Sessions failed because their start was refused or given up. */
  readonly failed: string[];
  /** Commands pending longer than `workflow_engine.command_overdue_minutes` (the EngineCommandsOverdue metric). */
  readonly overdue: number;
  readonly oldestPendingMs: number;
}

const ALIVE: readonly EngineInstanceStatus[] = ['Running', 'Suspended'];

/**
 * Drives durable engine commands (domain/engine-command.ts) to the engine:
 * the request that committed one tries it at once; the worker (the minute
 * schedule, the boot pass, a coordinator's re-drive) takes over what is still
 * pending once its lease or backoff has passed. Each try is convergent
 * (start adopts the instance found by correlation id; suspend, resume and
 * cancel bring the instance to the target) and its outcome is recorded
 * against the session as it then stands, so a target that moved meanwhile is
 * driven again rather than confirmed by a call that may have landed first.
 */
export class EngineCommands {
  constructor(private readonly ctx: SessionContext) {}

  /**
   * Tries the session's command and records the outcome, for up to three
   * rounds while the target keeps moving. `fresh`: the very first try of a
   * session's start, by the request that committed it (no earlier try can have
   * reached the engine, so no correlation lookup first). `refusalToCaller`:
   * a refused suspend or resume on the first round is not recorded but
   * returned, for the request to revert its change.
   */
  async drive(session: Session, fresh: boolean, refusalToCaller = false): Promise<DriveResult> {
    let current = session;
    let outcome: TryOutcome = { kind: 'confirmed' };
    let released = false;
    for (let round = 1; round <= 3 && current.engineCommand !== undefined; round += 1) {
      const triedAt = nowOf(this.ctx);
      outcome = await this.tryOnce(current, fresh && round === 1);
      if (outcome.kind === 'refused' && refusalToCaller && round === 1 && current.workflowInstanceId !== undefined) return { session: current, outcome, released };
      const recorded = await this.record(current, outcome, triedAt);
      current = recorded.session;
      released ||= recorded.released;
      if (!recorded.again) break;
    }
    return { session: current, outcome, released };
  }

  /** One try against the engine, nothing written. */
  async tryOnce(session: Session, fresh: boolean): Promise<TryOutcome> {
    const { engine } = this.ctx;
    const target = effectiveTarget(session);
    if (target === undefined) return { kind: 'confirmed' };
    let instanceId = session.workflowInstanceId;
    try {
      if (target === 'stopped') return await this.stop(session, fresh);
      let started = false;
      if (instanceId === undefined) {
        instanceId = fresh ? undefined : await engine.findByCorrelation(session.id);
        if (instanceId === undefined) {
          instanceId = (await engine.start({ correlationId: session.id, input: workflowInputOf(session) })).instanceId;
          started = true;
        }
      }
      if (target === 'suspended') await engine.suspend(instanceId);
      else if (!started) await engine.resume(instanceId);
      return { kind: 'confirmed', instanceId };
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      return { kind: isEngineRefusal(error) ? 'refused' : 'ambiguous', error, ...(instanceId !== undefined && { instanceId }) };
    }
  }

  /**
   * The minute schedule's pass (and, with `all`, the boot pass, which takes
   * over commands whose request died with the previous process): every due
   * command is claimed and driven.
   */
  async redriveDue(options: { all?: boolean } = {}): Promise<RedriveReport> {
    const now = nowOf(this.ctx);
    const pending = await this.ctx.indexes.listEngineCommands();
    const ages = pending.map((session) => pendingForMs(session, now));
    const report: RedriveReport = {
      pending: pending.length,
      confirmed: [],
      retrying: [],
      failed: [],
      overdue: ages.filter((age) => age >= this.ctx.settings.engine.commandOverdueMs).length,
      oldestPendingMs: Math.max(0, ...ages),
    };
    for (const session of pending) {
      if (!options.all && !isDue(session, now)) continue;
      const result = await this.redriveOne(session);
      if (result === undefined) continue;
      if (result.released) report.failed.push(session.id);
      else if (result.session.engineCommand === undefined) report.confirmed.push(session.id);
      else report.retrying.push(session.id);
    }
    return report;
  }

  /**
   * A coordinator's re-drive of one session, now: its pending command, or
   * (none pending) the target its status asks for, so an instance that is
   * missing or still running under an ended session is dealt with at once.
   */
  async redriveNow(id: string): Promise<DriveResult | undefined> {
    const session = await this.ctx.sessions.getSession(id);
    if (session === undefined) return undefined;
    if (session.engineCommand !== undefined) return (await this.redriveOne(session)) ?? { session, outcome: { kind: 'confirmed' }, released: false };
    const target = targetOfStatus(session.status);
    if (target === undefined) return { session, outcome: { kind: 'confirmed' }, released: false };
    const now = nowOf(this.ctx);
    const write = commandOnly(session, target, now, this.ctx.settings.engine.commandLeaseMs);
    await this.ctx.sessions.commit({ expected: session, ...write });
    return this.drive(write.session, false);
  }

  /** Claims a command (a conditional write moving its lease) and drives it; undefined when another writer moved the session first. */
  private async redriveOne(session: Session): Promise<DriveResult | undefined> {
    const claimed = commandClaimed(session, nowOf(this.ctx), this.ctx.settings.engine.commandLeaseMs);
    try {
      await this.ctx.sessions.commit({ expected: session, session: claimed, events: [] });
    } catch (error) {
      if (error instanceof CommitConflictError && error.conflict === 'session_changed') return undefined;
      throw error;
    }
    return this.drive(claimed, false);
  }

  /**
   * Stopped: no live instance with the session's correlation id. A known
   * instance is asked its status first (unless this is the request's own
   * try), and a cancel that fails is fine when the instance has ended anyway.
   * No instance found: fine, once the engine has had time to show a start it
   * may have queued.
   */
  private async stop(session: Session, fresh: boolean): Promise<TryOutcome> {
    const { engine } = this.ctx;
    const instanceId = session.workflowInstanceId ?? (await engine.findByCorrelation(session.id));
    if (instanceId === undefined) {
      const since = session.engineCommand?.since ?? session.updatedAt;
      const startTried = session.startedAt !== undefined;
      if (startTried && Date.parse(nowOf(this.ctx)) - Date.parse(since) < ENGINE_VISIBILITY_GRACE_MS) {
        return { kind: 'ambiguous', error: new WorkflowEngineError('No instance is visible for the session yet; the engine may still be starting one.') };
      }
      return { kind: 'confirmed' };
    }
    if (!fresh && !ALIVE.includes(await engine.status(instanceId))) return { kind: 'confirmed', instanceId };
    try {
      await engine.cancel(instanceId);
    } catch (error) {
      if (!(error instanceof WorkflowEngineError) || ALIVE.includes(await engine.status(instanceId))) throw error;
    }
    return { kind: 'confirmed', instanceId };
  }

  /**
   * Records a try's outcome against the session as it now stands. The command
   * is confirmed only if it is still the one driven (same target, same
   * since): a target that moved meanwhile is driven again (`again`), since
   * this try's call may have landed after the other's.
   */
  private async record(driven: Session, outcome: TryOutcome, triedAt: string): Promise<{ session: Session; again: boolean; released: boolean }> {
    const { ctx } = this;
    const drivenCommand = driven.engineCommand;
    let result = { session: driven, again: false, released: false };
    await commitWithRetry(
      ctx,
      driven.id,
      (current) => {
        const now = nowOf(ctx);
        const command = current.engineCommand;
        const instanceId = outcome.instanceId !== undefined && current.workflowInstanceId === undefined ? outcome.instanceId : undefined;
        result = { session: current, again: false, released: false };
        if (command === undefined || command.target !== drivenCommand?.target || command.since !== drivenCommand.since) {
          result.again = command !== undefined;
          return instanceId === undefined ? undefined : this.written(instanceRecorded(current, instanceId, now), result);
        }
        if (outcome.kind === 'confirmed') return this.written(commandConfirmed(current, now, ctx.settings.engine.commandLeaseMs, instanceId, triedAt), result);
        const known = instanceId === undefined ? current : { ...current, workflowInstanceId: instanceId };
        const startRefused = outcome.kind === 'refused' && known.workflowInstanceId === undefined;
        if (startRefused || (outcome.kind === 'ambiguous' && startGivenUp(known, ctx.settings.engine.maxStartAttempts))) {
          return this.failedStart(known, outcome.error, result);
        }
        if (outcome.kind === 'ambiguous') return this.written(commandTried(known, outcome.error.message, now), result);
        // The instance will not follow (refused): marked, and reconciliation decides from its status.
        const { engineCommand: _refused, ...rest } = known;
        const write = engineOutOfSync(rest, command.target, outcome.error.message, { actor: SYSTEM_ACTOR, now });
        result.session = write.session;
        return write;
      },
      driven,
    );
    return result;
  }

  /**
   * A start the engine refused, or that never confirmed within
   * `max_start_attempts` tries: the session fails (reason
   * engine_start_failed, the engine's last word as its error) and frees its
   * slots; the engine is still asked to stop whatever a try may have started
   * under its correlation id.
   */
  private failedStart(
    session: Session,
    error: WorkflowEngineError,
    result: { session: Session; released: boolean },
  ): SessionWrite & { limits: ReturnType<typeof limitsOf> } {
    const { ctx } = this;
    const now = nowOf(ctx);
    const attempts = session.engineCommand?.attempts ?? 1;
    const reason = isEngineRefusal(error) ? error.message : `The workflow engine did not confirm the start after ${attempts} tries: ${error.message}`;
    const failed = failedForEngine(session, 'engine_start_failed', reason, { actor: SYSTEM_ACTOR, now });
    const write = commanded(failed, attempts > 1 || session.workflowInstanceId !== undefined ? 'stopped' : undefined, now, 0);
    result.session = write.session;
    result.released = true;
    return { ...write, limits: limitsOf(ctx) };
  }

  private written(session: Session, result: { session: Session }): SessionWrite {
    result.session = session;
    return { session, events: [] };
  }
}
