import * as z from 'zod';
import { DIRECTORY_ID_PATTERN } from '../../domain/directory';
import { ERROR_CODES } from '../../domain/errors';
import { MENTORSHIP_STATES, type MentorshipState } from '../../domain/mentorship-state';
import { ROLES, SESSION_EVENT_TYPES, type SessionEventType } from '../../domain/model';
import { once } from '../../domain/once';
import { SESSION_STATUSES } from '../../domain/status';
import { OPERATIONS, type Operation } from '../../domain/transitions';

/** The building blocks every wire schema uses: bounded text, ids, instants, storable numbers and free-form data, statuses, the error envelope. */

/** A non-empty tuple of states, as z.enum takes it. */
export type States = readonly [MentorshipState, ...MentorshipState[]];

/** Text must be well-formed UTF-16: a lone surrogate cannot be stored or echoed safely. */
export const wellFormed = (value: string) => value.isWellFormed();
export const text = (max: number) => z.string().trim().min(1).max(max).refine(wellFormed, 'must be well-formed Unicode');
export const directoryId = once(() => z.string().regex(DIRECTORY_ID_PATTERN, 'must be 1-128 characters of A-Za-z0-9._-'));
export const instant = once(() =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value).toISOString())
    .describe('ISO 8601 instant'),
);
export const notes = once(() => text(2000).optional());
/** Largest magnitude kept exactly (the SDK refuses larger); smallest non-zero magnitude DynamoDB stores safely. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
export const MIN_NUMBER = 1e-100;
export const storableNumber = once(() =>
  z.number().refine((n) => Number.isFinite(n) && Math.abs(n) <= MAX_NUMBER && (n === 0 || Math.abs(n) >= MIN_NUMBER), {
    message: `must be 0 or between ${MIN_NUMBER} and ${MAX_NUMBER} in magnitude`,
  }),
);
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
  if (typeof value === 'number') return storableNumber().safeParse(value).success ? undefined : { path, message: `has a number out of range (${value})` };
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
const freeKey = once(() => z.string().min(1).max(MAX_KEY_LENGTH));

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
export const freeData = once(() =>
  checkedFirst(
    (value, ctx) => {
      const problem = unstorable(value, 1);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
    },
    z.record(freeKey(), z.unknown()),
  ),
);

/** A free-form map of storable numbers (report `metrics`): keys as in {@link freeData}, kept exactly (not trimmed). */
export const freeNumbers = once(() =>
  checkedFirst(
    (value, ctx) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        const problem = keyProblem(key);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] });
      }
    },
    z.record(freeKey(), storableNumber()),
  ),
);

// Responses

export const status = once(() => z.enum(SESSION_STATUSES).meta({ id: 'SessionStatus', description: "The session's lifecycle status" }));
export const mentorshipState = once(() => z.enum(MENTORSHIP_STATES as States).meta({ id: 'MentorshipState', description: 'Where the mentorship workflow stands' }));
export const sessionEventType = once(() =>
  z
    .enum([...new Set(SESSION_EVENT_TYPES)] as [SessionEventType, ...SessionEventType[]])
    .meta({ id: 'SessionEventType', description: "An audit-log event's type (docs: the event catalogue)" }),
);
export const actorRole = once(() =>
  z.enum([...ROLES, 'system']).meta({ id: 'ActorRole', description: 'The role the actor acted in; `system` is this service acting on its own' }),
);
/** A map keyed by MentorshipState: only the states the session went through appear. */
export const byMentorshipState = <T extends z.ZodType>(value: T) => z.partialRecord(mentorshipState(), value);

/** Every code an error envelope can carry: the domain's codes and `internal_error` (an unexpected failure). */
export const ErrorCodeSchema = once(() =>
  z.enum([...ERROR_CODES, 'internal_error']).meta({
    id: 'ErrorCode',
    description: 'What went wrong; the status of each code is in docs/api.md (Errors)',
  }),
);
export const FieldIssueSchema = once(() =>
  z
    .object({ path: z.string().describe('where, e.g. body.config.maxDurationHours'), message: z.string() })
    .meta({ id: 'FieldIssue', description: 'One offending field of a refused request' }),
);

/**
 * What an error may say besides its message. Open (a code may add more); the
 * properties the service fills are named, by the codes that fill them.
 */
export const ErrorDetailsSchema = once(() =>
  z
    .looseObject({
      issues: z.array(FieldIssueSchema()).optional().describe('invalid_request: each offending field'),
      field: z.string().optional().describe('reference_not_found, config_change_unsafe: the field at fault'),
      id: z.string().optional().describe('reference_not_found: the id that does not exist'),
      operation: z.string().optional().describe('transition_forbidden, engine_unavailable: the operation refused or failed'),
      currentStatus: status().optional().describe("transition_forbidden, config_change_unsafe: the session's status"),
      allowedOperations: z
        .array(z.enum(OPERATIONS as [Operation, ...Operation[]]))
        .optional()
        .describe('transition_forbidden, concurrent_update: what the session allows in its status'),
      status: z.string().optional().describe("export_job_state: the export job's status"),
      failure: z.string().optional().describe('engine_unavailable: how the engine failed (timeout, rejected, ...)'),
      requestId: z.string().optional().describe('internal_error: the request id to look for in the logs'),
      sessionId: z.string().optional().describe('idempotency_key_reused, engine_unavailable: the session concerned'),
      mentorId: z.string().optional().describe('mentor_unavailable: the mentor named'),
      reason: z.string().optional().describe('mentor_unavailable: why the mentor cannot take it'),
      limitBytes: z.number().int().optional().describe('payload_too_large, export_too_large: the limit'),
      maxQueueSize: z.number().int().optional().describe('queue_full: the queue limit'),
    })
    .meta({ id: 'ErrorDetails', description: 'Details of an error; which properties appear depends on the code' }),
);

export const ErrorResponse = once(() =>
  z
    .object({
      error: z.object({
        code: ErrorCodeSchema(),
        message: z.string(),
        details: ErrorDetailsSchema().optional(),
      }),
    })
    .meta({ id: 'Error', description: 'The error envelope every error answer has' }),
);

export type ErrorResponse = z.output<ReturnType<typeof ErrorResponse>>;
