import { createHash } from 'node:crypto';
import { actingRole, mayPerform, sessionAccess, type Caller, type SessionAction } from '../domain/access';
import { activeTimeMs, isOverdue } from '../domain/deadlines';
import {
  ConcurrentUpdateError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  NotFoundError,
  QueueFullError,
  ReferenceNotFoundError,
  SessionNotRunningError,
  TransitionForbiddenError,
  WorkflowEngineError,
} from '../domain/errors';
import { estimateWaitMs, toMinutes, type BlockingScope } from '../domain/estimate';
import {
  applyWorkflowReport,
  dequeuedSession,
  engineOutOfSync,
  queuedSession,
  revertAfterEngineFailure,
  startedSession,
  timedOut,
  withEvents,
  withWorkflowInstance,
  type NewSessionInput,
  type SessionWrite,
  type WorkflowReport,
} from '../domain/lifecycle';
import { blockingScopes, slotChange, type SlotLimits, type SlotScope } from '../domain/limits';
import type { SessionResult, SessionStartResult, WorkflowEventResult } from '../domain/results';
import { SYSTEM_ACTOR, type Actor, type Session, type SessionEvent, type SessionReport } from '../domain/session';
import { allowedOperations, transition, type Command, type Operation } from '../domain/transitions';
import type { Clock, IdGenerator } from '../ports/clock';
import { CommitConflictError, type IdempotencyRecord, type SessionStore, type UsageSnapshot } from '../ports/session-store';
import type { WorkflowEngine } from '../ports/workflow-engine';
import type { Settings } from '../settings/settings';

export interface SessionServiceOptions {
  readonly store: SessionStore;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: Settings;
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

/** Where a queued session stands. */
export interface QueuePosition {
  readonly sessionId: string;
  readonly status: Session['status'];
  /** 1 for the head of the queue; null when the session is not queued. */
  readonly position: number | null;
  readonly blockedBy: SlotScope[];
  readonly estimatedWaitMinutes: number | null;
}

export interface QueueStatus {
  readonly totalQueued: number;
  readonly activeSessionCount: number;
  readonly maxConcurrentSessions: number;
  /** For a session arriving now. */
  readonly estimatedWaitMinutes: number;
  readonly limits: {
    readonly system: { readonly used: number; readonly max: number };
    readonly queue: { readonly used: number; readonly max: number };
    readonly perJunior: { readonly max: number; readonly atCapacity: number };
    readonly perMentor: { readonly max: number; readonly atCapacity: number };
  };
}

export interface DrainResult {
  readonly started: string[];
  readonly failed: string[];
}

/** How often a write is re-decided after another writer moved the session's version (not its status). */
const MAX_ATTEMPTS = 8;
/** Queue entries examined per page while draining. */
const DRAIN_PAGE = 25;
/** Due sessions handled per sweeper page. */
const SWEEP_PAGE = 100;

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
   * Starts a session. When every slot it needs is free (and nobody is queued
   * ahead), the engine instance is started with the new session id as
   * correlation id and the session is written Active in one transaction that
   * takes the slots under their limits. Otherwise it is written Queued. An
   * engine failure writes the session Failed with the error.
   */
  async startSession(input: StartSessionInput, caller: Caller, idempotencyKey?: string): Promise<SessionStartResult> {
    if (!mayPerform(caller, 'start_session')) throw new ForbiddenError('Only coordinators start sessions.');
    const idempotency = idempotencyKey === undefined ? undefined : { scope: caller.id, key: idempotencyKey };
    const requestHash = hashRequest(input);

    const context = await this.deps.store.loadStartContext({ ...input, ...(idempotency && { idempotency }) });
    if (context.idempotency !== undefined) return this.replay(context.idempotency, requestHash);
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
      timeouts: this.deps.settings.timeouts,
    };
    const limits = this.limits(context.mentor?.maxConcurrentSessions);
    const record = (result: SessionStartResult) =>
      idempotency && {
        idempotency: {
          ...idempotency,
          requestHash,
          result,
          expiresAt: new Date(Date.parse(now) + this.idempotencyTtlMs).toISOString(),
        },
      };
    let blockedBy = blockingScopes(usageFor(context.usage, input), limits, input.mentorId !== undefined);
    // Sessions already waiting go first: a new start only skips the queue when it is empty.
    const queueWaiting = context.usage.queue > 0;

    if (blockedBy.length === 0 && !queueWaiting) {
      // Slots first, engine second: the transaction takes the slots under their
      // limits (and claims the Idempotency-Key); only a session that holds its
      // slots gets a workflow instance, so no instance is ever started and then
      // abandoned, and its correlation id is never reused.
      const write = startedSession(newSession, undefined, { actor, now });
      try {
        await this.deps.store.commit({ ...write, ...record({ success: true, sessionId: newSession.id, status: 'started' }), limits });
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'idempotency_key_taken' && idempotency) return this.replayStored(idempotency, requestHash, error);
        if (error.conflict !== 'limit_reached' || error.scope === 'queue') throw error;
        // Another start took the last slot between our read and our write: queue instead.
        blockedBy = [error.scope as SlotScope];
      }
      if (blockedBy.length === 0) {
        const started = await this.startWorkflow(write.session, { sessionId: newSession.id, ...input, storyTitle: context.story.title, skillArea: context.story.skillArea });
        return startResultOf(started);
      }
    }

    if (context.usage.queue >= limits.queue) throw queueFull(limits.queue);
    const queued = queuedSession(newSession, blockedBy, { actor, now });
    const result: SessionStartResult = { success: true, sessionId: newSession.id, status: 'queued' };
    try {
      await this.deps.store.commit({ ...queued, ...record(result), limits });
    } catch (error) {
      if (!(error instanceof CommitConflictError)) throw error;
      if (error.conflict === 'idempotency_key_taken' && idempotency) return this.replayStored(idempotency, requestHash, error);
      if (error.conflict === 'limit_reached' && error.scope === 'queue') throw queueFull(limits.queue);
      throw error;
    }
    // Queued only to keep the order (its own slots are free): the drain may start it at once.
    // A session queued because its own limits are full changes nothing for the others.
    if (blockedBy.length === 0) await this.drainQueue();
    const position = await this.queuePositionOf(newSession.id);
    if (position.status === 'Active') {
      const started = await this.deps.store.getSession(newSession.id);
      return {
        success: true,
        sessionId: newSession.id,
        status: 'started',
        ...(started?.workflowInstanceId && { workflowInstanceId: started.workflowInstanceId }),
      };
    }
    return {
      ...result,
      ...(position.position !== null && { queuePosition: position.position }),
      ...(position.estimatedWaitMinutes !== null && { estimatedWaitMinutes: position.estimatedWaitMinutes }),
    };
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
    const session = this.authorize(await this.deps.store.getSession(id), id, caller, 'read');
    return this.applyDueTimeout(session);
  }

  /** The session and its audit log, in one read (two when a timeout had to be applied first). */
  async getSessionDetails(id: string, caller: Caller): Promise<{ session: Session; events: SessionEvent[] }> {
    const found = await this.deps.store.getSessionWithEvents(id);
    const session = this.authorize(found?.session, id, caller, 'read');
    if (!isOverdue(session, this.now())) return found!;
    await this.applyDueTimeout(session);
    return (await this.deps.store.getSessionWithEvents(id))!;
  }

  async getSessionEvents(id: string, caller: Caller): Promise<SessionEvent[]> {
    return (await this.getSessionDetails(id, caller)).events;
  }

  /** Records an engine report: a MentorshipState change or a progress event. Repeats (same eventId) write nothing. */
  async recordWorkflowEvent(id: string, report: WorkflowReport, caller: Caller): Promise<WorkflowEventResult> {
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.applyDueTimeout(this.authorize(await this.deps.store.getSession(id), id, caller, 'report'));
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

  /** The queue as a whole, and what a session arriving now would wait. */
  async getQueueStatus(caller: Caller): Promise<QueueStatus> {
    if (!mayPerform(caller, 'read_queue')) throw new ForbiddenError('A role is required to read the queue.');
    const [usage, open, mean] = await Promise.all([
      this.deps.store.readUsage({ juniorIds: [], mentorIds: [] }),
      this.deps.store.listOpen(),
      this.meanActiveMs(),
    ]);
    const limits = this.limits();
    const now = this.now();
    // A new arrival whose junior and mentor are free waits only when the system is full.
    const systemBlocked = usage.system >= limits.system;
    const estimate = systemBlocked
      ? estimateWaitMs({
          meanActiveMs: mean,
          blocking: { system: { capacity: limits.system, ahead: usage.queue, holdersActiveMs: open.map((s) => activeTimeMs(s, now)) } },
        })
      : 0;
    const atCapacity = (ids: (string | undefined)[], max: number) => {
      const counts = new Map<string, number>();
      for (const id of ids) if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      return [...counts.values()].filter((n) => n >= max).length;
    };
    return {
      totalQueued: usage.queue,
      activeSessionCount: usage.system,
      maxConcurrentSessions: limits.system,
      estimatedWaitMinutes: toMinutes(estimate),
      limits: {
        system: { used: usage.system, max: limits.system },
        queue: { used: usage.queue, max: limits.queue },
        perJunior: { max: limits.junior, atCapacity: atCapacity(open.map((s) => s.juniorId), limits.junior) },
        perMentor: { max: limits.mentor, atCapacity: atCapacity(open.map((s) => s.mentorId), limits.mentor) },
      },
    };
  }

  /** Where a session stands in the queue, which limits hold it, and the estimated wait. */
  async getQueuePosition(id: string, caller: Caller): Promise<QueuePosition> {
    const session = this.authorize(await this.deps.store.getSession(id), id, caller, 'read');
    await this.applyDueTimeout(session);
    return this.queuePositionOf(id);
  }

  /**
   * Starts queued sessions while slots allow, oldest first. A session whose
   * junior or mentor is busy is skipped, not waited on; a full system stops the
   * drain. Safe to run concurrently: activation is conditioned on the session
   * still being Queued at the version read, so no session starts twice.
   */
  async drainQueue(): Promise<DrainResult> {
    const started: string[] = [];
    const failed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listQueued({ limit: DRAIN_PAGE, ...(cursor && { cursor }) });
      cursor = page.cursor;
      if (page.sessions.length === 0) break;
      const usage = await this.deps.store.readUsage({
        juniorIds: page.sessions.map((s) => s.juniorId),
        mentorIds: page.sessions.flatMap((s) => (s.mentorId === undefined ? [] : [s.mentorId])),
      });
      const juniors = new Map(usage.juniors);
      const mentors = new Map(usage.mentors);
      let system = usage.system;
      for (const candidate of page.sessions) {
        const limits = this.limits(candidate.mentorId === undefined ? undefined : usage.mentorCapacity.get(candidate.mentorId));
        if (system >= limits.system) return { started, failed };
        const blocked = blockingScopes(
          { junior: juniors.get(candidate.juniorId) ?? 0, mentor: candidate.mentorId === undefined ? 0 : mentors.get(candidate.mentorId) ?? 0, system },
          limits,
          candidate.mentorId !== undefined,
        );
        if (blocked.length > 0) continue;
        if (isOverdue(candidate, this.now())) {
          await this.applyDueTimeout(candidate, { drain: false });
          continue;
        }
        const outcome = await this.activate(candidate, limits);
        if (outcome === 'started' || outcome === 'failed') {
          (outcome === 'started' ? started : failed).push(candidate.id);
          system += 1;
          juniors.set(candidate.juniorId, (juniors.get(candidate.juniorId) ?? 0) + 1);
          if (candidate.mentorId !== undefined) mentors.set(candidate.mentorId, (mentors.get(candidate.mentorId) ?? 0) + 1);
        } else if (outcome === 'system_full') {
          return { started, failed };
        } else if (outcome === 'junior_full') {
          juniors.set(candidate.juniorId, limits.junior);
        } else if (outcome === 'mentor_full' && candidate.mentorId !== undefined) {
          mentors.set(candidate.mentorId, limits.mentor);
        }
      }
    } while (cursor !== undefined);
    return { started, failed };
  }

  /**
   * Applies every deadline that has passed (max active time, pause timeout,
   * queue timeout), reading only the due sessions through the due-time index,
   * then drains the queue if slots were released.
   */
  async sweepDue(): Promise<{ timedOut: string[] }> {
    const timedOutIds: string[] = [];
    for (;;) {
      const due = await this.deps.store.listDue(this.now(), SWEEP_PAGE);
      let progressed = false;
      for (const session of due) {
        // One drain after the sweep, not one per released session.
        const after = await this.applyDueTimeout(session, { drain: false });
        if (after.status === 'Cancelled' && session.status !== 'Cancelled') {
          timedOutIds.push(session.id);
          progressed = true;
        }
      }
      if (due.length < SWEEP_PAGE || !progressed) break;
    }
    if (timedOutIds.length > 0) await this.drainQueue();
    return { timedOut: timedOutIds };
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
      const read = await this.deps.store.getSessionAndQueueLength(id);
      const session = await this.applyDueTimeout(this.authorize(read.session, id, caller, command.operation));
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
        await this.deps.store.commit({ expected: session, ...write, limits: this.limits() });
      } catch (error) {
        if (error instanceof CommitConflictError && error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        if (error instanceof CommitConflictError) throw new ConcurrentUpdateError('The session kept changing; try again.');
        throw error;
      }
      const result = await this.followInEngine(command.operation, session, write.session, actor, now);
      // Someone waits and a slot was freed: start them now, not on the next schedule tick.
      if (read.queueLength > 0 && releasesSlots(session, write.session)) await this.drainAfterRelease();
      return result;
    }
  }

  /**
   * Moves one queued session to Active (taking its slots under their limits),
   * then starts its engine instance. An engine failure fails the session and
   * releases the slots again.
   */
  private async activate(candidate: Session, limits: SlotLimits): Promise<'started' | 'failed' | 'skipped' | `${SlotScope}_full`> {
    const now = this.now();
    const write = dequeuedSession(candidate, now);
    try {
      await this.deps.store.commit({ expected: candidate, ...write, limits });
    } catch (error) {
      if (!(error instanceof CommitConflictError)) throw error;
      if (error.conflict === 'limit_reached' && error.scope !== undefined && error.scope !== 'queue') return `${error.scope}_full`;
      // Started, cancelled or timed out by someone else since the index was read.
      return 'skipped';
    }
    const started = await this.startWorkflow(write.session, {
      sessionId: candidate.id,
      storyId: candidate.storyId,
      juniorId: candidate.juniorId,
      ...(candidate.mentorId && { mentorId: candidate.mentorId }),
    });
    return started.status === 'Active' ? 'started' : 'failed';
  }

  /**
   * Starts the workflow of a session that has just taken its slots, with the
   * session id as correlation id, and records the instance on the session. An
   * engine failure fails the session (reason engine_start_failed), which
   * releases its slots: nothing is left half-started.
   */
  private async startWorkflow(active: Session, input: Record<string, unknown>): Promise<Session> {
    let result: Session = active;
    try {
      const { instanceId } = await this.deps.engine.start({ correlationId: active.id, input });
      await this.commitWithRetry(
        active.id,
        (current) => {
          if (current.status !== 'Active' || current.workflowInstanceId !== undefined) return undefined;
          const write = { session: withWorkflowInstance(current, instanceId, this.now()), events: [] };
          result = write.session;
          return write;
        },
        active,
      );
      return result;
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      await this.commitWithRetry(active.id, (current) => {
        const outcome = transition(current, { operation: 'fail', error: error.message, reason: 'engine_start_failed' }, { actor: SYSTEM_ACTOR, now: this.now() });
        if (outcome.outcome !== 'changed') return undefined;
        const write = withEvents(outcome.session, outcome.events, this.now());
        result = write.session;
        return write;
      }, active);
      return result;
    }
  }

  /** Applies the session's deadline if it has passed, and answers the session as it now stands. */
  private async applyDueTimeout(session: Session, options: { drain: boolean } = { drain: true }): Promise<Session> {
    if (!isOverdue(session, this.now())) return session;
    let current: Session | undefined = session;
    for (let attempt = 1; current !== undefined && attempt <= MAX_ATTEMPTS; attempt += 1) {
      const write = timedOut(current, this.now());
      if (write === undefined) return current;
      try {
        await this.deps.store.commit({ expected: current, ...write });
        // The engine follows the timeout as it follows a cancel (a failure is recorded, not thrown).
        await this.followInEngine('cancel', current, write.session, SYSTEM_ACTOR, write.session.updatedAt);
        if (options.drain && releasesSlots(current, write.session)) await this.drainAfterRelease();
        return write.session;
      } catch (error) {
        if (!(error instanceof CommitConflictError) || error.conflict !== 'session_changed') throw error;
        current = await this.deps.store.getSession(session.id);
      }
    }
    return current ?? session;
  }

  /**
   * Decides and commits a system write, re-reading and re-deciding when another
   * writer got there first, until it lands or is no longer needed. `known` is
   * the session as this request last wrote it, which saves the first read.
   */
  private async commitWithRetry(id: string, decide: (current: Session) => SessionWrite | undefined, known?: Session): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = attempt === 1 && known !== undefined ? known : await this.deps.store.getSession(id);
      const write = current === undefined ? undefined : decide(current);
      if (current === undefined || write === undefined) return;
      try {
        await this.deps.store.commit({ expected: current, ...write });
        return;
      } catch (error) {
        if (!(error instanceof CommitConflictError) || error.conflict !== 'session_changed') throw error;
        await backoff(attempt);
      }
    }
  }

  private async drainAfterRelease(): Promise<void> {
    await this.bestEffort('drain the queue after a release', () => this.drainQueue());
  }

  private async queuePositionOf(id: string): Promise<QueuePosition> {
    const session = await this.deps.store.getSession(id);
    if (session === undefined) throw new NotFoundError(`Session ${id} not found.`);
    if (session.status !== 'Queued') {
      return { sessionId: id, status: session.status, position: null, blockedBy: [], estimatedWaitMinutes: null };
    }
    const ahead = await this.queuedAhead(session);
    const [usage, open, mean] = await Promise.all([
      this.deps.store.readUsage({ juniorIds: [session.juniorId], mentorIds: session.mentorId === undefined ? [] : [session.mentorId] }),
      this.deps.store.listOpen(),
      this.meanActiveMs(),
    ]);
    const limits = this.limits(session.mentorId === undefined ? undefined : usage.mentorCapacity.get(session.mentorId));
    const blockedBy = blockingScopes(usageFor(usage, session), limits, session.mentorId !== undefined);
    const now = this.now();
    const holders = (match: (s: Session) => boolean) => open.filter(match).map((s) => activeTimeMs(s, now));
    const blocking: Partial<Record<SlotScope, BlockingScope>> = {};
    for (const scope of blockedBy) {
      if (scope === 'system') blocking.system = { capacity: limits.system, ahead: ahead.length, holdersActiveMs: holders(() => true) };
      if (scope === 'junior') {
        blocking.junior = {
          capacity: limits.junior,
          ahead: ahead.filter((s) => s.juniorId === session.juniorId).length,
          holdersActiveMs: holders((s) => s.juniorId === session.juniorId),
        };
      }
      if (scope === 'mentor') {
        blocking.mentor = {
          capacity: limits.mentor,
          ahead: ahead.filter((s) => s.mentorId === session.mentorId).length,
          holdersActiveMs: holders((s) => s.mentorId === session.mentorId),
        };
      }
    }
    return {
      sessionId: id,
      status: 'Queued',
      position: ahead.length + 1,
      blockedBy,
      estimatedWaitMinutes: toMinutes(estimateWaitMs({ meanActiveMs: mean, blocking })),
    };
  }

  /** The queued sessions ahead of this one (the queue is bounded by max_queue_size). */
  private async queuedAhead(session: Session): Promise<Session[]> {
    const ahead: Session[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listQueued({ limit: 100, ...(cursor && { cursor }) });
      for (const s of page.sessions) {
        if (s.id === session.id) return ahead;
        ahead.push(s);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return ahead;
  }

  private async meanActiveMs(): Promise<number> {
    const stats = await this.deps.store.getDurationStats();
    // With no completed session yet, assume half the maximum active time.
    return stats?.meanActiveMs ?? this.deps.settings.timeouts.maxDurationMs / 2;
  }

  /** The limits one session's slots are held to; a mentor's own capacity can only lower the system-wide one. */
  private limits(mentorCapacity?: number): SlotLimits {
    const { limits } = this.deps.settings;
    return {
      junior: limits.perJunior,
      mentor: Math.min(limits.perMentor, mentorCapacity ?? limits.perMentor),
      system: limits.system,
      queue: limits.queueSize,
    };
  }

  private async replayStored(idempotency: { scope: string; key: string }, requestHash: string, error: Error): Promise<SessionStartResult> {
    const first = await this.deps.store.getIdempotencyRecord(idempotency.scope, idempotency.key);
    if (first === undefined) throw error;
    return this.replay(first, requestHash);
  }

  /**
   * The first answer to an Idempotency-Key, again: the key was claimed with the
   * session, so the answer is read off the session the first request created
   * (started with its instance, failed by the engine, or queued).
   */
  private async replay(record: IdempotencyRecord, requestHash: string): Promise<SessionStartResult> {
    if (record.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request.', {
        details: { sessionId: record.result.sessionId },
      });
    }
    if (record.result.status !== 'started') return record.result;
    const session = await this.deps.store.getSession(record.result.sessionId);
    return session === undefined ? record.result : startResultOf(session);
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
          limits: this.limits(),
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

function usageFor(usage: UsageSnapshot, session: { juniorId: string; mentorId?: string }) {
  return {
    junior: usage.juniors.get(session.juniorId) ?? 0,
    ...(session.mentorId !== undefined && { mentor: usage.mentors.get(session.mentorId) ?? 0 }),
    system: usage.system,
  };
}

function releasesSlots(before: Session, after: Session): boolean {
  return slotChange(before.status, after.status) === 'release';
}

function queueFull(max: number): QueueFullError {
  return new QueueFullError(`The queue is full (${max} sessions waiting); try again later.`, { details: { maxQueueSize: max } });
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

/**
 * The answer to a start whose session holds its slots: started with its
 * workflow instance, or 502 when the engine refused it (the session is Failed).
 */
function startResultOf(session: Session): SessionStartResult {
  if (session.status === 'Failed' && session.workflowInstanceId === undefined) {
    throw new WorkflowEngineError(`The workflow engine could not start the session: ${session.error ?? 'unknown error'}`, {
      details: { sessionId: session.id, status: 'Failed' },
    });
  }
  return {
    success: true,
    sessionId: session.id,
    status: 'started',
    ...(session.workflowInstanceId !== undefined && { workflowInstanceId: session.workflowInstanceId }),
  };
}

/** A stable digest of the request, key order ignored. */
function hashRequest(input: StartSessionInput): string {
  const canonical = JSON.stringify(input, Object.keys(input).sort());
  return createHash('sha256').update(canonical).digest('base64url');
}

