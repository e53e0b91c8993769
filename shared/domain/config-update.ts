import { missedCheckIns } from './check-ins';
import { activeTimeMs } from './deadlines';
import type { FieldIssue } from './errors';
import type { Session } from './model';
import { applyConfigPatch, type ConfigChange, configIssues, diffConfig, hoursToMs, minutesToMs, type SessionConfigPatch } from './session-config';
import { advance, type SessionWrite } from './session-write';
import { isOpen } from './status';
import type { TransitionContext } from './transitions';

export type ConfigUpdateOutcome =
  | { readonly outcome: 'changed'; readonly write: SessionWrite; readonly changes: readonly ConfigChange[] }
  | { readonly outcome: 'unchanged'; readonly session: Session }
  /** The session has ended: its config is history. */
  | { readonly outcome: 'ended' }
  /** The new config breaks a business rule. */
  | { readonly outcome: 'invalid'; readonly issues: readonly FieldIssue[] }
  /** The change is not safe at the session's status or time used. */
  | { readonly outcome: 'unsafe'; readonly field: string; readonly message: string; readonly details: Record<string, unknown> };

/**
 * A config change on a live session (issue 4, item 10). Safe at any open status:
 * notifications, check-in interval, escalation policy. Max duration only to a
 * value above the active time already used, so the deadline it sets stays in
 * the future. The quality tier only before the workflow runs (Queued). The
 * change is one `config_updated` event carrying the diff.
 */
export function updateConfig(session: Session, patch: SessionConfigPatch, ctx: TransitionContext): ConfigUpdateOutcome {
  if (!isOpen(session.status) && session.status !== 'Queued') return { outcome: 'ended' };
  const config = applyConfigPatch(session.config, patch);
  const issues = configIssues(config);
  if (issues.length > 0) return { outcome: 'invalid', issues };
  const changes = diffConfig(session.config, config);
  if (changes.length === 0) return { outcome: 'unchanged', session };

  const usedMs = activeTimeMs(session, ctx.now);
  if (config.qualityTierOverride !== session.config.qualityTierOverride && session.status !== 'Queued') {
    return {
      outcome: 'unsafe',
      field: 'qualityTierOverride',
      message: 'The quality gate tier is fixed once the workflow runs; it can change only while the session is queued.',
      details: { currentStatus: session.status },
    };
  }
  const maxMs = hoursToMs(config.maxDurationHours);
  if (config.maxDurationHours !== session.config.maxDurationHours && maxMs <= usedMs) {
    return {
      outcome: 'unsafe',
      field: 'maxDurationHours',
      message: `The session has already used ${Math.ceil(usedMs / 60_000)} minutes of active time; the new maximum must be above that.`,
      details: { activeMinutesUsed: Math.ceil(usedMs / 60_000) },
    };
  }

  // Check-ins already missed are recorded first, under the config they were missed under.
  const missed = session.status === 'Active' ? missedCheckIns(session, ctx.now) : undefined;
  const base: Session = missed === undefined ? session : { ...session, ...(missed.session.checkIn && { checkIn: missed.session.checkIn }) };
  const intervalChanged = config.checkInIntervalMinutes !== session.config.checkInIntervalMinutes;
  const next: Session = {
    ...base,
    config,
    ...(session.timeouts === undefined ? {} : { timeouts: { ...session.timeouts, maxDurationMs: maxMs } }),
    // A new interval counts from now (never from the past); the misses so far stand.
    ...(intervalChanged && base.checkIn !== undefined
      ? { checkIn: { nextActiveMs: usedMs + minutesToMs(config.checkInIntervalMinutes), missed: base.checkIn.missed } }
      : {}),
  };
  const write = advance(
    session,
    next,
    [
      ...(missed?.events ?? []),
      {
        type: 'config_updated',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        data: { changes: changes.map((change) => ({ ...change })) },
      },
    ],
    ctx.now,
  );
  return { outcome: 'changed', write, changes };
}
