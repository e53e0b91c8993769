import type { SessionStatus } from '../../shared/domain/status';

/**
 * A pure model of the session service's lifecycle, limits, queue and time,
 * written from the README / issue 3 rules and NOT from the service's domain
 * functions (only the status type is shared). The model-based integration
 * test (test/integration/model-based.test.ts) runs the same operations on the
 * model and on the real service over DynamoDB Local and compares them.
 *
 * Rules:
 * - An open session (Active, Paused) holds one slot of its junior, one of its
 *   mentor (when it has one) and one system slot.
 * - start: Active when every slot is free AND nobody is queued; otherwise it
 *   is Queued (429 `queue_full` when the queue already holds the maximum), and
 *   the queue is then drained.
 * - drain: queued sessions oldest-first; a full system stops the drain; a
 *   session whose junior or mentor is full is skipped, not waited on.
 * - pause Active->Paused, resume Paused->Active, cancel Queued|Active|Paused
 *   ->Cancelled, complete/fail Active->Completed/Failed. Repeating an op that
 *   already took effect (target status reached) is a no-op success; any other
 *   op is a 409 `transition_forbidden`.
 * - Releasing slots (leaving Active/Paused) drains the queue.
 * - Time: max duration counts Active time only (pauses freeze it); the pause
 *   timeout bounds one pause; the queue timeout bounds the wait. A deadline is
 *   reached when `deadline <= now`; expiry cancels (status Cancelled). A sweep
 *   applies every due timeout, then drains.
 */

export interface ModelLimits {
  readonly perJunior: number;
  readonly perMentor: number;
  readonly system: number;
  readonly queueSize: number;
}

export interface ModelTimeouts {
  readonly maxDurationMs: number;
  readonly pauseTimeoutMs: number;
  readonly queueTimeoutMs: number;
}

export interface ModelSession {
  readonly junior: string;
  readonly mentor: string | undefined;
  /** Creation (and so enqueue) order; sessions are only ever enqueued when created. */
  readonly order: number;
  status: SessionStatus;
  enqueuedAt?: number;
  /** Active time used by finished stretches. */
  activeMs: number;
  /** Start of the running Active stretch. */
  activeSince?: number;
  pausedAt?: number;
  /** How the session ended when it did so by a deadline. */
  timedOut?: 'max_duration' | 'pause_timeout' | 'queue_timeout';
}

export interface LifecycleModel {
  readonly limits: ModelLimits;
  readonly timeouts: ModelTimeouts;
  /** Milliseconds since the test's epoch. */
  now: number;
  readonly sessions: ModelSession[];
}

export type ModelOutcome = 'ok' | '409' | '429';
export type ModelOperation = 'pause' | 'resume' | 'cancel' | 'complete' | 'fail';

export function newModel(limits: ModelLimits, timeouts: ModelTimeouts): LifecycleModel {
  return { limits, timeouts, now: 0, sessions: [] };
}

const isOpenStatus = (status: SessionStatus) => status === 'Active' || status === 'Paused';

/** Slots in use and the queue, as the model sees them. */
export function usage(model: LifecycleModel): {
  system: number;
  juniors: Map<string, number>;
  mentors: Map<string, number>;
  queue: ModelSession[];
} {
  const juniors = new Map<string, number>();
  const mentors = new Map<string, number>();
  let system = 0;
  for (const s of model.sessions) {
    if (!isOpenStatus(s.status)) continue;
    system += 1;
    juniors.set(s.junior, (juniors.get(s.junior) ?? 0) + 1);
    if (s.mentor !== undefined) mentors.set(s.mentor, (mentors.get(s.mentor) ?? 0) + 1);
  }
  const queue = model.sessions.filter((s) => s.status === 'Queued').sort((a, b) => a.order - b.order);
  return { system, juniors, mentors, queue };
}

function fits(model: LifecycleModel, u: ReturnType<typeof usage>, junior: string, mentor: string | undefined): boolean {
  const { limits } = model;
  if ((u.juniors.get(junior) ?? 0) >= limits.perJunior) return false;
  if (mentor !== undefined && (u.mentors.get(mentor) ?? 0) >= limits.perMentor) return false;
  return u.system < limits.system;
}

function activate(model: LifecycleModel, s: ModelSession): void {
  s.status = 'Active';
  s.activeMs = 0;
  s.activeSince = model.now;
  delete s.enqueuedAt;
}

/** Starts queued sessions oldest first while the system has room, skipping those whose junior or mentor is full. */
export function drain(model: LifecycleModel): void {
  const u = usage(model);
  for (const s of u.queue) {
    if (u.system >= model.limits.system) return;
    if (!fits(model, u, s.junior, s.mentor)) continue;
    activate(model, s);
    u.system += 1;
    u.juniors.set(s.junior, (u.juniors.get(s.junior) ?? 0) + 1);
    if (s.mentor !== undefined) u.mentors.set(s.mentor, (u.mentors.get(s.mentor) ?? 0) + 1);
  }
}

/** A new session. Returns the outcome and, unless refused, the new session's index. */
export function start(model: LifecycleModel, junior: string, mentor: string | undefined): { outcome: ModelOutcome; index?: number } {
  const u = usage(model);
  const session: ModelSession = { junior, mentor, order: model.sessions.length, status: 'Queued', activeMs: 0 };
  if (u.queue.length === 0 && fits(model, u, junior, mentor)) {
    model.sessions.push(session);
    activate(model, session);
    return { outcome: 'ok', index: model.sessions.length - 1 };
  }
  if (u.queue.length >= model.limits.queueSize) return { outcome: '429' };
  session.enqueuedAt = model.now;
  model.sessions.push(session);
  drain(model);
  return { outcome: 'ok', index: model.sessions.length - 1 };
}

/** The transition table as the spec states it: from which statuses an operation applies, and its target. */
export const MODEL_RULES: Record<ModelOperation, { from: readonly SessionStatus[]; to: SessionStatus }> = {
  pause: { from: ['Active'], to: 'Paused' },
  resume: { from: ['Paused'], to: 'Active' },
  cancel: { from: ['Queued', 'Active', 'Paused'], to: 'Cancelled' },
  complete: { from: ['Active'], to: 'Completed' },
  fail: { from: ['Active'], to: 'Failed' },
};

function stopActiveClock(model: LifecycleModel, s: ModelSession): void {
  if (s.activeSince === undefined) return;
  s.activeMs += model.now - s.activeSince;
  delete s.activeSince;
}

function moveTo(model: LifecycleModel, s: ModelSession, to: SessionStatus): void {
  const wasOpen = isOpenStatus(s.status);
  stopActiveClock(model, s);
  delete s.pausedAt;
  delete s.enqueuedAt;
  if (to === 'Paused') s.pausedAt = model.now;
  if (to === 'Active') s.activeSince = model.now;
  s.status = to;
  if (wasOpen && !isOpenStatus(to)) drain(model);
}

/** A lifecycle operation on an existing session. */
export function operate(model: LifecycleModel, index: number, operation: ModelOperation): ModelOutcome {
  const s = model.sessions[index];
  if (s === undefined) throw new Error(`model: no session ${index}`);
  const rule = MODEL_RULES[operation];
  if (s.status === rule.to) return 'ok';
  if (!rule.from.includes(s.status)) return '409';
  moveTo(model, s, rule.to);
  return 'ok';
}

/** The deadline that applies to a session now, if any. */
export function deadlineOf(model: LifecycleModel, s: ModelSession): { at: number; kind: NonNullable<ModelSession['timedOut']> } | undefined {
  const t = model.timeouts;
  switch (s.status) {
    case 'Queued':
      return { at: s.enqueuedAt! + t.queueTimeoutMs, kind: 'queue_timeout' };
    case 'Active':
      return { at: s.activeSince! + (t.maxDurationMs - s.activeMs), kind: 'max_duration' };
    case 'Paused':
      return { at: s.pausedAt! + t.pauseTimeoutMs, kind: 'pause_timeout' };
    default:
      return undefined;
  }
}

/** The sweeper: every session whose deadline has passed is cancelled, then the queue is drained. */
export function sweep(model: LifecycleModel): number[] {
  const expired: number[] = [];
  model.sessions.forEach((s, index) => {
    const deadline = deadlineOf(model, s);
    if (deadline === undefined || deadline.at > model.now) return;
    stopActiveClock(model, s);
    delete s.pausedAt;
    delete s.enqueuedAt;
    s.status = 'Cancelled';
    s.timedOut = deadline.kind;
    expired.push(index);
  });
  drain(model);
  return expired;
}

export function advance(model: LifecycleModel, ms: number): void {
  model.now += ms;
}
