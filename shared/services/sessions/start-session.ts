import { createHash } from 'node:crypto';
import { type Caller, mayPerform } from '../../domain/access';
import { canonicalJson } from '../../domain/canonical-json';
import { commanded } from '../../domain/engine-command';
import { ConcurrentUpdateError, ForbiddenError, IdempotencyKeyReusedError, ReferenceNotFoundError, ValidationError, WorkflowEngineError } from '../../domain/errors';
import { blockingScopes, type SlotScope } from '../../domain/limits';
import type { Actor, Session } from '../../domain/model';
import type { SessionStartResult } from '../../domain/results';
import { configIssues, hoursToMs, resolveConfig, type SessionConfig, type SessionConfigPatch } from '../../domain/session-config';
import { type NewSessionInput, queuedSession, startedSession } from '../../domain/start';
import { CommitConflictError, type IdempotencyRecord } from '../../ports/session-repository';
import { decide, type LoadedPool, loadedPool, readPool, rotationChange } from '../mentor-pool';
import { backoff, limitsOf, nowOf, queueFull, type SessionContext } from './context';
import type { DrainQueue } from './drain-queue';
import type { EngineFollowUp } from './engine-follow-up';
import { type QueueViews, usageFor } from './queue-views';

export interface StartSessionInput {
  readonly storyId: string;
  readonly juniorId: string;
  /** Manual override: this mentor when they are available with a free slot. */
  readonly mentorId?: string;
  readonly configTemplateId?: string;
  /** Fields that override the defaults and the template. */
  readonly config?: SessionConfigPatch;
}

/** How often a start re-decides its mentor under contention (mentors found full, a moved round-robin pointer). */
const MAX_START_ATTEMPTS = 64;

/**
 * Starts a session. Its config is resolved (defaults, template, the request's
 * fields) and checked. When the junior's and the system's slots are free (and
 * nobody is queued ahead), a mentor is chosen (the requested one, or by the
 * strategy) and the session is written Active in one transaction that takes
 * the three slots under their limits; then its workflow starts. Otherwise, or
 * when no mentor can take it, it is written Queued. An engine failure writes
 * the session Failed with the error.
 */
export class StartSession {
  private readonly idempotencyTtlMs: number;

  constructor(
    private readonly ctx: SessionContext,
    private readonly engine: EngineFollowUp,
    private readonly drain: DrainQueue,
    private readonly queue: QueueViews,
    /** How long an Idempotency-Key's answer is kept. */
    idempotencyTtlHours = 24,
  ) {
    this.idempotencyTtlMs = idempotencyTtlHours * 3_600_000;
  }

  async start(input: StartSessionInput, caller: Caller, idempotencyKey?: string): Promise<SessionStartResult> {
    const { ctx } = this;
    if (!mayPerform(caller, 'start_session')) throw new ForbiddenError('Only coordinators start sessions.');
    const idempotency = idempotencyKey === undefined ? undefined : { scope: caller.id, key: idempotencyKey };
    const requestHash = hashRequest(input);

    const context = await ctx.usage.loadStartContext({
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
    const { config, configTemplateId } = this.resolveConfig(input);

    const now = nowOf(ctx);
    const actor: Actor = { id: caller.id, role: 'coordinator' };
    const newSession: NewSessionInput = {
      id: ctx.ids.sessionId(),
      storyId: input.storyId,
      juniorId: input.juniorId,
      storyTitle: context.story.title,
      juniorName: context.junior.name,
      skillArea: context.story.skillArea,
      timeouts: { ...ctx.settings.timeouts, maxDurationMs: hoursToMs(config.maxDurationHours) },
      config,
      ...(configTemplateId !== undefined && { configTemplateId }),
      ...(input.mentorId !== undefined && {
        mentorRequest: { mentorId: input.mentorId, fallbackToAuto: ctx.settings.assignment.fallbackToAuto },
      }),
    };
    const limits = limitsOf(ctx);
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
    let pool: LoadedPool | undefined = context.mentorPool && loadedPool(context.mentorPool, ctx.settings);
    let markedFull = false;
    for (let attempt = 1; blockedBy.length === 0 && !queueWaiting; attempt += 1) {
      if (attempt > MAX_START_ATTEMPTS) throw new ConcurrentUpdateError('Mentors kept changing while this session was being assigned; try again.');
      pool ??= await readPool(ctx.usage, ctx.settings, newSession.skillArea, newSession.mentorRequest);
      const decision = decide(ctx.settings, newSession, pool);
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
      const write = commanded(startedSession(newSession, decision.assignment, { actor, now }), 'running', now, ctx.settings.engine.commandLeaseMs);
      try {
        await ctx.sessions.commit({
          ...write,
          ...record({ success: true, sessionId: newSession.id, status: 'started' }),
          limits: limitsOf(ctx, pool.capacityOf(decision.assignment.mentorId)),
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
          await backoff(ctx, Math.min(attempt, 4));
          continue;
        }
        if (error.conflict !== 'limit_reached' || error.scope === 'queue') throw error;
        // Another start took the last junior or system slot: queue instead.
        blockedBy = [error.scope as SlotScope];
        break;
      }
      const started = await this.engine.startWorkflow(write.session);
      return startResultOf(started.session);
    }

    if (context.usage.queue >= limits.queue) throw queueFull(limits.queue);
    const queued = queuedSession(newSession, blockedBy, { actor, now });
    const result: SessionStartResult = { success: true, sessionId: newSession.id, status: 'queued' };
    try {
      await ctx.sessions.commit({ ...queued, ...record(result), limits });
    } catch (error) {
      if (!(error instanceof CommitConflictError)) throw error;
      if (error.conflict === 'idempotency_key_taken' && idempotency) return this.replayStored(idempotency, requestHash, error);
      if (error.conflict === 'limit_reached' && error.scope === 'queue') throw queueFull(limits.queue);
      throw error;
    }
    // Queued only to keep the order (its own slots are free): the drain may start it at once.
    // A session queued because its own limits are full changes nothing for the others.
    if (blockedBy.length === 0) await this.drain.drain();
    const position = await this.queue.positionOf(newSession.id);
    if (position.status === 'Active') {
      const started = await ctx.sessions.getSession(newSession.id);
      return started === undefined ? { ...result, status: 'started' } : startResultOf(started);
    }
    return {
      ...result,
      ...(position.position !== null && { queuePosition: position.position }),
      ...(position.estimatedWaitMinutes !== null && { estimatedWaitMinutes: position.estimatedWaitMinutes }),
    };
  }

  /** The config a start asks for: the defaults, then the named template, then the request's fields; 400 when it breaks a rule. */
  private resolveConfig(input: StartSessionInput): { config: SessionConfig; configTemplateId?: string } {
    const { templates, defaultConfig } = this.ctx.settings;
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

  private async replayStored(idempotency: { scope: string; key: string }, requestHash: string, error: Error): Promise<SessionStartResult> {
    const first = await this.ctx.sessions.getIdempotencyRecord(idempotency.scope, idempotency.key);
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
    const session = await this.ctx.sessions.getSession(record.result.sessionId);
    return session === undefined ? record.result : startResultOf(session);
  }
}

/**
 * The answer to a start whose session holds its slots: started with its
 * workflow instance, or 502 when the engine refused it (the session is Failed).
 */
function startResultOf(session: Session): SessionStartResult {
  if (session.status === 'Failed' && session.workflowInstanceId === undefined) {
    // What the engine said is on the session (its `error`) and, as the cause, in the log line; never in the 502.
    throw new WorkflowEngineError('The workflow engine could not start the session.', {
      cause: new Error(session.error ?? 'unknown error'),
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
    ...(session.workflowInstanceId === undefined && session.engineCommand !== undefined && { enginePending: true }),
  };
}

/** A stable digest of the request, key order ignored. */
function hashRequest(input: StartSessionInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('base64url');
}
