import type { Actor, EngineCommand, EngineTarget, Session } from './model';
import { bump, type SessionWrite } from './session-write';
import type { Operation } from './transitions';

/**
 * Durable engine commands (issue 13). A change that needs the engine to move
 * records the engine's target on the session in the same transaction as the
 * change itself (`commanded`). The request then tries the engine at once; a
 * worker drives whatever is still pending once its `dueAt` has passed. The
 * command is cleared only when the engine has confirmed the target, so a
 * process that dies at any instant leaves a durable record of what is left to
 * do. Pure: the service drives, this module decides.
 */

/** How long a worker waits before taking over a command a request is still driving, by default. */
export const DEFAULT_COMMAND_LEASE_MS = 30_000;
/** The longest wait between two tries of a command. */
export const MAX_COMMAND_BACKOFF_MS = 5 * 60_000;

/** The target a status asks of the engine when nothing else is known: open sessions run or are suspended, ended ones stop. */
export function targetOfStatus(status: Session['status']): EngineTarget | undefined {
  if (status === 'Active') return 'running';
  if (status === 'Paused') return 'suspended';
  if (status === 'Queued') return undefined;
  return 'stopped';
}

/**
 * The target a caller's operation asks of the engine: undefined when the
 * engine has nothing to do (the session never started, or the engine itself
 * reported the end: role service).
 */
export function targetOfOperation(operation: Operation, before: Session, actor: Actor): EngineTarget | undefined {
  if (before.status === 'Queued') return undefined;
  switch (operation) {
    case 'pause':
      return 'suspended';
    case 'resume':
      return 'running';
    case 'cancel':
      return 'stopped';
    case 'complete':
    case 'fail':
      return actor.role === 'service' ? undefined : 'stopped';
  }
}

/** The target a worker drives: an ended session's instance stops, whatever an older command said. */
export function effectiveTarget(session: Session): EngineTarget | undefined {
  const target = session.engineCommand?.target;
  if (target === undefined) return undefined;
  return targetOfStatus(session.status) === 'stopped' ? 'stopped' : target;
}

/**
 * The write with the engine's new target recorded on its session (or, with
 * `undefined`, no command: the engine already agrees, e.g. it reported the
 * end itself). The same target asked again keeps its `since`.
 */
export function commanded(write: SessionWrite, target: EngineTarget | undefined, now: string, leaseMs: number): SessionWrite {
  const { engineCommand: previous, ...rest } = write.session;
  if (target === undefined) return { ...write, session: rest };
  const same = previous?.target === target;
  const command: EngineCommand = {
    target,
    since: same ? previous.since : now,
    attempts: same ? previous.attempts + 1 : 1,
    dueAt: later(now, leaseMs),
    ...((previous?.overlaps === true || (previous !== undefined && !same)) && { overlaps: true }),
  };
  return { ...write, session: { ...rest, engineCommand: command } };
}

/** A write that only asks the engine for a target (no status change, no event): a re-drive, or reconciliation's finding. */
export function commandOnly(session: Session, target: EngineTarget | undefined, now: string, leaseMs: number): SessionWrite {
  return commanded({ session: bump(session, session, now), events: [] }, target, now, leaseMs);
}

/** A worker takes a command over: one more try, and the lease moves so no other worker drives it meanwhile. */
export function commandClaimed(session: Session, now: string, leaseMs: number): Session {
  const command = mustHave(session);
  return bump(session, { ...session, engineCommand: { ...command, attempts: command.attempts + 1, dueAt: later(now, leaseMs) } }, now);
}

/**
 * A try that ended ambiguously (timeout, network, 5xx): the engine may or may
 * not have moved. The command stays, to be tried again after a capped
 * exponential backoff.
 */
export function commandTried(session: Session, error: string, now: string): Session {
  const command = mustHave(session);
  return bump(session, { ...session, engineCommand: { ...command, lastError: error.slice(0, 500), dueAt: later(now, retryDelayMs(command.attempts)) } }, now);
}

/**
 * The engine confirmed the target: the command is done; an instance the try
 * started or adopted is recorded. An overlapping command (asked for while an
 * older target was still pending) is done only if its try began a lease after
 * it was asked for, when no call for the older target can still be in
 * flight, or if it stops a known instance (a stopped instance stays stopped:
 * a late suspend or resume cannot bring it back); otherwise it waits out the
 * lease and the worker's try confirms it.
 */
export function commandConfirmed(session: Session, now: string, leaseMs: number, workflowInstanceId?: string, triedAt: string = now): Session {
  const { engineCommand: command, ...rest } = session;
  const recorded = { ...rest, ...(workflowInstanceId !== undefined && session.workflowInstanceId === undefined && { workflowInstanceId }) };
  const stoppedForGood = command?.target === 'stopped' && recorded.workflowInstanceId !== undefined;
  if (command?.overlaps !== true || stoppedForGood || Date.parse(triedAt) >= Date.parse(command.since) + leaseMs) return bump(session, recorded, now);
  const { overlaps: _overlaps, lastError: _error, ...settling } = command;
  return bump(session, { ...recorded, engineCommand: { ...settling, dueAt: later(now, leaseMs) } }, now);
}

/** An instance started or adopted for a session whose target has moved on meanwhile: recorded; the new target stays pending, due now. */
export function instanceRecorded(session: Session, workflowInstanceId: string, now: string): Session {
  const command = session.engineCommand;
  return bump(session, { ...session, workflowInstanceId, ...(command !== undefined && { engineCommand: { ...command, dueAt: now } }) }, now);
}

/** Wait before the next try after `attempts` tries: 5 s, 10 s, 20 s... capped at five minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_COMMAND_BACKOFF_MS, 5_000 * 2 ** Math.max(0, attempts - 1));
}

export function isDue(session: Session, now: string): boolean {
  return session.engineCommand !== undefined && session.engineCommand.dueAt <= now;
}

/** A start (an open session without an instance) that has been tried `maxAttempts` times: the session fails and frees its slots. */
export function startGivenUp(session: Session, maxAttempts: number): boolean {
  const command = session.engineCommand;
  return command !== undefined && command.target !== 'stopped' && session.workflowInstanceId === undefined && command.attempts >= maxAttempts;
}

/** How long the command has been pending at `now`, in ms (0 when none). */
export function pendingForMs(session: Session, now: string): number {
  return session.engineCommand === undefined ? 0 : Math.max(0, Date.parse(now) - Date.parse(session.engineCommand.since));
}

function later(now: string, ms: number): string {
  return new Date(Date.parse(now) + ms).toISOString();
}

function mustHave(session: Session): EngineCommand {
  if (session.engineCommand === undefined) throw new Error(`session ${session.id} has no engine command`);
  return session.engineCommand;
}
