import { DomainError, type ErrorCode } from '../domain/errors';

/** The request body is not JSON. */
export class MalformedJsonError extends DomainError {
  readonly code = 'malformed_json';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/**
 * The one table from error codes to HTTP statuses, with when each is answered
 * (docs/api.md's error table is generated from it). Exhaustive over ErrorCode:
 * a new code nobody maps does not compile.
 */
export const HTTP_ERRORS = {
  invalid_request: { status: 400, when: 'a bad field (named in `details.issues`), an unknown field, a bad `Idempotency-Key`' },
  malformed_json: { status: 400, when: 'the body is not JSON' },
  unauthenticated: { status: 401, when: 'no token, or an expired, forged or wrong-audience one' },
  forbidden: { status: 403, when: 'your role may not do this' },
  not_found: { status: 404, when: "no such session, or not yours (another junior's session is a 404, not a 403)" },
  transition_forbidden: { status: 409, when: 'the transition table forbids it; `details` has `currentStatus` and `allowedOperations`' },
  concurrent_update: { status: 409, when: "another request changed the session's status first; re-read and decide again" },
  session_not_running: { status: 409, when: 'the session is not Active or Paused (an engine report, a mentor change)' },
  config_change_unsafe: { status: 409, when: "a config change that is not safe at the session's status or time used (`details.field`)" },
  session_ended: { status: 409, when: 'the session has ended; its config can no longer change' },
  mentor_unavailable: { status: 409, when: 'the named mentor is unavailable or has no free slot (`details.reason`)' },
  payload_too_large: { status: 413, when: 'the body is over 64 KB' },
  export_too_large: { status: 413, when: 'a synchronous export over 5 MB: start an export job instead' },
  export_job_state: { status: 409, when: 'the export job has not succeeded (download) or has not failed (retry); `details.status` is its status' },
  unsupported_media_type: { status: 415, when: 'the body is not sent as `application/json`' },
  reference_not_found: { status: 422, when: 'the story, junior, mentor or config template does not exist (`details.field`)' },
  idempotency_key_reused: { status: 422, when: 'an `Idempotency-Key` sent again with a different request' },
  queue_full: { status: 429, when: 'the session would have to queue and the queue is at `max_queue_size`' },
  engine_unavailable: { status: 502, when: 'the workflow engine failed; the session is left consistent (`details.failure` says how)' },
  notification_failed: { status: 500, when: 'never answered: notifications are delivered from the stream, after the change' },
} as const satisfies { readonly [C in ErrorCode]: { readonly status: number; readonly when: string } };

/** Error code -> HTTP status (from HTTP_ERRORS). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.fromEntries(
  Object.entries(HTTP_ERRORS).map(([code, { status }]) => [code, status]),
) as Record<ErrorCode, number>;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
}

/**
 * Turns any error into a status and the error envelope. Only domain errors
 * (all below 500, or the engine's 502 with its own message) show their
 * message; anything else is a generic 500 that names the request id.
 */
export function toErrorResponse(error: unknown, requestId: string): { statusCode: number; body: ErrorBody; expected: boolean } {
  if (error instanceof DomainError) {
    // Exhaustive by type; a code smuggled past it (a cast, plain JavaScript) is still a hidden 500.
    const statusCode = (HTTP_STATUS_BY_CODE as Partial<Record<string, number>>)[error.code] ?? 500;
    if (statusCode < 500 || error.code === 'engine_unavailable') {
      return {
        statusCode,
        expected: true,
        body: { error: { code: error.code, message: error.message, ...(error.details && { details: { ...error.details } }) } },
      };
    }
  }
  return {
    statusCode: 500,
    expected: false,
    body: { error: { code: 'internal_error', message: 'Internal error.', details: { requestId } } },
  };
}
