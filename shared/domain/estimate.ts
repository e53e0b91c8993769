import type { SlotScope } from './limits';

/** What the estimate knows about one limit that blocks a queued session. */
export interface BlockingScope {
  /** How many sessions this limit lets run at once. */
  readonly capacity: number;
  /** Queued sessions ahead of this one that need the same limit. */
  readonly ahead: number;
  /** Active time already used by each session holding a slot of this limit, in ms. */
  readonly holdersActiveMs: readonly number[];
}

export interface EstimateInput {
  /** Mean active duration of completed sessions (of the same template when known), in ms. */
  readonly meanActiveMs: number;
  readonly blocking: Partial<Record<SlotScope, BlockingScope>>;
}

/** A holder past the mean is assumed to have this share of the mean still to go. */
const OVERRUN_FLOOR = 0.1;

/**
 * Estimated wait until a queued session starts, in ms. For each limit that
 * blocks it: each holder frees its slot after `max(mean - used, 10% of mean)`;
 * the k-th session in line for that limit (k = sessions ahead needing it) takes
 * the (k mod n)-th slot to free, `floor(k / n)` whole mean durations later
 * (n = holders). The session starts when its last blocking limit lets it:
 * the estimate is the largest of the per-limit waits. No blocking limit: 0.
 */
export function estimateWaitMs(input: EstimateInput): number {
  const mean = Math.max(0, input.meanActiveMs);
  let wait = 0;
  for (const scope of Object.values(input.blocking)) {
    if (scope === undefined) continue;
    const remaining = scope.holdersActiveMs.map((used) => Math.max(mean - used, mean * OVERRUN_FLOOR)).sort((a, b) => a - b);
    const slots = Math.max(1, Math.min(scope.capacity, remaining.length || scope.capacity));
    const k = Math.max(0, scope.ahead);
    const first = remaining[k % slots] ?? mean;
    wait = Math.max(wait, first + Math.floor(k / slots) * mean);
  }
  return wait;
}

export function toMinutes(ms: number): number {
  return Math.ceil(ms / 60_000);
}
