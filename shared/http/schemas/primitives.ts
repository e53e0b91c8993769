import * as z from 'zod';
import { DIRECTORY_ID_PATTERN } from '../../domain/directory';
import { MENTORSHIP_STATES, type MentorshipState } from '../../domain/mentorship-state';
import { SESSION_STATUSES } from '../../domain/status';

/** The building blocks every wire schema uses: bounded text, ids, instants, storable numbers and free-form data, statuses, the error envelope. */

/** A non-empty tuple of states, as z.enum takes it. */
export type States = readonly [MentorshipState, ...MentorshipState[]];

/** Text must be well-formed UTF-16: a lone surrogate cannot be stored or echoed safely. */
export const wellFormed = (value: string) => value.isWellFormed();
export const text = (max: number) => z.string().trim().min(1).max(max).refine(wellFormed, 'must be well-formed Unicode');
export const directoryId = z.string().regex(DIRECTORY_ID_PATTERN, 'must be 1-128 characters of A-Za-z0-9._-');
export const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .describe('ISO 8601 instant');
export const notes = text(2000).optional();
/** Largest magnitude kept exactly (the SDK refuses larger); smallest non-zero magnitude DynamoDB stores safely. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
export const MIN_NUMBER = 1e-100;
export const storableNumber = z.number().refine((n) => Number.isFinite(n) && Math.abs(n) <= MAX_NUMBER && (n === 0 || Math.abs(n) >= MIN_NUMBER), {
  message: `must be 0 or between ${MIN_NUMBER} and ${MAX_NUMBER} in magnitude`,
});
export const MAX_DATA_DEPTH = 8;

/** Why a free-form JSON value cannot be stored as a DynamoDB map, or undefined when it can. */
export function unstorable(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DATA_DEPTH) return `is nested deeper than ${MAX_DATA_DEPTH} levels`;
  if (typeof value === 'number') return storableNumber.safeParse(value).success ? undefined : `has a number out of range (${value})`;
  if (typeof value === 'string') return value.isWellFormed() ? undefined : 'has text that is not well-formed Unicode';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.length === 0 || key.length > 128 || !key.isWellFormed()) return 'has an empty, over-long or ill-formed key';
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

export const freeData = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = unstorable(value, 1);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Responses

export const status = z.enum(SESSION_STATUSES);
export const mentorshipState = z.enum(MENTORSHIP_STATES as States);

export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type ErrorResponse = z.output<typeof ErrorResponse>;
