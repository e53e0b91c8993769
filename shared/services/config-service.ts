import { type Caller, mayPerform } from '../domain/access';
import { nextCheckInAt } from '../domain/check-ins';
import { updateConfig } from '../domain/config-update';
import { type Deadline, nextDeadline } from '../domain/deadlines';
import { revertAfterEngineFailure } from '../domain/engine-sync';
import {
  ConcurrentUpdateError,
  ConfigChangeUnsafeError,
  engineFailureOf,
  ForbiddenError,
  SessionEndedError,
  ValidationError,
  WorkflowEngineError,
} from '../domain/errors';
import type { Session } from '../domain/model';
import type { ConfigChange, ConfigTemplate, SessionConfig, SessionConfigPatch } from '../domain/session-config';
import type { Clock } from '../ports/clock';
import { CommitConflictError, type SessionRepository } from '../ports/session-repository';
import type { WorkflowEngine } from '../ports/workflow-engine';
import type { Settings } from '../settings/settings';
import { actorOf, authorizeSession } from './authorize';

export interface ConfigServiceOptions {
  readonly sessions: SessionRepository;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  readonly settings: Settings;
  /** Applies an overdue session's timeout first (SessionService.settleDeadline). */
  readonly settle: (session: Session) => Promise<Session>;
  readonly onBackgroundError?: (message: string, error: unknown) => void;
}

/** A session's config as GET/PUT /sessions/{id}/config show it. */
export interface SessionConfigView {
  readonly sessionId: string;
  readonly status: Session['status'];
  readonly configTemplateId?: string;
  readonly config: SessionConfig;
  /** The next check-in (while Active) and the misses in a row so far. */
  readonly checkIn: { readonly nextAt?: string; readonly missedInARow: number };
  readonly deadline?: Deadline;
  /** For a PUT: what changed (empty when nothing did). */
  readonly changes?: readonly ConfigChange[];
}

const MAX_ATTEMPTS = 8;

/** Session configuration (spec AC3): templates, reading it, and safe changes on live sessions. */
export class ConfigService {
  constructor(private readonly deps: ConfigServiceOptions) {}

  templates(caller: Caller): readonly ConfigTemplate[] {
    if (!mayPerform(caller, 'read_config_templates')) throw new ForbiddenError('A role is required to read config templates.');
    return this.deps.settings.templates;
  }

  async get(id: string, caller: Caller): Promise<SessionConfigView> {
    const session = await this.deps.settle(authorizeSession(await this.deps.sessions.getSession(id), id, caller, 'read'));
    return view(session);
  }

  /**
   * Changes some fields of a session's config. The transaction commits first;
   * then a running workflow is told through the port. If the engine refuses,
   * the change is reverted (a `workflow_sync_failed` event says so) and the
   * caller gets 502, so the table and the engine never disagree.
   */
  async update(id: string, patch: SessionConfigPatch, caller: Caller): Promise<SessionConfigView> {
    for (let attempt = 1; ; attempt += 1) {
      const read = authorizeSession(await this.deps.sessions.getSession(id), id, caller, 'configure');
      const session = await this.deps.settle(read);
      const actor = actorOf(caller, 'configure', session);
      const now = this.deps.clock.now().toISOString();
      const outcome = updateConfig(session, patch, { actor, now });
      switch (outcome.outcome) {
        case 'ended':
          throw new SessionEndedError(`Session is ${session.status}; its config can no longer change.`, {
            details: { currentStatus: session.status },
          });
        case 'invalid':
          throw new ValidationError('The new configuration breaks a rule.', outcome.issues);
        case 'unsafe':
          throw new ConfigChangeUnsafeError(outcome.message, { details: { field: outcome.field, currentStatus: session.status, ...outcome.details } });
        case 'unchanged':
          return { ...view(session), changes: [] };
        case 'changed':
          break;
      }
      try {
        await this.deps.sessions.commit({ expected: session, ...outcome.write });
      } catch (error) {
        if (error instanceof CommitConflictError && error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof CommitConflictError) throw new ConcurrentUpdateError('The session kept changing; try again.');
        throw error;
      }
      const updated = outcome.write.session;
      await this.tellEngine(session, updated, actor, now);
      return { ...view(updated), changes: outcome.changes };
    }
  }

  private async tellEngine(before: Session, after: Session, actor: ReturnType<typeof actorOf>, now: string): Promise<void> {
    const instanceId = after.workflowInstanceId;
    if (instanceId === undefined || (after.status !== 'Active' && after.status !== 'Paused')) return;
    try {
      await this.deps.engine.updateConfig(instanceId, { ...after.config });
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      try {
        await this.deps.sessions.commit({ expected: after, ...revertAfterEngineFailure(before, after, 'update_config', error.message, { actor, now }) });
      } catch (revertError) {
        this.deps.onBackgroundError?.('failed to revert a config change after an engine failure', revertError);
      }
      // The engine's own text stays in the cause (logged), never in the 502 (issue 14, finding 7).
      throw new WorkflowEngineError('The workflow engine could not take the new config.', {
        cause: error,
        details: { sessionId: after.id, reverted: true, ...engineFailureOf(error) },
      });
    }
  }
}

function view(session: Session): SessionConfigView {
  const nextAt = nextCheckInAt(session);
  const deadline = nextDeadline(session);
  return {
    sessionId: session.id,
    status: session.status,
    ...(session.configTemplateId !== undefined && { configTemplateId: session.configTemplateId }),
    config: session.config,
    checkIn: { ...(nextAt !== undefined && { nextAt }), missedInARow: session.checkIn?.missed ?? 0 },
    ...(deadline !== undefined && { deadline }),
  };
}
