import { QueueFullError } from '../../domain/errors';
import { type SlotLimits, slotChange, slotLimits } from '../../domain/limits';
import type { Session } from '../../domain/model';
import type { SessionResult } from '../../domain/results';
import type { Clock, IdGenerator } from '../../ports/clock';
import type { SessionIndexes } from '../../ports/session-indexes';
import type { SessionRepository } from '../../ports/session-repository';
import type { UsageReader } from '../../ports/usage-reader';
import type { WorkflowEngine } from '../../ports/workflow-engine';
import type { Settings } from '../../settings/settings';

/** What every session use case runs on: the store's ports it reads and writes, the engine, time, ids and settings. */
export interface SessionContext {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly usage: UsageReader;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: Settings;
  /** A number in [0, 1): the jitter of retries. Defaults to Math.random. */
  readonly random?: () => number;
  /** Waits between retries. Defaults to a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where failures that do not reach the caller are reported. */
  readonly onBackgroundError?: (message: string, error: unknown) => void;
}

/** How often a write is re-decided after another writer moved the session's version (not its status). */
export const MAX_ATTEMPTS = 8;

export function nowOf(ctx: SessionContext): string {
  return ctx.clock.now().toISOString();
}

/** The limits one session's slots are held to; a mentor's own capacity can only lower the per-mentor one. */
export function limitsOf(ctx: SessionContext, mentorCapacity?: number): SlotLimits {
  return slotLimits(ctx.settings.limits, mentorCapacity);
}

/** Jittered backoff between optimistic-concurrency retries, so writers on one hot session spread out. */
export function backoff(ctx: Pick<SessionContext, 'random' | 'sleep'>, attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt) * (0.5 + (ctx.random ?? Math.random)());
  return (ctx.sleep ?? sleep)(ms);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs work whose failure must not reach the caller (the change it follows stands); reports the failure. */
export async function bestEffort(ctx: SessionContext, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.onBackgroundError?.(`failed to ${what}`, error);
  }
}

export function resultOf(session: Session): SessionResult {
  return { success: true, sessionId: session.id, status: session.status };
}

export function releasesSlots(before: Session, after: Session): boolean {
  return slotChange(before.status, after.status) === 'release';
}

export function queueFull(max: number): QueueFullError {
  return new QueueFullError(`The queue is full (${max} sessions waiting); try again later.`, { details: { maxQueueSize: max } });
}
