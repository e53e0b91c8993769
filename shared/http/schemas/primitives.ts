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
/** Longest key of a free-form map, in UTF-16 code units (DynamoDB allows 64 KB names; the body limit bounds the rest). */
export const MAX_KEY_LENGTH = 1024;

/**
 * Keys refused in every free-form map. JavaScript gives them meaning: `__proto__`
 * cannot be an own key of an object built by assignment (zod's record parsing,
 * a spread, the SDK's unmarshalling all drop it or turn it into the object's
 * prototype), and the AWS SDK's marshaller recognises a plain object by
 * `value.constructor.name`, so a `constructor` member makes it refuse the map
 * (or, `{"constructor":{"name":"Map"}}`, read it as something else).
 * `prototype` goes with them: a classic pollution gadget, no use as data.
 * Refused with a 400 naming the path rather than stored in some escaped form
 * that would read back differently from what was sent.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Where (path below the map) and why a free-form JSON value cannot be stored as a DynamoDB map. */
export interface Unstorable {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Why a key of a free-form map is refused, or undefined when it is stored as sent. */
export function keyProblem(key: string): string | undefined {
  if (RESERVED_KEYS.has(key)) return `the key "${key}" is reserved (__proto__, constructor and prototype are refused)`;
  if (key === '') return 'the empty key cannot be stored (DynamoDB refuses an empty key in a map)';
  if (!key.isWellFormed()) return 'the key is not well-formed Unicode';
  if (key.length > MAX_KEY_LENGTH) return `the key is longer than ${MAX_KEY_LENGTH} characters`;
  return undefined;
}

/**
 * Why a free-form JSON value cannot be stored as a DynamoDB map, with the path
 * to the offending key or value, or undefined when it can. Reads own keys of
 * the parsed JSON (JSON.parse keeps `__proto__` as an own key), so it runs on
 * the request as parsed, before any copy.
 */
export function unstorable(value: unknown, depth: number, path: readonly (string | number)[] = []): Unstorable | undefined {
  if (depth > MAX_DATA_DEPTH) return { path, message: `is nested deeper than ${MAX_DATA_DEPTH} levels` };
  if (typeof value === 'number') return storableNumber.safeParse(value).success ? undefined : { path, message: `has a number out of range (${value})` };
  if (typeof value === 'string') return value.isWellFormed() ? undefined : { path, message: 'has text that is not well-formed Unicode' };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = unstorable(item, depth + 1, [...path, index]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const problem = keyProblem(key);
      if (problem) return { path: [...path, key], message: problem };
      const inner = unstorable((value as Record<string, unknown>)[key], depth + 1, [...path, key]);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** A key of a free-form map as the OpenAPI document shows it; {@link keyProblem} has the whole rule. */
const freeKey = z.string().min(1).max(MAX_KEY_LENGTH);

/**
 * Checks run on the map as parsed, before zod copies it (the copy would lose an
 * own `__proto__`). Written as a preprocess so the OpenAPI document still shows
 * the record schema after it.
 */
const checkedFirst = <T extends z.ZodType>(
  check: (value: unknown, ctx: { addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[] }): void }) => void,
  schema: T,
) =>
  z.preprocess((value, ctx) => {
    check(value, ctx);
    return value;
  }, schema);

/** Workflow event `data`: any JSON object DynamoDB can store, keys as sent (see {@link keyProblem}). */
export const freeData = checkedFirst(
  (value, ctx) => {
    const problem = unstorable(value, 1);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
  },
  z.record(freeKey, z.unknown()),
);

/** A free-form map of storable numbers (report `metrics`): keys as in {@link freeData}, kept exactly (not trimmed). */
export const freeNumbers = checkedFirst(
  (value, ctx) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      const problem = keyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] });
    }
  },
  z.record(freeKey, storableNumber),
);

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
