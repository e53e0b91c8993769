import { createHash } from 'node:crypto';
import { actingRole, mayPerform, sessionAccess, type Caller, type SessionAction } from '../domain/access';
import {
  ConcurrentUpdateError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  NotFoundError,
  ReferenceNotFoundError,
  SessionNotRunningError,
  TransitionForbiddenError,
  WorkflowEngineError,
} from '../domain/errors';
import {
  applyWorkflowReport,
  engineOutOfSync,
  failedStart,
  revertAfterEngineFailure,
  startedSession,
  withEvents,
  type NewSessionInput,
  type SessionWrite,
  type WorkflowReport,
} from '../domain/lifecycle';
import type { SessionResult, SessionStartResult, WorkflowEventResult } from '../domain/results';
import type { Actor, Session, SessionEvent, SessionReport } from '../domain/session';
import { allowedOperations, transition, type Command, type Operation } from '../domain/transitions';
import type { Clock, IdGenerator } from '../ports/clock';
import { CommitConflictError, type IdempotencyRecord, type SessionStore } from '../ports/session-store';
import type { WorkflowEngine } from '../ports/workflow-engine';

export interface SessionServiceOptions {
  readonly store: SessionStore;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** How long an Idempotency-Key's answer is kept. */
  readonly idempotencyTtlHours?: number;
  /** Where failures that do not reach the caller are reported. */
  readonly onBackgroundError?: (message: string, error: unknown) => void;
}

export interface StartSessionInput {
  readonly storyId: string;
  readonly juniorId: string;
  readonly mentorId?: string;
}

/** How often a write is re-decided after another writer moved the session's version (not its status). */
const MAX_ATTEMPTS = 8;

/** Jittered backoff between optimistic-concurrency retries, so writers on one hot session spread out. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs sessions: each use case reads, asks the domain, commits one transaction
 * and drives the workflow engine. All decisions are in shared/domain.
 */
export class SessionService {
  private readonly idempotencyTtlMs: number;

  constructor(private readonly deps: SessionServiceOptions) {
    this.idempotencyTtlMs = (deps.idempotencyTtlHours ?? 24) * 3_600_000;
  }

  /**
   * Starts a session. The engine instance is started first, with the new session
   * id as correlation id; the session is then written with its event in one
   * transaction. An engine failure writes the session as Failed with the error.
   */
  async startSession(input: StartSessionInput, caller: Caller, idempotencyKey?: string): Promise<SessionStartResult> {
    if (!mayPerform(caller, 'start_session')) throw new ForbiddenError('Only coordinators start sessions.');
    const idempotency = idempotencyKey === undefined ? undefined : { scope: caller.id, key: idempotencyKey };
    const requestHash = hashRequest(input);

    const context = await this.deps.store.loadStartContext({ ...input, ...(idempotency && { idempotency }) });
    if (context.idempotency !== undefined) return replay(context.idempotency, requestHash);
    if (context.story === undefined) throw new ReferenceNotFoundError('storyId', input.storyId);
    if (context.junior === undefined) throw new ReferenceNotFoundError('juniorId', input.juniorId);
    if (input.mentorId !== undefined && context.mentor === undefined) {
      throw new ReferenceNotFoundError('mentorId', input.mentorId);
    }

    const now = this.now();
    const actor: Actor = { id: caller.id, role: 'coordinator' };
    const newSession: NewSessionInput = {
      id: this.deps.ids.sessionId(),
      ...input,
      storyTitle: context.story.title,
      juniorName: context.junior.name,
    };
    let write: SessionWrite;
    let result: SessionStartResult;
    try {
      const { instanceId } = await this.deps.engine.start({
        correlationId: newSession.id,
        input: { sessionId: newSession.id, ...input, storyTitle: context.story.title, skillArea: context.story.skillArea },
      });
      write = startedSession(newSession, instanceId, { actor, now });
      result = { success: true, sessionId: newSession.id, workflowInstanceId: instanceId, status: 'started' };
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      write = failedStart(newSession, error.message, { actor, now });
      result = { success: false, sessionId: newSession.id, status: 'failed', error: error.message };
    }

    try {
      await this.deps.store.commit({
        ...write,
        ...(idempotency && {
          idempotency: {
            ...idempotency,
            requestHash,
            result,
            expiresAt: new Date(Date.parse(now) + this.idempotencyTtlMs).toISOString(),
          },
        }),
      });
    } catch (error) {
      if (!(error instanceof CommitConflictError) || error.conflict !== 'idempotency_key_taken' || !idempotency) throw error;
      // A concurrent retry with the same key won: undo our instance and answer as it did.
      if (result.workflowInstanceId !== undefined) await this.bestEffort('cancel', () => this.deps.engine.cancel(result.workflowInstanceId!));
      const first = await this.deps.store.getIdempotencyRecord(idempotency.scope, idempotency.key);
      if (first === undefined) throw error;
      return replay(first, requestHash);
    }
    return failOnEngineError(result);
  }

  pauseSession(id: string, input: { reason?: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.change(id, caller, { operation: 'pause', ...input });
  }

  resumeSession(id: string, input: { notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.change(id, caller, { operation: 'resume', ...input });
  }

  cancelSession(id: string, input: { reason: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.change(id, caller, { operation: 'cancel', ...input });
  }

  completeSession(id: string, input: { report: SessionReport; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.change(id, caller, { operation: 'complete', ...input });
  }

  failSession(id: string, input: { error: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.change(id, caller, { operation: 'fail', ...input });
  }

  async getSession(id: string, caller: Caller): Promise<Session> {
    const session = await this.deps.store.getSession(id);
    return this.authorize(session, id, caller, 'read');
  }

  /** The session and its audit log, in one read. */
  async getSessionDetails(id: string, caller: Caller): Promise<{ session: Session; events: SessionEvent[] }> {
    const found = await this.deps.store.getSessionWithEvents(id);
    this.authorize(found?.session, id, caller, 'read');
    return found!;
  }

  async getSessionEvents(id: string, caller: Caller): Promise<SessionEvent[]> {
    return (await this.getSessionDetails(id, caller)).events;
  }

  /** Records an engine report: a MentorshipState change or a progress event. Repeats (same eventId) write nothing. */
  async recordWorkflowEvent(id: string, report: WorkflowReport, caller: Caller): Promise<WorkflowEventResult> {
    for (let attempt = 1; ; attempt += 1) {
      const session = this.authorize(await this.deps.store.getSession(id), id, caller, 'report');
      const actor = this.actor(caller, 'report', session);
      const outcome = applyWorkflowReport(session, report, actor, this.now());
      if (outcome.outcome === 'rejected') {
        throw new SessionNotRunningError(`Session is ${session.status}; it takes no workflow events.`, {
          details: { currentStatus: session.status },
        });
      }
      try {
        await this.deps.store.commit({
          expected: session,
          ...outcome.write,
          externalEventId: report.eventId,
        });
        const current = outcome.write.session;
        return {
          sessionId: id,
          recorded: true,
          duplicate: false,
          stateApplied: outcome.stateApplied,
          ...(current.currentState && { currentState: current.currentState }),
        };
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'duplicate_event') {
          return { sessionId: id, recorded: false, duplicate: true, stateApplied: false, ...(session.currentState && { currentState: session.currentState }) };
        }
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrentUpdateError('The session kept changing; try again.');
        await backoff(attempt);
      }
    }
  }

  /**
   * One lifecycle change. The transaction commits first (so of concurrent
   * changes exactly one wins), then the engine follows. A concurrent writer that
   * changed only the version (an engine report) is retried; one that changed
   * the status makes this request a 409, unless it already reached our target.
   */
  private async change(id: string, caller: Caller, command: Command): Promise<SessionResult> {
    let firstStatus: Session['status'] | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const session = this.authorize(await this.deps.store.getSession(id), id, caller, command.operation);
      firstStatus ??= session.status;
      const actor = this.actor(caller, command.operation, session);
      const now = this.now();
      const outcome = transition(session, command, { actor, now });

      if (outcome.outcome === 'unchanged') return resultOf(session);
      if (session.status !== firstStatus) {
        throw new ConcurrentUpdateError(`Another request changed the session to ${session.status} first.`, {
          details: { currentStatus: session.status, allowedOperations: allowedOperations(session.status) },
        });
      }
      if (outcome.outcome === 'rejected') {
        throw new TransitionForbiddenError(outcome.operation, outcome.status, outcome.allowedOperations);
      }

      const write = withEvents(outcome.session, outcome.events, now);
      try {
        await this.deps.store.commit({ expected: session, ...write });
      } catch (error) {
        if (error instanceof CommitConflictError && error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        if (error instanceof CommitConflictError) throw new ConcurrentUpdateError('The session kept changing; try again.');
        throw error;
      }
      return this.followInEngine(command.operation, session, write.session, actor, now);
    }
  }

  /** Brings the engine along after a committed change; see ARCHITECTURE "Workflow engine". */
  private async followInEngine(operation: Operation, before: Session, after: Session, actor: Actor, now: string): Promise<SessionResult> {
    const instanceId = after.workflowInstanceId;
    const call = instanceId === undefined ? undefined : engineCall(this.deps.engine, operation, instanceId);
    if (call === undefined) return resultOf(after);
    try {
      await call();
      return resultOf(after);
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      if (operation === 'cancel') {
        // The cancel stands (slots are free); the engine is told again by the schedule.
        await this.bestEffort('record workflow_sync_failed', () =>
          this.deps.store.commit({ expected: after, ...engineOutOfSync(after, operation, error.message, { actor, now }) }),
        );
        return resultOf(after);
      }
      await this.bestEffort('revert after engine failure', () =>
        this.deps.store.commit({
          expected: after,
          ...revertAfterEngineFailure(before, after, operation, error.message, { actor, now }),
        }),
      );
      throw new WorkflowEngineError(`The workflow engine could not ${operation} the session: ${error.message}`, {
        cause: error,
        details: { sessionId: after.id, currentStatus: before.status },
      });
    }
  }

  private authorize(session: Session | undefined, id: string, caller: Caller, action: SessionAction): Session {
    const access = session === undefined ? 'hidden' : sessionAccess(caller, session, action);
    if (access === 'hidden') throw new NotFoundError(`Session ${id} not found.`);
    if (access === 'forbidden') throw new ForbiddenError(`Your role may not ${action} this session.`);
    return session!;
  }

  private actor(caller: Caller, action: SessionAction, session: Session): Actor {
    return { id: caller.id, role: actingRole(caller, action, session) };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async bestEffort(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.onBackgroundError?.(`failed to ${what}`, error);
    }
  }
}

function engineCall(engine: WorkflowEngine, operation: Operation, instanceId: string): (() => Promise<void>) | undefined {
  switch (operation) {
    case 'pause':
      return () => engine.suspend(instanceId);
    case 'resume':
      return () => engine.resume(instanceId);
    case 'cancel':
      return () => engine.cancel(instanceId);
    case 'complete':
    case 'fail':
      // Reported by the engine itself: it has already finished or faulted.
      return undefined;
  }
}

function resultOf(session: Session): SessionResult {
  return { success: true, sessionId: session.id, status: session.status };
}

function replay(record: IdempotencyRecord, requestHash: string): SessionStartResult {
  if (record.requestHash !== requestHash) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request.', {
      details: { sessionId: record.result.sessionId },
    });
  }
  return failOnEngineError(record.result);
}

function failOnEngineError(result: SessionStartResult): SessionStartResult {
  if (result.status !== 'failed') return result;
  throw new WorkflowEngineError(`The workflow engine could not start the session: ${result.error ?? 'unknown error'}`, {
    details: { sessionId: result.sessionId, status: 'Failed' },
  });
}

/** A stable digest of the request, key order ignored. */
function hashRequest(input: StartSessionInput): string {
  const canonical = JSON.stringify(input, Object.keys(input).sort());
  return createHash('sha256').update(canonical).digest('base64url');
}

