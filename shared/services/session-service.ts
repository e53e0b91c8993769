import { createHash } from 'node:crypto';
import { mayPerform, type Caller, type SessionAction } from '../domain/access';
import { decideMentor, rotationKey, skillLevel, type AssignmentDecision, type MentorRequest } from '../domain/assignment';
import { missedCheckIns } from '../domain/check-ins';
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
  ValidationError,
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
  recordStartedInstance,
  type NewSessionInput,
  type SessionWrite,
  type WorkflowReport,
} from '../domain/lifecycle';
import { blockingScopes, mentorCapacity, slotChange, slotLimits, type SlotLimits, type SlotScope } from '../domain/limits';
import type { SessionResult, SessionStartResult, WorkflowEventResult } from '../domain/results';
import { SYSTEM_ACTOR, type Actor, type Session, type SessionEvent, type SessionReport } from '../domain/session';
import { allowedOperations, transition, type Command, type Operation } from '../domain/transitions';
import type { Clock, IdGenerator } from '../ports/clock';
import { CommitConflictError, type IdempotencyRecord, type MentorPool, type SessionStore, type UsageSnapshot } from '../ports/session-store';
import type { WorkflowEngine } from '../ports/workflow-engine';
import { configIssues, hoursToMs, resolveConfig, type SessionConfig, type SessionConfigPatch } from '../domain/session-config';
import type { Settings } from '../settings/settings';
import { actorOf, authorizeSession } from './authorize';
import { sessionServiceReport } from '../domain/session-report';
import { LoadedPool, rotationChange } from './mentor-pool';

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
  /** Runs before each drain of the queue (serving running sessions that wait for a new mentor). */
  readonly beforeDrain?: () => Promise<unknown>;
}

export interface StartSessionInput {
  readonly storyId: string;
  readonly juniorId: string;
  /** Manual override: this mentor when they are available with a free slot. */
  readonly mentorId?: string;
  readonly configTemplateId?: string;
  /** Fields that override the defaults and the template. */
  readonly config?: SessionConfigPatch;
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
/** How often a start re-decides its mentor under contention (mentors found full, a moved round-robin pointer). */
const MAX_START_ATTEMPTS = 64;
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
   * Starts a session. Its config is resolved (defaults, template, the request's
   * fields) and checked. When the junior's and the system's slots are free (and
   * nobody is queued ahead), a mentor is chosen (the requested one, or by the
   * strategy) and the session is written Active in one transaction that takes
   * the three slots under their limits; then its workflow starts. Otherwise, or
   * when no mentor can take it, it is written Queued. An engine failure writes
   * the session Failed with the error.
   */
  async startSession(input: StartSessionInput, caller: Caller, idempotencyKey?: string): Promise<SessionStartResult> {
    if (!mayPerform(caller, 'start_session')) throw new ForbiddenError('Only coordinators start sessions.');
    const idempotency = idempotencyKey === undefined ? undefined : { scope: caller.id, key: idempotencyKey };
    const requestHash = hashRequest(input);

    const context = await this.deps.store.loadStartContext({
      storyId: input.storyId,
      juniorId: input.juniorId,
      ...(input.mentorId !== undefined && { mentorId: input.mentorId }),
      ...(idempotency && { idempotency }),
      withMentorPool: true,
    });
    if (context.idempotency !== undefined) return this.replay(context.idempotency, requestHash);
    if (context.story === undefined) throw new ReferenceNotFoundError('storyId', input.storyId);
    if (context.junior === undefined) throw new ReferenceNotFoundError('juniorId', input.juniorId);
    if (input.mentorId !== undefined && context.mentor === undefined) {
      throw new ReferenceNotFoundError('mentorId', input.mentorId);
    }
    const { config, configTemplateId } = this.resolveStartConfig(input);

    const now = this.now();
    const actor: Actor = { id: caller.id, role: 'coordinator' };
    const newSession: NewSessionInput = {
      id: this.deps.ids.sessionId(),
      storyId: input.storyId,
      juniorId: input.juniorId,
      storyTitle: context.story.title,
      juniorName: context.junior.name,
      skillArea: context.story.skillArea,
      timeouts: { ...this.deps.settings.timeouts, maxDurationMs: hoursToMs(config.maxDurationHours) },
      config,
      ...(configTemplateId !== undefined && { configTemplateId }),
      ...(input.mentorId !== undefined && {
        mentorRequest: { mentorId: input.mentorId, fallbackToAuto: this.deps.settings.assignment.fallbackToAuto },
      }),
    };
    const limits = this.limits();
    const record = (result: SessionStartResult) =>
      idempotency && {
        idempotency: {
          ...idempotency,
          requestHash,
          result,
          expiresAt: new Date(Date.parse(now) + this.idempotencyTtlMs).toISOString(),
        },
      };
    let blockedBy = blockingScopes(usageFor(context.usage, input), limits, false);
    // Sessions already waiting go first: a new start only skips the queue when it is empty.
    const queueWaiting = context.usage.queue > 0;

    // The mentor pool is read once; a mentor found full at commit is marked full in it and the
    // next best is tried, so concurrent starts spread over the mentors instead of re-reading.
    let pool: LoadedPool | undefined = context.mentorPool && this.loadedPool(context.mentorPool);
    let markedFull = false;
    for (let attempt = 1; blockedBy.length === 0 && !queueWaiting; attempt += 1) {
      if (attempt > MAX_START_ATTEMPTS) throw new ConcurrentUpdateError('Mentors kept changing while this session was being assigned; try again.');
      pool ??= await this.mentorPool(newSession.skillArea, newSession.mentorRequest);
      const decision = this.decide(newSession, pool);
      if (decision.outcome === 'none') {
        // Mentors this request saw taken may have been freed since: look once more before queueing.
        if (markedFull) {
          pool = undefined;
          markedFull = false;
          continue;
        }
        blockedBy = ['mentor'];
        break;
      }
      // Slots first, engine second: the transaction takes the slots under their
      // limits (and claims the Idempotency-Key); only a session that holds its
      // slots gets a workflow instance, so no instance is ever started and then
      // abandoned, and its correlation id is never reused.
      const write = startedSession(newSession, decision.assignment, { actor, now });
      try {
        await this.deps.store.commit({
          ...write,
          ...record({ success: true, sessionId: newSession.id, status: 'started' }),
          limits: this.limits(pool.capacityOf(decision.assignment.mentorId)),
          ...rotationChange(decision, pool),
        });
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'idempotency_key_taken' && idempotency) return this.replayStored(idempotency, requestHash, error);
        if (error.conflict === 'limit_reached' && error.scope === 'mentor') {
          // Another start took this mentor's last slot: try the next best.
          pool.full(decision.assignment.mentorId);
          markedFull = true;
          continue;
        }
        if (error.conflict === 'rotation_moved' || error.conflict === 'mentor_unavailable') {
          // The pointer moved (round robin serialises starts per skill area) or the mentor left: read again.
          pool = undefined;
          await backoff(Math.min(attempt, 4));
          continue;
        }
        if (error.conflict !== 'limit_reached' || error.scope === 'queue') throw error;
        // Another start took the last junior or system slot: queue instead.
        blockedBy = [error.scope as SlotScope];
        break;
      }
      const started = await this.startWorkflow(write.session);
      return startResultOf(started);
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
      return started === undefined ? { ...result, status: 'started' } : startResultOf(started);
    }
    return {
      ...result,
      ...(position.position !== null && { queuePosition: position.position }),
      ...(position.estimatedWaitMinutes !== null && { estimatedWaitMinutes: position.estimatedWaitMinutes }),
    };
  }

  /** The config a start asks for: the defaults, then the named template, then the request's fields; 400 when it breaks a rule. */
  private resolveStartConfig(input: StartSessionInput): { config: SessionConfig; configTemplateId?: string } {
    const { templates, defaultConfig } = this.deps.settings;
    const template = input.configTemplateId === undefined ? undefined : templates.find((t) => t.id === input.configTemplateId);
    if (input.configTemplateId !== undefined && template === undefined) {
      throw new ReferenceNotFoundError('configTemplateId', input.configTemplateId);
    }
    const config = resolveConfig(defaultConfig, template, input.config);
    const issues = configIssues(config);
    if (issues.length > 0) {
      throw new ValidationError(
        'The session configuration breaks a rule.',
        issues.map((issue) => ({ path: `config.${issue.path}`, message: issue.message })),
      );
    }
    return { config, ...(template && { configTemplateId: template.id }) };
  }

  /** The mentors a session of this skill area can get (plus the requested one), with their loads and capacities. */
  private async mentorPool(skillArea: string, request?: MentorRequest): Promise<LoadedPool> {
    return this.loadedPool(await this.deps.store.loadMentorPool({ skillArea, ...(request && { mentorIds: [request.mentorId] }) }));
  }

  private loadedPool(pool: MentorPool): LoadedPool {
    return new LoadedPool(pool, (mentor) => mentorCapacity(this.deps.settings.limits, mentor.maxConcurrentSessions));
  }

  private decide(session: { skillArea: string; mentorRequest?: MentorRequest }, pool: LoadedPool): AssignmentDecision {
    return decideMentor({
      strategy: this.deps.settings.assignment.strategy,
      skillArea: session.skillArea,
      pool: pool.loads,
      rotation: pool.rotation,
      ...(session.mentorRequest && { request: session.mentorRequest }),
    });
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
      this.deps.store.readUsage({ juniorIds: [] }),
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

  /** How long the session at the head of the queue has waited, in ms (0 when none waits): what the drain schedule reports. */
  async oldestQueuedWaitMs(): Promise<number> {
    const {
      sessions: [head],
    } = await this.deps.store.listQueued({ limit: 1 });
    if (head?.enqueuedAt === undefined) return 0;
    return Math.max(0, this.deps.clock.now().getTime() - Date.parse(head.enqueuedAt));
  }

  /**
   * Starts queued sessions while slots allow, oldest first. A session whose
   * junior or mentor is busy is skipped, not waited on; a full system stops the
   * drain. Safe to run concurrently: activation is conditioned on the session
   * still being Queued at the version read, so no session starts twice.
   */
  async drainQueue(): Promise<DrainResult> {
    // Running sessions waiting for a new mentor go before new starts.
    if (this.deps.beforeDrain) await this.bestEffort('serve sessions waiting for a mentor', this.deps.beforeDrain);
    const started: string[] = [];
    const failed: string[] = [];
    const pools = new Map<string, LoadedPool>();
    // One view of the mentors per skill area for the whole drain, kept current as it assigns;
    // read again (with the requested mentor) when a session asks for one it does not hold.
    const poolFor = async (candidate: Session) => {
      const key = rotationKey(candidate.skillArea);
      let pool = pools.get(key);
      const requested = candidate.mentorRequest?.mentorId;
      if (pool === undefined || (requested !== undefined && !pool.has(requested))) {
        pool = await this.mentorPool(candidate.skillArea, candidate.mentorRequest);
        pools.set(key, pool);
      }
      return pool;
    };
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listQueued({ limit: DRAIN_PAGE, ...(cursor && { cursor }) });
      cursor = page.cursor;
      if (page.sessions.length === 0) break;
      const usage = await this.deps.store.readUsage({ juniorIds: page.sessions.map((s) => s.juniorId) });
      const juniors = new Map(usage.juniors);
      let system = usage.system;
      const limits = this.limits();
      for (const candidate of page.sessions) {
        if (system >= limits.system) return { started, failed };
        if ((juniors.get(candidate.juniorId) ?? 0) >= limits.junior) continue;
        if (isOverdue(candidate, this.now())) {
          await this.applyDueTimeout(candidate, { drain: false });
          continue;
        }
        const outcome = await this.activate(candidate, poolFor, (key) => pools.delete(key));
        if (outcome === 'started' || outcome === 'failed') {
          (outcome === 'started' ? started : failed).push(candidate.id);
          system += 1;
          juniors.set(candidate.juniorId, (juniors.get(candidate.juniorId) ?? 0) + 1);
        } else if (outcome === 'system_full') {
          return { started, failed };
        } else if (outcome === 'junior_full') {
          juniors.set(candidate.juniorId, limits.junior);
        }
      }
    } while (cursor !== undefined);
    return { started, failed };
  }

  /**
   * Applies every deadline that has passed (max active time, pause timeout,
   * queue timeout) and every check-in missed, reading only the sessions due
   * through the due-time index, then drains the queue if slots were released.
   */
  async sweepDue(): Promise<{ timedOut: string[]; checkInsMissed: string[] }> {
    const timedOutIds: string[] = [];
    const missedIds: string[] = [];
    for (;;) {
      const due = await this.deps.store.listDue(this.now(), SWEEP_PAGE);
      let progressed = false;
      for (const session of due) {
        // One drain after the sweep, not one per released session.
        const after = await this.applyDueTimeout(session, { drain: false });
        if (after.status === 'Cancelled' && session.status !== 'Cancelled') {
          timedOutIds.push(session.id);
          progressed = true;
          continue;
        }
        if (await this.applyMissedCheckIns(after)) {
          missedIds.push(session.id);
          progressed = true;
        }
      }
      if (due.length < SWEEP_PAGE || !progressed) break;
    }
    if (timedOutIds.length > 0) await this.drainQueue();
    return { timedOut: timedOutIds, checkInsMissed: missedIds };
  }

  /** Applies the timeout of an overdue session (see applyDueTimeout); answers the session as it now stands. */
  settleDeadline(session: Session): Promise<Session> {
    return this.applyDueTimeout(session);
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

      const changed = withEvents(outcome.session, outcome.events, now);
      const write = changed.session.status === 'Completed' ? await this.withServiceReport(session, changed, now) : changed;
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
   * A completion stores the service's own report with the engine's: counted
   * from the whole log (read here, at the version the change was decided on;
   * a log that moved on makes the commit conflict and retry).
   */
  private async withServiceReport(before: Session, write: SessionWrite, now: string): Promise<SessionWrite> {
    const logged = (await this.deps.store.getSessionWithEvents(before.id))?.events ?? [];
    const events = [...logged.filter((event) => event.seq <= before.eventCount), ...write.events];
    return { ...write, session: { ...write.session, serviceReport: sessionServiceReport(write.session, events, now) } };
  }

  /**
   * Moves one queued session to Active with a mentor (taking its slots under
   * their limits), then starts its engine instance. No mentor for it: skipped.
   * An engine failure fails the session and releases the slots again.
   */
  private async activate(
    candidate: Session,
    poolFor: (candidate: Session) => Promise<LoadedPool>,
    forget: (key: string) => void,
  ): Promise<'started' | 'failed' | 'skipped' | `${SlotScope}_full`> {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const pool = await poolFor(candidate);
      const decision = this.decide(candidate, pool);
      if (decision.outcome === 'none') return 'skipped';
      const now = this.now();
      const write = dequeuedSession(candidate, decision.assignment, now);
      const mentorId = decision.assignment.mentorId;
      try {
        await this.deps.store.commit({
          expected: candidate,
          ...write,
          limits: this.limits(pool.capacityOf(mentorId)),
          ...rotationChange(decision, pool),
        });
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'limit_reached' && error.scope === 'mentor') {
          pool.full(mentorId);
          continue;
        }
        if (error.conflict === 'rotation_moved' || error.conflict === 'mentor_unavailable') {
          // Someone else moved the pointer or the mentor left: read the pool again.
          forget(rotationKey(candidate.skillArea));
          continue;
        }
        if (error.conflict === 'limit_reached' && error.scope !== undefined && error.scope !== 'queue') return `${error.scope}_full`;
        // Started, cancelled or timed out by someone else since the index was read.
        return 'skipped';
      }
      pool.took(mentorId, now, decision.outcome === 'assigned' ? decision.rotation : undefined);
      const started = await this.startWorkflow(write.session);
      return started.status === 'Active' ? 'started' : 'failed';
    }
    return 'skipped';
  }

  /**
   * Starts the workflow of a session that has just taken its slots, with the
   * session id as correlation id, and records the instance on the session. An
   * engine failure fails the session (reason engine_start_failed), which
   * releases its slots: nothing is left half-started.
   */
  private async startWorkflow(active: Session): Promise<Session> {
    let result: Session = active;
    const input = {
      sessionId: active.id,
      storyId: active.storyId,
      storyTitle: active.storyTitle,
      skillArea: active.skillArea,
      juniorId: active.juniorId,
      ...(active.mentorId !== undefined && { mentorId: active.mentorId }),
      config: active.config,
    };
    try {
      const { instanceId } = await this.deps.engine.start({ correlationId: active.id, input });
      let suspend = false;
      await this.commitWithRetry(
        active.id,
        (current) => {
          // Paused or ended while the engine started it: recorded all the same (see recordStartedInstance).
          const recorded = recordStartedInstance(current, instanceId, { actor: SYSTEM_ACTOR, now: this.now() });
          if (recorded === undefined) return undefined;
          result = recorded.write.session;
          suspend = recorded.suspend;
          return recorded.write;
        },
        active,
      );
      if (suspend) await this.bestEffort('suspend an instance started for a paused session', () => this.deps.engine.suspend(instanceId));
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

  /** Records the check-ins a running session has missed, with their escalations; true when any was recorded. */
  private async applyMissedCheckIns(session: Session): Promise<boolean> {
    let recorded = false;
    await this.commitWithRetry(
      session.id,
      (current) => {
        const missed = missedCheckIns(current, this.now());
        recorded = missed !== undefined;
        if (missed === undefined) return undefined;
        return withEvents(missed.session, missed.events, this.now());
      },
      session,
    );
    return recorded;
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
    const [usage, open, mean, pool] = await Promise.all([
      this.deps.store.readUsage({ juniorIds: [session.juniorId] }),
      this.deps.store.listOpen(),
      this.meanActiveMs(),
      this.mentorPool(session.skillArea, session.mentorRequest),
    ]);
    const limits = this.limits();
    const blockedBy = blockingScopes(usageFor(usage, session), limits, false);
    // The mentors it could get: the requested one (no fallback), or every available one covering its area.
    const pinned = session.mentorRequest !== undefined && !session.mentorRequest.fallbackToAuto ? session.mentorRequest.mentorId : undefined;
    const mentors = pool.loads.filter((entry) =>
      pinned !== undefined ? entry.mentor.id === pinned : entry.mentor.available && skillLevel(entry.mentor, session.skillArea) > 0,
    );
    if (this.decide(session, pool).outcome === 'none') blockedBy.push('mentor');
    const now = this.now();
    const holders = (match: (s: Session) => boolean) => open.filter(match).map((s) => activeTimeMs(s, now));
    const mentorIds = new Set(mentors.map((entry) => entry.mentor.id));
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
          // No mentor at all can take it: count one slot, so the estimate stays finite.
          capacity: Math.max(1, mentors.reduce((sum, entry) => sum + entry.capacity, 0)),
          ahead: ahead.filter((s) =>
            pinned !== undefined ? s.mentorRequest?.mentorId === pinned : rotationKey(s.skillArea) === rotationKey(session.skillArea),
          ).length,
          holdersActiveMs: holders((s) => s.mentorId !== undefined && mentorIds.has(s.mentorId)),
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

  /** The limits one session's slots are held to; a mentor's own capacity can only lower the per-mentor one. */
  private limits(mentorCapacity?: number): SlotLimits {
    return slotLimits(this.deps.settings.limits, mentorCapacity);
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
      if (operation === 'pause' || operation === 'resume') await this.catchUpEngine(after, instanceId!);
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

  /**
   * A pause and a resume close together may reach the engine out of order (a
   * slow suspend landing after the resume's call): once a call is through, the
   * session is read again and, if it has moved to the other open status, the
   * engine is told that one too. Repeating a call the engine already followed
   * is harmless. Best effort: reconciliation remains the safety net.
   */
  private async catchUpEngine(after: Session, instanceId: string): Promise<void> {
    await this.bestEffort('bring the engine up to the latest pause or resume', async () => {
      const current = await this.deps.store.getSession(after.id);
      if (current === undefined || current.status === after.status || current.workflowInstanceId !== instanceId) return;
      if (current.status === 'Active') await this.deps.engine.resume(instanceId);
      if (current.status === 'Paused') await this.deps.engine.suspend(instanceId);
    });
  }

  private authorize(session: Session | undefined, id: string, caller: Caller, action: SessionAction): Session {
    return authorizeSession(session, id, caller, action);
  }

  private actor(caller: Caller, action: SessionAction, session: Session): Actor {
    return actorOf(caller, action, session);
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

function usageFor(usage: UsageSnapshot, session: { juniorId: string }) {
  return { junior: usage.juniors.get(session.juniorId) ?? 0, system: usage.system };
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
    ...(session.mentorId !== undefined && { mentorId: session.mentorId }),
    ...(session.assignment !== undefined && { assignment: session.assignment }),
  };
}

/** A stable digest of the request, key order ignored. */
function hashRequest(input: StartSessionInput): string {
  const canonical = JSON.stringify(input, Object.keys(input).sort());
  return createHash('sha256').update(canonical).digest('base64url');
}

